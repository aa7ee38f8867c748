import Hummingbird
import NIOCore
import StewardCore

/// A request context that knows who the request acts for, and the identity service that audits a refusal of it.
public protocol IdentifiedRequestContext: RequestContext {
    var principal: Principal { get set }
    var identity: IdentityService? { get set }
    /// The connection the request came on (nil for one that came through none): its closing says the client left.
    var connection: (any Channel)? { get }
}

/// The request context of Steward's router: Hummingbird's core storage plus the request's principal and the
/// identity service, set by `AuthenticationMiddleware`.
public struct StewardRequestContext: IdentifiedRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var principal: Principal
    public var identity: IdentityService?
    public let connection: (any Channel)?
    /// The web UI's sign-in session the request came with, if any (`UISessionMiddleware`).
    public var signIn: SignInSession?

    public init(source: Source) {
        self.init(source: source as any RequestContextSource)
    }

    /// A context for a request that came through no channel (`InProcessClient`).
    init(source: any RequestContextSource) {
        coreContext = .init(source: source)
        principal = .anonymous
        identity = nil
        signIn = nil
        connection = (source as? ApplicationRequestContextSource)?.channel
    }
}
