import Foundation
import Testing

@testable import StewardJSON

/// The one naming convention of Steward's JSON: field names in snake case, data in maps written as it is.
@Suite("Snake-case JSON")
struct SnakeCaseJSONTests {
    struct Entry: Encodable {
        let systemID: String
        let pValue: Double
        let costUSD: Double
        let byFlag: [String: Int]
    }

    @Test("Field names become snake case, acronyms included; dictionary keys are data and stay as they are")
    func names() throws {
        let entry = Entry(systemID: "s", pValue: .nan, costUSD: 1.5, byFlag: ["iPhone": 1, "North": 2, "pii_leak": 3])
        let text = String(decoding: try SnakeCaseJSON.encoder().encode(entry), as: UTF8.self)
        #expect(text == #"{"by_flag":{"North":2,"iPhone":1,"pii_leak":3},"cost_usd":1.5,"p_value":"NaN","system_id":"s"}"#)
    }
}
