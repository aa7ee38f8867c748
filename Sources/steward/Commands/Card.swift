import ArgumentParser
import Foundation
import Logging
import StewardServer
import StewardStore

/// `steward card NAME VERSION`: prints a registered model version's card from the store.
struct Card: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the model card of a registered model version.",
        discussion: """
            Reads the same data folder or --store as `steward serve` (the server may be running).
            Examples:
              steward card fraud-detector 3
              steward card fraud-detector 3 --format html > card.html
            """
    )

    @Argument(help: "Registered model name.")
    var name: String

    @Argument(help: "Version number.")
    var version: String

    @Option(name: .long, help: ArgumentHelp("Output format.", valueName: "markdown|json|html"))
    var format = "markdown"

    @Option(name: .long, help: ArgumentHelp("Folder for the database and artifacts.", valueName: "dir"))
    var data = "./steward-data"

    @Option(name: .long, help: ArgumentHelp("Database instead of <dir>/steward.sqlite (sqlite:PATH or postgres://…).", valueName: "url"))
    var store: String?

    func validate() throws {
        guard ModelCardFormat(name: format) != nil else { throw ValidationError("--format must be markdown, json or html.") }
        if store == nil, !FileManager.default.fileExists(atPath: (data as NSString).appendingPathComponent("steward.sqlite")) {
            throw ValidationError("No Steward database in '\(data)': pass the --data folder of `steward serve`, or --store.")
        }
    }

    func run() async throws {
        var logger = Logger(label: "steward")
        logger.logLevel = .warning
        let format = ModelCardFormat(name: format) ?? .markdown
        let (name, version) = (name, version)
        let storage = try await StewardStorage.open(dataDirectory: data, store: store, logger: logger)
        let text = try await storage.whileRunning(logger: logger) { storage in
            format.render(try await StewardServices(storage: storage).registry.modelCard(name: name, version: version))
        }
        FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }
}
