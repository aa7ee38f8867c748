import Foundation
import StewardJSON

/// The safety checks a system's gateway calls go through, as its owners write them in YAML: each looks at
/// (`apply_to`) the prompt (`input`), the answer (`output`) or both, and either `flag`s what it finds (recorded on the call's
/// event) or `block`s the call (400 `content_blocked` naming the check; a blocked prompt is never forwarded).
///
///     checks:
///       - {name: no-card-numbers, kind: card, apply_to: both, action: block}
///       - {name: emails, kind: email, apply_to: input, action: flag}
///       - {name: competitors, kind: deny, pattern: "(?i)acme corp", apply_to: output, action: flag}
///       - {name: long-prompts, kind: max_length, characters: 20000, apply_to: input, action: block}
public struct SafetyPolicy: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// E-mail addresses.
        case email
        /// Telephone numbers: 9 to 15 digits, optionally with +, spaces, dots, dashes and brackets.
        case phone
        /// Payment card numbers: 13 to 19 digits (spaces or dashes between groups) that pass the Luhn check.
        case card
        /// IBANs: a country code, check digits and 11 to 30 letters or digits that pass the ISO 13616 check.
        case iban
        /// Text a regular expression matches (bounded in time, as every user-written pattern in Steward).
        case deny(String)
        /// Text longer than this many characters.
        case maximumLength(Int)
    }

    public enum Direction: String, Sendable, Equatable {
        case input
        case output
        case both
    }

    public enum Action: String, Sendable, Equatable {
        case flag
        case block
    }

    public struct Check: Sendable, Equatable {
        public let name: String
        public let kind: Kind
        public let direction: Direction
        public let action: Action
    }

    public let checks: [Check]
    /// The YAML text as it was stored.
    public let document: String

    public static let none = SafetyPolicy(checks: [], document: "checks: []\n")

    init(checks: [Check], document: String) {
        self.checks = checks
        self.document = document
    }

    /// Parses and validates a policy; every problem is a 400 that names the offending check.
    public init(yaml document: String) throws(StewardError) {
        let root = try BoundedYAML.load(document, what: "The safety checks")
        guard let map = root as? [String: Any] else { throw .invalidParameter("The safety checks must be a YAML mapping with checks.") }
        if let unknown = map.keys.sorted().first(where: { $0 != "checks" }) {
            throw .invalidParameter("Unknown key '\(unknown)' in the safety checks; the keys are checks.")
        }
        guard let list = map["checks"] as? [Any] ?? (map["checks"] == nil ? [] : nil) else {
            throw .invalidParameter("checks must be a list of {name, kind, apply_to, action}.")
        }
        var checks: [Check] = []
        for (index, value) in list.enumerated() {
            let place = "checks[\(index)]"
            guard let entry = value as? [String: Any] else { throw .invalidParameter("\(place) must be a mapping.") }
            let known: Set<String> = ["name", "kind", "apply_to", "action", "pattern", "characters"]
            if let unknown = entry.keys.sorted().first(where: { !known.contains($0) }) {
                throw .invalidParameter("Unknown key '\(unknown)' in \(place); the keys are \(known.sorted().joined(separator: ", ")).")
            }
            guard let name = entry["name"] as? String, !name.isEmpty, name.count <= 64,
                name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
            else { throw .invalidParameter("\(place).name is required: up to 64 letters, digits, - or _.") }
            guard !checks.contains(where: { $0.name == name }) else { throw .invalidParameter("The check '\(name)' is defined twice.") }
            let kind: Kind
            switch entry["kind"] as? String {
            case "email": kind = .email
            case "phone": kind = .phone
            case "card": kind = .card
            case "iban": kind = .iban
            case "deny":
                guard let pattern = entry["pattern"] as? String, !pattern.isEmpty, BoundedRegex(pattern) != nil else {
                    throw .invalidParameter("\(place).pattern is required for a deny check: a valid regular expression.")
                }
                kind = .deny(pattern)
            case "max_length":
                guard let characters = entry["characters"] as? Int, characters > 0 else {
                    throw .invalidParameter("\(place).characters is required for a max_length check: a whole number above 0.")
                }
                kind = .maximumLength(characters)
            default:
                throw .invalidParameter("\(place).kind must be one of email, phone, card, iban, deny, max_length.")
            }
            if case .deny = kind {} else if entry["pattern"] != nil { throw .invalidParameter("\(place).pattern is for deny checks only.") }
            if case .maximumLength = kind {
            } else if entry["characters"] != nil {
                throw .invalidParameter("\(place).characters is for max_length checks only.")
            }
            guard let direction = Direction(rawValue: entry["apply_to"] as? String ?? "both") else {
                throw .invalidParameter("\(place).apply_to must be input, output or both.")
            }
            guard let action = Action(rawValue: entry["action"] as? String ?? "") else {
                throw .invalidParameter("\(place).action is required: flag or block.")
            }
            checks.append(Check(name: name, kind: kind, direction: direction, action: action))
        }
        self.init(checks: checks, document: document)
    }

    /// The checks for `direction` that find something in `text`, in the policy's order.
    public func findings(in text: String, direction: Direction) -> [Check] {
        checks.filter { check in
            (check.direction == .both || check.direction == direction) && Self.finds(check.kind, in: text)
        }
    }

    static func finds(_ kind: Kind, in text: String) -> Bool {
        switch kind {
        case .email: return text.contains(/[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}/)
        case .phone:
            return text.matches(of: /\+?\(?\d[\d .()\-]{7,20}\d/).contains { match in
                (9...15).contains(match.output.filter(\.isNumber).count)
            }
        case .card:
            // A card number may sit in a longer run of digit groups (a CVV after it, a quantity before it): every run
            // of whole groups with 13 to 19 digits is tried (windows that cut a group would find look-alikes).
            return text.matches(of: /\d(?:[ \-]?\d){12,}/).contains { match in
                let groups = match.output.split(whereSeparator: { $0 == " " || $0 == "-" }).map { $0.compactMap(\.wholeNumberValue) }
                guard groups.count <= 32 else { return false }
                return groups.indices.contains { start in
                    var digits: [Int] = []
                    for group in groups[start...] {
                        digits += group
                        if digits.count > 19 { return false }
                        if digits.count >= 13, luhn(digits) { return true }
                    }
                    return false
                }
            }
        case .iban:
            // The pattern may run on into the next word ("… 7654 32 NOW"): every length an IBAN can have is tried.
            return text.uppercased().matches(of: /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}/).contains { match in
                let compact = String(match.output.filter { !$0.isWhitespace })
                return stride(from: min(compact.count, 34), through: 15, by: -1).contains { ibanChecks(String(compact.prefix($0))) }
            }
        case .deny(let pattern): return BoundedRegex(pattern)?.search(text) ?? true
        case .maximumLength(let characters): return text.count > characters
        }
    }

    /// The Luhn check of a card number's digits.
    static func luhn(_ digits: [Int]) -> Bool {
        guard (13...19).contains(digits.count) else { return false }
        var sum = 0
        for (position, digit) in digits.reversed().enumerated() {
            let value = position % 2 == 1 ? digit * 2 : digit
            sum += value > 9 ? value - 9 : value
        }
        return sum % 10 == 0
    }

    /// The ISO 13616 check of an IBAN: with its first four characters moved to the end and letters as 10 to 35,
    /// the number is 1 modulo 97.
    static func ibanChecks(_ iban: String) -> Bool {
        guard (15...34).contains(iban.count) else { return false }
        var remainder = 0
        for character in iban.dropFirst(4) + iban.prefix(4) {
            guard let value = character.wholeNumberValue ?? character.asciiValue.map({ Int($0) - 55 }), value >= 0, value < 36 else { return false }
            remainder = value >= 10 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97
        }
        return remainder == 1
    }
}
