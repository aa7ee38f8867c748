/// `experiments/search`: a page of experiments.
struct WireExperimentsPage: Encodable, Sendable {
    var experiments: [WireExperiment]?
    var next_page_token: String?
}

/// `runs/search`: a page of runs.
struct WireRunsPage: Encodable, Sendable {
    var runs: [WireRun]?
    var next_page_token: String?
}

/// `metrics/get-history` and `get-history-bulk-interval`: metric observations.
struct WireMetricsPage: Encodable, Sendable {
    var metrics: [WireMetric]?
    var next_page_token: String?
}

/// MLflow 3's `server-info`: which optional features this server offers.
struct WireServerInfo: Encodable, Sendable {
    var store_type = "SqlStore"
    var workspaces_enabled = false
    var trace_archival_enabled = false
    var multipart_uploads_enabled = false
    var multipart_downloads_enabled = false
    var presigned_upload_run_id_supported = false
    var presigned_upload_model_id_supported = false
    var server = "steward"
    var server_version = StewardVersion.current
}
