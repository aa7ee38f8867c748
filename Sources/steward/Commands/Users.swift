import ArgumentParser
import Foundation
import StewardCore

/// `steward users ...`: users and API tokens, administered from the data folder itself.
struct Users: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, list, change and delete users; issue, list and revoke their API tokens.",
        discussion: """
            Whoever holds the data folder administers it, which is how the first admin is made:
              steward users create alice --role admin --data ./steward-data
            prints alice's token once. The server stores only its SHA-256 digest.
              steward users token alice --label ci --expires-in-days 90
              steward users tokens alice
              steward users revoke alice 3f9a0c1d2e4b5a69
            """,
        subcommands: [Create.self, List.self, Token.self, Tokens.self, Revoke.self, SetRole.self, Delete.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user and print its first API token (shown once).")

        @Argument(help: "User name.")
        var name: String

        @Option(name: .long, help: ArgumentHelp("Role.", valueName: "viewer|contributor|reviewer|compliance|admin"))
        var role: Role

        @Flag(name: .shortAndLong, help: "Print only the token (for scripts: TOKEN=$(steward users create bob --role reviewer -q)).")
        var quiet = false

        @OptionGroup var options: StoreOptions

        func run() async throws {
            let (name, role) = (name, role)
            let token = try await options.withServices { services in
                try await services.identity.createUser(name: name, role: role, actor: IdentityService.bootstrap).token
            }
            if quiet { return print(token) }
            print("Created user '\(name)' with role \(role.rawValue). Its API token, shown only now:")
            print(token)
        }
    }

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue another API token for a user (shown once).")

        @Argument(help: "User name.")
        var name: String

        @Option(name: .long, help: "What the token is for.")
        var label = ""

        @Option(name: .long, help: "Days until the token stops working (1 to 3650); without it, until revoked.")
        var expiresInDays: Int?

        @OptionGroup var options: StoreOptions

        func validate() throws { try options.requireExistingStore() }

        func run() async throws {
            let (name, label, days) = (name, label, expiresInDays)
            let (token, record) = try await options.withServices { services in
                try await services.identity.createToken(user: name, label: label, expiresInDays: days, actor: IdentityService.bootstrap)
            }
            print(token)
            FileHandle.standardError.write(Data("Token id \(record.id); revoke it with: steward users revoke \(name) \(record.id)\n".utf8))
        }
    }

    struct Tokens: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a user's API tokens: id, label, created and expiry (never the tokens).")

        @Argument(help: "User name.")
        var name: String

        @OptionGroup var options: StoreOptions

        func validate() throws { try options.requireExistingStore() }

        func run() async throws {
            let name = name
            let records = try await options.withServices { services in
                try await services.identity.tokens(user: name, actor: IdentityService.bootstrap)
            }
            for record in records {
                let expiry = record.expiresAt.map { "expires \(EpochClock.text($0))" } ?? "no expiry"
                print("\(record.id)\t\(record.label.isEmpty ? "-" : record.label)\tcreated \(EpochClock.text(record.createdAt))\t\(expiry)")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke one of a user's API tokens at once.")

        @Argument(help: "User name.")
        var name: String

        @Argument(help: "The token's id, as `steward users tokens` lists it.")
        var id: String

        @OptionGroup var options: StoreOptions

        func validate() throws { try options.requireExistingStore() }

        func run() async throws {
            let (name, id) = (name, id)
            try await options.withServices { services in
                try await services.identity.revokeToken(user: name, id: id, actor: IdentityService.bootstrap)
            }
            print("Revoked token \(id) of '\(name)'.")
        }
    }

    struct SetRole: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "role", abstract: "Give a user another role.")

        @Argument(help: "User name.")
        var name: String

        @Option(name: .long, help: ArgumentHelp("Role.", valueName: "viewer|contributor|reviewer|compliance|admin"))
        var role: Role

        @OptionGroup var options: StoreOptions

        func validate() throws {
            try options.requireExistingStore()
        }

        func run() async throws {
            let (name, role) = (name, role)
            _ = try await options.withServices { services in
                try await services.identity.setRole(user: name, role: role, actor: IdentityService.bootstrap)
            }
            print("'\(name)' is now \(role.rawValue).")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a user and every token it holds.")

        @Argument(help: "User name.")
        var name: String

        @OptionGroup var options: StoreOptions

        func validate() throws { try options.requireExistingStore() }

        func run() async throws {
            let name = name
            try await options.withServices { services in try await services.identity.deleteUser(name: name, actor: IdentityService.bootstrap) }
            print("Deleted user '\(name)' and its tokens.")
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
