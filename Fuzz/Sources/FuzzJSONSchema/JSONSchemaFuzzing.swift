import Foundation
import StewardJSON

/// The JSON Schema compiler and validator on arbitrary bytes: the text up to the first NUL is the schema, the rest
/// the instance. A schema is compiled or refused with a `JSONError`; a compiled one validates any instance
/// without a crash or a hang (its `pattern`s run under the regex budget).
enum JSONSchemaFuzzing {
    static func run(_ bytes: UnsafeBufferPointer<UInt8>) {
        let split = bytes.firstIndex(of: 0) ?? bytes.endIndex
        guard let schema = try? JSONSchema(data: Data(bytes[..<split])) else { return }
        let instance = split < bytes.endIndex ? Data(bytes[(split + 1)...]) : Data("null".utf8)
        _ = schema.validate(data: instance)
    }
}

/// One input, as libFuzzer hands it over (also the symbol libFuzzer's own `main` would call).
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    JSONSchemaFuzzing.run(UnsafeBufferPointer(start: data, count: count))
    return 0
}
