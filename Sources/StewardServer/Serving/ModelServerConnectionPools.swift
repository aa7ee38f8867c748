import NIOCore
import StewardCore
import Synchronization

/// One `ModelServerConnections` per event loop, made when a connection on that loop first needs it.
final class ModelServerConnectionPools: Sendable {
    private let pools = Mutex<[ObjectIdentifier: NIOLoopBound<ModelServerConnections>]>([:])
    let timeout: TimeAmount
    let maximumAnswerBytes: Int
    let allowList: EndpointAllowList?

    /// Pools with the deadline, answer cap and allowed hosts of `limits`, the router's client, so both paths hold
    /// model servers to the same bounds.
    init(limits: ModelServerClient) {
        timeout = limits.timeout
        maximumAnswerBytes = limits.maximumAnswerBytes
        allowList = limits.allowList
    }

    /// The pool of `loop`; called on `loop`.
    func connections(on loop: any EventLoop) -> ModelServerConnections {
        let bound = pools.withLock { pools in
            if let known = pools[ObjectIdentifier(loop)] { return known }
            let made = NIOLoopBound(
                ModelServerConnections(eventLoop: loop, timeout: timeout, maximumAnswerBytes: maximumAnswerBytes, allowList: allowList),
                eventLoop: loop)
            pools[ObjectIdentifier(loop)] = made
            return made
        }
        return bound.value
    }
}
