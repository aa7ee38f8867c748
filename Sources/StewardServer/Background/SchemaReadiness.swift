import ServiceLifecycle

/// Opens once the database schema is up to date. The background services start with the server, before its
/// migrations have run; each waits here first, so that none reads a table that does not exist yet.
actor SchemaReadiness {
    private var isOpen = false

    func open() { isOpen = true }

    /// Returns once the schema is ready; throws when the server shuts down (or the task is cancelled) first.
    func wait() async throws {
        try await cancelWhenGracefulShutdown {
            while !(await self.isOpen) { try await Task.sleep(for: .milliseconds(20)) }
        }
    }
}
