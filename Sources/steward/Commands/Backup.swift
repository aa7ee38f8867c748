import ArgumentParser
import Foundation
import StewardCore
import StewardStore

/// `steward backup`: a running or stopped server's data folder in one file.
struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the store (database snapshot, artifacts and Steward's files) into one ZIP file, while the server runs.",
        discussion: """
            The SQLite database is copied as one consistent snapshot (SQLite's VACUUM INTO), without stopping the
            server; the artifacts and files folders follow. With --store postgres://…, the folders are copied and the
            pg_dump command that backs up the database is printed: run it beside. A server started with --artifacts
            is backed up with the same --artifacts: a folder is copied into the backup; for s3://… (where Steward's
            files are too) the command that copies the bucket is printed. Restore with `steward restore`.
            Examples:
              steward backup --data steward-data --to steward-backup.zip
              steward backup --data steward-data --artifacts /mnt/art --to backup.zip
              steward backup --store postgres://db.internal/steward --to folders.zip
            """)

    @OptionGroup var options: StoreOptions

    @Option(name: .long, help: ArgumentHelp("The backup file to write (must not exist).", valueName: "file"))
    var to: String

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The artifact store the server was started with (`steward serve --artifacts`), instead of <dir>/artifacts.",
            valueName: "folder|s3://bucket/prefix"),
        transform: ArtifactLocation.argument)
    var artifacts: ArtifactLocation?

    func validate() throws {
        try options.requireExistingStore()
    }

    func run() async throws {
        if case .postgres(let host, let port, let username, _, let database) = options.store {
            print(
                "The database is in PostgreSQL: back it up with\n  pg_dump --format=custom --host \(host) --port \(port) --username \(username) "
                    + "--file \(database).dump \(database)\n(and restore with pg_restore --dbname \(database) \(database).dump).")
        }
        if case .s3 = artifacts, let artifacts {
            print(
                "The artifacts and Steward's files are in \(artifacts) (artifacts/ and files/ below it), not in this backup: copy them "
                    + "with the bucket's own tools, e.g.\n  aws s3 sync \(artifacts) steward-s3-copy/\n(and back with aws s3 sync "
                    + "steward-s3-copy/ \(artifacts)).")
            guard options.isSQLite else { throw failing(StewardError.invalidParameter("Nothing else to back up: no file was written.")) }
        }
        let summary: StoreBackup.Summary
        do {
            summary = try StoreBackup.backup(dataDirectory: options.data, database: options.isSQLite, artifacts: artifacts, to: to)
        } catch let error as StewardError {
            throw failing(error)
        }
        print(
            "Backed up \(summary.database ? "the database and " : "")\(summary.files) files (\(summary.bytes) bytes) to \(to).")
    }
}

extension StoreOptions {
    /// Whether the database is an SQLite file.
    var isSQLite: Bool {
        if case .postgres = store { return false }
        return true
    }
}
