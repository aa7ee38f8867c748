import Foundation
import Hummingbird
import StewardCore
import StewardJSON
import StewardStatistics
import StewardStore

/// Gates and evaluations: a system's gate spec (`/api/v1/systems/{id}/gate`), and evaluations of a model version
/// on a test set uploaded as the request body (`POST /api/v1/evaluations?system=…&model=…&version=…&task=…`).
struct EvaluationsController<Context: IdentifiedRequestContext>: Sendable {
    let evaluations: EvaluationService
    /// Steward's own files (registered test sets), out of the MLflow routes' reach.
    let files: any ArtifactStore
    let maximumBytes: Int64
    let endpointHosts: EndpointAllowList

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
                "json_schema",
            ], use: evaluate)
        group.native(.get, "evaluations/:id", use: show)
    }

    /// Registers the body (CSV, or JSON Lines with `format=jsonl`) as the next version of the named test set;
    /// uploading the same content again returns the version that has it.
    @Sendable func uploadDataset(_ request: Request, context: Context) async throws -> Response {
        let systemID = try NativeMessage.parameter("id", context)
        let name = try MLflowRequest.required(try NativeMessage.query("name", request), "name")
        let format = try Self.format(try NativeMessage.query("format", request))
        let (path, digest) = try await Self.store(request.body, maximumBytes: maximumBytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (columns, rows) = try TableFile.profile(path: path, format: format)
        let location = try ArtifactPath(decoded: "datasets/\(digest).\(format.rawValue)")
        if case .missing = try await files.list(location) {
            _ = try await files.write(location, contents: Self.chunks(of: path), maxBytes: maximumBytes)
        }
        let dataset = try await evaluations.registerDataset(
            systemID: systemID, name: name, format: format.rawValue, digest: digest, rows: rows, columns: columns, location: "\(location)",
            actor: context.principal)
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

    static func format(_ text: String?) throws -> TableFile.Format {
        guard let format = TableFile.Format(rawValue: text ?? "csv") else {
            throw StewardError.invalidParameter("Unknown format '\(text ?? "")': use csv or jsonl.")
        }
        return format
    }

    /// A file's content as a stream of buffers, for the artifact store.
    static func chunks(of path: String) -> AsyncThrowingStream<ByteBuffer, any Error> {
        AsyncThrowingStream { continuation in
            guard let handle = FileHandle(forReadingAtPath: path) else {
                continuation.finish(throwing: StewardError(.internalError, "The uploaded dataset vanished before it was stored."))
                return
            }
            defer { try? handle.close() }
            while let data = try? handle.read(upToCount: 1 << 20), !data.isEmpty { continuation.yield(ByteBuffer(data: data)) }
            continuation.finish()
        }
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
            systemID: try NativeMessage.parameter("id", context), model: try MLflowRequest.required(one("model"), "model"),
            version: try MLflowRequest.required(one("version"), "version"),
            task: try EvaluationTask(parsing: try MLflowRequest.required(one("task"), "task")),
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

    /// Scores the test set in the body (CSV with a header row, or JSON Lines with `format=jsonl`). Query
    /// parameters: system, model, version, task, label, prediction, score, threshold, and repeatable
    /// sensitive and slice, plus latency, error and cost columns, and name for the dataset.
    @Sendable func evaluate(_ request: Request, context: Context) async throws -> Response {
        let query = MLflowRequest.parseQuery(request.uri.query)
        for (name, value) in query { _ = try NativeMessage.plain(value, name) }
        func one(_ name: String) -> String? { query.last { $0.0 == name }?.1 }
        func required(_ name: String) throws -> String { try MLflowRequest.required(one(name), name) }
        func all(_ name: String) -> [String] { query.filter { $0.0 == name }.map(\.1) }
        let task = try EvaluationTask(parsing: try required("task"))
        guard let threshold = Double(one("threshold") ?? "0.5"), threshold.isFinite else {
            throw StewardError.invalidParameter("threshold must be a number.")
        }
        let label = try required("label")
        let optional = ["prediction", "score", "latency", "error", "cost"].compactMap { name in one(name).map { (name, $0) } }
        // With an endpoint, Steward computes the predictions (or scores) itself from these feature columns.
        let endpoint = try one("endpoint").map { text throws(StewardError) in try endpointHosts.check(text) }
        let judge = try one("judge").map { text throws(StewardError) in try endpointHosts.check(text) }
        if judge != nil, task != .text { throw StewardError.invalidParameter("A judge grades text tasks; use task=text.") }
        let features = all("feature")
        if endpoint != nil, features.isEmpty { throw StewardError.invalidParameter("An endpoint evaluation names its input columns with feature=….") }
        let wanted = Array(Set([label] + optional.map(\.1) + all("sensitive") + all("slice") + features))
        let systemID = try required("system")
        var format = try Self.format(one("format"))
        var datasetName = one("name") ?? "test-set"
        let path: String
        let digest: String
        if let name = one("dataset") {
            let dataset: EvaluationDataset
            (path, dataset) = try await Self.registeredDataset(
                evaluations, files, systemID: systemID, name: name, version: one("dataset_version"), actor: context.principal,
                action: "evaluation")
            digest = dataset.digest
            format = try Self.format(dataset.format)
            datasetName = "\(name)@v\(dataset.version)"
        } else {
            (path, digest) = try await Self.store(request.body, maximumBytes: maximumBytes)
        }
        defer { try? FileManager.default.removeItem(atPath: path) }
        let table = try TableFile(
            path: path, columns: wanted,
            categories: task.textColumns(label: label, prediction: one("prediction"), grouping: all("sensitive") + all("slice") + features),
            format: format)
        func column(_ name: String) -> TableColumn? { one(name).flatMap { table.columns[$0] } }
        var columns = EvaluationTask.Columns(
            truth: table.columns[label] ?? [], prediction: column("prediction"), score: column("score"),
            sensitive: Dictionary(all("sensitive").map { ($0, table.columns[$0] ?? []) }, uniquingKeysWith: { first, _ in first }),
            slices: Dictionary(all("slice").map { ($0, table.columns[$0] ?? []) }, uniquingKeysWith: { first, _ in first }),
            latency: column("latency"), failed: column("error"), cost: column("cost"))
        if let endpoint {
            let rows = (0..<table.rowCount).map { row in features.map { table.columns[$0]?.text(at: row) ?? "" } }
            guard let batch = Int(one("batch") ?? "100") else { throw StewardError.invalidParameter("batch must be an integer.") }
            let scored = try await EvaluationService.score(
                PyfuncEndpoint(url: endpoint, timeout: 60), columns: features, rows: rows, batchSize: batch,
                clock: { Date().timeIntervalSinceReferenceDate })
            if one("output") == "score" { columns.score = .texts(scored.predictions) } else { columns.prediction = .texts(scored.predictions) }
            columns.latency = .texts(scored.latencies)
        }
        var judgeScores: [String: Double] = [:]
        if let judge {
            judgeScores = try await EvaluationService.judged(
                ChatCompletionsJudge(
                    url: judge, model: one("judge_model") ?? "judge", apiKey: ProcessInfo.processInfo.environment["STEWARD_JUDGE_API_KEY"]),
                references: columns.truth.texts, outputs: columns.prediction?.texts ?? [], rubric: one("rubric") ?? "")
        }
        var parameters = Dictionary(optional.map { ("\($0.0)_column", $0.1) }, uniquingKeysWith: { first, _ in first })
        if let judge {
            parameters["judge"] = judge.absoluteString
            parameters["judge_model"] = one("judge_model") ?? "judge"
        }
        if let endpoint { parameters["endpoint"] = endpoint.absoluteString }
        parameters["label_column"] = label
        parameters["threshold"] = String(threshold)
        var scoring = EvaluationService.Request(
            systemID: systemID, model: try required("model"), version: try required("version"), task: task, columns: columns,
            threshold: threshold, datasetName: datasetName, datasetDigest: digest, parameters: parameters, extraMetrics: judgeScores)
        if let schema = one("json_schema") {
            do { scoring.jsonSchema = try JSONSchema(json: schema) } catch { throw StewardError.invalidParameter("json_schema: \(error.message)") }
            parameters["json_schema_sha256"] = SHA256Digest.hex(of: Data(schema.utf8))
            scoring.parameters = parameters
        }
        let evaluation = try await evaluations.evaluate(scoring, actor: context.principal)
        return try NativeMessage.json(EvaluationBody(evaluation: WireEvaluation(evaluation)), status: .created)
    }

    /// A registered test set's stored content in a temporary file (the caller removes it), checked against the
    /// digest it was registered with (a file that changed or vanished is refused as `DATA_LOSS`, audited).
    static func registeredDataset(
        _ evaluations: EvaluationService, _ files: any ArtifactStore, systemID: String, name: String, version: String?, actor: Principal,
        action: String
    ) async throws -> (path: String, dataset: EvaluationDataset) {
        let dataset = try await evaluations.dataset(systemID: systemID, name: name, version: version)
        let content: any ArtifactContent
        do { content = try await files.open(try ArtifactPath(decoded: dataset.location)) } catch let error as StewardError
            where error.code == .resourceDoesNotExist
        {
            try await evaluations.refuseChangedDataset(dataset, foundDigest: "none (the file is gone)", actor: actor, action: action)
        }
        let (path, digest) = try await store(stream(content), maximumBytes: .max, refusingEmpty: false)
        guard digest == dataset.digest else {
            try? FileManager.default.removeItem(atPath: path)
            try await evaluations.refuseChangedDataset(dataset, foundDigest: digest, actor: actor, action: action)
        }
        return (path, dataset)
    }

    /// A stored artifact's content as a sequence of buffers.
    static func stream(_ content: any ArtifactContent) -> AsyncThrowingStream<ByteBuffer, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    try await content.stream { buffer in continuation.yield(buffer) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Streams a body to a temporary file, hashing it on the way; refuses more than `maximumBytes`.
    static func store<Body: AsyncSequence>(_ body: Body, maximumBytes: Int64, refusingEmpty: Bool = true) async throws -> (
        path: String, digest: String
    )
    where Body.Element == ByteBuffer {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("steward-evaluation-\(UUID().uuidString)").path
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw StewardError(.internalError, "Could not create a temporary file for the test set.")
        }
        defer { try? handle.close() }
        var hasher = SHA256Digest.Incremental()
        var written: Int64 = 0
        do {
            for try await buffer in body {
                written += Int64(buffer.readableBytes)
                guard written <= maximumBytes else {
                    throw StewardError.invalidParameter("The test set is larger than the limit of \(maximumBytes) bytes.")
                }
                let data = Data(buffer: buffer)
                hasher.update(data)
                try handle.write(contentsOf: data)
            }
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
        guard written > 0 || !refusingEmpty else {
            try? FileManager.default.removeItem(atPath: path)
            throw StewardError.invalidParameter("The request body must be the test set (CSV or JSON Lines); it is empty.")
        }
        return (path, hasher.finalize())
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
