import Foundation
import Hummingbird
import StewardCore
import StewardJSON

/// Gates and evaluations: a system's gate spec (`/api/v1/systems/{id}/gate`), and evaluations of a model version
/// on a test set uploaded as the request body (`POST /api/v1/evaluations?system=…&model=…&version=…&task=…`).
struct EvaluationsController<Context: IdentifiedRequestContext>: Sendable {
    let evaluations: EvaluationService
    /// How a prompt evaluation's rows reach the LLM gateway.
    let completions: any PromptCompletions

    func addRoutes(to group: RouterGroup<Context>) {
        group.native(.post, "systems/:id/datasets", query: ["name", "format"], use: uploadDataset)
        group.native(.get, "systems/:id/datasets", use: listDatasets)
        group.native(.get, "systems/:id/datasets/:name/versions/:version", use: showDataset)
        group.native(.get, "systems/:id/gate", use: showGate)
        group.native(.put, "systems/:id/gate", use: replaceGate)
        group.native(.post, "systems/:id/gate/check", query: ["model", "version", "task", "name"], use: checkReported)
        group.native(.get, "systems/:id/evaluations", use: list)
        group.native(
            .post, "evaluations",
            query: [
                "system", "model", "version", "task", "label", "prediction", "score", "threshold", "sensitive", "slice", "latency", "error", "cost",
                "endpoint", "judge", "judge_model", "rubric", "feature", "format", "name", "dataset", "dataset_version", "batch", "output",
                "json_schema", "prompt", "prompt_version", "prompt_alias", "gateway_model",
            ], repeatable: ["sensitive", "slice", "feature"], use: evaluate)
        group.native(.get, "evaluations/:id", use: show)
    }

    /// Registers the body (CSV, or JSON Lines with `format=jsonl`) as the next version of the named test set;
    /// uploading the same content again returns the version that has it.
    @Sendable func uploadDataset(_ request: Request, context: Context) async throws -> Response {
        let dataset = try await evaluations.registerDataset(
            systemID: try NativeMessage.parameter("id", context), name: try NativeMessage.required(try NativeMessage.query("name", request), "name"),
            format: try TableFormat(parsing: try NativeMessage.query("format", request)), body: request.body, actor: context.principal)
        return try NativeMessage.json(DatasetBody(dataset: WireEvaluationDataset(dataset)), status: .created)
    }

    @Sendable func listDatasets(_ request: Request, context: Context) async throws -> Response {
        let id = try NativeMessage.parameter("id", context)
        let datasets = try await evaluations.datasets(systemID: id)
        return try NativeMessage.json(DatasetListBody(datasets: datasets.map(WireEvaluationDataset.init)))
    }

    @Sendable func showDataset(_ request: Request, context: Context) async throws -> Response {
        let dataset = try await evaluations.dataset(
            systemID: try NativeMessage.parameter("id", context), name: try NativeMessage.parameter("name", context),
            version: try NativeMessage.parameter("version", context))
        return try NativeMessage.json(DatasetBody(dataset: WireEvaluationDataset(dataset)))
    }

    @Sendable func showGate(_ request: Request, context: Context) async throws -> Response {
        let id = try NativeMessage.parameter("id", context)
        guard let gate = try await evaluations.currentGate(systemID: id) else {
            throw StewardError.notFound("AI system '\(id)' has no gate spec; PUT one to /api/v1/systems/\(id)/gate.")
        }
        return try NativeMessage.json(GateBody(gate: WireGate(gate)))
    }

    /// Replaces the gate spec with the YAML document in the body.
    @Sendable func replaceGate(_ request: Request, context: Context) async throws -> Response {
        let document = try await NativeMessage.text(of: request)
        let gate = try await evaluations.setGate(systemID: try NativeMessage.parameter("id", context), document: document, actor: context.principal)
        return try NativeMessage.json(GateBody(gate: WireGate(gate)))
    }

