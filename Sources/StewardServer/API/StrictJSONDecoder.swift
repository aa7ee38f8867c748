import Foundation
import StewardCore
import StewardJSON

/// Decodes the JSON body of a native (`/api/v1`) request so that nothing the client wrote is silently ignored.
///
/// A lenient decoder reads the members a message declares and drops the rest: `{"domain": "credit"}` sent where
/// the message expects `{"questionnaire": {"domain": …}}` would classify a credit system as low risk. Here every
/// member must be one the message reads, an object may name a member once, and a refusal names the member and
/// the one probably meant (`questionnaire.domain`, `business_owner`). Member names are snake case; each is
/// matched to the Swift property the way `JSONDecoder.KeyDecodingStrategy.convertFromSnakeCase` does.
enum StrictJSONDecoder {
    static func decode<Message: Decodable>(_ type: Message.Type, from data: Data) throws -> Message {
        try MLflowRequest.refuseNUL(in: data)
        let root: JSONValue
        switch JSONValue.decode(data, refusingDuplicateMembers: true) {
        case .success(let value): root = value
        case .failure(let problem): throw StewardError.invalidParameter("Malformed JSON in request body: \(problem.message).")
        }
        let ledger = Ledger()
        do {
            let message = try Message(from: ValueDecoder(value: root, path: [], ledger: ledger))
            if let unknown = ledger.firstUnknown(in: root) { throw unknown.error(known: Catalogue(of: Message.self)) }
            return message
        } catch let error as DecodingError {
            try refuseUnknownMembers(of: root, as: Message.self)
            throw StewardError.invalidParameter(MLflowRequest.describe(error, snakeCase: true))
        } catch let error as StewardError {
            // A message that failed to decode may have failed because a member sat in the wrong place: say so first.
            if error.message.hasPrefix(UnknownMember.prefix) { throw error }
            try refuseUnknownMembers(of: root, as: Message.self)
            throw error
        }
    }

    /// Refuses the first member the message type does not declare, as far as the catalogue knows them.
    static func refuseUnknownMembers<Message: Decodable>(of root: JSONValue, as type: Message.Type) throws {
        let catalogue = Catalogue(of: type)
        if let unknown = catalogue.firstUnknown(in: root) { throw unknown.error(known: catalogue) }
    }

    // MARK: Paths and names

    /// One step of a path: a member name as the client wrote it, or an array index.
    struct PathKey: CodingKey {
        let stringValue: String
        let intValue: Int?

        init(stringValue: String) {
            self.stringValue = stringValue
            intValue = nil
        }

        init(intValue: Int) {
            stringValue = "\(intValue)"
            self.intValue = intValue
        }
    }

