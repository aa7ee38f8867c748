import CSV
import Foundation
import StewardCore

/// A test set read from a file: CSV with a header row (RFC 4180 quoting) or JSON Lines (one object per line),
/// as named columns. Only the columns asked for are kept; a CSV file without quotes is read in parallel straight
/// into numbers and category codes (`CSVColumnReader`), anything else as text.
public struct TableFile: Sendable {
    public let columns: [String: TableColumn]
    public let rowCount: Int

    public typealias Format = TableFormat

    /// Reads `wanted` columns of the file; a missing column is an error that lists the ones there are. Columns
    /// in `categories` keep their exact texts; the others are read as numbers where every cell is one.
    public init(path: String, columns wanted: [String], categories: Set<String> = [], format: Format? = nil) throws {
        guard FileManager.default.isReadableFile(atPath: path) else { throw StewardError.invalidParameter("Cannot read the file '\(path)'.") }
        switch format ?? Format(path: path) {
        case .csv: try self.init(csv: path, wanted, categories: categories)
        case .jsonl: try self.init(jsonl: path, wanted)
        }
    }

    /// Several files, each as `init(path:columns:categories:)` reads it; CSV files are read together, sharing
    /// the cores (two files of about the same size are parsed side by side, one per core).
    public static func read(_ requests: [(path: String, columns: [String], categories: Set<String>)]) throws -> [TableFile] {
        for request in requests where !FileManager.default.isReadableFile(atPath: request.path) {
            throw StewardError.invalidParameter("Cannot read the file '\(request.path)'.")
        }
        let csv = requests.indices.filter { Format(path: requests[$0].path) == .csv }
        var fast = try CSVColumnReader.read(
            csv.map {
                CSVColumnReader.Request(path: requests[$0].path, columns: Self.kinds(requests[$0].columns, categories: requests[$0].categories))
            }
        )[...]
        return try requests.map { request in
            guard Format(path: request.path) == .csv else { return try TableFile(jsonl: request.path, request.columns) }
            guard let columns = fast.removeFirst() else { return try TableFile(generalCSV: request.path, request.columns) }
            return TableFile(columns: columns.columns, rowCount: columns.rows)
        }
    }

    init(csv path: String, _ wanted: [String], categories: Set<String>) throws {
        if let fast = try CSVColumnReader.read(path: path, columns: Self.kinds(wanted, categories: categories)) {
            self.init(columns: fast.columns, rowCount: fast.rows)
        } else {
            try self.init(generalCSV: path, wanted)
        }
    }

    /// How the fast reader keeps each wanted column: categories as named, numbers otherwise.
    static func kinds(_ wanted: [String], categories: Set<String>) -> [String: CSVColumnReader.Kind] {
        Dictionary(wanted.map { ($0, categories.contains($0) ? CSVColumnReader.Kind.category : .number) }, uniquingKeysWith: { $1 })
    }

    /// Any CSV file, quoted fields included, read with CSV.swift's RFC 4180 reader into text columns.
    init(generalCSV path: String, _ wanted: [String]) throws {
        guard let stream = InputStream(fileAtPath: path) else { throw StewardError.invalidParameter("Cannot read the file '\(path)'.") }
        let reader: CSVReader
        do { reader = try CSVReader(stream: stream, hasHeaderRow: true) } catch {
            throw StewardError.invalidParameter("'\(path)' is not a CSV file with a header row: \(error)")
        }
        let header = reader.headerRow ?? []
        let positions = try wanted.map { name throws(StewardError) in
            guard let index = header.firstIndex(of: name) else {
                throw .invalidParameter("'\(path)' has no column '\(name)'; its columns are \(header.joined(separator: ", ")).")
            }
            return index
        }
        var values = Array(repeating: [String](), count: wanted.count)
        var rows = 0
        while let row = reader.next() {
            if row.count == 1 && row[0].isEmpty { continue }
            guard row.count == header.count else {
                throw StewardError.invalidParameter("Row \(rows + 1) of '\(path)' has \(row.count) fields; the header has \(header.count).")
            }
            for (slot, index) in positions.enumerated() { values[slot].append(row[index]) }
            rows += 1
        }
        // At the end of a file, Foundation's InputStream on Linux still reports bytes available and the reader
        // records `cannotReadFile` for the empty read that follows; every other error is real.
        if let error = reader.error, !Self.isEndOfStream(error) {
            throw StewardError.invalidParameter("'\(path)' could not be read as CSV after row \(rows): \(error)")
        }
        self.init(columns: Dictionary(zip(wanted, values.map(TableColumn.texts)), uniquingKeysWith: { first, _ in first }), rowCount: rows)
    }