    /// Records metrics computed elsewhere (the body: a JSON object of metric names to numbers, as
    /// `steward evaluate --json` prints) for `model` `version` and checks the system's gate on them.
    @Sendable func checkReported(_ request: Request, context: Context) async throws -> Response {
        let query = MLflowRequest.parseQuery(request.uri.query)
        for (name, value) in query { _ = try NativeMessage.plain(value, name) }
        func one(_ name: String) -> String? { query.last { $0.0 == name }?.1 }
        let object: [String: JSONValue]
        do { object = try await NativeMessage.decode([String: JSONValue].self, from: request) } catch let error as StewardError {
            throw StewardError.invalidParameter("The body must be a JSON object of metric names to numbers: \(error.message)")
        }
        var report = MetricReport()
        for (name, value) in object {
            switch value {
            case .integer(let number): report.values[name] = Double(number)
            case .number(let number): report.values[name] = number
            default: throw StewardError.invalidParameter("The metric '\(name)' is not a finite number.")
            }
        }
        if let rows = report.values["rows"], rows >= 0, rows == rows.rounded(), rows < 1e15 { report.counts["rows"] = Int(rows) }
        let evaluation = try await evaluations.recordReported(
            systemID: try NativeMessage.parameter("id", context), model: try NativeMessage.required(one("model"), "model"),
            version: try NativeMessage.required(one("version"), "version"),
            task: try EvaluationTask(parsing: try NativeMessage.required(one("task"), "task")),
            report: report, datasetName: one("name") ?? "reported-metrics", actor: context.principal)
        return try NativeMessage.json(EvaluationBody(evaluation: WireEvaluation(evaluation)), status: .created)
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let found = try await evaluations.evaluations(systemID: try NativeMessage.parameter("id", context))
        return try NativeMessage.json(EvaluationListBody(evaluations: found.map(WireEvaluation.init)))
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> Response {
        try NativeMessage.json(
            EvaluationBody(evaluation: WireEvaluation(try await evaluations.evaluation(id: try NativeMessage.parameter("id", context)))))
    }

    /// Scores the test set in the body (CSV with a header row, or JSON Lines with `format=jsonl`), or a registered one
    /// (`dataset`, `dataset_version`). Query parameters: system, model, version, task, label, prediction, score,
    /// threshold, repeatable sensitive and slice, latency, error and cost columns, name for the dataset; endpoint with
    /// repeatable feature, output and batch; judge with judge_model and rubric; json_schema.
    @Sendable func evaluate(_ request: Request, context: Context) async throws -> Response {
        let query = MLflowRequest.parseQuery(request.uri.query)
        for (name, value) in query { _ = try NativeMessage.plain(value, name) }
        func one(_ name: String) -> String? { query.last { $0.0 == name }?.1 }
        func required(_ name: String) throws -> String { try NativeMessage.required(one(name), name) }
        func all(_ name: String) -> [String] { query.filter { $0.0 == name }.map(\.1) }
        guard let threshold = Double(one("threshold") ?? "0.5") else { throw StewardError.invalidParameter("threshold must be a number.") }
        guard let batch = Int(one("batch") ?? "100") else { throw StewardError.invalidParameter("batch must be an integer.") }
        var prompt: PromptReference?
        if let name = one("prompt") {
            guard one("model") == nil, one("version") == nil else {
                throw StewardError.invalidParameter(
                    "A prompt evaluation evaluates the prompt's version: give prompt_version or prompt_alias, not model and version.")
            }
            guard one("prompt_version") == nil || one("prompt_alias") == nil else {
                throw StewardError.invalidParameter("Give prompt_version or prompt_alias, not both.")
            }
            prompt = PromptReference(name: name, version: one("prompt_version"), alias: one("prompt_alias"), variables: [:])
        } else if let stray = ["prompt_version", "prompt_alias", "gateway_model"].first(where: { one($0) != nil }) {
            throw StewardError.invalidParameter("\(stray) belongs to a prompt evaluation: name the prompt with prompt=….")
        }
        let model = try prompt?.name ?? required("model")
        let version = try prompt == nil ? required("version") : ""
        var order = EvaluationOrder(
            systemID: try required("system"), model: model, version: version,
            task: try EvaluationTask(parsing: try required("task")), label: try required("label"), prediction: one("prediction"),
            score: one("score"), latency: one("latency"), error: one("error"), cost: one("cost"), threshold: threshold, sensitive: all("sensitive"),
            slices: all("slice"), features: all("feature"), endpoint: one("endpoint"),
            endpointOutput: one("output") == "score" ? .score : .prediction,
            batch: batch, judge: one("judge"), judgeModel: one("judge_model") ?? "judge", rubric: one("rubric") ?? "", jsonSchema: one("json_schema"),
            datasetName: one("name") ?? "test-set", format: try TableFormat(parsing: one("format")))
        if let prompt {
            order.prompt = prompt
            order.gatewayModel = one("gateway_model")
            order.completions = completions
        }
        let evaluation =
            if let dataset = one("dataset") {
                try await evaluations.evaluate(order, dataset: dataset, version: one("dataset_version"), actor: context.principal)
            } else {
                try await evaluations.evaluate(order, upload: request.body, actor: context.principal)
            }
        return try NativeMessage.json(EvaluationBody(evaluation: WireEvaluation(evaluation)), status: .created)
    }
}

struct GateBody: Encodable { let gate: WireGate }
struct EvaluationBody: Encodable { let evaluation: WireEvaluation }
struct EvaluationListBody: Encodable { let evaluations: [WireEvaluation] }

struct WireGate: Encodable {
    let systemId: String
    let version: Int64
    let name: String
    let conditions: [String]
    let document: String
    let author: String
    let createdAt: Int64

