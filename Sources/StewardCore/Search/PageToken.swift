import Foundation

/// An opaque continuation token for offset-paged searches: base64 of a small JSON document, so clients
/// cannot depend on its form and a tampered token is refused rather than misread.
public struct PageToken: Sendable, Equatable {
    public var offset: Int

    public init(offset: Int) {
        self.offset = offset
    }

    private struct Body: Codable {
        var offset: Int
    }

    /// Decodes a token a client sent back; nil or empty means the first page.
    public static func decode(_ token: String?) throws(StewardError) -> PageToken {
        guard let token, !token.isEmpty else { return PageToken(offset: 0) }
        guard let data = Data(base64Encoded: token) else {
            throw .invalidParameter("Invalid page token, could not base64-decode")
        }
        guard let body = try? JSONDecoder().decode(Body.self, from: data) else {
            throw .invalidParameter("Invalid page token, decoded value=\(String(decoding: data, as: UTF8.self))")
        }
        guard body.offset >= 0 else {
            throw .invalidParameter("Invalid page token, offset must be non-negative: \(body.offset)")
        }
        return PageToken(offset: body.offset)
    }

    /// The token to send for the page starting at `offset`.
    public var encoded: String {
        (try? JSONEncoder().encode(Body(offset: offset)))?.base64EncodedString() ?? ""
    }
}

/// How many results a search page may hold.
public enum PageSize {
    /// `requested`, or `defaultSize` when absent; refused unless between 1 and `maximum`.
    public static func resolve(_ requested: Int?, default defaultSize: Int, maximum: Int) throws(StewardError) -> Int {
        let size = requested ?? defaultSize
        guard size >= 1, size <= maximum else {
            throw .invalidParameter(
                "Invalid value \(size) for parameter 'max_results' supplied. It must be at least 1 and at most \(maximum).")
        }
        return size
    }
}

/// One page of search results and the token for the next page, if there is one.
public struct Page<Element: Sendable>: Sendable {
    public var items: [Element]
    public var nextPageToken: String?

    public init(items: [Element], nextPageToken: String?) {
        self.items = items
        self.nextPageToken = nextPageToken
    }

    /// A page from rows fetched with one row more than `limit` at `offset`: the extra row only says that another
    /// page follows.
    public init(overfetched rows: [Element], limit: Int, offset: Int) {
        items = Array(rows.prefix(limit))
        nextPageToken = rows.count > limit ? PageToken(offset: offset + limit).encoded : nil
    }
}
