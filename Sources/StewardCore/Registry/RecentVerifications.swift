/// The versions whose content a download check found intact a moment ago, with the fingerprint of their files
/// then (paths, sizes and change stamps, read without opening a file), so that a fleet of servers loading one large
/// model does not hash all of its files once per load.
///
/// Only downloads reuse a check, and only while the fingerprint is unchanged and for at most `window` milliseconds;
/// approval and promotion always hash the files again.
actor RecentVerifications {
    struct Check {
        let digest: String
        let fingerprint: String
        let at: Int64
    }

    let window: Int64
    private var checks: [String: Check] = [:]

    init(window: Int64) {
        self.window = window
    }

    /// The digest a check of `key` found within the window before `now`, if the files' fingerprint is unchanged.
    func digest(of key: String, fingerprint: String, now: Int64) -> String? {
        guard let check = checks[key] else { return nil }
        guard check.fingerprint == fingerprint, now - check.at < window, now >= check.at else {
            checks[key] = nil
            return nil
        }
        return check.digest
    }

    func note(_ key: String, _ check: Check) {
        // Bounded: expired entries go when the table grows past a few thousand versions.
        if checks.count >= 4096 { checks = checks.filter { check.at - $0.value.at < window } }
        checks[key] = check
    }

    /// Forgets a version, when a check of it failed or could not be reused.
    func forget(_ key: String) {
        checks[key] = nil
    }
}
