import Foundation

/// A served model Steward scores a test set with: rows of features in, one prediction per row out (MLflow's
/// pyfunc `/invocations` contract in the server's implementation).
public protocol ModelEndpoint: Sendable {
    /// Predictions for `rows` (values in the order of `columns`), one per row.
    func predict(columns: [String], rows: [[String]]) async throws -> [String]
}

/// Which endpoints the server may call: only hosts an administrator allowed when starting it, so a client can
/// never make the server fetch an address of its choosing.
public struct EndpointAllowList: Sendable, Equatable {
    public let hosts: Set<String>

    public init(hosts: some Sequence<String>) {
        self.hosts = Set(hosts.map(Self.normalized(host:)))
    }

    /// A host as it is compared: lower case, without the trailing dot of a fully qualified name.
    static func normalized(host: String) -> String {
        let lowered = host.lowercased()
        return lowered.hasSuffix(".") ? String(lowered.dropLast()) : lowered
    }

    static let malformed = StewardError.invalidParameter(
        "endpoint must be an http(s) URL such as http://models.internal:5001/invocations, without credentials.")

    /// The URL if it is http(s) to an allowed host; otherwise a refusal that says how to allow it.
    ///
    /// The scheme and host are normalised once, before the check (lower case, no trailing dot on the host), and
    /// the URL returned is the normalised one, so what was checked is exactly what is called.
    public func check(_ text: String) throws(StewardError) -> URL {
        guard var components = URLComponents(string: text), let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.host.map(Self.normalized(host:)), !host.isEmpty, components.user == nil, components.password == nil
        else { throw Self.malformed }
        guard hosts.contains(host) else {
            throw StewardError(
                .permissionDenied,
                "Steward does not call '\(host)': an administrator allows endpoint hosts with `steward serve --allow-endpoint-host \(host)`.")
        }
        if components.scheme != scheme { components.scheme = scheme }
        if components.host != host { components.host = host }
        guard let url = components.url else { throw Self.malformed }
        return url
    }
}

extension EvaluationService {
    /// Scores `rows` through an endpoint in batches, timing each call; returns one prediction and one latency
    /// (the milliseconds of the call that scored the row) per row.
    public static func score(
        _ endpoint: any ModelEndpoint, columns: [String], rows: [[String]], batchSize: Int, clock: @Sendable () -> Double
    ) async throws -> (predictions: [String], latencies: [String]) {
        guard (1...10_000).contains(batchSize) else { throw StewardError.invalidParameter("batch must be between 1 and 10000.") }
        var predictions: [String] = []
        var latencies: [String] = []
        predictions.reserveCapacity(rows.count)
        var start = 0
        while start < rows.count {
            let batch = Array(rows[start..<min(start + batchSize, rows.count)])
            let began = clock()
            let answer = try await endpoint.predict(columns: columns, rows: batch)
            let milliseconds = (clock() - began) * 1000
            guard answer.count == batch.count else {
                throw StewardError.invalidParameter("The endpoint returned \(answer.count) predictions for \(batch.count) rows.")
            }
            predictions += answer
            latencies += Array(repeating: String(milliseconds), count: batch.count)
            start += batch.count
        }
        return (predictions, latencies)
    }
}
