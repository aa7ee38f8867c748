import Foundation
import Logging
import StewardCore

/// The first admin of a fresh store and the file its token is written to.
///
/// Without a user, every model version would be registered anonymously, and an anonymous version can never be
/// approved: a newcomer would find that out only at the end, when promotion is refused. So a server starting on a
/// store with no user makes the admin `admin` and writes its token to a file only the server's user can read
/// (never to the log), and says how to use it.
struct FirstAdminToken: Sendable {
    /// Where the token goes: `<data>/admin-token` for `steward serve`.
    let file: String
    /// The first admin's user name.
    static let userName = "admin"

    func createIfNoUser(identity: IdentityService, logger: Logger) async throws {
        guard let (user, token) = try await identity.createFirstAdmin(name: Self.userName) else { return }
        try write(token)
        logger.notice(
            """
            No user existed, so the admin '\(user.name)' was created; its token is in \(file) (readable by this user only). \
            Use it with: export STEWARD_TOKEN=$(cat \(file)) MLFLOW_TRACKING_TOKEN=$(cat \(file))
            """)
    }

    /// Writes the token into a file created with mode 0600 (never readable by others, not even for a moment),
    /// replacing a file left from an earlier store.
    func write(_ token: String) throws {
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        unlink(file)
        let descriptor = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw StewardError(.internalError, "Cannot create '\(file)' for the first admin's token.") }
        defer { close(descriptor) }
        let bytes = Array((token + "\n").utf8)
        guard bytes.withUnsafeBytes({ Foundation.write(descriptor, $0.baseAddress, $0.count) }) == bytes.count, fsync(descriptor) == 0 else {
            throw StewardError(.internalError, "Cannot write the first admin's token to '\(file)'.")
        }
    }
}
