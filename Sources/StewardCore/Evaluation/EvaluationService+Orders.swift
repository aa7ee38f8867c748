import Foundation
import NIOCore
import StewardJSON

/// Evaluations as clients order them: a test set (uploaded, or registered by name), read into the columns the
/// order names; predictions computed by a served model when the order names one; text outputs graded by a judge
/// when it names one; then scored, logged and gated as `evaluate(_:actor:)` does.
extension EvaluationService {
    /// Scores an uploaded test set.
    public func evaluate<Body: AsyncSequence & Sendable>(_ order: EvaluationOrder, upload body: Body, actor: Principal) async throws -> Evaluation
    where Body.Element == ByteBuffer {
        let order = try await pinningPrompt(order)
        let plan = try plan(order)
        return try await orders.testSets.files.withStaged(body, maximumBytes: orders.maximumUploadBytes) { file in
            try await score(order, plan: plan, file: file, format: order.format, datasetName: order.datasetName, digest: file.digest, actor: actor)
        }
    }

    /// Scores a registered test set (the latest version when `version` is nil), checked against its digest first.
    public func evaluate(_ order: EvaluationOrder, dataset name: String, version: String?, actor: Principal) async throws -> Evaluation {
        let order = try await pinningPrompt(order)
        let plan = try plan(order)
        return try await orders.testSets.withVerifiedCopy(systemID: order.systemID, name: name, version: version, actor: actor, action: "evaluation")
        {
            file, dataset in
            try await score(
                order, plan: plan, file: file, format: try TableFormat(parsing: dataset.format), datasetName: "\(name)@v\(dataset.version)",
                digest: dataset.digest, actor: actor)
        }
    }

    /// Registers an upload as the next version of a system's named test set.
    public func registerDataset<Body: AsyncSequence & Sendable>(
        systemID: String, name: String, format: TableFormat, body: Body, actor: Principal
    ) async throws -> EvaluationDataset where Body.Element == ByteBuffer {
        try await orders.testSets.register(
            systemID: systemID, name: name, format: format, body: body, maximumBytes: orders.maximumUploadBytes, actor: actor)
    }

    public func dataset(systemID: String, name: String, version: String?) async throws -> EvaluationDataset {
        try await orders.testSets.dataset(systemID: systemID, name: name, version: version)
    }

    /// A prompt evaluation's order with the prompt's version fixed (an alias read once, so every row renders the same
    /// version) and that version as the evaluated `model` and `version`.
    func pinningPrompt(_ order: EvaluationOrder) async throws -> EvaluationOrder {
        guard let prompt = order.prompt, let completions = order.completions else { return order }
        var order = order
        let version = try await completions.version(of: prompt)
        order.prompt = PromptReference(name: prompt.name, version: version, alias: nil, variables: [:])
        order.model = prompt.name
        order.version = version
        return order
    }

    /// What an order asks of the outside, checked before any row is read.
    struct Plan {
        let endpoint: URL?
        let judge: URL?
        let schema: JSONSchema?
    }

    func plan(_ order: EvaluationOrder) throws -> Plan {
        guard order.threshold.isFinite else { throw StewardError.invalidParameter("threshold must be a number.") }
        if order.prompt != nil {
            guard order.task == .text else { throw StewardError.invalidParameter("A prompt evaluation scores text: use task=text.") }
            guard order.endpoint == nil else { throw StewardError.invalidParameter("A prompt evaluation calls the gateway, not an endpoint.") }
            guard order.gatewayModel?.isEmpty == false else {
                throw StewardError.invalidParameter("A prompt evaluation names the gateway's model that answers it with gateway_model=….")
            }
            guard !order.features.isEmpty else {
                throw StewardError.invalidParameter("A prompt evaluation names the columns that fill the prompt's variables with feature=….")
            }
            guard order.completions != nil else { throw StewardError.invalidParameter("This server does not run prompt evaluations.") }
        }
        // The hosts are checked first: a refused host is never called, whatever else is wrong with the order.
        let endpoint = try order.endpoint.map { text throws(StewardError) in try orders.allowList.check(text) }
        let judge = try order.judge.map { text throws(StewardError) in try orders.allowList.check(text) }
        if judge != nil, order.task != .text { throw StewardError.invalidParameter("A judge grades text tasks; use task=text.") }
        if endpoint != nil, order.features.isEmpty {
            throw StewardError.invalidParameter("An endpoint evaluation names its input columns with feature=….")
        }
        let schema = try order.jsonSchema.map { text throws(StewardError) in
            do { return try JSONSchema(json: text) } catch let error as JSONError { throw .invalidParameter("json_schema: \(error.message)") } catch {
                throw .invalidParameter("json_schema: \(error)")
            }
        }
        return Plan(endpoint: endpoint, judge: judge, schema: schema)
    }

