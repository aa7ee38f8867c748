import StewardJSON
import Testing

@testable import StewardServer

@Suite("ISO twins of times")
struct ISOTimesTests {
    @Test("Time members get an ISO twin at any depth; maps of users' names do not, even for a key named like a time")
    func twins() {
        let value = JSONValue.object([
            "created_at": .integer(1_764_547_200_123), "name": .string("x"), "to": .string("not a number"),
            "decisions": .array([.object(["decided_at": .integer(0)])]),
            "metrics": .object(["to": .integer(3), "created_at": .integer(5)]),
            "categories": .object(["time": .integer(7)]),
        ])
        guard case .object(let members) = ISOTimesMiddleware<StewardRequestContext>.annotated(value) else { return #expect(Bool(false)) }
        #expect(members["created_at_iso"] == .string("2025-12-01T00:00:00.123Z"))
        #expect(members["to_iso"] == nil && members["name_iso"] == nil)
        #expect(members["decisions"] == .array([.object(["decided_at": .integer(0), "decided_at_iso": .string("1970-01-01T00:00:00.000Z")])]))
        #expect(members["metrics"] == .object(["to": .integer(3), "created_at": .integer(5)]))
        #expect(members["categories"] == .object(["time": .integer(7)]))
    }
}
