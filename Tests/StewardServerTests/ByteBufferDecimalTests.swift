import NIOCore
import Testing

@testable import StewardServer

@Suite struct ByteBufferDecimalTests {
    @Test("A number written as decimal digits is its description, after what the buffer held")
    func digits() {
        var generator = SystemRandomNumberGenerator()
        let edges = [0, 1, 9, 10, 99, 100, 200, 404, 1_000_000, Int.max, -1, -10, Int.min]
        for value in edges + (0..<500).map({ _ in Int.random(in: Int.min...Int.max, using: &generator) >> Int.random(in: 0...62, using: &generator) })
        {
            var buffer = ByteBuffer(string: "length: ")
            let written = buffer.writeDecimal(value)
            #expect(buffer == ByteBuffer(string: "length: \(value)"))
            #expect(written == "\(value)".utf8.count)
        }
    }
}
