/// The versions whose content a download check found intact a moment ago, so that a fleet of servers loading one
/// large model does not hash all of its files once per load.
///
/// Only downloads reuse a recent check, for at most `window` milliseconds; approval and promotion always hash the
/// files again. A download check is a tripwire (the client fetches the files afterwards, by other requests), and
/// a change made in the window is still caught by the next decision that rests on the version.
actor RecentVerifications {
    let window: Int64
    private var verified: [String: (digest: String, at: Int64)] = [:]

    init(window: Int64) {
        self.window = window
    }

    /// The digest a check of `key` found within the window before `now`, if any.
    func digest(of key: String, now: Int64) -> String? {
        guard let entry = verified[key] else { return nil }
        guard now - entry.at < window, now >= entry.at else {
            verified[key] = nil
            return nil
        }
        return entry.digest
    }

    func note(_ key: String, digest: String, at now: Int64) {
        // Bounded: old entries go when the table grows past a few thousand versions.
        if verified.count >= 4096 { verified = verified.filter { now - $0.value.at < window } }
        verified[key] = (digest, now)
    }

    /// Forgets a version, when a check of it failed.
    func forget(_ key: String) {
        verified[key] = nil
    }
}
