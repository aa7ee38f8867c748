import Dispatch
import Foundation
import StewardCore

/// Reads chosen columns of a CSV file that has no quoted fields straight from its bytes. The file is cut at line
/// breaks into one slice per core; each slice is read in blocks and parsed on its own thread into numbers or
/// category codes, with no String per cell; the slices are then joined. Memory is the columns plus one block
/// per slice, whatever the file's size. A file with a quote character is left to the general RFC 4180 reader.
struct CSVColumnReader {
    /// How a column is kept: numbers (a column with a cell that is not a number falls back to categories), or
    /// category codes of the exact cell texts.
    enum Kind: Sendable, Equatable {
        case number
        case category
    }

    let path: String
    let header: [String]
    let bodyStart: Int
    let size: Int
    let descriptor: Int32

    /// A file to read and the columns wanted from it, with how each is kept.
    struct Request: Sendable {
        let path: String
        let columns: [String: Kind]
    }

    /// The named columns and the row count; nil when the file has a quote character somewhere.
    /// `slices` and `blockSize` are for tests; by default there is one slice per core (at least 1 MiB each).
    static func read(
        path: String, columns kindsByName: [String: Kind], slices: Int? = nil, blockSize: Int = 4 << 20
    ) throws -> (columns: [String: TableColumn], rows: Int)? {
        try read([Request(path: path, columns: kindsByName)], slices: slices, blockSize: blockSize)[0]
    }

    /// Several files at once, each as `read(path:)` reads it. The cores share the files' bytes: they are cut into
    /// one run of about equal size per core across the files, so two files of about the same size are parsed one
    /// per core in one piece each, with nothing to join and no storage written twice.
    static func read(_ requests: [Request], slices: Int? = nil, blockSize: Int = 4 << 20) throws -> [(
        columns: [String: TableColumn], rows: Int
    )?] {
        var descriptors: [Int32] = []
        defer { for descriptor in descriptors { close(descriptor) } }
        var plans: [Plan?] = []
        for request in requests {
            let descriptor = open(request.path, O_RDONLY)
            guard descriptor >= 0 else { throw StewardError.invalidParameter("Cannot read the file '\(request.path)'.") }
            descriptors.append(descriptor)
            var status = stat()
            guard fstat(descriptor, &status) == 0 else { throw StewardError.invalidParameter("Cannot read the file '\(request.path)'.") }
            guard let reader = try CSVColumnReader(path: request.path, descriptor: descriptor, size: Int(status.st_size)) else {
                plans.append(nil)
                continue
            }
            let wanted = request.columns.sorted { $0.key < $1.key }.map { (name: $0.key, kind: $0.value) }
            let positions = try wanted.map { column throws(StewardError) in
                guard let index = reader.header.firstIndex(of: column.name) else {
                    throw .invalidParameter(
                        "'\(request.path)' has no column '\(column.name)'; its columns are \(reader.header.joined(separator: ", ")).")
                }
                return index
            }
            // Columns the first lines already show are not numbers are read as categories from the start, so a
            // file with text columns is parsed once; a later surprise still falls back to a second pass.
            let sampled = try reader.sample(positions: positions, kinds: wanted.map(\.kind))
            plans.append(
                Plan(reader: reader, names: wanted.map(\.name), positions: positions, kinds: sampled.kinds, bytesPerRow: sampled.bytesPerRow))
        }
        let parsable = plans.compactMap { $0 }
        var parsed = try parse(parsable, slices: slices, blockSize: blockSize)
        var next = 0
        return try plans.map { plan throws -> (columns: [String: TableColumn], rows: Int)? in
            guard var plan else { return nil }
            // Taken out, so that the columns joined in place are referenced once.
            var pieces: [SliceParser] = []
            swap(&pieces, &parsed[next])
            next += 1
            while true {
                if pieces.contains(where: \.quoted) { return nil }
                var rowsBefore = 0
                for slice in pieces {
                    if let failure = slice.failure {
                        throw StewardError.invalidParameter("Row \(rowsBefore + failure.row + 1) of '\(plan.reader.path)' \(failure.message)")
                    }
                    rowsBefore += slice.rows
                }
                let notNumeric = plan.kinds.indices.filter { slot in pieces.contains { $0.notNumeric[slot] } }
                if notNumeric.isEmpty {
                    let columns = Self.join(&pieces, kinds: plan.kinds)
                    return (Dictionary(uniqueKeysWithValues: zip(plan.names, columns)), rowsBefore)
                }
                for slot in notNumeric { plan.kinds[slot] = .category }
                pieces = try parse([plan], slices: slices, blockSize: blockSize)[0]
            }
        }
    }

