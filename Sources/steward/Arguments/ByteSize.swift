import ArgumentParser

/// A number of bytes written `123`, `500K`, `20M`, `10G` or `1T` (a trailing `B` is allowed).
struct ByteSize: ExpressibleByArgument, Equatable {
    let bytes: Int64

    init(bytes: Int64) {
        self.bytes = bytes
    }

    init?(argument: String) {
        let units: [Character: Int64] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        var text = Substring(argument.uppercased())
        if text.hasSuffix("B") { text = text.dropLast() }
        var unit: Int64 = 1
        if let last = text.last, let multiplier = units[last] {
            unit = multiplier
            text = text.dropLast()
        }
        guard let value = Int64(text), value > 0, value <= Int64.max / unit else { return nil }
        bytes = value * unit
    }

    var defaultValueDescription: String { "\(bytes)" }
}
