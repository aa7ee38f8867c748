import Hummingbird
import StewardCore

/// Incidents: opened on a system (`/api/v1/systems/{id}/incidents`), moved through the playbook and resolved
/// (`/api/v1/incidents/{id}`).
struct IncidentsController<Context: IdentifiedRequestContext>: Sendable {
    let incidents: IncidentService
    let register: RegisterService

    func addRoutes(to group: RouterGroup<Context>) {
        group.native(.post, "systems/:id/incidents", use: open)
        group.native(.get, "systems/:id/incidents", use: listForSystem)
        group.native(.get, "incidents", query: ["system"], use: list)
        group.native(.get, "incidents/:id", use: show)
        group.native(.patch, "incidents/:id", use: update)
        group.native(.post, "incidents/:id/resolve", use: resolve)
    }

    struct IncidentBody: Encodable { let incident: WireIncident }
    struct ListBody: Encodable { let incidents: [WireIncident] }

    struct OpenMessage: Decodable {
        var title: String?
        var severity: String?
        var description: String?
        var model: String?
        var version: WireText?
    }

    @Sendable func open(_ request: Request, context: Context) async throws -> Response {
        let message = try await NativeMessage.decode(OpenMessage.self, from: request)
        let incident = try await incidents.open(
            systemID: try NativeMessage.parameter("id", context), title: try NativeMessage.required(message.title, "title"),
            severity: try NativeMessage.required(message.severity, "severity"), description: message.description ?? "", model: message.model,
            version: message.version?.text, actor: context.principal)
        return try NativeMessage.json(IncidentBody(incident: WireIncident(incident)), status: .created)
    }

    @Sendable func listForSystem(_ request: Request, context: Context) async throws -> Response {
        let id = try NativeMessage.parameter("id", context)
        _ = try await register.system(id: id)
        return try NativeMessage.json(ListBody(incidents: try await incidents.incidents(systemID: id).map(WireIncident.init)))
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let system = try NativeMessage.query("system", request)
        let incidents = try await incidents.incidents(systemID: system)
        return try NativeMessage.json(ListBody(incidents: incidents.map(WireIncident.init)))
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> Response {
        try NativeMessage.json(IncidentBody(incident: WireIncident(try await incidents.incident(id: try NativeMessage.parameter("id", context)))))
    }

    struct UpdateMessage: Decodable {
        var status: String?
        var note: String?
        var step: String?
    }

    @Sendable func update(_ request: Request, context: Context) async throws -> Response {
        let message = try await NativeMessage.decode(UpdateMessage.self, from: request)
        let incident = try await incidents.update(
            id: try NativeMessage.parameter("id", context),
            IncidentService.Change(status: message.status, note: message.note, step: message.step), actor: context.principal)
        return try NativeMessage.json(IncidentBody(incident: WireIncident(incident)))
    }

    struct ResolveMessage: Decodable {
        var resolution: String?
    }

    @Sendable func resolve(_ request: Request, context: Context) async throws -> Response {
        let message = try await NativeMessage.decode(ResolveMessage.self, from: request)
        let incident = try await incidents.resolve(
            id: try NativeMessage.parameter("id", context), resolution: message.resolution ?? "", actor: context.principal)
        return try NativeMessage.json(IncidentBody(incident: WireIncident(incident)))
    }
}
