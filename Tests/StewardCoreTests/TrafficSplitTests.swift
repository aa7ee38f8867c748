import Testing

@testable import StewardCore

@Suite("Traffic split")
struct TrafficSplitTests {
    @Test("A 10% canary over 2,000 unit keys gives the challenger 8 to 12% of them, each unit always the same arm")
    func stickyAndProportional() throws {
        let split = try TrafficSplit(percentages: [90, 10], salt: "dep-1")
        let units = (0..<2000).map { "store-\($0)" }
        let arms = units.map { split.arm(unit: $0) }
        let share = Double(arms.filter { $0 == 1 }.count) / Double(units.count)
        #expect((0.08...0.12).contains(share), "\(share)")
        // Sticky: the same unit, asked again (as any replica would), lands on the same arm.
        #expect(units.map { split.arm(unit: $0) } == arms)
        #expect(try TrafficSplit(percentages: [90, 10], salt: "dep-1").arm(unit: "store-7") == split.arm(unit: "store-7"))
    }

    @Test("Over random salts, as deployments get them, a 10% canary's share of 2,000 units averages 10%")
    func evenOverSalts() throws {
        let units = (0..<2000).map { "store-\($0)" }
        var shares: [Double] = []
        for _ in 0..<200 {
            let split = try TrafficSplit(percentages: [90, 10], salt: RecordID.make("salt"))
            shares.append(Double(units.filter { split.arm(unit: $0) == 1 }.count) / Double(units.count))
        }
        let mean = shares.reduce(0, +) / Double(shares.count)
        // One salt's share has a standard deviation of 0.0067, the mean of 200 of 0.0005.
        #expect((0.097...0.103).contains(mean), "\(mean)")
        #expect(shares.allSatisfy { (0.06...0.14).contains($0) }, "\(shares.min()!) ... \(shares.max()!)")
    }

    @Test("Stepping the canary up moves units only towards the challenger; another salt splits differently")
    func monotoneSteps() throws {
        let units = (0..<5000).map { "user-\($0)" }
        var previous = Set<String>()
        for step in [5.0, 10, 25, 50, 100] {
            let split = try TrafficSplit(percentages: [100 - step, step], salt: "dep-2")
            let challenger = Set(units.filter { split.arm(unit: $0) == 1 })
            #expect(previous.isSubset(of: challenger), "step \(step)")
            previous = challenger
        }
        #expect(previous.count == units.count)
        let first = try TrafficSplit(percentages: [50, 50], salt: "a")
        let second = try TrafficSplit(percentages: [50, 50], salt: "b")
        #expect(units.filter { first.arm(unit: $0) != second.arm(unit: $0) }.count > 2000)
    }

    @Test("Buckets spread evenly; weight 0 receives nothing; bad weights are refused with the sum")
    func weights() throws {
        let split = try TrafficSplit(percentages: [33.34, 0, 33.33, 33.33], salt: "s")
        var counts = [0, 0, 0, 0]
        for unit in 0..<30_000 { counts[split.arm(unit: "\(unit)")] += 1 }
        #expect(counts[1] == 0)
        #expect(counts.enumerated().filter { $0.offset != 1 }.allSatisfy { (9_400...10_600).contains($0.element) }, "\(counts)")
        #expect((0..<200).allSatisfy { _ in split.arm(unit: nil) != 1 })
        #expect(throws: StewardError.self) { try TrafficSplit(percentages: [90, 5], salt: "s") }
        #expect(throws: StewardError.self) { try TrafficSplit(percentages: [90.001, 9.999], salt: "s") }
        #expect(throws: StewardError.self) { try TrafficSplit(percentages: [110, -10], salt: "s") }
        #expect(throws: StewardError.self) { try TrafficSplit(percentages: [], salt: "s") }
    }
}
