import Hummingbird
import Logging
import NIOCore
import StewardCore

/// Turns every error a route throws into one response, in the error shape of the API surface the middleware is
/// added to (`render`: MLflow's on MLflow routes, the native one on `/api/v1`): the one place where errors become
/// HTTP statuses.
///
/// Domain errors keep their code; unmatched routes become `ENDPOINT_NOT_FOUND`; anything unexpected is logged and
/// answered with `INTERNAL_ERROR`, without internals in the message.
///
/// Added to the whole router, it answers what no surface's routes matched (an unknown path, a method a path does
/// not take) in the shape of the surface whose path prefix the request has (`surfaces`), else in `render`'s.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    private let renderers: @Sendable (String) -> @Sendable (StewardError) -> Response

    init(render: @escaping @Sendable (StewardError) -> Response) {
        renderers = { _ in render }
    }

    /// Renders in the shape of the first surface whose prefix the request's path has, else in `render`'s.
    init(render: @escaping @Sendable (StewardError) -> Response, surfaces: [(prefix: String, render: @Sendable (StewardError) -> Response)]) {
        renderers = { path in surfaces.first { path.hasPrefix($0.prefix) }?.render ?? render }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let render = renderers(request.uri.path)
        do {
            return try await next(request, context)
        } catch let error as StewardError {
            if error.code == .internalError {
                context.logger.error("Internal error", metadata: ["error": "\(error.message)", "path": "\(request.uri.path)"])
            }
            return render(error)
        } catch let error as HTTPError {
            switch error.status {
            case .notFound:
                return render(StewardError(.endpointNotFound, "No endpoint \(request.method) \(request.uri.path)"))
            case .methodNotAllowed:
                return render(StewardError(.endpointNotFound, "Method \(request.method) not allowed on \(request.uri.path)"))
            case .contentTooLarge:
                return render(StewardError(.resourceLimitExceeded, error.body ?? "The request body is too large."))
            default:
                let code: StewardError.Code = error.status.code < 500 ? .badRequest : .internalError
                return render(StewardError(code, error.body ?? error.status.reasonPhrase))
            }
        } catch is NIOTooManyBytesError {
            return render(StewardError(.resourceLimitExceeded, "The request body is larger than this route accepts."))
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as CredentialsChanged {
            // Not the route's to answer: the authentication middleware serves the request again under fresh credentials.
            throw error
        } catch {
            context.logger.error("Unhandled error", metadata: ["error": "\(String(reflecting: error))", "path": "\(request.uri.path)"])
            return render(StewardError(.internalError, "An internal error occurred; it has been logged."))
        }
    }
}
