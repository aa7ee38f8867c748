import StewardCore

/// Every YAML body the API takes (gate specs, the governance policy, alert rules) on arbitrary text; the first
/// byte picks the body. Anything is either read or refused with a `StewardError`: never a crash, a hang, an
/// expansion that exhausts memory or a stack overflow.
enum YAMLFuzzing {
    static let allowedHosts = EndpointAllowList(hosts: ["hooks.example.com"])

    static func run(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let first = bytes.first else { return }
        let text = String(decoding: bytes.dropFirst(), as: UTF8.self)
        switch first % 3 {
        case 0: _ = try? GateSpec(yaml: text)
        case 1: _ = try? GovernancePolicy(yaml: text)
        default: _ = try? AlertRules(yaml: text, allowedHosts: allowedHosts)
        }
    }
}

/// One input, as libFuzzer hands it over (also the symbol libFuzzer's own `main` would call).
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    YAMLFuzzing.run(UnsafeBufferPointer(start: data, count: count))
    return 0
}
