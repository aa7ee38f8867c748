import Hummingbird
import StewardCore

/// Users and tokens (`/api/v1/users`, admins only) and `/api/v1/whoami`.
struct UsersController<Context: IdentifiedRequestContext>: Sendable {
    let identity: IdentityService

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("users", use: create)
        group.get("users", use: list)
        group.post("users/:name/tokens", use: createToken)
        group.get("whoami", use: whoami)
    }

    struct CreateMessage: Decodable {
        var name: String?
        var role: String?
    }

    /// Creates a user and returns its first token; the token is shown only in this response.
    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        let message = try await NativeMessage.decode(CreateMessage.self, from: request)
        let (user, token) = try await identity.createUser(
            name: try MLflowRequest.required(message.name, "name"), role: try Role(parsing: try MLflowRequest.required(message.role, "role")),
            actor: context.principal)
        return try NativeMessage.json(UsersCreateBody(user: WireUser(user), token: token), status: .created)
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        return try NativeMessage.json(UsersListBody(users: try await identity.users(actor: context.principal).map(WireUser.init)))
    }

    struct TokenMessage: Decodable {
        var label: String?
    }

    @Sendable func createToken(_ request: Request, context: Context) async throws -> Response {
        let message = try await NativeMessage.decode(TokenMessage.self, from: request)
        let token = try await identity.createToken(
            user: try NativeMessage.parameter("name", context), label: message.label ?? "", actor: context.principal)
        return try NativeMessage.json(UsersCreateTokenBody(token: token), status: .created)
    }

    @Sendable func whoami(_ request: Request, context: Context) async throws -> Response {
        return try NativeMessage.json(UsersWhoamiBody(user: WireUser(context.principal)))
    }
}

struct UsersCreateBody: Encodable {
    let user: WireUser
    let token: String
}

struct UsersListBody: Encodable { let users: [WireUser] }

struct UsersCreateTokenBody: Encodable { let token: String }

struct UsersWhoamiBody: Encodable { let user: WireUser }