    init(_ gate: StoredGate) {
        systemId = gate.systemID
        version = gate.version
        name = gate.spec.name
        conditions = gate.spec.conditions.map(\.text)
        document = gate.spec.document
        author = gate.author
        createdAt = gate.createdAt
    }
}

struct WireEvaluation: Encodable {
    let id: String
    let systemId: String
    let model: String
    let version: String
    let task: String
    let datasetName: String
    let datasetDigest: String
    let rows: Int
    let runId: String
    let metrics: [String: Double]
    let undefinedMetrics: [String: String]
    let counts: [String: Int]
    let gateVersion: Int64?
    let gate: GateResult?
    let gatePassed: Bool
    let createdBy: String
    let createdAt: Int64

    init(_ evaluation: Evaluation) {
        id = evaluation.id
        systemId = evaluation.systemID
        model = evaluation.model
        version = String(evaluation.version)
        task = evaluation.task.rawValue
        datasetName = evaluation.datasetName
        datasetDigest = evaluation.datasetDigest
        rows = evaluation.rows
        runId = evaluation.runID
        metrics = (evaluation.report.values)
        undefinedMetrics = (evaluation.report.undefined)
        counts = (evaluation.report.counts)
        gateVersion = evaluation.gateVersion
        gate = evaluation.gate
        gatePassed = evaluation.gatePassed
        createdBy = evaluation.createdBy
        createdAt = evaluation.createdAt
    }
}

struct DatasetBody: Encodable { let dataset: WireEvaluationDataset }
struct DatasetListBody: Encodable { let datasets: [WireEvaluationDataset] }

struct WireEvaluationDataset: Encodable {
    let systemId: String
    let name: String
    let version: String
    let digest: String
    let format: String
    let rows: Int
    let columns: [EvaluationDataset.Column]
    let createdBy: String
    let createdAt: Int64

    init(_ dataset: EvaluationDataset) {
        systemId = dataset.systemID
        name = dataset.name
        version = String(dataset.version)
        digest = dataset.digest
        format = dataset.format
        rows = dataset.rows
        columns = dataset.columns
        createdBy = dataset.createdBy
        createdAt = dataset.createdAt
    }
}
