import Synchronization

/// The holders of recently presented tokens, by token digest, valid only under the credentials stamp they were
/// read under: any change of a user or a token, on any replica, moves the stamp and empties the cache at the
/// next request. Saves every authenticated request a read of the token's row (`bench/stores.py`).
///
/// Only tokens that some user holds are kept, so a client presenting made-up tokens cannot fill it, and it holds
/// at most `capacity` entries (emptied when full).
final class TokenCache: Sendable {
    private struct State {
        var stamp: Int64?
        var holders: [String: TokenHolder] = [:]
    }

    private let state = Mutex(State())
    private let capacity: Int

    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    /// The holder known for `digest` under `stamp`, if it was read under that same stamp.
    func holder(digest: String, stamp: Int64) -> TokenHolder? {
        state.withLock { state in state.stamp == stamp ? state.holders[digest] : nil }
    }

    /// The holder remembered for `digest`, with the stamp it was read under, whatever the store's stamp is now
    /// (`PendingCredentials` has it confirmed).
    func remembered(digest: String) -> (TokenHolder, stamp: Int64)? {
        state.withLock { state in
            guard let stamp = state.stamp, let holder = state.holders[digest] else { return nil }
            return (holder, stamp)
        }
    }

    /// Forgets every holder read under another stamp than `stamp`, the store's now: a token found by no user under
    /// it is then not taken from memory again (`PendingCredentials`).
    func forgetAllBut(stamp: Int64) {
        state.withLock { state in
            guard state.stamp != stamp else { return }
            state.stamp = stamp
            state.holders.removeAll(keepingCapacity: true)
        }
    }

    /// Remembers `holder`, read under `stamp` (read before the holder, so that a change between the two reads
    /// moves the stamp past it).
    func store(_ holder: TokenHolder, digest: String, stamp: Int64) {
        let capacity = capacity
        state.withLock { state in
            if state.stamp != stamp || state.holders.count >= capacity {
                state.stamp = stamp
                state.holders.removeAll(keepingCapacity: true)
            }
            state.holders[digest] = holder
        }
    }
}