    /// A path as the client would write it: `data_sources[0].name`.
    static func written(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue { text += "[\(index)]" } else { text += text.isEmpty ? key.stringValue : ".\(key.stringValue)" }
        }
        return text
    }

    /// The same path with every index replaced by `[]`, so that all elements of an array share one entry.
    static func pattern(_ path: [any CodingKey]) -> String {
        written(path.map { $0.intValue == nil ? $0 : PathKey(stringValue: "[]") }).replacingOccurrences(of: ".[]", with: "[]")
    }

    /// A snake-case member name as a Swift property name, as `convertFromSnakeCase` converts it: `business_owner`
    /// becomes `businessOwner`; leading and trailing underscores stay.
    static func propertyName(_ member: String) -> String {
        guard member.contains("_") else { return member }
        let leading = member.prefix { $0 == "_" }
        let trailing = member.reversed().prefix { $0 == "_" }
        let core = member.dropFirst(leading.count).dropLast(trailing.count)
        guard !core.isEmpty else { return member }
        let words = core.split(separator: "_", omittingEmptySubsequences: true)
        let joined = words.enumerated().map { index, word in
            index == 0 ? word.lowercased() : word.prefix(1).uppercased() + word.dropFirst().lowercased()
        }
        .joined()
        return String(leading) + joined + String(trailing)
    }

    /// A Swift property name as its snake-case member: `businessOwner` → `business_owner`, `systemID` → `system_id`.
    static func memberName(_ property: String) -> String {
        var words: [String] = []
        var current = ""
        let characters = Array(property)
        for (index, character) in characters.enumerated() {
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            let previous = index > 0 ? characters[index - 1] : nil
            if character.isUppercase, !current.isEmpty,
                previous?.isUppercase == false || next?.isLowercase == true
            {
                words.append(current)
                current = ""
            }
            current.append(character)
        }
        if !current.isEmpty { words.append(current) }
        return words.map { $0.lowercased() }.joined(separator: "_")
    }

    // MARK: What the message read

    /// Which members each decoded object was asked about, by path; objects read as dictionaries are open.
    final class Ledger: @unchecked Sendable {
        private let lock = NSLock()
        private var asked: [String: Set<String>] = [:]
        private var open: Set<String> = []

        func ask(_ member: String, at path: [any CodingKey]) {
            lock.withLock { _ = asked[StrictJSONDecoder.written(path), default: []].insert(member) }
        }

        func visit(_ path: [any CodingKey]) {
            lock.withLock { _ = asked[StrictJSONDecoder.written(path), default: []] }
        }

        func openUp(_ path: [any CodingKey]) {
            _ = lock.withLock { open.insert(StrictJSONDecoder.written(path)) }
        }

        /// The first member (in path order) of an object the message decoded but did not ask about.
        func firstUnknown(in root: JSONValue) -> UnknownMember? {
            let (asked, open) = lock.withLock { (self.asked, self.open) }
            return UnknownMember.first(in: root, path: []) { path in
                let key = StrictJSONDecoder.written(path)
                if open.contains(key) { return .open }
                return asked[key].map { .known($0) } ?? .unvisited
            }
        }
    }

    /// A member nobody reads, with where it sits.
    struct UnknownMember {
        static let prefix = "Unknown field"

        let path: [any CodingKey]
        let member: String

        enum Reading {
            case known(Set<String>)
            case open
            case unvisited
        }

        /// Walks objects and arrays in order and returns the first member `reading` does not know.
        static func first(in value: JSONValue, path: [any CodingKey], _ reading: ([any CodingKey]) -> Reading) -> UnknownMember? {
            switch value {
            case .object(let members):
                let names = members.keys.sorted()
                switch reading(path) {
                case .unvisited: return nil
                case .open: break
                case .known(let known):
                    // A member counts when its spelling converts to a property the message asked for; `Domain` does not.
                    if let member = names.first(where: { !known.contains(StrictJSONDecoder.propertyName($0)) }) {
                        return UnknownMember(path: path, member: member)
                    }
                }
                for name in names {
                    if let found = first(in: members[name]!, path: path + [PathKey(stringValue: name)], reading) { return found }
                }
                return nil
            case .array(let elements):
                for (index, element) in elements.enumerated() {
                    if let found = first(in: element, path: path + [PathKey(intValue: index)], reading) { return found }
                }
                return nil
            default:
                return nil
            }
        }

        /// The refusal, with the member probably meant: the same name one level down (a flat field meant for a
        /// nested object), a close spelling, or fields whose name contains it.
        func error(known catalogue: Catalogue) -> StewardError {
            let place = StrictJSONDecoder.written(path)
            let field = place.isEmpty ? member : "\(place).\(member)"
            let here = StrictJSONDecoder.pattern(path)
            let siblings = (catalogue.members[here] ?? []).map(StrictJSONDecoder.memberName)
            var message = "\(Self.prefix) '\(field)'"
            let candidates = catalogue.suggestions(for: member, at: here)
            if !candidates.isEmpty {
                message += ": did you mean " + candidates.map { "'\($0)'" }.joined(separator: " or ") + "?"
            } else {
                message += "."
            }
            if !siblings.isEmpty {
                message +=
                    " The fields \(place.isEmpty ? "of this request" : "of '\(place)'") are: " + siblings.sorted().joined(separator: ", ") + "."
            }
            return .invalidParameter(message + " Nothing was changed.")
        }
    }

    // MARK: What a message can read

    /// Every property a message type reads, by path pattern (`questionnaire`, `data_sources[]`), found by decoding
    /// the type from a document that answers every question with "absent" or a default value.
    struct Catalogue {
        var members: [String: Set<String>] = [:]
        var open: Set<String> = []

        init<Message: Decodable>(of type: Message.Type) {
            let recorder = Recorder()
            _ = try? Message(from: DiscoveryDecoder(path: [], recorder: recorder, depth: 0))
            members = recorder.members
            open = recorder.open
        }

        func firstUnknown(in root: JSONValue) -> UnknownMember? {
            UnknownMember.first(in: root, path: []) { path in
                let key = StrictJSONDecoder.pattern(path)
                if open.contains(key) { return .open }
                return members[key].map { .known($0) } ?? .unvisited
            }
        }

        /// Members probably meant by `member` written at `pattern`, shortest first.
        func suggestions(for member: String, at pattern: String) -> [String] {
            let wanted = StrictJSONDecoder.memberName(StrictJSONDecoder.propertyName(member))
            // The same name in an object below this one.
            let prefix = pattern.isEmpty ? "" : pattern + "."
            let nested = members.filter { path, names in
                path.hasPrefix(prefix) && path != pattern && names.map(StrictJSONDecoder.memberName).contains(wanted)
            }.map { path, _ in String(path.dropFirst(prefix.count)) + "." + wanted }
            if let shortest = nested.min(by: { ($0.count, $0) < ($1.count, $1) }) { return [shortest] }
            let siblings = (members[pattern] ?? []).map(StrictJSONDecoder.memberName)
            let close = siblings.map { ($0, EditDistance.between($0, wanted)) }.filter { $0.1 <= max(1, wanted.count / 3) }
            if let best = close.min(by: { ($0.1, $0.0) < ($1.1, $1.0) }) { return [best.0] }
            return siblings.filter { $0.split(separator: "_").contains(Substring(wanted)) }.sorted()
        }

    }

    final class Recorder: @unchecked Sendable {
        var members: [String: Set<String>] = [:]
        var open: Set<String> = []
    }
}
