/// A policy's output checks run over a streamed answer as it is passed on, piece by piece, so that a blocking
/// check stops the stream before the piece that completes what it looks for is sent (what was sent before cannot
/// be taken back, but the match is never sent whole).
///
/// Each piece is checked together with the last `overlap` characters before it: a card number, a telephone
/// number, an IBAN or an e-mail address (all under 320 characters) that ends in the piece is seen whole however
/// the provider cut the text; a deny pattern's match longer than `overlap` is not. `max_length` counts every
/// character of the stream. A check that found something is not run again.
public struct StreamedAnswerCheck: Sendable {
    /// The policy's checks of answers (`output` and `both`), in the policy's order.
    public let checks: [SafetyPolicy.Check]
    /// How many characters before a piece are checked with it.
    public static let overlap = 1024
    private var before = ""
    private var characters = 0
    private var found: Set<String> = []

    public init(_ policy: SafetyPolicy) {
        checks = policy.checks.filter { $0.direction != .input }
    }

    /// Checks `text`, what the stream added since the last call; returns the first blocking check (in the policy's
    /// order) that found something, if one did.
    public mutating func check(_ text: String) -> SafetyPolicy.Check? {
        guard !checks.isEmpty, !text.isEmpty else { return nil }
        characters += text.count
        let window = before + text
        var blocking: SafetyPolicy.Check?
        for check in checks where !found.contains(check.name) {
            let finds: Bool
            if case .maximumLength(let limit) = check.kind {
                finds = characters > limit
            } else {
                finds = SafetyPolicy.finds(check.kind, in: window)
            }
            guard finds else { continue }
            found.insert(check.name)
            if check.action == .block && blocking == nil { blocking = check }
        }
        before = String(window.suffix(Self.overlap))
        return blocking
    }

    /// The checks that found something so far, in the policy's order.
    public var findings: [SafetyPolicy.Check] { checks.filter { found.contains($0.name) } }
}