    /// One file's part in a parse: its reader, the wanted columns (by name and position) and how each is kept.
    struct Plan {
        let reader: CSVColumnReader
        let names: [String]
        let positions: [Int]
        var kinds: [Kind]
        let bytesPerRow: Int
    }

    private init?(path: String, descriptor: Int32, size: Int) throws {
        self.path = path
        self.descriptor = descriptor
        self.size = size
        var length = min(size, 1 << 16)
        while true {
            var block = [UInt8](repeating: 0, count: length)
            let count = block.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, length, 0) }
            guard count >= 0 else { throw StewardError.invalidParameter("Cannot read the file '\(path)'.") }
            block.removeLast(length - count)
            if let newline = block.firstIndex(of: UInt8(ascii: "\n")) {
                bodyStart = newline + 1
                block.removeLast(block.count - newline)
            } else if count < size {
                length = min(size, length * 2)
                continue
            } else {
                bodyStart = count
            }
            if block.last == UInt8(ascii: "\r") { block.removeLast() }
            let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
            if block.starts(with: bom) { block.removeFirst(bom.count) }
            if block.contains(UInt8(ascii: "\"")) { return nil }
            guard !block.isEmpty else { throw StewardError.invalidParameter("'\(path)' is not a CSV file with a header row.") }
            header = block.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            return
        }
    }

    /// Parses the bodies of the plans' files on `slices` threads (by default one per core, at least 1 MiB
    /// each). The files' bodies, taken one after the other, are cut into runs of about equal size, each cut at
    /// the start of a line; a thread parses its run's pieces in order. Returns each file's pieces in file order.
    static func parse(_ plans: [Plan], slices wanted: Int?, blockSize: Int) throws -> [[SliceParser]] {
        let bodies = plans.map { $0.reader.size - $0.reader.bodyStart }
        let total = bodies.reduce(0, +)
        let slices = max(1, min(wanted ?? ProcessInfo.processInfo.activeProcessorCount, wanted == nil ? total / (1 << 20) : total))
        let cuts = (0...slices).map { total / slices * $0 + Swift.min($0, total % slices) }
        var pieces: [(file: Int, slice: Int, from: Int, to: Int)] = []
        var first = 0
        for (file, plan) in plans.enumerated() {
            let reader = plan.reader
            // The slice whose run holds the file's first byte, then one piece per cut inside the file.
            var slice = cuts.lastIndex { $0 <= first && $0 < total } ?? 0
            var from = reader.bodyStart
            while slice + 1 < slices, cuts[slice + 1] < first + bodies[file] {
                let to = Swift.max(try reader.lineStart(after: reader.bodyStart + cuts[slice + 1] - first), from)
                pieces.append((file, slice, from, to))
                from = to
                slice += 1
            }
            pieces.append((file, slice, from, reader.size))
            first += bodies[file]
        }
        let slotsOfFields = plans.map { $0.reader.slotOfField($0.positions) }
        nonisolated(unsafe) let results = UnsafeMutableBufferPointer<SliceParser>.allocate(capacity: pieces.count)
        defer { results.deinitialize().deallocate() }
        for (index, piece) in pieces.enumerated() {
            let plan = plans[piece.file]
            // Room for the rows the sample's line length predicts, plus a margin, so columns rarely regrow. A
            // file's first piece reserves room for its whole body (address space only until written): the others
            // are appended to it in place when the pieces are joined.
            let isFirst = index == 0 || pieces[index - 1].file != piece.file
            let expected = (isFirst ? bodies[piece.file] : piece.to - piece.from) / plan.bytesPerRow
            results.initializeElement(
                at: index,
                to: SliceParser(
                    fieldCount: plan.reader.header.count, slotOfField: slotsOfFields[piece.file], kinds: plan.kinds,
                    expectedRows: expected + expected / 16 + 64))
        }
        let runs = (0..<slices).map { slice in pieces.indices.filter { pieces[$0].slice == slice } }
        let descriptors = plans.map(\.reader.descriptor)
        let ranges = pieces.map { (file: $0.file, from: $0.from, to: $0.to) }
        DispatchQueue.concurrentPerform(iterations: slices) { slice in
            for index in runs[slice] {
                let piece = ranges[index]
                results[index].run(descriptor: descriptors[piece.file], from: piece.from, to: piece.to, blockSize: blockSize)
            }
        }
        for (index, piece) in pieces.enumerated() where results[index].readError {
            throw StewardError.invalidParameter("Reading '\(plans[piece.file].reader.path)' failed.")
        }
        return plans.indices.map { file in pieces.indices.filter { pieces[$0].file == file }.map { results[$0] } }
    }

    /// Parses about the first 64 KiB of lines: number columns with a cell that is not a number become
    /// categories, and the average line length sizes the column storage up front.
    private func sample(positions: [Int], kinds: [Kind]) throws -> (kinds: [Kind], bytesPerRow: Int) {
        var sample = SliceParser(fieldCount: header.count, slotOfField: slotOfField(positions), kinds: kinds, expectedRows: 0)
        let end = try lineStart(after: min(size, bodyStart + (1 << 16)))
        sample.run(descriptor: descriptor, from: bodyStart, to: end, blockSize: 1 << 17)
        return (kinds.enumerated().map { slot, kind in sample.notNumeric[slot] ? .category : kind }, max(1, (end - bodyStart) / max(sample.rows, 1)))
    }

    /// For each field of the header, the slot of the wanted column it holds (−1 for fields not wanted).
    func slotOfField(_ positions: [Int]) -> [Int] {
        var slotOfField = [Int](repeating: -1, count: header.count)
        for (slot, field) in positions.enumerated() { slotOfField[field] = slot }
        return slotOfField
    }

    /// The offset of the first line that starts at or after `offset` (the file size if none does).
    private func lineStart(after offset: Int) throws -> Int {
        var window = [UInt8](repeating: 0, count: 1 << 16)
        var position = offset - 1
        while position < size {
            let read = window.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(position)) }
            guard read > 0 else { throw StewardError.invalidParameter("Cannot read the file '\(path)'.") }
            if let newline = window[..<read].firstIndex(of: UInt8(ascii: "\n")) { return position + newline + 1 }
            position += read
        }
        return size
    }

    /// Joins the slices' columns in file order, one column per core at a time, releasing each slice's part once
    /// copied (so a file's columns are held about once, not twice); categories get one code table for the whole
    /// file.
    private static func join(_ slices: inout [SliceParser], kinds: [Kind]) -> [TableColumn] {
        // Move each column's parts out of the slices first, so that every column is then touched by one thread.
        nonisolated(unsafe) let parts = UnsafeMutableBufferPointer<ColumnParts>.allocate(capacity: kinds.count)
        nonisolated(unsafe) let joined = UnsafeMutableBufferPointer<TableColumn>.allocate(capacity: kinds.count)
        defer {
            parts.deinitialize().deallocate()
            joined.deinitialize().deallocate()
        }
        for slot in kinds.indices {
            parts.initializeElement(
                at: slot,
                to: ColumnParts(
                    numbers: slices.indices.map { index in slices[index].numbers[slot] },
                    codes: slices.indices.map { index in slices[index].codes[slot] },
                    dictionaries: slices.indices.map { index in slices[index].dictionaries[slot] }))
            for index in slices.indices {
                slices[index].numbers[slot] = []
                slices[index].codes[slot] = []
            }
        }
        DispatchQueue.concurrentPerform(iterations: kinds.count) { slot in
            switch kinds[slot] {
            case .number:
                var values = parts[slot].numbers[0]
                parts[slot].numbers[0] = []
                values.reserveCapacity(parts[slot].numbers.reduce(0) { $0 + $1.count })
                for index in parts[slot].numbers.indices.dropFirst() {
                    values += parts[slot].numbers[index]
                    parts[slot].numbers[index] = []
                }
                joined.initializeElement(at: slot, to: .numbers(values))
            case .category:
                var dictionary = ByteDictionary()
                var codes: [UInt32] = []
                codes.reserveCapacity(parts[slot].codes.reduce(0) { $0 + $1.count })
                for index in parts[slot].codes.indices {
                    let local = parts[slot].dictionaries[index]
                    let global = (0..<local.count).map { code in local.withBytes(of: code) { dictionary.code($0) } }
                    codes += parts[slot].codes[index].map { global[Int($0)] }
                    parts[slot].codes[index] = []
                }
                joined.initializeElement(at: slot, to: .categories(codes: codes, names: dictionary.names))
            }
        }
        return Array(joined)
    }

    /// One column's storage from every slice, in file order.
    struct ColumnParts {
        var numbers: [[Double]]
        var codes: [[UInt32]]
        var dictionaries: [ByteDictionary]
    }
}

