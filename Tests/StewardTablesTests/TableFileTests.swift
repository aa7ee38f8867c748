import Foundation
import StewardCore
import Testing

@testable import StewardTables

/// Test sets read from files: the parallel byte-level CSV reader against the general RFC 4180 reader, and cell
/// numbers against the standard library's correctly rounded parser.
@Suite("Table files")
struct TableFileTests {
    static func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("steward-table-\(UUID().uuidString).csv").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func parse(_ text: String) -> Double? {
        var bytes = Array(text.utf8)
        bytes.append(0)
        return bytes.withUnsafeBufferPointer { buffer in
            guard let start = buffer.baseAddress else { return nil }
            return DecimalText.parse(start, start + buffer.count - 1)
        }
    }

    @Test("cell numbers are bit for bit what Double(String) reads")
    func decimalsMatchStandardLibrary() {
        var generator = SystemRandomNumberGenerator()
        var texts = [
            "0", "-0", "1", "+1", "007", "1.", ".5", "-.5", "1e3", "1E-3", "2.5e+10", "123456789012345678901234567890", "1e400", "-1e400",
            "4.9e-324", "2.2250738585072014e-308", "9007199254740993", "0.1", "0.30000000000000004", "1.7976931348623157e308", "1e22", "1e23",
            "12345678901234567890e-5", "0.000000000000000000000000000001", "4503599627370496.5", "4503599627370497.5", "-4503599627370497.5",
            "2251799813685248.25", "2251799813685248.75", "1125899906842624.125", "0.45035996273704965e16", "45035996273704965e-1",
            "9007199254740993e-2", "9007199254740995e-3", "1.0000000000000001", "0.99999999999999994", "9223372036854775807e-21",
        ]
        for _ in 0..<20000 {
            let value = Double(bitPattern: UInt64.random(in: 0x3C00_0000_0000_0000...0x4400_0000_0000_0000, using: &generator))
            texts += [String(value), String(format: "%.17g", value), String(format: "%.19g", value), String(format: "%.18e", value)]
        }
        for _ in 0..<5000 {
            let value = Double.random(in: -1e6...1e6, using: &generator) * pow(10, Double(Int.random(in: -30...30, using: &generator)))
            texts += [String(value), String(format: "%.6f", value), String(format: "%.17g", value), String(format: "%e", value)]
            if abs(value) < 1e15 { texts.append(String(Int(value.rounded()))) }
        }
        for text in texts {
            let parsed = Self.parse(text)
            #expect(parsed?.bitPattern == Double(text)?.bitPattern, "\(text)")
            // In a row, the bytes after the cell are in reach of the eight-at-a-time reads.
            #expect(Self.prefix(text + ",12345678901234567890")?.bitPattern == parsed?.bitPattern, "\(text) in a row")
        }
    }

