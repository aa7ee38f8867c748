/// The lines two texts share and those only one has, in order: the longest common subsequence of their lines,
/// as a prompt's two versions are compared. Quadratic in the lines compared, so texts are cut at `largest` lines.
enum LineDiff {
    enum Line: Equatable, Sendable {
        case same(String)
        case removed(String)
        case added(String)
    }

    static let largest = 2000

    static func lines(from old: String, to new: String) -> [Line] {
        let before = Array(old.split(separator: "\n", omittingEmptySubsequences: false).prefix(largest).map(String.init))
        let after = Array(new.split(separator: "\n", omittingEmptySubsequences: false).prefix(largest).map(String.init))
        // common[i][j]: the longest common subsequence of before[i...] and after[j...].
        var common = [[Int]](repeating: [Int](repeating: 0, count: after.count + 1), count: before.count + 1)
        for i in stride(from: before.count - 1, through: 0, by: -1) {
            for j in stride(from: after.count - 1, through: 0, by: -1) {
                common[i][j] = before[i] == after[j] ? common[i + 1][j + 1] + 1 : max(common[i + 1][j], common[i][j + 1])
            }
        }
        var result: [Line] = []
        var i = 0
        var j = 0
        while i < before.count || j < after.count {
            if i < before.count, j < after.count, before[i] == after[j] {
                result.append(.same(before[i]))
                i += 1
                j += 1
            } else if i < before.count, j == after.count || common[i + 1][j] >= common[i][j + 1] {
                // What went comes before what replaced it.
                result.append(.removed(before[i]))
                i += 1
            } else {
                result.append(.added(after[j]))
                j += 1
            }
        }
        return result
    }
}