/// One slice of the file parsed into per-column storage, on one thread.
struct SliceParser {
    let fieldCount: Int
    let slotOfField: [Int]
    /// The slot of each field read as a number (−1 for others, and once a cell was not a number).
    var numberSlotOfField: [Int]
    let kinds: [CSVColumnReader.Kind]
    var numbers: [[Double]]
    var codes: [[UInt32]]
    /// Cells parsed but not yet in `numbers` and `codes`; `run` flushes them before it returns.
    let numberBatches: CellBatches<Double>
    let codeBatches: CellBatches<UInt32>
    var dictionaries: [ByteDictionary]
    /// A number column had a cell that is not a number: it is read again as categories.
    var notNumeric: [Bool]
    var rows = 0
    var quoted = false
    var readError = false
    var failure: (row: Int, message: String)?

    init(fieldCount: Int, slotOfField: [Int], kinds: [CSVColumnReader.Kind], expectedRows: Int) {
        self.fieldCount = fieldCount
        self.slotOfField = slotOfField
        numberSlotOfField = slotOfField.map { slot in slot >= 0 && kinds[slot] == .number ? slot : -1 }
        self.kinds = kinds
        numbers = kinds.map { kind in
            var storage: [Double] = []
            if kind == .number { storage.reserveCapacity(expectedRows) }
            return storage
        }
        codes = kinds.map { kind in
            var storage: [UInt32] = []
            if kind == .category { storage.reserveCapacity(expectedRows) }
            return storage
        }
        numberBatches = CellBatches(columns: kinds.count)
        codeBatches = CellBatches(columns: kinds.count)
        dictionaries = Array(repeating: ByteDictionary(), count: kinds.count)
        notNumeric = Array(repeating: false, count: kinds.count)
    }

