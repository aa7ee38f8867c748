import Foundation
import StewardCore
import Testing

@testable import StewardServer

/// The NUL check every MLflow request body passes: only an escaped `\u0000` is a NUL, wherever it sits, and an
/// escaped backslash before `u0000` is not one.
@Suite("MLflow request NUL check")
struct MLflowRequestNULTests {
    @Test("Escaped NULs are found anywhere; escaped backslashes, short escapes and other characters pass")
    func escapes() {
        let refused = [#"{"a":"\u0000"}"#, #""\u0000""#, #"\u0000"#, #"{"a":"x\\\u0000"}"#, #"{"a":"\n\t\u0000"}"#]
        let accepted = [
            #"{"a":"\\u0000"}"#, #"{"a":"\u00001"}"#.replacingOccurrences(of: #"\u0000"#, with: #"\u0001"#), #""\u000""#, #"\"#, "",
            #"{"a":"\\\\u0000"}"#, #"{"a":"u0000"}"#, #"{"a":"\u1000"}"#,
        ]
        for text in refused {
            #expect(throws: StewardError.self, "\(text)") { try MLflowRequest.refuseNUL(in: Data(text.utf8)) }
        }
        for text in accepted {
            #expect(throws: Never.self, "\(text)") { try MLflowRequest.refuseNUL(in: Data(text.utf8)) }
        }
        // A slice of a larger buffer is read from its own start.
        let sliced = Data(#"xx"\u0000"#.utf8).dropFirst(2)
        #expect(throws: StewardError.self) { try MLflowRequest.refuseNUL(in: sliced) }
    }
}
