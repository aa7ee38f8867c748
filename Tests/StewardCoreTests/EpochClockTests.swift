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
}
