import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import StewardCore
import StewardServer
import StewardStore
import StewardTestSupport
import Testing

/// The application as `steward serve` runs it: one service graph, background services that start with it.
@Suite("Application")
struct ApplicationTests {
    /// Keeps every message logged at warning or above.
    final class Recorder: @unchecked Sendable {
        private let lock = NSLock()
        private var messages: [String] = []

        func record(_ message: String) { lock.withLock { messages.append(message) } }
        var recorded: [String] { lock.withLock { messages } }
    }

    struct RecordingHandler: LogHandler {
        let recorder: Recorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .warning

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            recorder.record("\(event.message) \(event.metadata.map { "\($0)" } ?? "")")
        }
    }

    @Test("On a fresh data folder no background service touches the database before its schema is migrated", arguments: TestEngine.available)
    func backgroundServicesWaitForTheSchema(engine: TestEngine) async throws {
        let recorder = Recorder()
        let logger = Logger(label: "steward-test") { _ in RecordingHandler(recorder: recorder) }
        try await TestStorage.with(engine, started: false) { storage async throws in
            let configuration = ServerConfiguration(
                webhookSecret: "secret", alertInterval: .milliseconds(50), webhookRetryDelays: [.seconds(1)])
            let application = buildApplication(configuration: configuration, storage: storage, logger: logger)
            try await application.test(.router) { client in
                #expect(try await client.execute(uri: "/health", method: .get) { $0.status } == .ok)
                // The scheduler, the profiler and the dispatcher get a few turns.
                try await Task.sleep(for: .milliseconds(300))
            }
        }
        let failures = recorder.recorded.filter { $0.contains("failed") || $0.contains("no such table") || $0.contains("does not exist") }
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test(
        "A store without users gets the admin 'admin' on start, its token in a file only the owner reads; a later start none",
        arguments: TestEngine.available)
    func firstStartMakesTheFirstAdmin(engine: TestEngine) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("first-admin-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/admin-token"
        try await TestStorage.with(engine, started: false) { storage async throws in
            let configuration = ServerConfiguration(authenticationRequired: true, firstAdminTokenFile: file)
            try await buildApplication(configuration: configuration, storage: storage, logger: TestStorage.logger).test(.router) { client in
                let token = try #require(try? String(contentsOfFile: file, encoding: .utf8)).trimmingCharacters(in: .newlines)
                let mode = try #require(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int)
                #expect(mode == 0o600)
                try await client.execute(uri: "/api/v1/whoami", method: .get, headers: [.authorization: "Bearer \(token)"]) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body).contains(#""role":"admin""#))
                }
                #expect(try await client.execute(uri: "/api/v1/whoami", method: .get) { $0.status } == .unauthorized)
                // Any later start finds a user and makes none.
                #expect(try await StewardServices(storage: storage).identity.createFirstAdmin(name: "admin") == nil)
            }
        }
    }
}