    func score(
        _ order: EvaluationOrder, plan: Plan, file: LocalFile, format: TableFormat, datasetName: String, digest: String, actor: Principal
    ) async throws -> Evaluation {
        let grouping = order.sensitive + order.slices + order.features
        let wanted = Array(Set([order.label] + order.optionalColumns.map(\.column) + grouping))
        let table = try orders.tables.read(
            path: file.path, columns: wanted,
            categories: order.task.textColumns(label: order.label, prediction: order.prediction, grouping: grouping), format: format)
        func column(_ name: String?) -> TableColumn? { name.flatMap { table.columns[$0] } }
        func byName(_ names: [String]) -> [String: TableColumn] {
            Dictionary(names.map { ($0, table.columns[$0] ?? []) }, uniquingKeysWith: { first, _ in first })
        }
        var columns = EvaluationTask.Columns(
            truth: table.columns[order.label] ?? [], prediction: column(order.prediction), score: column(order.score),
            sensitive: byName(order.sensitive), slices: byName(order.slices), latency: column(order.latency), failed: column(order.error),
            cost: column(order.cost))
        var parameters = Dictionary(order.optionalColumns.map { ("\($0.role)_column", $0.column) }, uniquingKeysWith: { first, _ in first })
        if let endpoint = plan.endpoint {
            let rows = (0..<table.rowCount).map { row in order.features.map { table.columns[$0]?.text(at: row) ?? "" } }
            let scored = try await Self.score(
                orders.outbound.endpoint(at: endpoint), columns: order.features, rows: rows, batchSize: order.batch,
                clock: { Date().timeIntervalSinceReferenceDate })
            if order.endpointOutput == .score { columns.score = .texts(scored.predictions) } else { columns.prediction = .texts(scored.predictions) }
            columns.latency = .texts(scored.latencies)
            parameters["endpoint"] = endpoint.absoluteString
        }
        if let prompt = order.prompt, let completions = order.completions, let model = order.gatewayModel {
            let rows = (0..<table.rowCount).map { row in order.features.map { table.columns[$0]?.text(at: row) ?? "" } }
            // One row a call, each timed.
            let answered = try await Self.score(
                PromptEndpoint(completions: completions, systemID: order.systemID, model: model, prompt: prompt, actor: actor),
                columns: order.features, rows: rows, batchSize: 1, clock: { Date().timeIntervalSinceReferenceDate })
            columns.prediction = .texts(answered.predictions)
            columns.latency = .texts(answered.latencies)
            parameters["prompt"] = prompt.name
            parameters["gateway_model"] = model
        }
        var judgeScores: [String: Double] = [:]
        if let judge = plan.judge {
            judgeScores = try await Self.judged(
                orders.outbound.judge(at: judge, model: order.judgeModel), references: columns.truth.texts,
                outputs: columns.prediction?.texts ?? [], rubric: order.rubric)
            parameters["judge"] = judge.absoluteString
            parameters["judge_model"] = order.judgeModel
        }
        parameters["label_column"] = order.label
        parameters["threshold"] = String(order.threshold)
        if let schema = order.jsonSchema { parameters["json_schema_sha256"] = SHA256Digest.hex(of: Data(schema.utf8)) }
        var request = Request(
            systemID: order.systemID, model: order.model, version: order.version, task: order.task, columns: columns,
            threshold: order.threshold, datasetName: datasetName, datasetDigest: digest, parameters: parameters, extraMetrics: judgeScores)
        request.jsonSchema = plan.schema
        return try await evaluate(request, actor: actor)
    }
}

/// What the services need to fulfil evaluation orders: where test sets are kept and how they are read, how
/// model services are reached (only those at allowed hosts), and how large an upload may be.
public struct EvaluationOrders: Sendable {
    public let testSets: TestSets
    public let tables: any TableReader
    public let outbound: any OutboundModels
    public let allowList: EndpointAllowList
    public let maximumUploadBytes: Int64

    public init(
        testSets: TestSets, tables: any TableReader, outbound: any OutboundModels, allowList: EndpointAllowList, maximumUploadBytes: Int64
    ) {
        self.testSets = testSets
        self.tables = tables
        self.outbound = outbound
        self.allowList = allowList
        self.maximumUploadBytes = maximumUploadBytes
    }
}
