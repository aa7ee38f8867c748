import Testing

@testable import StewardCore

/// Gate specs: parsing, absolute and champion-relative conditions, and how results read.
@Suite("Gates")
struct GateRulesTests {
    static let spec = """
        name: churn
        conditions:
          - accuracy >= 0.9
          - latency_p95_ms <= 200
          - wape <= champion.wape * 1.02
          - fairness.sex.dp_ratio >= 0.8
        """

    @Test("Conditions parse into metric, comparison and bound")
    func parsing() throws {
        let gate = try GateSpec(yaml: Self.spec)
        #expect(gate.name == "churn")
        #expect(gate.conditions.map(\.metric) == ["accuracy", "latency_p95_ms", "wape", "fairness.sex.dp_ratio"])
        #expect(gate.conditions[2].bound == .champion(metric: "wape", factor: 1.02))
        #expect(gate.conditions[1].comparison == .atMost && gate.conditions[1].bound == .constant(200))
    }

    @Test(
        "A malformed spec is refused with the condition named",
        arguments: [
            ("conditions: []", "non-empty"), ("conditions: [accuracy >= high]", "conditions[0]"), ("conditions: [accuracy => 0.9]", "conditions[0]"),
            ("conditions: ['wape <= champion.wape + 1']", "conditions[0]"), ("conditions: ['a >= 1', 'b']", "conditions[1]"),
            ("threshold: 3\nconditions: ['a >= 1']", "Unknown gate spec key"), ("conditions: [{a: 1}]", "must be a string"), ("[", "YAML"),
        ])
    func malformed(document: String, message: String) {
        #expect {
            try GateSpec(yaml: document)
        } throws: { error in
            (error as? StewardError)?.message.contains(message) == true
        }
    }

    @Test("Each condition reports value, threshold and outcome; relative ones compare with the champion")
    func checking() throws {
        let gate = try GateSpec(yaml: Self.spec)
        let candidate = ["accuracy": 0.93, "latency_p95_ms": 210, "wape": 0.101, "fairness.sex.dp_ratio": 0.85]
        let first = gate.check(candidate, champion: nil)
        #expect(first.conditions.map(\.outcome) == [.passed, .failed, .skipped, .passed])
        #expect(!first.passed)
        let second = gate.check(candidate.merging(["latency_p95_ms": 150]) { $1 }, champion: ["wape": 0.1])
        #expect(second.conditions[2].threshold == 0.1 * 1.02 && second.conditions[2].outcome == .passed)
        #expect(second.passed)
        let worse = gate.check(candidate.merging(["latency_p95_ms": 150, "wape": 0.2]) { $1 }, champion: ["wape": 0.1])
        #expect(!worse.passed && worse.conditions[2].outcome == .failed)
        let missing = gate.check(["accuracy": 1, "wape": 0.1], champion: [:])
        #expect(missing.conditions[1].note == "metric not reported" && missing.conditions[2].note == "the champion has no wape")
        #expect(worse.table.hasSuffix("gate churn: FAILED\n") && worse.table.contains("wape <= champion.wape * 1.02"))
        let misspelt = gate.check(["acuracy": 0.95, "latency_p95": 100], champion: nil)
        #expect(misspelt.conditions[0].note == "metric not reported; did you mean 'acuracy'?")
        #expect(misspelt.conditions[1].note == "metric not reported; did you mean 'latency_p95'?")
    }

    @Test("An alert condition on an unknown metric names the one meant and lists them all")
    func unknownAlertMetric() {
        #expect {
            try AlertRules(yaml: "conditions: ['acuracy >= 0.8']\n", allowedHosts: EndpointAllowList(hosts: []))
        } throws: { error in
            let message = (error as? StewardError)?.message ?? ""
            return message.hasPrefix("conditions[0]: 'acuracy' is not a monitored metric: did you mean 'accuracy'? The metrics are accuracy, ")
                && message.contains("latency_p95_ms") && message.hasSuffix("and psi.<feature> for one feature's drift.")
        }
    }

    @Test("Evaluation tasks read their columns and name the row of a bad value")
    func tasks() throws {
        let binary = try EvaluationTask.binary.metrics(
            .init(truth: ["1", "0", "yes", "FALSE"], prediction: nil, score: ["0.9", "0.2", "0.4", "0.6"]), threshold: 0.5)
        #expect(binary.values["accuracy"] == 0.5 && binary.values["roc_auc"] == 0.75 && binary.counts["rows"] == 4)
        let hard = try EvaluationTask.binary.metrics(.init(truth: ["1", "1"], prediction: ["1", "0"], score: nil))
        #expect(hard.values["recall"] == 0.5 && hard.undefined["roc_auc"]?.contains("one class") == true && hard.values["log_loss"] == nil)
        let multiclass = try EvaluationTask.multiclass.metrics(
            .init(truth: ["cat", "dog", "cat", "bird"], prediction: ["cat", "cat", "cat", "bird"], score: nil))
        #expect(multiclass.values["accuracy"] == 0.75 && multiclass.counts["classes"] == 3)
        let regression = try EvaluationTask.regression.metrics(.init(truth: ["0", "2"], prediction: ["1", "2"], score: nil))
        #expect(regression.values["mae"] == 0.5 && regression.undefined["mape"] != nil && regression.values["wape"] == 0.5)
        #expect(throws: StewardError.invalidParameter("The true value in row 2 is 'maybe'; binary classes are 1/0, true/false or yes/no.")) {
            try EvaluationTask.binary.metrics(.init(truth: ["1", "maybe"], prediction: ["1", "1"], score: nil))
        }
        #expect(throws: StewardError.self) { try EvaluationTask.regression.metrics(.init(truth: ["1"], prediction: ["NaN"], score: nil)) }
    }
}

