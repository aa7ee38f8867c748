/// How a table file is written: CSV with a header row, or JSON Lines (one object per line).
public enum TableFormat: String, Sendable, CaseIterable {
    case csv
    case jsonl

    /// The format a file name implies: `.jsonl`/`.ndjson` are JSON Lines, anything else CSV.
    public init(path: String) {
        let lowered = path.lowercased()
        self = lowered.hasSuffix(".jsonl") || lowered.hasSuffix(".ndjson") ? .jsonl : .csv
    }

    /// A format by name (`csv` when none is given); an unknown one is a 400.
    public init(parsing name: String?) throws(StewardError) {
        guard let format = TableFormat(rawValue: name ?? "csv") else { throw .invalidParameter("Unknown format '\(name ?? "")': use csv or jsonl.") }
        self = format
    }
}

/// Named columns read from a table file.
public struct Table: Sendable {
    public let columns: [String: TableColumn]
    public let rowCount: Int

    public init(columns: [String: TableColumn], rowCount: Int) {
        self.columns = columns
        self.rowCount = rowCount
    }
}

/// Reads table files (the store's reader parses CSV in parallel slices straight from the bytes).
public protocol TableReader: Sendable {
    /// The `columns` of a file; those in `categories` keep their exact texts, the others are numbers where every
    /// cell is one. A missing column is a 400 that lists the ones there are.
    func read(path: String, columns: [String], categories: Set<String>, format: TableFormat) throws -> Table
    /// Every column with its inferred type, and the row count: what a registered test set records.
    func profile(path: String, format: TableFormat) throws -> (columns: [EvaluationDataset.Column], rows: Int)
}
