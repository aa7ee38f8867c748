import ArgumentParser
import StewardServer

/// The `steward` command: a thin front over the server and, later, client commands.
struct Steward: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "steward",
        abstract: "Steward: an MLOps and AI-governance server, wire-compatible with MLflow's tracking and registry API.",
        discussion: """
            Point MLFLOW_TRACKING_URI at a running `steward serve` and MLflow clients work unchanged.
            Data lives in one folder (an SQLite database and an artifacts folder) unless --store names PostgreSQL.
            """,
        version: StewardVersion.current,
        subcommands: [
            Serve.self, Systems.self, Card.self, Evidence.self, Approvals.self, Gate.self, Evaluate.self, Monitor.self, Drift.self, Users.self,
            Audit.self, Deploy.self, Gateway.self, Backup.self, Restore.self,
        ]
    )
}
