import ServiceLifecycle

/// Background work done on a fixed interval until the server shuts down.
enum Periodically {
    /// Runs `body` every `interval` until graceful shutdown or cancellation. The pause ends early when the server
    /// shuts down, so shutdown never waits for an interval; `body` is not run again after it.
    static func run(every interval: Duration, _ body: () async -> Void) async {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) } } catch { return }
            await body()
        }
    }
}
