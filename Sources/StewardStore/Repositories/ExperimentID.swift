import StewardCore

/// Experiment ids travel as strings and are stored as integers.
enum ExperimentID {
    /// The stored form of `id`, or nil when it cannot name any experiment.
    static func stored(_ id: String) -> Int64? {
        guard let value = Int64(id), value >= 0, String(value) == id else { return nil }
        return value
    }

    /// The stored form of an id a client sent; one that is not an integer is a client error.
    static func require(_ id: String) throws(StewardError) -> Int64 {
        guard let value = stored(id) else {
            throw .invalidParameter("Invalid experiment ID '\(id)'. Experiment ID must be a valid integer.")
        }
        return value
    }

    /// The stored forms of ids a search names.
    static func storedList(_ ids: [String]) throws(StewardError) -> [Int64] {
        try ids.map { id throws(StewardError) in try require(id) }
    }
}
