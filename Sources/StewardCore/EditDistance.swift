/// How many single-character edits (insertions, deletions, substitutions and swaps of neighbours) turn one name
/// into another: the optimal-string-alignment distance, with which refusals find the name the client probably
/// meant (`alais` is one swap from `alias`).
public enum EditDistance {
    public static func between(_ first: String, _ second: String) -> Int {
        let a = Array(first)
        let b = Array(second)
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var table = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1) }
            }
        }
        return table[a.count][b.count]
    }

    /// The candidate nearest to `name` within `limit` edits (by default a third of its length, at least 2), ties
    /// broken alphabetically; nil when none is that close.
    public static func closest(to name: String, among candidates: some Sequence<String>, within limit: Int? = nil) -> String? {
        let limit = limit ?? max(2, name.count / 3)
        return candidates.map { ($0, between($0, name)) }.filter { $0.1 <= limit }.min { ($0.1, $0.0) < ($1.1, $1.0) }?.0
    }
}
