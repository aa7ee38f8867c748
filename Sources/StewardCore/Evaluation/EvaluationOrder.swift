/// What a client asks an evaluation to score, and how: the columns of the test set, the threshold, the groups,
/// and optionally a served model that computes the predictions and a judge that grades text outputs.
public struct EvaluationOrder: Sendable {
    /// What an endpoint's answers are: hard predictions or scores.
    public enum EndpointOutput: String, Sendable {
        case prediction
        case score
    }

    public var systemID: String
    public var model: String
    public var version: String
    public var task: EvaluationTask
    public var label: String
    public var prediction: String?
    public var score: String?
    public var latency: String?
    public var error: String?
    public var cost: String?
    public var threshold: Double
    public var sensitive: [String]
    public var slices: [String]
    /// The input columns an endpoint is called with.
    public var features: [String]
    /// A served model (MLflow pyfunc `/invocations`) that computes the predictions from `features`; its host must
    /// be allowed.
    public var endpoint: String?
    public var endpointOutput: EndpointOutput
    public var batch: Int
    /// An OpenAI-compatible chat-completions endpoint that grades text outputs by `rubric`; its host must be allowed.
    public var judge: String?
    public var judgeModel: String
    public var rubric: String
    /// A JSON Schema (as text) outputs must satisfy (`json_schema_compliance`).
    public var jsonSchema: String?
    /// A registered prompt (version or alias, no variables) whose outputs are evaluated: rendered per row with the
    /// `features` columns as its variables and answered by `gatewayModel` through the gateway. The evaluation is of
    /// the prompt's version (as `model` and `version`), so its gate result is what the prompt's promotion reads.
    public var prompt: PromptReference?
    /// The gateway's model a prompt evaluation calls.
    public var gatewayModel: String?
    /// How the gateway is reached for a prompt evaluation (the server passes its own).
    public var completions: (any PromptCompletions)?
    /// How an uploaded test set is named and written.
    public var datasetName: String
    public var format: TableFormat

    public init(
        systemID: String, model: String, version: String, task: EvaluationTask, label: String, prediction: String? = nil, score: String? = nil,
        latency: String? = nil, error: String? = nil, cost: String? = nil, threshold: Double = 0.5, sensitive: [String] = [],
        slices: [String] = [], features: [String] = [], endpoint: String? = nil, endpointOutput: EndpointOutput = .prediction,
        batch: Int = 100, judge: String? = nil, judgeModel: String = "judge", rubric: String = "", jsonSchema: String? = nil,
        datasetName: String = "test-set", format: TableFormat = .csv
    ) {
        self.systemID = systemID
        self.model = model
        self.version = version
        self.task = task
        self.label = label
        self.prediction = prediction
        self.score = score
        self.latency = latency
        self.error = error
        self.cost = cost
        self.threshold = threshold
        self.sensitive = sensitive
        self.slices = slices
        self.features = features
        self.endpoint = endpoint
        self.endpointOutput = endpointOutput
        self.batch = batch
        self.judge = judge
        self.judgeModel = judgeModel
        self.rubric = rubric
        self.jsonSchema = jsonSchema
        self.datasetName = datasetName
        self.format = format
    }

    /// The optional columns that were named, by what they hold.
    var optionalColumns: [(role: String, column: String)] {
        [("prediction", prediction), ("score", score), ("latency", latency), ("error", error), ("cost", cost)].compactMap { role, column in
            column.map { (role, $0) }
        }
    }
}
