import ArgumentParser

/// One version of a prompt experiment on the command line: `VERSION@WEIGHT`, such as `2@10` (version 2 takes 10%).
struct PromptVersionWeight: ExpressibleByArgument, Sendable {
    let version: String
    let weight: Double

    init?(argument: String) {
        let parts = argument.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, let number = Int(parts[0]), number >= 1, let weight = Double(parts[1]) else { return nil }
        version = String(number)
        self.weight = weight
    }

    var json: [String: Any] { ["version": version, "weight": weight] }
}
