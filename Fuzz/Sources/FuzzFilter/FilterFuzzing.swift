import StewardCore

/// The MLflow search language on arbitrary text: the filter and order-by parsers, then every search domain's grammar
/// (runs, experiments, registered models, model versions, logged models) that types the clauses. Any input is
/// clauses or a `StewardError`, never a crash, a hang or a memory error.
enum FilterFuzzing {
    static func run(_ text: String) {
        if let clauses = try? FilterParser.parse(text) {
            precondition(clauses.count <= FilterParser.maximumClauses, "more clauses than the parser allows")
        }
        _ = try? FilterParser.parseOrderBy(text)
        _ = try? RunSearchGrammar.filter(text)
        _ = try? RunSearchGrammar.orderBy([text])
        _ = try? ExperimentSearchGrammar.filter(text)
        _ = try? ExperimentSearchGrammar.orderBy([text])
        _ = try? RegistrySearchGrammar.registeredModelFilter(text)
        _ = try? RegistrySearchGrammar.registeredModelOrder([text])
        _ = try? RegistrySearchGrammar.modelVersionFilter(text)
        _ = try? RegistrySearchGrammar.modelVersionOrder([text])
        _ = try? LoggedModelSearchGrammar.filter(text)
        _ = try? LoggedModelSearchGrammar.orderField(text)
    }
}

/// One input, as libFuzzer hands it over (also the symbol libFuzzer's own `main` would call).
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    FilterFuzzing.run(String(decoding: UnsafeBufferPointer(start: data, count: count), as: UTF8.self))
    return 0
}