    /// Reads [start, end) in blocks, parsing the complete lines of each block.
    mutating func run(descriptor: Int32, from start: Int, to end: Int, blockSize: Int) {
        var capacity = min(blockSize, max(end - start, 1))
        var buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer {
            buffer.deallocate()
            for slot in kinds.indices {
                numberBatches.flush(slot, into: &numbers[slot])
                codeBatches.flush(slot, into: &codes[slot])
            }
        }
        var filled = 0
        var offset = start
        while true {
            let wanted = min(capacity - filled, end - offset)
            if wanted > 0 {
                let read = pread(descriptor, buffer + filled, wanted, off_t(offset))
                guard read > 0 else {
                    readError = true
                    return
                }
                offset += read
                filled += read
            }
            let final = offset >= end
            var complete = filled
            if !final {
                var last = filled - 1
                while last >= 0, buffer[last] != UInt8(ascii: "\n") { last -= 1 }
                if last < 0 {
                    // One line longer than the block: read into a larger block.
                    let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
                    larger.update(from: buffer, count: filled)
                    buffer.deallocate()
                    buffer = larger
                    capacity *= 2
                    continue
                }
                complete = last + 1
            }
            guard parseLines(buffer, buffer + complete) else { return }
            filled -= complete
            if filled > 0 { buffer.update(from: buffer + complete, count: filled) }
            if final { return }
        }
    }

