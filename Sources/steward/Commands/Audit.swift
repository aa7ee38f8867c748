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

        @OptionGroup var options: StoreOptions

        func validate() throws { try options.requireExistingStore() }

        func run() async throws {
            switch try await options.withServices({ services in try await services.audit.verify() }) {
            case .success(let count):
                print("verified \(count) events: the audit chain is intact")
            case .failure(let broken):
                FileHandle.standardError.write(Data("audit chain broken at event \(broken.sequence): \(broken.reason)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}