/// Endpoint evaluations: the allow-list and batching.
@Suite("Model endpoints")
struct ModelEndpointTests {
    struct Echo: ModelEndpoint {
        func predict(columns: [String], rows: [[String]]) async throws -> [String] { rows.map { $0[0] } }
    }

    struct Short: ModelEndpoint {
        func predict(columns: [String], rows: [[String]]) async throws -> [String] { Array(rows.map { $0[0] }.dropLast()) }
    }

    @Test("Only allowed hosts over http(s), without credentials")
    func allowList() throws {
        let allowed = EndpointAllowList(hosts: ["Models.Internal"])
        #expect(try allowed.check("http://models.internal:5001/invocations").port == 5001)
        for text in [
            "http://169.254.169.254/latest", "file:///etc/passwd", "ftp://models.internal/x", "http://user:pw@models.internal/x", "models.internal",
        ] {
            #expect(throws: StewardError.self, "\(text)") { try allowed.check(text) }
        }
        #expect { try allowed.check("http://other.host/x") } throws: { ($0 as? StewardError)?.code == .permissionDenied }
        #expect(throws: StewardError.self) { try EndpointAllowList(hosts: []).check("http://models.internal/x") }
        // Scheme and host are normalised before the check, and the URL called is the normalised one.
        let upper = try allowed.check("HTTP://MODELS.Internal.:5001/Invocations")
        #expect(upper.absoluteString == "http://models.internal:5001/Invocations")
        #expect(upper.scheme == "http" && upper.host == "models.internal")
        #expect(throws: StewardError.self) { try allowed.check("HTTP://OTHER.host/x") }
    }

    @Test("Rows go out in batches, each row timed by its call; a short answer is refused")
    func batches() async throws {
        nonisolated(unsafe) var tick = 0.0
        let rows = (1...7).map { [String($0)] }
        let scored = try await EvaluationService.score(Echo(), columns: ["x"], rows: rows, batchSize: 3) {
            tick += 0.5
            return tick
        }
        #expect(scored.predictions == (1...7).map(String.init))
        #expect(scored.latencies == Array(repeating: "500.0", count: 7))
        await #expect(throws: StewardError.self) { try await EvaluationService.score(Short(), columns: ["x"], rows: rows, batchSize: 3) { 0 } }
        await #expect(throws: StewardError.self) { try await EvaluationService.score(Echo(), columns: ["x"], rows: rows, batchSize: 0) { 0 } }
    }
}

/// LLM-judge replies and their aggregation.
@Suite("Judges")
struct JudgeTests {
    struct Fixed: Judge {
        let scores: [String: Double]
        func grade(reference: String, output: String, rubric: String) async throws -> Double { scores[output] ?? 0 }
    }

    @Test("A reply's first number is the score; anything outside 0…1 is refused")
    func replies() throws {
        #expect(try EvaluationService.judgeScore("Score: 0.75 because…") == 0.75)
        #expect(try EvaluationService.judgeScore("1") == 1)
        for reply in ["great", "Score: 7", "-0.2"] { #expect(throws: StewardError.self, "\(reply)") { try EvaluationService.judgeScore(reply) } }
    }

    @Test("Mean, minimum and pass rate over rows")
    func aggregation() async throws {
        let judge = Fixed(scores: ["a": 1, "b": 0.4, "c": 0.7])
        let metrics = try await EvaluationService.judged(judge, references: ["x", "y", "z"], outputs: ["a", "b", "c"], rubric: "r")
        #expect(abs((metrics["judge_score"] ?? 0) - 0.7) < 1e-12)
        #expect(metrics["judge_score_min"] == 0.4 && metrics["judge_pass_rate"] == 2.0 / 3)
        await #expect(throws: StewardError.self) { try await EvaluationService.judged(judge, references: ["x"], outputs: ["a"], rubric: " ") }
    }
}
