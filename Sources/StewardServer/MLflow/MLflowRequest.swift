import Foundation
import Hummingbird
import NIOCore
import StewardCore

/// Reads MLflow request messages the way MLflow's server does: GET from the query string (repeated keys for
/// list fields), every other method from a JSON body. Values are type-checked; a malformed message is a
/// 400 `INVALID_PARAMETER_VALUE` naming the field.
enum MLflowRequest {
    /// Bodies larger than this are refused before they are read in full.
    static let maximumBodyBytes = 16 * 1024 * 1024

    static func decode<Message: MLflowRequestMessage>(
        _ type: Message.Type, from request: Request, maximumBytes: Int = maximumBodyBytes
    ) async throws -> Message {
        let data: Data
        if request.method == .get {
            data = try queryJSON(request.uri.query, repeated: Message.repeatedFields)
        } else {
            var request = request
            let body = try await collectBody(of: &request, maximumBytes: maximumBytes)
            data = body.readableBytes == 0 ? Data("{}".utf8) : Data(buffer: body)
        }
        return try decode(type, from: data)
    }

    /// Refuses a JSON text whose strings hold a NUL character (written `\u0000`): PostgreSQL cannot store one,
    /// and names that differ only after a NUL would look alike everywhere else.
    ///
    /// Jumps from backslash to backslash with `memchr` over the bytes: stepping through `Data` one subscript at a
    /// time took 4.4% of a log-batch request's CPU time (perf, `bench/stores.py`), and most bodies hold no escape.
    static func refuseNUL(in json: Data) throws(StewardError) {
        let holdsNUL = json.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> Bool in
            guard let base = bytes.baseAddress else { return false }
            var index = 0
            while index < bytes.count, let found = memchr(base + index, Int32(UInt8(ascii: "\\")), bytes.count - index) {
                let backslash = base.distance(to: UnsafeRawPointer(found))
                // The escaped character follows; `\u0000` is the NUL.
                if backslash + 6 <= bytes.count, bytes[backslash + 1] == UInt8(ascii: "u"),
                    bytes[(backslash + 2)..<(backslash + 6)].elementsEqual("0000".utf8)
                {
                    return true
                }
                index = backslash + 2
            }
            return false
        }
        if holdsNUL { throw .invalidParameter("Strings in a request must not contain the NUL character (\\u0000).") }
    }

    /// Collects a request body, refusing one larger than `maximumBytes` with 413 naming the limit.
    static func collectBody(of request: inout Request, maximumBytes: Int) async throws -> ByteBuffer {
        do {
            return try await request.collectBody(upTo: maximumBytes)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw bodyTooLarge(maximumBytes)
        } catch is NIOTooManyBytesError {
            throw bodyTooLarge(maximumBytes)
        }
    }

    static func bodyTooLarge(_ maximumBytes: Int) -> StewardError {
        let limit = maximumBytes % (1 << 20) == 0 ? "\(maximumBytes >> 20) MiB" : "\(maximumBytes) bytes"
        return StewardError(.resourceLimitExceeded, "The request body is larger than this route's limit of \(limit).")
    }

    static func decode<Message: Decodable>(
        _ type: Message.Type, from data: Data, keys: JSONDecoder.KeyDecodingStrategy = .useDefaultKeys
    ) throws -> Message {
        try refuseNUL(in: data)
        do {
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = keys
            return try decoder.decode(type, from: data)
        } catch let error as DecodingError {
            var snakeCase = false
            if case .convertFromSnakeCase = keys { snakeCase = true }
            throw StewardError.invalidParameter(describe(error, snakeCase: snakeCase))
        }
    }

    /// The value of a required field; empty counts as missing, as in MLflow.
    static func required(_ value: String?, _ field: String) throws(StewardError) -> String {
        guard let value, !value.isEmpty else { throw missing(field) }
        return value
    }

    /// A required field that is absent, worded as MLflow's request validation words it, with where those docs are.
    static func missing(_ field: String) -> StewardError {
        .invalidParameter(
            "Missing value for required parameter '\(field)'. See the API docs for more information about request parameters: "
                + "https://mlflow.org/docs/latest/rest-api.html")
    }

    /// An enum field given by name.
    static func parseEnum<Value: RawRepresentable>(_ text: String?, _ field: String) throws(StewardError) -> Value?
    where Value.RawValue == String {
        guard let text, !text.isEmpty else { return nil }
        guard let value = Value(rawValue: text) else {
            throw .invalidParameter("Invalid value \"\(text)\" for parameter '\(field)' supplied.")
        }
        return value
    }

    /// A count limit given as an int64, which must fit an Int.
    static func int(_ value: WireInt64?) -> Int? {
        value.map { Int(clamping: $0.value) }
    }

    /// Describes a decoding failure by the field's path as the client wrote it (snake case for native routes).
    static func describe(_ error: DecodingError, snakeCase: Bool) -> String {
        func written(_ key: String) -> String {
            guard snakeCase else { return key }
            return key.unicodeScalars.reduce(into: "") { text, scalar in
                if CharacterSet.uppercaseLetters.contains(scalar) {
                    text += "_" + String(scalar).lowercased()
                } else {
                    text.unicodeScalars.append(scalar)
                }
            }
        }
        func path(_ codingPath: [any CodingKey]) -> String {
            var text = ""
            for key in codingPath {
                if let index = key.intValue {
                    text += "[\(index)]"
                } else {
                    text += text.isEmpty ? written(key.stringValue) : ".\(written(key.stringValue))"
                }
            }
            return text
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "Missing value for required parameter '\(path(context.codingPath + [key]))'."
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            let field = path(context.codingPath)
            if context.codingPath.isEmpty {
                return "Invalid request body: expected a JSON object."
            }
            return "Invalid value for parameter '\(field)' supplied: expected \(describe(type))."
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return "Malformed JSON in request body: \(context.debugDescription)"
            }
            return "Invalid value for parameter '\(path(context.codingPath))' supplied: \(context.debugDescription)"
        @unknown default:
            return "Invalid request body."
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int64.Type, is Int.Type: "an integer (64-bit)"
        case is Double.Type: "a double (64-bit floating point)"
        case is Bool.Type: "a boolean"
        case is [Any].Type: "an array"
        case is [String: Any].Type: "an object"
        default: "a value of type \(type)"
        }
    }

    /// A query string as a JSON object: `+` is a space, keys and values are percent-decoded, a repeated field
    /// becomes an array, and otherwise the last occurrence wins.
    static func queryJSON(_ query: String?, repeated: Set<String>) throws -> Data {
        var scalars: [String: String] = [:]
        var lists: [String: [String]] = [:]
        for (key, value) in parseQuery(query) {
            if repeated.contains(key) {
                lists[key, default: []].append(value)
            } else {
                scalars[key] = value
            }
        }
        var object: [String: Any] = scalars
        for (key, values) in lists { object[key] = values }
        return try JSONSerialization.data(withJSONObject: object)
    }

    /// Key-value pairs of a URL query, decoded as HTML forms encode them.
    static func parseQuery(_ query: String?) -> [(String, String)] {
        guard let query, !query.isEmpty else { return [] }
        return query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }
}
