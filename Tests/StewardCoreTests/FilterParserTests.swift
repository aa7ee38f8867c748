import Testing

@testable import StewardCore

@Suite("Search filter grammar")
struct FilterParserTests {
    @Test("Entity prefixes and their aliases resolve to typed fields")
    func prefixes() throws {
        let clauses = try RunSearchGrammar.filter(
            "metrics.rmse < 0.5 and metric.mae >= 1 AND params.model = 'tree' and param.depth != '3' and parameter.a LIKE 'x%' "
                + "and parameters.b ILIKE 'Y%' and tags.team = 'ml' and tag.t = 'v' and attributes.status = 'FINISHED' "
                + "and attribute.user_id = 'me' and attr.run_name = 'r' and run.artifact_uri LIKE 'mlflow%' and start_time > 5 "
                + "and datasets.name = 'train' and dataset.digest IN ('a', 'b')")
        #expect(
            clauses.map(\.field) == [
                .metric("rmse"), .metric("mae"), .param("model"), .param("depth"), .param("a"), .param("b"), .tag("team"), .tag("t"),
                .attribute(.status), .attribute(.userID), .attribute(.runName), .attribute(.artifactURI), .attribute(.startTime),
                .dataset(.name), .dataset(.digest),
            ])
        #expect(clauses[0] == FilterClause(field: .metric("rmse"), comparator: .less, value: .number(0.5)))
        #expect(clauses[2].value == .string("tree"))
        #expect(clauses[14] == FilterClause(field: .dataset(.digest), comparator: .in, value: .strings(["a", "b"])))
    }

    @Test("Keys may be quoted with backticks or double quotes and hold dots, dashes and spaces")
    func quotedKeys() throws {
        let clauses = try RunSearchGrammar.filter(
            "tags.`mlflow.prompt.is_prompt` != 'true' and metrics.\"my metric-1\" > 2 and params.a.b = 'c' and `run name` = 'x' "
                + "and \"Run Name\" = 'y'")
        #expect(
            clauses.map(\.field) == [
                .tag("mlflow.prompt.is_prompt"), .metric("my metric-1"), .param("a.b"), .attribute(.runName), .attribute(.runName),
            ])
    }

    @Test("String values unescape doubled quotes; numbers may be signed or use exponents")
    func values() throws {
        let clauses = try RunSearchGrammar.filter("params.q = 'it''s' and metrics.m > -1.5e3 and metrics.n <= +.25 and created >= 1700000000000")
        #expect(clauses[0].value == .string("it's"))
        #expect(try RunSearchGrammar.filter("params.a = \"x\" and run_id IN (\"r1\", 'r2')").map(\.value) == [.string("x"), .strings(["r1", "r2"])])
        #expect(clauses[1].value == .number(-1500))
        #expect(clauses[2].value == .number(0.25))
        #expect(clauses[3] == FilterClause(field: .attribute(.startTime), comparator: .greaterOrEqual, value: .number(1_700_000_000_000)))
    }

    @Test("IN, NOT IN and IS [NOT] NULL")
    func membershipAndPresence() throws {
        let clauses = try RunSearchGrammar.filter(
            "run_id in ('a','b') AND attributes.run_id NOT IN ('c') and tags.x IS NULL and params.y is not null")
        #expect(clauses.map(\.comparator) == [.in, .notIn, .isNull, .isNotNull])
        #expect(clauses[1].value == .strings(["c"]))
    }

    @Test("An empty or blank filter matches everything")
    func emptyFilter() throws {
        #expect(try RunSearchGrammar.filter(nil).isEmpty)
        #expect(try RunSearchGrammar.filter("   ").isEmpty)
    }

    @Test(
        "Malformed filters are refused with INVALID_PARAMETER_VALUE",
        arguments: [
            "params.a == == '1'",
            "metrics.a > 1 OR metrics.b > 2",
            "metrics.a > 'x'",
            "params.a = 1",
            "params.a = tree",
            "metrics.a >",
            "metrics.a > 1 and",
            "metrics.a > 1 metrics.b > 2",
            "foo.a = 'x'",
            "nonsense = 'x'",
            "metrics.a LIKE 'x%'",
            "params.a > 'x'",
            "status IN ('a')",
            "run_id IN ()",
            "run_id IN ('a'",
            "params.a = 'unterminated",
            "start_time = 'yesterday'",
            "datasets.size = 'x'",
            "metrics.a ~ 1",
            "(metrics.a > 1)",
            "params.path LIKE 'C:\\'",
            "tags.t ILIKE 'a\\\\\\'",
        ])
    func malformed(_ filter: String) {
        #expect(throws: StewardError.self) { try RunSearchGrammar.filter(filter) }
        do {
            _ = try RunSearchGrammar.filter(filter)
        } catch {
            #expect(error.code == .invalidParameterValue)
        }
    }

    @Test("Filters are bounded: clauses, IN lists and order-by keys")
    func bounds() throws {
        let fifty = (0..<50).map { "metrics.m\($0) > 0" }.joined(separator: " and ")
        #expect(try RunSearchGrammar.filter(fifty).count == 50)
        #expect(throws: StewardError.self) { try RunSearchGrammar.filter(fifty + " and metrics.x > 0") }
        let list = (0...1000).map { "'r\($0)'" }.joined(separator: ",")
        #expect(throws: StewardError.self) { try RunSearchGrammar.filter("run_id IN (\(list))") }
        #expect(throws: StewardError.self) { try RunSearchGrammar.orderBy(Array(repeating: "metrics.m", count: 21)) }
        #expect(try RunSearchGrammar.filter("params.path LIKE 'C:\\\\%'").count == 1)
    }

    @Test("Order-by clauses take a direction and default to ascending")
    func orderBy() throws {
        let order = try RunSearchGrammar.orderBy(["metrics.`m` DESC", "params.p asc", "start_time", "tags.\"t x\" DESC"])
        #expect(
            order == [
                OrderClause(field: .metric("m"), ascending: false), OrderClause(field: .param("p"), ascending: true),
                OrderClause(field: .attribute(.startTime), ascending: true), OrderClause(field: .tag("t x"), ascending: false),
            ])
    }

    @Test("Malformed order-by clauses are refused", arguments: ["metrics.m DESC extra", "metrics.m SIDEWAYS", "", "foo.m", "datasets.name"])
    func malformedOrderBy(_ clause: String) {
        #expect(throws: StewardError.self) { try RunSearchGrammar.orderBy([clause]) }
    }

    @Test("Experiment search: attributes, tags and MLflow's default order with an id tie-breaker")
    func experimentGrammar() throws {
        let clauses = try ExperimentSearchGrammar.filter("name LIKE 'demo%' and tags.team = 'ml' and creation_time > 5 and experiment_id IN ('1')")
        #expect(clauses.map(\.field) == [.attribute(.name), .tag("team"), .attribute(.creationTime), .attribute(.experimentID)])
        #expect(try ExperimentSearchGrammar.orderBy([]) == ExperimentSearchGrammar.defaultOrder)
        #expect(
            try ExperimentSearchGrammar.orderBy(["name"]) == [
                OrderClause(field: .attribute(.name), ascending: true), OrderClause(field: .attribute(.experimentID), ascending: false),
            ])
        #expect(throws: StewardError.self) { try ExperimentSearchGrammar.filter("name IS NULL") }
        #expect(throws: StewardError.self) { try ExperimentSearchGrammar.filter("metrics.a > 1") }
        #expect(throws: StewardError.self) { try ExperimentSearchGrammar.orderBy(["tags.team"]) }
    }

    @Test("Logged-model search: attributes with aliases, metrics, params and tags")
    func loggedModelGrammar() throws {
        let clauses = try LoggedModelSearchGrammar.filter(
            "name = 'dir' and creation_time > 1 and metrics.acc >= 0.9 and params.p = 'x' and tags.t LIKE 'v%' and model_id IN ('m-1')")
        #expect(
            clauses.map(\.field) == [
                .attribute(.name), .attribute(.creationTimestamp), .metric("acc"), .param("p"), .tag("t"), .attribute(.modelID),
            ])
        #expect(throws: StewardError.self) { try LoggedModelSearchGrammar.filter("params.p > 'x'") }
        #expect(throws: StewardError.self) { try LoggedModelSearchGrammar.filter("size = 'x'") }
    }
}
