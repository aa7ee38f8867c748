import Foundation
import StewardJSON

/// Steward's JSON reader on arbitrary bytes. A document it accepts must read back to the same value from the
/// text it writes, and refusing duplicate members may only refuse more.
enum JSONFuzzing {
    static func run(_ data: Data) {
        guard case .success(let value) = JSONValue.decode(data) else {
            if case .success = JSONValue.decode(data, refusingDuplicateMembers: true) {
                preconditionFailure("accepted with duplicate members refused, refused with them allowed")
            }
            return
        }
        let written = value.description
        guard let again = try? JSONValue.parse(written) else { preconditionFailure("cannot read back its own text: \(written)") }
        precondition(again == value, "reading back \(written) changed the value")
    }
}

/// One input, as libFuzzer hands it over (also the symbol libFuzzer's own `main` would call).
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    JSONFuzzing.run(data.map { Data(bytes: $0, count: count) } ?? Data())
    return 0
}
