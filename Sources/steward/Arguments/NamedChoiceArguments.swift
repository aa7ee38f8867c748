import ArgumentParser
import Logging
import StewardCore
import StewardServer
import StewardStatistics
import StewardStore

/// The domain's named choices as command-line values: parsed once by swift-argument-parser, which lists the valid
/// names in `--help` and in the error for a wrong one.
extension EvaluationTask: ExpressibleByArgument {
    public init?(argument: String) { try? self.init(parsing: argument) }
}

extension Role: ExpressibleByArgument {
    public init?(argument: String) { try? self.init(parsing: argument) }
}

extension DriftBinning: ExpressibleByArgument {}
extension SQLiteStoreDatabase.Durability: ExpressibleByArgument {}
extension Logger.Level: @retroactive ExpressibleByArgument {}

extension DocumentFormat: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }
}

extension DatabaseLocation {
    /// `--store` read once, with the parser's own message for a URL it refuses.
    static func argument(_ text: String) throws -> DatabaseLocation {
        do { return try DatabaseLocation(parsing: text) } catch { throw ValidationError(error.message) }
    }
}

extension ArtifactLocation {
    /// `--artifacts` read once, with the parser's own message for a location it refuses.
    static func argument(_ text: String) throws -> ArtifactLocation {
        do { return try ArtifactLocation(parsing: text) } catch { throw ValidationError(error.message) }
    }
}
