import ArgumentParser
import Foundation
import StewardServer

/// `steward card ...`: a registered model version's card, printed or edited.
struct Card: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print or edit the model card of a registered model version.",
        discussion: """
            Works on a running server (--server URL or $STEWARD_SERVER) or the data folder (--data, --store) alike.
            Examples:
              steward card fraud-detector 3
              steward card fraud-detector 3 --format html > card.html
              steward card edit fraud-detector 3 \\
                --intended-use "Score card payments before capture"
            """,
        subcommands: [Show.self, Edit.self],
        defaultSubcommand: Show.self
    )

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the model card (the default: steward card NAME VERSION).")

        @Argument(help: "Registered model name.")
        var name: String

        @Argument(help: "Version number.")
        var version: String

        @Option(name: .long, help: ArgumentHelp("Output format.", valueName: "markdown|json|html"))
        var format = DocumentFormat.markdown

        @OptionGroup var api: APIOptions

        func run() async throws {
            let (path, format): (APIPath, DocumentFormat) = ("/api/v1/models/\(name)/versions/\(version)/card", format)
            let text = try await api.withClient { client in try await client.send("GET", path, query: [("format", format.rawValue)]) }
            FileHandle.standardOutput.write(text.last == UInt8(ascii: "\n") ? text : text + Data("\n".utf8))
        }
    }

    struct Edit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set the card's editable fields; an empty value clears one.",
            discussion: """
                Example:
                  steward card edit churn 1 \\
                    --intended-use "Rank customers for retention offers" \\
                    --limitations "Trained on 2025 data only"
                """)

        @Argument(help: "Registered model name.")
        var name: String

        @Argument(help: "Version number.")
        var version: String

        @Option(name: .long, help: "What the model is for (default on the card: the model's description, else the system's purpose).")
        var purpose: String?

        @Option(name: .long, help: ArgumentHelp("Its owners, comma-separated.", valueName: "names"))
        var owners: String?

        @Option(name: .long, help: ArgumentHelp("The use it is meant for (the model_card control reads it).", valueName: "text"))
        var intendedUse: String?

        @Option(name: .long, help: ArgumentHelp("Uses it is not meant for.", valueName: "text"))
        var outOfScopeUses: String?

        @Option(name: .long, help: ArgumentHelp("Known limitations.", valueName: "text"))
        var limitations: String?

        @Option(name: .long, help: ArgumentHelp("Ethical considerations.", valueName: "text"))
        var ethicalConsiderations: String?

        @OptionGroup var api: APIOptions

        var fields: [String: Any] {
            let given: [(String, String?)] = [
                ("purpose", purpose), ("owners", owners), ("intended_use", intendedUse), ("out_of_scope_uses", outOfScopeUses),
                ("limitations", limitations), ("ethical_considerations", ethicalConsiderations),
            ]
            return Dictionary(uniqueKeysWithValues: given.compactMap { name, value in value.map { (name, $0 as Any) } })
        }

        func validate() throws {
            if fields.isEmpty { throw ValidationError("Give at least one field to set, such as --intended-use.") }
        }

        func run() async throws {
            let (path, body): (APIPath, [String: Any]) = ("/api/v1/models/\(name)/versions/\(version)/card", fields)
            let bodyJSON = try StewardClient.encode(body)
            _ = try StewardClient.object(try await api.withClient { client in try await client.json("PATCH", path, body: bodyJSON) })
            print("Updated the card of '\(name)' version \(version): " + body.keys.sorted().joined(separator: ", ") + ".")
        }
    }
}
