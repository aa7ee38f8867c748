import Hummingbird
import NIOCore

extension ResponseBody {
    /// Every byte the body writes, in one buffer: for answers that are read whole (a route answered in-process,
    /// a JSON answer given its ISO times).
    consuming func collected() async throws -> ByteBuffer {
        let collected = CollectedBytes()
        try await write(CollectingWriter(collected: collected))
        return collected.buffer
    }

    /// The bytes written so far; a class, since a writer is consumed by the body that writes into it.
    final class CollectedBytes: @unchecked Sendable {
        var buffer = ByteBuffer()
    }

    struct CollectingWriter: ResponseBodyWriter {
        let collected: CollectedBytes

        mutating func write(_ buffer: ByteBuffer) async throws {
            var buffer = buffer
            collected.buffer.writeBuffer(&buffer)
        }

        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}
