import ArgumentParser
import Foundation

/// `steward approvals ...`: asking for approvals, the caller's inbox, and deciding.
struct Approvals: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ask for approval of a model version, see what waits on you, approve or reject.",
        discussion: """
            Approvals need an authenticated user (--token or $STEWARD_TOKEN); whoever
            registered a version or trained it can never approve it. As a reviewer:
              steward approvals list --status pending
              steward approvals approve apr-1a2b3c4d \\
                --comment "Checked the evaluation and the card"
            """,
        subcommands: [Request.self, List.self, Approve.self, Reject.self])

    struct Request: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ask reviewers to approve a model version of a system for a protected alias (default production).",
            discussion: "Example: steward approvals request sys-1a2b3c4d --model churn --model-version 1 --alias production")

        @OptionGroup var target: ModelVersionOfSystem

        @Option(name: .long, help: "The protected alias (or Production) the approval is for.")
        var alias = "production"

        @Flag(name: .shortAndLong, help: "Print only the request's id (for scripts).")
        var quiet = false

        @OptionGroup var api: APIOptions

        func run() async throws {
            let (system, model, version) = (target.system, target.model, target.version)
            let body = ["model": model, "version": version, "alias": alias]
            let bodyJSON = try StewardClient.encode(body)
            let answer = try StewardClient.object(
                try await api.withClient { client in try await client.json("POST", "/api/v1/systems/\(system)/approvals", body: bodyJSON) })
            let id = (answer["approval"] as? [String: Any])?["id"] ?? ""
            print(
                quiet
                    ? "\(id)"
                    : "Asked for approval \(id) of '\(model)' version \(version) for \(alias); a reviewer runs: steward approvals approve \(id)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Your inbox: the requests waiting on your decision, and those you asked for.",
            discussion: "Example: steward approvals list --status pending")

        @Option(name: .long, help: ArgumentHelp("Only requests in this state.", valueName: "pending|approved|rejected"))
        var status: String?

        @Flag(name: .long, help: "Print the requests as JSON.")
        var json = false

        @OptionGroup var api: APIOptions

        func run() async throws {
            let query = status.map { [("status", $0)] } ?? []
            let answer = try StewardClient.object(
                try await api.withClient { client in try await client.json("GET", "/api/v1/approvals", query: query) })
            if json { return try StewardClient.print(json: answer) }
            let requests = answer["approvals"] as? [[String: Any]] ?? []
            guard !requests.isEmpty else { return print("No approval requests\(status.map { " \($0)" } ?? "") for you.") }
            print(["ID", "SYSTEM", "MODEL", "VERSION", "FOR", "STATUS", "ASKED BY", "WAITS ON YOU"].joined(separator: "\t"))
            for request in requests {
                let fields = ["id", "system_id", "model", "version", "alias", "status", "requested_by"].map { "\(request[$0] ?? "")" }
                print((fields + [(request["awaits_you"] as? Bool) == true ? "yes" : "no"]).joined(separator: "\t"))
            }
        }
    }

    /// The options of a decision.
    struct Decision: ParsableArguments {
        @Argument(help: "The approval request's id (apr-…).")
        var request: String

        @Option(name: .long, help: "Why.")
        var comment: String?

        @OptionGroup var api: APIOptions

        func decide(_ verdict: String) async throws {
            var body = ["decision": verdict]
            if let comment { body["comment"] = comment }
            let (request, message) = (request, body)
            let messageJSON = try StewardClient.encode(message)
            let answer = try StewardClient.object(
                try await api.withClient { client in try await client.json("POST", "/api/v1/approvals/\(request)/decisions", body: messageJSON) })
            let approval = answer["approval"] as? [String: Any] ?? [:]
            print(
                "\(verdict == "approve" ? "Approved" : "Rejected") '\(approval["model"] ?? "")' version \(approval["version"] ?? "") for \(approval["alias"] ?? "") (\(request))."
            )
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Approve a request (reviewer, compliance or admin; never the version's author).",
            discussion: "Example: steward approvals approve apr-1a2b3c4d --comment \"Evaluation and card checked\"")

        @OptionGroup var decision: Decision

        func run() async throws { try await decision.decide("approve") }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reject a request (reviewer, compliance or admin).",
            discussion: "Example: steward approvals reject apr-1a2b3c4d --comment \"The gate misses a fairness condition\"")

        @OptionGroup var decision: Decision

        func run() async throws { try await decision.decide("reject") }
    }
}
