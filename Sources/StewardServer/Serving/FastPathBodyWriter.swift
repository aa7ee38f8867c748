import HTTPTypes
import Hummingbird
import NIOCore

/// Writes a streamed answer's body (a gateway call's server-sent events) on a connection of the serving fast path
/// (`ServingFastPath`), as HTTP/1.1 chunks, in the order `ResponseBody` hands them over. The writes happen on the
/// connection's event loop: at once when the writing task runs there, else queued to it (in order either way).
/// It waits only when the client takes no more for now, so that chunks that come together leave together.
struct FastPathBodyWriter: ResponseBodyWriter {
    let eventLoop: any EventLoop
    /// Writes a framed chunk (on the loop); nil when the next may follow at once, else what to wait for.
    let writeChunk: @Sendable (ByteBuffer) -> EventLoopFuture<Void>?
    /// Ends the body (on the loop).
    let finish: @Sendable () -> Void

    mutating func write(_ buffer: ByteBuffer) async throws {
        guard buffer.readableBytes > 0 else { return }
        let size = String(buffer.readableBytes, radix: 16)
        var chunk = ByteBuffer()
        chunk.reserveCapacity(buffer.readableBytes + size.utf8.count + 4)
        chunk.writeString(size)
        chunk.writeStaticString("\r\n")
        var body = buffer
        chunk.writeBuffer(&body)
        chunk.writeStaticString("\r\n")
        if eventLoop.inEventLoop {
            if let pending = writeChunk(chunk) { try await pending.get() }
        } else {
            let loop = eventLoop
            let writeChunk = writeChunk
            let framed = chunk
            try await eventLoop.flatSubmit { writeChunk(framed) ?? loop.makeSucceededVoidFuture() }.get()
        }
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        if eventLoop.inEventLoop {
            finish()
        } else {
            eventLoop.execute(finish)
        }
    }
}
