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

    /// The file is made (mode 0600) before the user, so that a folder it cannot be written to stops the start with
    /// nothing created; a server that loses the race to another replica removes its empty file again.
    func createIfNoUser(identity: IdentityService, logger: Logger) async throws {
        guard try await !identity.hasUsers() else { return }
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        unlink(file)
        let descriptor = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw StewardError(.internalError, "Cannot create '\(file)' for the first admin's token; no user was made.")
        }
        defer { close(descriptor) }
        let created: (User, token: String)?
        do {
            created = try await identity.createFirstAdmin(name: Self.userName)
        } catch {
            unlink(file)
            throw error
        }
        guard let (user, token) = created else {
            unlink(file)
            return
        }
        let bytes = Array((token + "\n").utf8)
        guard bytes.withUnsafeBytes({ Foundation.write(descriptor, $0.baseAddress, $0.count) }) == bytes.count, fsync(descriptor) == 0 else {
            throw StewardError(
                .internalError,
                "The admin '\(user.name)' was created but its token could not be written to '\(file)': issue one with "
                    + "`steward users token \(user.name)` on this data folder.")
        }
        logger.notice(
            """
            No user existed, so the admin '\(user.name)' was created; its token is in \(file) (readable by this user only). \
            Use it with: export STEWARD_TOKEN=$(cat '\(file)') MLFLOW_TRACKING_TOKEN=$(cat '\(file)')
            """)
    }
}
