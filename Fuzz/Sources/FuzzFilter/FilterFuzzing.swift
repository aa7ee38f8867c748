import StewardCore

/// The MLflow search-filter and order-by parsers on arbitrary text: any input is either clauses or a
/// `StewardError`, never a crash, a hang or a memory error.
enum FilterFuzzing {
    static func run(_ text: String) {
        if let clauses = try? FilterParser.parse(text) {
            precondition(clauses.count <= FilterParser.maximumClauses, "more clauses than the parser allows")
        }
        _ = try? FilterParser.parseOrderBy(text)
    }
}

/// One input, as libFuzzer hands it over (also the symbol libFuzzer's own `main` would call).
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    FilterFuzzing.run(String(decoding: UnsafeBufferPointer(start: data, count: count), as: UTF8.self))
    return 0
}
