import ArgumentParser
import Foundation
import Logging
import StewardCore
import StewardServer
import StewardStore

/// The `--data` and `--store` options of commands that work on a Steward store directly.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Folder for the database and artifacts.", valueName: "dir"))
    var data = "./steward-data"

    @Option(
        name: .long, help: ArgumentHelp("Database instead of <dir>/steward.sqlite (sqlite:PATH or postgres://…).", valueName: "url"),
        transform: DatabaseLocation.argument)
    var store: DatabaseLocation?

    /// Refuses a data folder without a database, for commands that only read an existing store.
    func requireExistingStore() throws {
        if store == nil, !FileManager.default.fileExists(atPath: (data as NSString).appendingPathComponent("steward.sqlite")) {
            throw ValidationError("No Steward database in '\(data)': pass the --data folder of `steward serve`, or --store.")
        }
    }

    /// Opens the store, brings its schema up to date and runs `body` with its services. A domain error is
    /// printed the way the server words it and exits non-zero.
    func withServices<T: Sendable>(_ body: @Sendable (StewardServices) async throws -> T) async throws -> T {
        var logger = Logger(label: "steward")
        logger.logLevel = .warning
        do {
            let storage = try await StewardStorage.open(dataDirectory: data, store: store, logger: logger)
            return try await storage.whileRunning(logger: logger) { storage in try await body(StewardServices(storage: storage)) }
        } catch let error as StewardError {
            throw failing(error)
        }
    }
}

/// Prints a domain error the way the server words it, and exits non-zero.
func failing(_ error: StewardError) -> ExitCode {
    FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
    return ExitCode(1)
}
