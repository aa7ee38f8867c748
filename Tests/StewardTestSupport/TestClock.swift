import Synchronization

/// A clock a test moves by hand, in epoch milliseconds, for services that take `now`.
public final class TestClock: Sendable {
    let milliseconds: Mutex<Int64>

    public init(_ start: Int64 = 1_700_000_000_000) {
        milliseconds = Mutex(start)
    }

    public var now: Int64 { milliseconds.withLock { $0 } }

    public func advance(_ delta: Int64) { milliseconds.withLock { $0 += delta } }
}
