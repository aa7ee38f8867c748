import Foundation
import StewardCore
import StewardTables

/// The table-file readers on arbitrary bytes, written to a file as an upload would be: the first byte picks CSV or
/// JSON Lines. A file is either refused with an error or profiled and read whole, with the same row count both
/// times and every column as long as the table.
enum TableFuzzing {
    static let path = FileManager.default.temporaryDirectory.appendingPathComponent("steward-fuzz-\(getpid()).table").path

    static func run(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let first = bytes.first else { return }
        let format: TableFormat = first & 1 == 0 ? .csv : .jsonl
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes.dropFirst())) else { preconditionFailure("cannot write \(path)") }
        guard let profile = try? TableFile.profile(path: path, format: format) else { return }
        let names = profile.columns.map(\.name)
        // Half of the columns as categories, the rest as numbers where they are: both of the fast reader's kinds.
        let categories = Set(names.enumerated().filter { $0.offset % 2 == 0 }.map(\.element))
        guard let table = try? TableFile(path: path, columns: names, categories: categories, format: format) else { return }
        precondition(table.rowCount == profile.rows, "profile counted \(profile.rows) rows, reading \(table.rowCount)")
        for (name, column) in table.columns {
            precondition(column.count == table.rowCount, "column \(name) has \(column.count) cells for \(table.rowCount) rows")
        }
    }
}

/// One input, as libFuzzer hands it over (also the symbol libFuzzer's own `main` would call).
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    TableFuzzing.run(UnsafeBufferPointer(start: data, count: count))
    return 0
}
