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
    var format = ModelCardFormat.markdown

    @OptionGroup var options: StoreOptions

    func validate() throws {
        try options.requireExistingStore()
    }

    func run() async throws {
        let (name, version, format) = (name, version, format)
        let text = try await options.withServices { services in
            format.render(try await services.registry.modelCard(name: name, version: version))
        }
        FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }
}
