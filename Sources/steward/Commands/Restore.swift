import ArgumentParser
import Foundation
import Logging
import StewardCore
import StewardStore

/// `steward restore`: a backup into a new data folder, checked before the server is started on it.
struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore a `steward backup` file into a new data folder, then check its audit chain.",
        discussion: """
            The folder must not hold a store yet. Every path in the file is checked before anything is written. The
            schema is brought up to date (a backup from an earlier release restores too) and the audit chain is
            verified; then start the server on the folder.
            With --artifacts, the backup's artifacts go to that folder (new or empty) instead of <dir>/artifacts:
            start the server with the same --artifacts.
            Examples:
              steward restore --from steward-backup.zip --data restored-data
              steward serve --data restored-data
            """)

    @Option(name: .long, help: ArgumentHelp("The backup file.", valueName: "file"))
    var from: String

    @Option(name: .long, help: ArgumentHelp("The new data folder.", valueName: "dir"))
    var data: String

    @Option(name: .long, help: ArgumentHelp("A folder for the artifacts instead of <dir>/artifacts.", valueName: "folder"))
    var artifacts: String?

    func run() async throws {
        let summary: StoreBackup.Summary
        do {
            summary = try StoreBackup.restore(from: from, into: data, artifacts: artifacts)
        } catch let error as StewardError {
            throw failing(error)
        }
        print(
            "Restored \(summary.database ? "the database and " : "")\(summary.files) files (\(summary.bytes) bytes) into \(data)"
                + (artifacts.map { " and \($0); start the server with --artifacts \($0)." } ?? "."))
        guard summary.database else {
            print("The backup has no database (its store was PostgreSQL): restore that with pg_restore, then pass --store.")
            return
        }
        let options = try StoreOptions.parse(["--data", data])
        switch try await options.withServices({ services in try await services.audit.verify(anchors: [:]) }) {
        case .success(let verified):
            print("The audit chain verifies: \(verified.count) events, head \(verified.count):\(verified.headHash).")
        case .failure(let broken):
            FileHandle.standardError.write(Data("error: the restored audit chain is broken at event \(broken.sequence): \(broken.reason)\n".utf8))
            throw ExitCode(1)
        }
    }
}
