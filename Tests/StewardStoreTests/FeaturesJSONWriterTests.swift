import Foundation
import StewardCore
import Testing

@testable import StewardStore

/// The `features` column's JSON: members in the order of their names, whatever the events before carried.
@Suite("Features JSON writer")
struct FeaturesJSONWriterTests {
    /// The column as written one event at a time: members sorted by name, each name and value encoded alone.
    static func expected(_ features: [String: FeatureValue]) -> String {
        let members = features.sorted { $0.key < $1.key }.map { name, value in
            var bytes: [UInt8] = []
            CanonicalJSON.writeString(name, to: &bytes)
            return String(decoding: bytes, as: UTF8.self) + ":" + value.json
        }
        return "{" + members.joined(separator: ",") + "}"
    }

    @Test("A run of events with the same, other, fewer, more or renamed features is written as each alone")
    func sequences() throws {
        let store: [String: FeatureValue] = ["store_id": .number(1042), "price": .number(19.99), "region": .text("north \"east\"")]
        var renamed = store
        renamed["price"] = nil
        renamed["prices"] = .number(3)
        var more = store
        more["promo"] = .flag(true)
        more["note"] = .missing
        let cases: [[String: FeatureValue]] = [
            store, store, ["store_id": .number(7), "price": .number(-0.5), "region": .text("")], renamed, store, more, [:], store,
            ["a": .number(1)], ["b": .number(1)], ["é": .text("ü\n"), "e": .number(1e300)], store,
            // The same name spelled two ways (precomposed, then decomposed): each event's own bytes are written.
            ["caf\u{E9}": .number(1)], ["cafe\u{301}": .number(1)], ["caf\u{E9}": .number(2)],
        ]
        var writer = FeaturesJSONWriter()
        for features in cases {
            let written = writer.json(features)
            #expect(written == Self.expected(features))
            #expect(Array(written.utf8) == Array(Self.expected(features).utf8), "byte for byte: \(written)")
            let decoded = try SQLEventRepository.features(written)
            #expect(decoded == features)
        }
    }

    @Test("Generated events: names drawn from a small set so that runs repeat and differ")
    func generated() {
        var generator = SystemRandomNumberGenerator()
        let names = ["a", "b", "c", "amount", "store_id", "Zeta", "z\u{1}"]
        var writer = FeaturesJSONWriter()
        for _ in 0..<2_000 {
            var features: [String: FeatureValue] = [:]
            for name in names where Int.random(in: 0..<4, using: &generator) > 0 {
                features[name] = Bool.random(using: &generator) ? .number(Double(Int.random(in: -99...99, using: &generator)) / 8) : .text(name)
            }
            #expect(writer.json(features) == Self.expected(features), "\(features)")
        }
    }
}
