import StewardCore

/// Writes events' features as JSON objects, members in the order of their names, for the `features` column.
///
/// The events of a batch nearly always carry the same features (a model's columns), so the writer keeps the
/// previous event's names in order, each already quoted: an event with the same names is written by looking its
/// values up in that order, with no sorting and no quoting of names. Sorting each event's members was a third of
/// this encoding's time when served events were written (`perf`, `bench/router.py` at 16 connections).
struct FeaturesJSONWriter {
    /// The previous event's names in order, each as `"name":`.
    private var names: [(name: String, quoted: [UInt8])] = []
    private var bytes: [UInt8] = []

    /// `features` as one JSON object, its members in the order of their names.
    mutating func json(_ features: [String: FeatureValue]) -> String {
        bytes.removeAll(keepingCapacity: true)
        bytes.append(UInt8(ascii: "{"))
        if !writeInKnownOrder(features) {
            names = features.keys.sorted().map { name in
                var quoted: [UInt8] = []
                CanonicalJSON.writeString(name, to: &quoted)
                quoted.append(UInt8(ascii: ":"))
                return (name, quoted)
            }
            bytes.removeSubrange(1...)
            _ = writeInKnownOrder(features)
        }
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes the members in the kept order; false (with some written) when `features` has other names.
    private mutating func writeInKnownOrder(_ features: [String: FeatureValue]) -> Bool {
        guard features.count == names.count else { return false }
        for index in names.indices {
            // The same bytes, not only an equal name: Swift finds "é" precomposed and decomposed as one key, and the
            // column keeps the name as the event spelled it.
            guard let position = features.index(forKey: names[index].name),
                features[position].key.utf8.elementsEqual(names[index].name.utf8)
            else { return false }
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: names[index].quoted)
            features[position].value.writeJSON(to: &bytes)
        }
        return true
    }
}