    /// Parses whole lines; false when parsing must stop (a quote, or a row with the wrong number of fields).
    private mutating func parseLines(_ start: UnsafeMutablePointer<UInt8>, _ end: UnsafeMutablePointer<UInt8>) -> Bool {
        let comma = UInt8(ascii: ","), newline = UInt8(ascii: "\n"), quote = UInt8(ascii: "\""), carriageReturn = UInt8(ascii: "\r")
        var cursor = UnsafePointer(start)
        let end = UnsafePointer(end)
        while cursor < end {
            var field = 0
            var fieldStart = cursor
            var blank = false
            while true {
                // A number cell is read in the same pass that finds its end.
                if field < fieldCount, case let slot = numberSlotOfField[field], slot >= 0,
                    let (value, stop) = DecimalText.cell(fieldStart, end), stop == end || stop.pointee == comma || stop.pointee == newline
                {
                    append(value, toNumbers: slot)
                    field += 1
                    if stop == end || stop.pointee == newline {
                        cursor = stop < end ? stop + 1 : end
                        break
                    }
                    fieldStart = stop + 1
                    continue
                }
                var scan = fieldStart
                while scan < end {
                    let byte = scan.pointee
                    if byte == comma || byte == newline || byte == quote { break }
                    scan += 1
                }
                if scan < end, scan.pointee == quote {
                    quoted = true
                    return false
                }
                let atLineEnd = scan == end || scan.pointee == newline
                var fieldEnd = scan
                if atLineEnd, fieldEnd > fieldStart, (fieldEnd - 1).pointee == carriageReturn { fieldEnd -= 1 }
                if atLineEnd, field == 0, fieldEnd == fieldStart {
                    blank = true
                } else if field < fieldCount, case let slot = slotOfField[field], slot >= 0 {
                    store(slot, field: field, fieldStart, fieldEnd)
                }
                field += 1
                if atLineEnd {
                    cursor = scan < end ? scan + 1 : end
                    break
                }
                fieldStart = scan + 1
            }
            if blank { continue }
            guard field == fieldCount else {
                failure = (rows, "has \(field) fields; the header has \(fieldCount).")
                return false
            }
            rows += 1
        }
        return true
    }

    private mutating func store(_ slot: Int, field: Int, _ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) {
        switch kinds[slot] {
        case .number:
            guard !notNumeric[slot] else { return }
            if let value = DecimalText.parse(start, end) {
                append(value, toNumbers: slot)
            } else {
                notNumeric[slot] = true
                numberSlotOfField[field] = -1
            }
        case .category:
            let code = dictionaries[slot].code(UnsafeBufferPointer(start: start, count: end - start))
            if codeBatches.add(code, to: slot) { codeBatches.flush(slot, into: &codes[slot]) }
        }
    }

    /// Adds a parsed number to its column's batch, the batch to the column when full (the column array is only
    /// touched then).
    @inline(__always)
    private mutating func append(_ value: Double, toNumbers slot: Int) {
        if numberBatches.add(value, to: slot) { numberBatches.flush(slot, into: &numbers[slot]) }
    }
}
