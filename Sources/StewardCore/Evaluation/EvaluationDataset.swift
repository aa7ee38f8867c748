/// A test set registered with a system: immutable, versioned under its name, identified by the SHA-256 of its
/// content, with its row count and the column types inferred when it was uploaded.
public struct EvaluationDataset: Sendable, Equatable {
    /// A column's inferred type: the narrowest that reads every non-empty value.
    public enum ColumnType: String, Sendable, Codable {
        case integer
        case double
        case boolean
        case string
    }

    public struct Column: Sendable, Equatable, Codable {
        public let name: String
        public let type: ColumnType

        public init(name: String, type: ColumnType) {
            self.name = name
            self.type = type
        }
    }

    public let systemID: String
    public let name: String
    public let version: Int64
    public let digest: String
    public let format: String
    public let rows: Int
    public let columns: [Column]
    /// Where the content is in the artifact store (content-addressed).
    public let location: String
    public let createdBy: String
    public let createdAt: Int64

    public init(
        systemID: String, name: String, version: Int64, digest: String, format: String, rows: Int, columns: [Column], location: String,
        createdBy: String, createdAt: Int64
    ) {
        self.systemID = systemID
        self.name = name
        self.version = version
        self.digest = digest
        self.format = format
        self.rows = rows
        self.columns = columns
        self.location = location
        self.createdBy = createdBy
        self.createdAt = createdAt
    }

    /// The type that fits every value, from the narrowest up.
    public static func inferType(_ values: some Sequence<String>) -> ColumnType {
        var integer = true
        var double = true
        var boolean = true
        for value in values where !value.isEmpty {
            if integer, Int64(value) == nil { integer = false }
            if double, Double(value) == nil { double = false }
            if boolean, !["true", "false"].contains(value.lowercased()) { boolean = false }
            if !integer && !double && !boolean { return .string }
        }
        if integer { return .integer }
        if double { return .double }
        return boolean ? .boolean : .string
    }
}
