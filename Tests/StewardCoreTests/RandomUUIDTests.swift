import Foundation
import StewardCore
import Testing

@Suite("Random UUIDs")
struct RandomUUIDTests {
    @Test("Version-4 UUIDs in lowercase hex, with or without hyphens, that Foundation reads back and never repeat")
    func shapeAndUniqueness() throws {
        var seen = Set<String>()
        for _ in 0..<10_000 {
            let text = RandomUUID.string()
            #expect(text.count == 36)
            #expect(text.allSatisfy { "0123456789abcdef-".contains($0) })
            #expect(text.split(separator: "-").map(\.count) == [8, 4, 4, 4, 12])
            let parsed = try #require(UUID(uuidString: text))
            #expect(parsed.uuidString.lowercased() == text)
            let bytes = withUnsafeBytes(of: parsed.uuid) { Array($0) }
            #expect(bytes[6] >> 4 == 4, "version 4")
            #expect(bytes[8] >> 6 == 0b10, "RFC 9562 variant")
            seen.insert(text)
        }
        #expect(seen.count == 10_000)

        let hex = RandomUUID.hex()
        #expect(hex.count == 32)
        #expect(hex.allSatisfy { "0123456789abcdef".contains($0) })
        #expect(hex[hex.index(hex.startIndex, offsetBy: 12)] == "4")
        #expect("89ab".contains(hex[hex.index(hex.startIndex, offsetBy: 16)]))
    }

    @Test("UUIDs made on many tasks at once, across many refills of the random words, never repeat")
    func concurrentUniqueness() async {
        let made = await withTaskGroup(of: [String].self) { group in
            for task in 0..<8 {
                group.addTask { (0..<3_000).map { _ in task % 2 == 0 ? RandomUUID.string() : RandomUUID.timeOrdered(milliseconds: 1) } }
            }
            var all: [String] = []
            for await ids in group { all += ids }
            return all
        }
        #expect(made.count == 24_000 && Set(made).count == 24_000)
        // Every random bit of the time-ordered ids (one millisecond for all) is set about half the time.
        let sameMillisecond = made.filter { $0.hasPrefix("00000000-0001-7") }
        #expect(sameMillisecond.count == 12_000)
        for position in [15, 16, 17, 19, 20, 30, 35] {
            let ones = sameMillisecond.filter { Int(String($0[$0.index($0.startIndex, offsetBy: position)]), radix: 16)! & 1 == 1 }.count
            #expect((5_400...6_600).contains(ones), "hex digit \(position): \(ones) odd of 12,000")
        }
    }

    @Test("Time-ordered (version 7) UUIDs carry their millisecond and sort in the order of their times")
    func timeOrdered() throws {
        let now = EpochClock.now()
        var previous = ""
        for offset in 0..<2_000 {
            let milliseconds = now + Int64(offset / 4)
            let text = RandomUUID.timeOrdered(milliseconds: milliseconds)
            let parsed = try #require(UUID(uuidString: text))
            #expect(parsed.uuidString.lowercased() == text)
            let bytes = withUnsafeBytes(of: parsed.uuid) { Array($0) }
            #expect(bytes[6] >> 4 == 7, "version 7")
            #expect(bytes[8] >> 6 == 0b10, "RFC 9562 variant")
            #expect(bytes[0..<6].reduce(Int64(0)) { $0 << 8 | Int64($1) } == milliseconds)
            if offset % 4 == 0 { #expect(previous < text, "a later millisecond sorts after") }
            #expect(text != previous)
            previous = text
        }
    }
}
