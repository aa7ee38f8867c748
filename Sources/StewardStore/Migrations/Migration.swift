/// One named, append-only step of the schema. A shipped migration is never edited: a change to the schema is a
/// new migration after it. The statements may differ by engine where the SQL dialects do.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let statements: @Sendable (SQLEngine) -> [String]

    public init(version: Int, name: String, statements: @escaping @Sendable (SQLEngine) -> [String]) {
        self.version = version
        self.name = name
        self.statements = statements
    }

    /// A stable checksum of the statements for `engine`, recorded when applied so that an edited migration is
    /// noticed instead of silently diverging (64-bit FNV-1a).
    func checksum(for engine: SQLEngine) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in statements(engine).joined(separator: ";\n").utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