    init(columns: [String: TableColumn], rowCount: Int) {
        self.columns = columns
        self.rowCount = rowCount
    }

    init(jsonl path: String, _ wanted: [String]) throws {
        let text = try Self.text(of: path)
        var values = Array(repeating: [String](), count: wanted.count)
        var rows = 0
        for (lineNumber, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw StewardError.invalidParameter("Line \(lineNumber + 1) of '\(path)' is not a JSON object.")
            }
            for (slot, name) in wanted.enumerated() {
                guard let value = object[name], !(value is NSNull) else {
                    throw StewardError.invalidParameter("Line \(lineNumber + 1) of '\(path)' has no '\(name)'.")
                }
                values[slot].append(TableColumn.cellText(value))
            }
            rows += 1
        }
        columns = Dictionary(zip(wanted, values.map(TableColumn.texts)), uniquingKeysWith: { first, _ in first })
        rowCount = rows
    }

    /// Every column of the file with its inferred type, and the row count: what a registered dataset records.
    public static func profile(path: String, format: Format) throws -> (columns: [EvaluationDataset.Column], rows: Int) {
        let names = try columnNames(path: path, format: format)
        let table = try TableFile(path: path, columns: names, categories: Set(names), format: format)
        return (
            names.map { name in
                let values: [String] =
                    if case .categories(_, let distinct) = table.columns[name] { distinct } else { table.columns[name]?.texts ?? [] }
                return EvaluationDataset.Column(name: name, type: EvaluationDataset.inferType(values))
            }, table.rowCount
        )
    }

    /// The header of a CSV file, or the keys of a JSON Lines file's first object.
    public static func columnNames(path: String, format: Format) throws -> [String] {
        switch format {
        case .csv:
            guard let stream = InputStream(fileAtPath: path), let reader = try? CSVReader(stream: stream, hasHeaderRow: true),
                let header = reader.headerRow, !header.isEmpty
            else { throw StewardError.invalidParameter("The dataset is not a CSV file with a header row.") }
            return header
        case .jsonl:
            let text = try Self.text(of: path)
            guard let line = text.split(separator: "\n").first(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }),
                let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            else { throw StewardError.invalidParameter("The dataset's first line is not a JSON object.") }
            return object.keys.sorted()
        }
    }

    /// A JSON Lines file's text. An empty file is "" without Foundation's file reader, which leaks its 4 KiB read
    /// buffer on one (found by Fuzz/FuzzCSV under the leak sanitizer).
    static func text(of path: String) throws -> String {
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        guard size > 0 else { return "" }
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    static func isEndOfStream(_ error: any Error) -> Bool {
        if case CSVError.cannotReadFile = error { return true }
        return false
    }

}

/// The store's table reader for the services: `TableFile`.
public struct TableFileReader: TableReader {
    public init() {}

    public func read(path: String, columns: [String], categories: Set<String>, format: TableFormat) throws -> Table {
        let file = try TableFile(path: path, columns: columns, categories: categories, format: format)
        return Table(columns: file.columns, rowCount: file.rowCount)
    }

    public func profile(path: String, format: TableFormat) throws -> (columns: [EvaluationDataset.Column], rows: Int) {
        try TableFile.profile(path: path, format: format)
    }
}
