/// Names runs that a client left unnamed, `adjective-noun-NNN`, so that people can tell runs apart at a
/// glance in lists and charts.
public enum RunNameGenerator {
    static let adjectives = [
        "amber", "ample", "brave", "bright", "brisk", "calm", "candid", "clever", "cosmic", "crisp", "curious", "daring",
        "deft", "eager", "earnest", "fancy", "fleet", "gentle", "glad", "golden", "grand", "hardy", "honest", "humble",
        "jolly", "keen", "kind", "lively", "lucid", "lucky", "mellow", "merry", "mighty", "nimble", "noble", "patient",
        "placid", "plucky", "polite", "proud", "quick", "quiet", "rapid", "regal", "robust", "rustic", "serene", "sharp",
        "shy", "silent", "sleek", "smart", "snappy", "spry", "steady", "stellar", "sturdy", "sunny", "swift", "tidy",
        "tranquil", "upbeat", "valiant", "vivid", "warm", "wise", "witty", "zealous", "zesty", "bold",
    ]
    static let nouns = [
        "albatross", "badger", "beacon", "bison", "boulder", "canyon", "cedar", "comet", "condor", "coral", "crane",
        "delta", "dune", "eagle", "ember", "falcon", "fern", "fjord", "finch", "fox", "galaxy", "gazelle", "glacier",
        "grove", "harbor", "hawk", "heron", "horizon", "ibis", "island", "jaguar", "kestrel", "lagoon", "lark", "lynx",
        "maple", "meadow", "meteor", "moose", "nebula", "oak", "orca", "otter", "owl", "panda", "pebble", "pine",
        "plover", "puffin", "quail", "quasar", "raven", "reef", "river", "robin", "sparrow", "spruce", "summit", "swan",
        "thicket", "tiger", "trout", "tundra", "valley", "walrus", "willow", "wren", "yak", "zebra", "cove",
    ]

    /// A fresh name drawn with `generator`.
    public static func name(using generator: inout some RandomNumberGenerator) -> String {
        let adjective = adjectives.randomElement(using: &generator)!
        let noun = nouns.randomElement(using: &generator)!
        return "\(adjective)-\(noun)-\(Int.random(in: 0..<1000, using: &generator))"
    }

    public static func name() -> String {
        var generator = SystemRandomNumberGenerator()
        return name(using: &generator)
    }
}
