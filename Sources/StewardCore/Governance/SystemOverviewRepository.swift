/// Reads the overviews of many systems in one go: one statement per aggregate for all of them, in one read
/// transaction, so a register page costs a few reads however many systems it shows.
public protocol SystemOverviewRepository: Sendable {
    /// The overview of each of `systemIDs` that exists, by id.
    func overviews(systemIDs: [String]) async throws -> [String: SystemOverview]
}
