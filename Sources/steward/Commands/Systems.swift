import ArgumentParser
import Foundation
import StewardCore
import StewardServer
import StewardStore

/// `steward systems ...`: the AI Register from the command line, through the same services as the server.
struct Systems: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the AI Register, export it, promote and roll back model versions.",
        subcommands: [List.self, Export.self, Promote.self, Rollback.self]
    )

    /// Who a command acts as: the user of `--token` (or STEWARD_TOKEN), else an unverified local name.
    struct Identity: ParsableArguments {
        @Option(name: .long, help: ArgumentHelp("API token to act with (default: $STEWARD_TOKEN).", valueName: "token"))
        var token: String?

        func principal(_ services: StewardServices) async throws -> Principal {
            guard let token = token ?? ProcessInfo.processInfo.environment["STEWARD_TOKEN"] else {
                return .declared("cli:\(ProcessInfo.processInfo.environment["USER"] ?? "unknown")")
            }
            guard let principal = try await services.identity.authenticate(token: token) else {
                throw StewardError(.unauthenticated, "The token is not valid.")
            }
            return principal
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List registered systems with tier, maturity and missing controls.")

        @OptionGroup var options: StoreOptions

        func validate() throws { try options.requireExistingStore() }

        func run() async throws {
            let entries = try await options.withServices { services in try await services.register.portfolio() }
            guard !entries.isEmpty else {
                print("No AI systems registered yet: POST /api/v1/systems (see the README's governance walk-through).")
                return
            }
            print(["ID", "NAME", "TIER", "MATURITY", "CONTROLS BY MODEL AND TARGET"].joined(separator: "\t"))
            for entry in entries {
                print(
                    [entry.system.id, entry.system.name, entry.system.riskTier.rawValue, "\(entry.maturity.level)", Self.controls(entry)].joined(
                        separator: "\t"))
            }
        }

        /// Per model and protected target, what a promotion would lack: approvals count for one target only, so a
        /// version cleared for `production` may still be refused `champion`.
        static func controls(_ entry: RegisterEntry) -> String {
            guard !entry.controls.isEmpty else { return "no model linked" }
            return entry.controls.map { component in
                let version = component.version.map { " v\($0)" } ?? ""
                let targets = component.targets.map { target in
                    "\(target.target): " + (target.missing.isEmpty ? "all controls met" : "missing " + target.missing.joined(separator: ", "))
                }
                return "\(component.model)\(version) (" + targets.joined(separator: "; ") + ")"
            }.joined(separator: "; ")
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the portfolio view of the register as CSV.")

        @OptionGroup var options: StoreOptions

        func validate() throws { try options.requireExistingStore() }

        func run() async throws {
            let entries = try await options.withServices { services in try await services.register.portfolio() }
            FileHandle.standardOutput.write(Data(PortfolioTable.csv(entries).utf8))
        }
    }

    struct Promote: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Promote a model version of a system to an alias or the Production stage, if every control holds.")

        @Argument(help: "System id (sys-…).")
        var system: String

        @Option(name: .long, help: "Registered model name.")
        var model: String

        /// `--model-version`, since `--version` prints the program's version.
        @Option(name: .customLong("model-version"), help: ArgumentHelp("Version number.", valueName: "n"))
        var version: String

        @Option(name: .long, help: "Alias to point at the version.")
        var alias: String?

        @Option(name: .long, help: "Stage to move the version to (e.g. Production).")
        var stage: String?

        @OptionGroup var identity: Identity
        @OptionGroup var options: StoreOptions

        func validate() throws {
            try options.requireExistingStore()
            guard (alias == nil) != (stage == nil) else { throw ValidationError("Give exactly one of --alias or --stage.") }
            if let stage, ModelStage(lenient: stage) == nil { throw ValidationError("Unknown stage '\(stage)'.") }
        }

        func run() async throws {
            let target: PromotionTarget = alias.map { .alias($0) } ?? .stage(ModelStage(lenient: stage ?? "") ?? .production)
            let (system, model, version, identity) = (system, model, version, identity)
            do {
                let promoted = try await options.withServices { services in
                    try await services.registry.promote(
                        systemID: system, name: model, version: version, target: target, archiveExisting: false,
                        actor: try await identity.principal(services))
                }
                print("Promoted '\(promoted.name)' version \(promoted.version) to \(target).")
            } catch let error as StewardError {
                throw failing(error)
            }
        }
    }

    struct Rollback: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Point a protected alias back at the version that held it before.")

        @Argument(help: "System id (sys-…).")
        var system: String

        @Option(name: .long, help: "Registered model name.")
        var model: String

        @Option(name: .long, help: "Alias to roll back, such as production.")
        var alias: String

        @OptionGroup var identity: Identity
        @OptionGroup var options: StoreOptions

        func validate() throws { try options.requireExistingStore() }

        func run() async throws {
            let (system, model, alias, identity) = (system, model, alias, identity)
            do {
                let (from, to) = try await options.withServices { services in
                    try await services.registry.rollback(
                        systemID: system, name: model, alias: alias, actor: try await identity.principal(services))
                }
                print("Rolled '\(model)' alias '\(alias)' back from version \(from) to \(to).")
            } catch let error as StewardError {
                throw failing(error)
            }
        }
    }
}
