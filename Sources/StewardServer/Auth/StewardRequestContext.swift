import Hummingbird
import StewardCore

/// A request context that knows who the request acts for.
public protocol IdentifiedRequestContext: RequestContext {
    var principal: Principal { get set }
}

/// The request context of Steward's router: Hummingbird's core storage plus the request's principal, set by
/// `AuthenticationMiddleware`.
public struct StewardRequestContext: IdentifiedRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var principal: Principal

    public init(source: Source) {
        coreContext = .init(source: source)
        principal = .anonymous
    }
}
