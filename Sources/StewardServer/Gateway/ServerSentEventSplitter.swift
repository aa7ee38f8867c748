import NIOCore

/// Splits a server-sent event stream into its events as the bytes arrive: an event ends at a blank line (LF LF, or
/// CR LF CR LF), and may come in any number of pieces.
struct ServerSentEventSplitter {
    private var pending: [UInt8] = []
    /// Where the next event starts in `pending`.
    private var start = 0
    /// How far `pending` has been searched for the end of the next event.
    private var scanned = 0
    /// Events larger than this end the stream as malformed: nothing a provider streams comes near it.
    static let largestEvent = 4 << 20

    enum Failure: Error { case eventTooLarge }

    /// Adds bytes that arrived.
    mutating func append(_ chunk: ByteBuffer) throws(Failure) {
        if start > 0 {
            pending.removeFirst(start)
            scanned -= start
            start = 0
        }
        pending.append(contentsOf: chunk.readableBytesView)
        guard pending.count <= Self.largestEvent || next(peeking: true) != nil else { throw .eventTooLarge }
    }

    /// The next complete event, with its blank line; nil until more bytes arrive.
    mutating func next() -> ArraySlice<UInt8>? { next(peeking: false) }

    private mutating func next(peeking: Bool) -> ArraySlice<UInt8>? {
        var index = max(scanned, start)
        while index < pending.count {
            if pending[index] == 0x0A {
                var end = index + 1
                if end < pending.count, pending[end] == 0x0D { end += 1 }
                if end < pending.count, pending[end] == 0x0A {
                    let event = pending[start...end]
                    if !peeking {
                        start = end + 1
                        scanned = start
                    }
                    return event
                }
            }
            index += 1
        }
        scanned = max(index - 2, start)
        return nil
    }

    /// Whatever came after the last complete event, passed on as it is when the stream ends.
    var remainder: ByteBuffer? { start < pending.count ? ByteBuffer(bytes: pending[start...]) : nil }

    /// The data of an event: its `data:` lines' values joined by line feeds.
    static func data(of event: ArraySlice<UInt8>) -> [UInt8] {
        var data: [UInt8] = []
        var seen = false
        for line in event.split(separator: 0x0A) {
            var line = line
            if line.last == 0x0D { line = line.dropLast() }
            guard line.starts(with: "data:".utf8) else { continue }
            var payload = line.dropFirst(5)
            if payload.first == 0x20 { payload = payload.dropFirst() }
            if seen { data.append(0x0A) }
            data.append(contentsOf: payload)
            seen = true
        }
        return data
    }
}
