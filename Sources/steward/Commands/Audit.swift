import ArgumentParser
import Foundation
import StewardCore

/// `steward audit verify`: recomputes the audit hash chain and names the first event that does not verify.
struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the tamper-evident audit log.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the audit chain; exit 1 and name the first bad event if it was edited, removed or truncated.")

        @Option(
            name: .long,
            help: ArgumentHelp(
                "An event hash recorded outside the database earlier (from a previous verify), which must still be in the chain.",
                valueName: "sequence:hash"))
        var anchor: [String] = []

        @OptionGroup var options: StoreOptions

        func validate() throws {
            try options.requireExistingStore()
            guard anchors != nil else { throw ValidationError("--anchor takes SEQUENCE:HASH, such as 42:9f86d0…") }
        }

        var anchors: [Int64: String]? {
            var result: [Int64: String] = [:]
            for text in anchor {
                let parts = text.split(separator: ":", maxSplits: 1)
                guard parts.count == 2, let sequence = Int64(parts[0]), sequence > 0, SHA256Digest.isValid(String(parts[1])) else { return nil }
                result[sequence] = String(parts[1])
            }
            return result
        }

        func run() async throws {
            let anchors = anchors ?? [:]
            switch try await options.withServices({ services in try await services.audit.verify(anchors: anchors) }) {
            case .success(let verified):
                print("verified \(verified.count) events: the audit chain is intact")
                if verified.count > 0 { print("anchor: \(verified.count):\(verified.headHash)") }
            case .failure(let broken):
                FileHandle.standardError.write(Data("audit chain broken at event \(broken.sequence): \(broken.reason)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}
