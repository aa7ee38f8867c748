import ArgumentParser
import StewardCore

/// Durations such as `30s`, `5m` or `2h` (`0` for none), comma-separated where a list is expected: at most 20.
struct DurationList: ExpressibleByArgument, Equatable {
    let durations: [Duration]

    init?(argument: String) {
        let parts = argument.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !parts.isEmpty, parts.count <= 20 else { return nil }
        var durations: [Duration] = []
        for part in parts {
            if part == "0" {
                durations.append(.zero)
            } else {
                guard let milliseconds = try? AlertRules.duration(part) else { return nil }
                durations.append(.milliseconds(milliseconds))
            }
        }
        self.durations = durations
    }
}