    static func prefix(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer in
            guard let start = buffer.baseAddress, let (value, stop) = DecimalText.prefix(start, start + buffer.count),
                stop.pointee == UInt8(ascii: ",")
            else { return nil }
            return value
        }
    }

    /// The one-pass reader of a cell with a long row after it, and where it stops.
    static func cell(_ text: String, then tail: String = ",0.123456789012345678,0.25,-1.5e-07,x,y,z,0.0001234567890123456\n") -> Double? {
        let bytes = Array((text + tail).utf8)
        return bytes.withUnsafeBufferPointer { buffer in
            guard let start = buffer.baseAddress, let (value, stop) = DecimalText.cell(start, start + buffer.count),
                stop == start + text.utf8.count
            else { return nil }
            return value
        }
    }

    @Test("a cell read in one pass is bit for bit what Double(String) reads, and stops where the number does")
    func cellsMatchStandardLibrary() {
        var generator = SystemRandomNumberGenerator()
        var texts = [
            "0", "-0", "0.0", "-0.0", "1", "7.", "12.5", "0.1", "0.30000000000000004", "9007199254740993", "9007199254740993.0",
            "4503599627370496.5", "4503599627370497.5", "-4503599627370497.5", "2251799813685248.25", "2251799813685248.75",
            "1125899906842624.125", "1.0000000000000001", "0.99999999999999994", "0.0034558419206478603", "0.00017735384830093928",
            "0.0007205323699160947", "-0.01273475805424425", "1.2345678901234567e-05", "4.5e-05", "1e-07", "9.999999999999999e+22",
            "1e22", "1e23", "8.98846567431158e307", "1234567.1234567890123", "0.000000012345678901234567", "5e-64", "5e+64", "1.5E+3",
            "9999999.999999999999", "0.9999999999999999999", "1.7976931348623157e308", "2.2250738585072014e-308", "4.9e-324",
        ]
        // What pandas and NumPy write: the shortest text that reads back, 17 significant digits, small numbers in
        // exponent form; and halfway points between neighbouring doubles.
        for _ in 0..<40000 {
            let value = Double.random(in: 1e-6...1e3, using: &generator) * (Bool.random(using: &generator) ? 1 : -1)
            texts += [String(value), String(format: "%.17g", value), String(format: "%.16g", value), String(format: "%.6f", value)]
        }
        for _ in 0..<20000 {
            let value = Double(bitPattern: UInt64.random(in: 0x3E00_0000_0000_0000...0x4300_0000_0000_0000, using: &generator))
            texts += [String(value), String(format: "%.19g", value), String(format: "%.18e", value)]
            // The exact midpoint between the value and the next double up, written out in full where it fits.
            let midpoint = String(format: "%.25g", value + value.ulp / 2)
            texts.append(midpoint)
        }
        for text in texts {
            let expected = Double(text)
            #expect(Self.cell(text)?.bitPattern == expected?.bitPattern, "\(text)")
            #expect(Self.cell(text, then: "\r\n" + String(repeating: "9", count: 60))?.bitPattern == expected?.bitPattern, "\(text) before digits")
        }
        // Not numbers, whatever follows them: no digits, a bare exponent marker.
        for text in ["-", ".", "e5", "x1"] { #expect(Self.cell(text) == nil, "\(text)") }
        #expect(Self.cell("1e", then: ",x" + String(repeating: " ", count: 60)) == nil)
    }

    @Test("category texts get one code each, in the order first seen, short and long alike")
    func categoryCodes() {
        var dictionary = ByteDictionary()
        // Short texts that pack to the same word but differ in length, long ones that share a prefix, and enough
        // distinct texts to make the table grow several times.
        let texts =
            ["", "\0", "\0\0", "a", "a\0", "north", "northeast", "northeast1", "12345678", "123456789", "ü-ñ"] + (0..<500).map { "c\($0 * 7919)" }
        var codes: [String: UInt32] = [:]
        for round in 0..<3 {
            for text in round == 1 ? texts.reversed() : texts {
                let code = Array(text.utf8).withUnsafeBufferPointer { dictionary.code($0) }
                if let known = codes[text] { #expect(code == known, "\(text)") } else { codes[text] = code }
            }
        }
        #expect(dictionary.count == texts.count)
        #expect(dictionary.names == texts)
    }

    /// Found by Fuzz/FuzzCSV: Foundation's file reader leaked its buffer on an empty file.
    @Test("an empty JSON Lines file is refused with a reason, an empty CSV file too")
    func emptyFiles() throws {
        let jsonl = try Self.write("").replacingOccurrences(of: ".csv", with: ".jsonl")
        try Data().write(to: URL(fileURLWithPath: jsonl))
        #expect(throws: StewardError.invalidParameter("The dataset's first line is not a JSON object.")) {
            try TableFile.profile(path: jsonl, format: .jsonl)
        }
        #expect(try TableFile(path: jsonl, columns: [], format: .jsonl).rowCount == 0)
        #expect(throws: StewardError.invalidParameter("The dataset is not a CSV file with a header row.")) {
            try TableFile.profile(path: try Self.write(""), format: .csv)
        }
    }

    @Test("blank cells are missing; anything but a plain decimal is not a number")
    func decimalEdges() {
        #expect(Self.parse("")?.isNaN == true)
        #expect(Self.parse("   ")?.isNaN == true)
        #expect(Self.parse(" 2.5 ") == 2.5)
        for text in ["abc", "1e", "--1", "0x10", "nan", "inf", "1.2.3", "1,5", ".", "-", "e5", "1e+", "١"] {
            #expect(Self.parse(text) == nil, "\(text)")
        }
    }

    /// A file of every shape the reader must handle, read in tiny blocks and many slices so that lines cross
    /// every boundary, compared with the general reader.
    @Test("many slices and tiny blocks give the general reader's columns", arguments: [1, 2, 3, 7, 16])
    func slicesAndBlocks(slices: Int) throws {
        var lines = ["id,score,region,note"]
        var generator = SystemRandomNumberGenerator()
        for row in 0..<500 {
            let score = row % 50 == 7 ? "" : String(Double.random(in: -5...5, using: &generator))
            let region = ["north", "south", "", "east west", "ü-ñ"][row % 5]
            lines.append("\(row),\(score),\(region),n\(row % 3)")
            if row % 97 == 0 { lines.append("") }
        }
        let path = try Self.write(lines.joined(separator: usesCRLF(slices) ? "\r\n" : "\n"))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fast = try #require(
            try CSVColumnReader.read(
                path: path, columns: ["id": .number, "score": .number, "region": .category, "note": .category], slices: slices, blockSize: 37))
        #expect(fast.rows == 500)
        let general = try TableFile(generalCSV: path, ["id", "score", "region", "note"])
        for name in ["id", "score", "region", "note"] {
            let expected = try #require(general.columns[name]).texts
            let column = try #require(fast.columns[name])
            switch name {
            case "id", "score":
                guard case .numbers(let values) = column else {
                    Issue.record("\(name) is not numbers")
                    continue
                }
                #expect(values.map { $0.isNaN ? nil : $0 } == expected.map { $0.isEmpty ? nil : Double($0) })
            default:
                guard case .categories = column else {
                    Issue.record("\(name) is not categories")
                    continue
                }
                #expect(column.texts == expected)
            }
        }
    }

    func usesCRLF(_ slices: Int) -> Bool { slices % 2 == 1 }

    @Test("a number column with a text cell keeps its texts; one asked for twice is read once")
    func numberColumnFallsBackToCategories() throws {
        let path = try Self.write("label,score\nyes,0.5\nno,0.25\nyes,1\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let table = try TableFile(path: path, columns: ["label", "score", "label"])
        #expect(table.rowCount == 3)
        #expect(table.columns["label"]?.texts == ["yes", "no", "yes"])
        #expect(table.columns["score"] == .numbers([0.5, 0.25, 1]))
    }

    @Test("quotes, a byte-order mark and a header-only file")
    func generalShapes() throws {
        let quoted = try Self.write("text,score\n\"a, b\",1\n\"line\nbreak\",2\n")
        let bom = try Self.write("\u{FEFF}score,label\n1,0\n")
        let empty = try Self.write("score,label\n")
        defer { for path in [quoted, bom, empty] { try? FileManager.default.removeItem(atPath: path) } }
        let general = try TableFile(path: quoted, columns: ["text", "score"])
        #expect(general.columns["text"]?.texts == ["a, b", "line\nbreak"])
        #expect(general.columns["score"]?.texts == ["1", "2"])
        #expect(try TableFile(path: bom, columns: ["score"]).columns["score"] == .numbers([1]))
        let none = try TableFile(path: empty, columns: ["score"])
        #expect(none.rowCount == 0)
    }

    /// Files of very different sizes read together, in every number of slices, so that cuts fall in each file,
    /// on a file's edge and between files; each is what reading it alone gives. A quoted file and an empty one
    /// come back as nil and as no rows.
    @Test("files read together are each what reading it alone gives", arguments: [1, 2, 3, 5, 9])
    func filesReadTogether(slices: Int) throws {
        var generator = SystemRandomNumberGenerator()
        func table(_ rows: Int) -> String {
            (["score,region,count"] + (0..<rows).map { row in "\(Double.random(in: -3...3, using: &generator)),r\(row % 4),\(row)" })
                .joined(separator: "\n")
        }
        let paths = try [table(400), table(7), table(150), "score,region,count\n", "score,region,count\n\"1\",a,2\n", table(1)].map(Self.write)
        defer { for path in paths { try? FileManager.default.removeItem(atPath: path) } }
        let kinds: [String: CSVColumnReader.Kind] = ["score": .number, "region": .category, "count": .number]
        let together = try CSVColumnReader.read(paths.map { CSVColumnReader.Request(path: $0, columns: kinds) }, slices: slices, blockSize: 53)
        #expect(together.count == paths.count)
        for (path, read) in zip(paths, together) {
            let alone = try CSVColumnReader.read(path: path, columns: kinds, slices: 1)
            #expect(read?.rows == alone?.rows, "\(path)")
            #expect(read?.columns == alone?.columns, "\(path)")
        }
        #expect(together[0]?.rows == 400)
        #expect(together[3]?.rows == 0)
        #expect(together[4] == nil)
        // Through TableFile: the quoted file falls back to the general reader, a JSON Lines file is read alone.
        let lines = FileManager.default.temporaryDirectory.appendingPathComponent("steward-table-\(UUID().uuidString).jsonl").path
        try Data("{\"score\": 1.5, \"region\": \"n\", \"count\": 3}\n".utf8).write(to: URL(fileURLWithPath: lines))
        defer { try? FileManager.default.removeItem(atPath: lines) }
        let tables = try TableFile.read([
            (paths[0], ["score", "region"], ["region"]), (paths[4], ["score", "region"], []), (lines, ["score"], []),
        ])
        #expect(tables.map(\.rowCount) == [400, 1, 1])
        #expect(tables[0].columns["region"]?.texts.prefix(3) == ["r0", "r1", "r2"])
        #expect(tables[1].columns["score"]?.texts == ["1"])
        #expect(tables[2].columns["score"]?.texts == ["1.5"])
        #expect(throws: StewardError.invalidParameter("Cannot read the file '/nonexistent.csv'.")) {
            _ = try TableFile.read([(paths[0], ["score"], []), ("/nonexistent.csv", ["score"], [])])
        }
    }

    @Test("a short row is named by its line in the file, whichever slice it falls in")
    func wrongFieldCount() throws {
        var lines = ["a,b"] + (1...300).map { "\($0),\($0 * 2)" }
        lines[250] = "250"
        let path = try Self.write(lines.joined(separator: "\n"))
        defer { try? FileManager.default.removeItem(atPath: path) }
        for slices in [1, 4] {
            #expect(throws: StewardError.invalidParameter("Row 250 of '\(path)' has 1 fields; the header has 2.")) {
                _ = try CSVColumnReader.read(path: path, columns: ["a": .number], slices: slices, blockSize: 64)
            }
        }
        #expect(throws: StewardError.self) { _ = try TableFile(path: path, columns: ["missing"]) }
    }
}
