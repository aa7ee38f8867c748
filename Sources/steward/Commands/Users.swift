import ArgumentParser
import Foundation
import StewardCore

/// `steward users ...`: users and API tokens, administered from the data folder itself.
struct Users: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create and list users and their API tokens.",
        discussion: """
            Whoever holds the data folder administers it, which is how the first admin is made:
              steward users create alice --role admin --data ./steward-data
            prints alice's token once. The server stores only its SHA-256 digest.
            """,
        subcommands: [Create.self, List.self, Token.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user and print its first API token (shown once).")

        @Argument(help: "User name.")
        var name: String

        @Option(name: .long, help: ArgumentHelp("Role.", valueName: "viewer|contributor|reviewer|compliance|admin"))
        var role: String

        @OptionGroup var options: StoreOptions

        func validate() throws {
            do { _ = try Role(parsing: role) } catch { throw ValidationError(error.message) }
        }

        func run() async throws {
            let (name, role) = (name, try Role(parsing: role))
            do {
                let token = try await options.withServices { services in
                    try await services.identity.createUser(name: name, role: role, actor: IdentityService.bootstrap).token
                }
                print("Created user '\(name)' with role \(role.rawValue). Its API token, shown only now:")
                print(token)
            } catch let error as StewardError {
                throw failing(error)
            }
        }
    }

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue another API token for a user (shown once).")

        @Argument(help: "User name.")
        var name: String

        @Option(name: .long, help: "What the token is for.")
        var label = ""

        @OptionGroup var options: StoreOptions

        func validate() throws { try options.requireExistingStore() }

        func run() async throws {
            let (name, label) = (name, label)
            do {
                let token = try await options.withServices { services in
                    try await services.identity.createToken(user: name, label: label, actor: IdentityService.bootstrap)
                }
                print(token)
            } catch let error as StewardError {
                throw failing(error)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users and their roles.")

        @OptionGroup var options: StoreOptions

        func validate() throws { try options.requireExistingStore() }

        func run() async throws {
            let users = try await options.withServices { services in try await services.identity.users(actor: IdentityService.bootstrap) }
            for user in users { print("\(user.name)\t\(user.role.rawValue)") }
        }
    }
}
