import Hummingbird
import StewardCore

/// Users and tokens (`/api/v1/users`: admins, and each user for their own tokens) and `/api/v1/whoami`.
struct UsersController<Context: IdentifiedRequestContext>: Sendable {
    let identity: IdentityService

    func addRoutes(to group: RouterGroup<Context>) {
        group.native(.post, "users", use: create)
        group.native(.get, "users", use: list)
        group.native(.patch, "users/:name", use: update)
        group.native(.delete, "users/:name", use: delete)
        group.native(.post, "users/:name/tokens", use: createToken)
        group.native(.get, "users/:name/tokens", use: tokens)
        group.native(.delete, "users/:name/tokens/:id", access: .ownToken, use: revokeToken)
        group.native(.get, "whoami", use: whoami)
    }

    struct CreateMessage: Decodable {
        var name: String?
        var role: String?
    }

    /// Creates a user and returns its first token; the token is shown only in this response.
    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        let message = try await NativeMessage.decode(CreateMessage.self, from: request)
        let (user, token) = try await identity.createUser(
            name: try NativeMessage.required(message.name, "name"), role: try Role(parsing: try NativeMessage.required(message.role, "role")),
            actor: context.principal)
        return try NativeMessage.json(UsersCreateBody(user: WireUser(user), token: token), status: .created)
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        return try NativeMessage.json(UsersListBody(users: try await identity.users(actor: context.principal).map(WireUser.init)))
    }

    struct UpdateMessage: Decodable {
        var role: String?
    }

    /// Changes a user's role (the only thing about a user that changes).
    @Sendable func update(_ request: Request, context: Context) async throws -> Response {
        let message = try await NativeMessage.decode(UpdateMessage.self, from: request)
        let user = try await identity.setRole(
            user: try NativeMessage.parameter("name", context), role: try Role(parsing: try NativeMessage.required(message.role, "role")),
            actor: context.principal)
        return try NativeMessage.json(UsersUserBody(user: WireUser(user)))
    }

    @Sendable func delete(_ request: Request, context: Context) async throws -> Response {
        try await identity.deleteUser(name: try NativeMessage.parameter("name", context), actor: context.principal)
        return try NativeMessage.json(EmptyObject())
    }

    struct TokenMessage: Decodable {
        var label: String?
        var expiresInDays: Int?
    }

    /// Issues a token; it is shown only in this response, with the id it is listed and revoked by.
    @Sendable func createToken(_ request: Request, context: Context) async throws -> Response {
        let message = try await NativeMessage.decode(TokenMessage.self, from: request)
        let (token, record) = try await identity.createToken(
            user: try NativeMessage.parameter("name", context), label: message.label ?? "", expiresInDays: message.expiresInDays,
            actor: context.principal)
        return try NativeMessage.json(UsersCreateTokenBody(token: token, tokenInfo: record), status: .created)
    }

    @Sendable func tokens(_ request: Request, context: Context) async throws -> Response {
        let records = try await identity.tokens(user: try NativeMessage.parameter("name", context), actor: context.principal)
        return try NativeMessage.json(UsersTokensBody(tokens: records))
    }

    @Sendable func revokeToken(_ request: Request, context: Context) async throws -> Response {
        try await identity.revokeToken(
            user: try NativeMessage.parameter("name", context), id: try NativeMessage.parameter("id", context), actor: context.principal)
        return try NativeMessage.json(EmptyObject())
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

struct UsersUserBody: Encodable { let user: WireUser }

struct UsersCreateTokenBody: Encodable {
    let token: String
    /// What `GET /users/{name}/tokens` lists for it.
    let tokenInfo: AccessTokenRecord
}

/// Ids, labels and dates: never the tokens.
struct UsersTokensBody: Encodable { let tokens: [AccessTokenRecord] }

struct UsersWhoamiBody: Encodable { let user: WireUser }
