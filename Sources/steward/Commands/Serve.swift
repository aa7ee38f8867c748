import ArgumentParser
import Foundation
import Logging
import StewardCore
import StewardServer
import StewardStore

/// `steward serve`: runs the HTTP server until SIGINT or SIGTERM, then shuts down gracefully.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the Steward server.",
        discussion: """
            On first run the data folder is created with an SQLite database (WAL mode) and an artifacts folder.
            While the store has no user, the server makes the admin 'admin' and writes its token to <dir>/admin-token
            (mode 0600); use it from the start, so that what you register has an author who can be held to account:
              export STEWARD_TOKEN=$(cat steward-data/admin-token) MLFLOW_TRACKING_TOKEN=$(cat steward-data/admin-token)
            Environment: STEWARD_WEBHOOK_SECRET signs alert and retraining webhooks (HMAC-SHA256); without it, alert
            rules that name a webhook are refused. Each webhook's host must also be allowed with --allow-endpoint-host.
            Examples:
              steward serve
              steward serve --data /var/lib/steward --host 0.0.0.0 --port 8080
              steward serve --store postgres://steward:secret@db.internal:5432/steward
              steward serve --artifacts s3://ml-artifacts/steward
            """
    )

    @Option(name: .long, help: ArgumentHelp("Folder for the database and artifacts.", valueName: "dir"))
    var data = "./steward-data"

    @Option(name: .long, help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(name: .long, help: "Port to listen on (0 picks a free port).")
    var port = 5000

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Database instead of <dir>/steward.sqlite: sqlite:PATH or postgres://user:password@host:port/database.", valueName: "url"),
        transform: DatabaseLocation.argument)
    var store: DatabaseLocation?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Artifacts instead of <dir>/artifacts: a folder, or s3://bucket/prefix (credentials and region from AWS_ACCESS_KEY_ID, "
                + "AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION).", valueName: "location"),
        transform: ArtifactLocation.argument)
    var artifacts: ArtifactLocation?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "An S3-compatible store's endpoint for --artifacts s3://… (MinIO, moto…), addressed path-style; default AWS_ENDPOINT_URL_S3 "
                + "or AWS_ENDPOINT_URL, else AWS itself.", valueName: "url"))
    var s3Endpoint: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "SQLite commit durability: 'full' fsyncs every commit (survives power loss); 'normal' survives a crash of Steward only.",
            valueName: "full|normal"))
    var durability = SQLiteStoreDatabase.Durability.full

    @Option(name: .long, help: ArgumentHelp("Largest artifact an upload may write, e.g. 500M or 20G.", valueName: "size"))
    var maxArtifactSize = ByteSize(bytes: 10 << 30)

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Require an API token on every request. Default: on, unless --host is a loopback address. A store without users gets the admin 'admin', "
                + "its token in <dir>/admin-token.", valueName: "on|off"))
    var auth: Switch?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A host whose model endpoints evaluations and deployments may call (repeatable); the server calls no other address a "
                + "client names.",
            valueName: "host"))
    var allowEndpointHost: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp(
            "How often every system's alert rules are evaluated (e.g. 30s, 5m; 0 for only on request).", valueName: "duration"))
    var alertInterval = DurationList(argument: "60s")!

    @Option(
        name: .long,
        help: ArgumentHelp(
            "How often live canaries and A/B tests are analysed and advanced, graduated or rolled back (0 for only on request).",
            valueName: "duration"))
    var analysisInterval = DurationList(argument: "30s")!

    @Option(
        name: .long,
        help: ArgumentHelp("How long the deployment router waits for a model server's answer before it answers 504.", valueName: "duration"))
    var servingTimeout = DurationList(argument: "30s")!

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Pauses between attempts to deliver a webhook, comma-separated; after the attempt that follows the last one it is given up.",
            valueName: "durations"))
    var webhookRetryDelays = DurationList(argument: "1s,5s,30s,2m,10m,30m")!

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Close a connection that takes longer than this to send a request's headers, or stays idle between requests.",
            valueName: "duration"))
    var idleTimeout = DurationList(argument: "60s")!

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Close a connection whose request body sends nothing for this long, or averages under 1 KiB/s after it.", valueName: "duration"))
    var bodyTimeout = DurationList(argument: "60s")!

    @Option(name: .long, help: ArgumentHelp("Connections served at once; more wait until one closes.", valueName: "count"))
    var maxConnections = 4096

    @Option(name: .long, help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error or critical.", valueName: "level"))
    var logLevel = Logger.Level.info

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535.") }
        guard alertInterval.durations.count == 1 else { throw ValidationError("--alert-interval is one duration.") }
        guard analysisInterval.durations.count == 1 else { throw ValidationError("--analysis-interval is one duration.") }
        guard !webhookRetryDelays.durations.contains(.zero) else { throw ValidationError("--webhook-retry-delays are longer than 0.") }
        for (name, value) in [("--idle-timeout", idleTimeout), ("--body-timeout", bodyTimeout), ("--serving-timeout", servingTimeout)] {
            guard value.durations.count == 1, value.durations[0] > .zero else { throw ValidationError("\(name) is one duration longer than 0.") }
        }
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1.") }
    }

    func run() async throws {
        var logger = Logger(label: "steward")
        logger.logLevel = logLevel
        let storage = try await StewardStorage.open(
            dataDirectory: data, store: store, durability: durability, artifacts: artifacts, s3Endpoint: s3Endpoint, logger: logger)
        let interval = alertInterval.durations[0]
        let configuration = ServerConfiguration(
            host: host, port: port, maximumArtifactBytes: maxArtifactSize.bytes, authenticationRequired: auth?.isOn,
            endpointHosts: allowEndpointHost,
            // The signing secret comes from the environment only, so it is not visible in the process list.
            webhookSecret: ProcessInfo.processInfo.environment["STEWARD_WEBHOOK_SECRET"].flatMap { $0.isEmpty ? nil : $0 },
            alertInterval: interval == .zero ? nil : interval, webhookRetryDelays: webhookRetryDelays.durations,
            // Like the signing secret, the judges' key comes from the environment only.
            judgeAPIKey: ProcessInfo.processInfo.environment["STEWARD_JUDGE_API_KEY"].flatMap { $0.isEmpty ? nil : $0 },
            idleTimeout: idleTimeout.durations[0], bodyTimeout: bodyTimeout.durations[0], maximumConnections: maxConnections,
            firstAdminTokenFile: (data as NSString).appendingPathComponent("admin-token"),
            deploymentAnalysisInterval: analysisInterval.durations[0] == .zero ? nil : analysisInterval.durations[0],
            servingTimeout: servingTimeout.durations[0])
        let host = host
        let application = buildApplication(configuration: configuration, storage: storage, logger: logger) { port in
            let shownHost = host.contains(":") ? "[\(host)]" : host
            let banner =
                "Steward \(StewardVersion.current) listening on http://\(shownHost):\(port) "
                + "(store \(storage.databaseLocation), artifacts \(storage.artifactRoot), "
                + "auth \(configuration.authenticationRequired ? "on" : "off"))\n"
            FileHandle.standardOutput.write(Data(banner.utf8))
        }
        try await application.runService()
    }
}
