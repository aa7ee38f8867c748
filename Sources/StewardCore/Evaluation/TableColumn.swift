import Foundation

/// One column of a test set as it was read: numbers when every cell is one (read once, no text kept), category
/// codes into the column's distinct values, or plain text. Metrics read whichever form they need from it.
public enum TableColumn: Sendable, Equatable {
    /// Every non-empty cell read as a number; an empty cell is NaN.
    case numbers([Double])
    /// Each row's index into `names`, the column's distinct cell texts.
    case categories(codes: [UInt32], names: [String])
    case texts([String])

    public var count: Int {
        switch self {
        case .numbers(let values): values.count
        case .categories(let codes, _): codes.count
        case .texts(let values): values.count
        }
    }

    /// The cell's text (a number is written back in its shortest form; an empty cell is "").
    public func text(at row: Int) -> String {
        switch self {
        case .numbers(let values): values[row].isNaN ? "" : Self.shortText(values[row])
        case .categories(let codes, let names): names[Int(codes[row])]
        case .texts(let values): values[row]
        }
    }

    /// Every cell's text, in row order.
    public var texts: [String] {
        switch self {
        case .texts(let values): values
        case .categories(let codes, let names): codes.map { names[Int($0)] }
        case .numbers: (0..<count).map(text(at:))
        }
    }

    /// The rows at `indices`, in that order.
    public func rows(_ indices: [Int]) -> TableColumn {
        switch self {
        case .numbers(let values): .numbers(indices.map { values[$0] })
        case .categories(let codes, let names): .categories(codes: indices.map { codes[$0] }, names: names)
        case .texts(let values): .texts(indices.map { values[$0] })
        }
    }

    /// Row codes into the distinct texts, for grouping rows (slices, fairness groups).
    public var grouped: (codes: [UInt32], names: [String]) {
        if case .categories(let codes, let names) = self { return (codes, names) }
        var index: [String: UInt32] = [:]
        var names: [String] = []
        let codes = (0..<count).map { row -> UInt32 in
            let name = text(at: row)
            if let code = index[name] { return code }
            index[name] = UInt32(names.count)
            names.append(name)
            return UInt32(names.count - 1)
        }
        return (codes, names)
    }

    /// Reads each row as a value (`read` sees each distinct text once for categories); a failure names
    /// the first row it happened in.
    func map<Value>(
        number: (Double) -> Value?, text read: (String) -> Value?, failure: (_ row: Int, _ text: String) -> StewardError
    ) throws(StewardError) -> [Value] {
        switch self {
        case .numbers(let values):
            var converted: [Value] = []
            converted.reserveCapacity(values.count)
            for (row, value) in values.enumerated() {
                guard let result = number(value) else { throw failure(row, text(at: row)) }
                converted.append(result)
            }
            return converted
        case .categories(let codes, let names):
            let table = names.map(read)
            var converted: [Value] = []
            converted.reserveCapacity(codes.count)
            for (row, code) in codes.enumerated() {
                guard let result = table[Int(code)] else { throw failure(row, names[Int(code)]) }
                converted.append(result)
            }
            return converted
        case .texts(let values):
            var converted: [Value] = []
            converted.reserveCapacity(values.count)
            for (row, value) in values.enumerated() {
                guard let result = read(value) else { throw failure(row, value) }
                converted.append(result)
            }
            return converted
        }
    }

    static func shortText(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}

extension TableColumn: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: String...) {
        self = .texts(elements)
    }
}

extension TableColumn {
    /// A JSON value (as `JSONSerialization` reads it) as a cell's text: numbers and booleans as written, strings as
    /// they are, anything else as JSON. How JSON Lines cells and an endpoint's predictions become table cells.
    public static func cellText(_ value: Any) -> String {
        if let flag = value as? Bool, type(of: value) == Bool.self { return flag ? "true" : "false" }
        if let number = value as? NSNumber { return number.stringValue }
        if let string = value as? String { return string }
        if let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]) {
            return String(decoding: data, as: UTF8.self)
        }
        return "\(value)"
    }
}
