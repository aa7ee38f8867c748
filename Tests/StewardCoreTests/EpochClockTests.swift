import Foundation
import Testing

@testable import StewardCore

@Suite("Epoch clock")
struct EpochClockTests {
    @Test("Times read as people write them: epoch milliseconds, ISO 8601 dates (midnight UTC) and date-times with a zone")
    func parsing() {
        #expect(EpochClock.milliseconds(parsing: "1764547200000") == 1_764_547_200_000)
        #expect(EpochClock.milliseconds(parsing: "2025-12-01") == 1_764_547_200_000)
        #expect(EpochClock.milliseconds(parsing: "2025-12-01T00:00:00Z") == 1_764_547_200_000)
        #expect(EpochClock.milliseconds(parsing: "2025-12-01T01:00:00.250+01:00") == 1_764_547_200_250)
        #expect(EpochClock.milliseconds(parsing: "2025-12-01T01:00:00+0100") == 1_764_547_200_000)
        for text in ["yesterday", "2025-13-01", "2025-12-01T10:00", "2025-12-01T00:00:00Zx", "2025-12-01x", "12/01/2025", "", "1e12"] {
            #expect(EpochClock.milliseconds(parsing: text) == nil, "\(text)")
        }
    }

    @Test("Times are written in ISO 8601 with milliseconds, before 1970 and on leap days too, and read back exactly")
    func writesISO() {
        // Written by Python's datetime from the same epoch milliseconds.
        let known: [(Int64, String)] = [
            (0, "1970-01-01T00:00:00.000Z"), (-1, "1969-12-31T23:59:59.999Z"), (951_782_400_000, "2000-02-29T00:00:00.000Z"),
            (951_868_799_999, "2000-02-29T23:59:59.999Z"), (4_107_542_400_000, "2100-03-01T00:00:00.000Z"),
            (-2_208_988_800_000, "1900-01-01T00:00:00.000Z"), (1_764_547_200_123, "2025-12-01T00:00:00.123Z"),
            (-11_676_096_000_001, "1599-12-31T23:59:59.999Z"),
        ]
        for (milliseconds, text) in known { #expect(EpochClock.iso(milliseconds) == text) }
        for milliseconds in (0..<2000).map({ _ in Int64.random(in: 0...4_102_444_800_000) }) {
            #expect(EpochClock.milliseconds(parsing: EpochClock.iso(milliseconds)) == milliseconds, "\(milliseconds)")
        }
    }
}
