import NIOCore

extension ByteBuffer {
    /// Writes `value` in decimal digits, as `writeString("\(value)")` would, without making the string: a response
    /// head's status code and `content-length` were allocations on every served request.
    @discardableResult
    mutating func writeDecimal(_ value: Int) -> Int {
        var magnitude = value.magnitude
        var digits = 1
        var scale: UInt = 1
        while magnitude / scale >= 10 {
            scale *= 10
            digits += 1
        }
        let width = digits + (value < 0 ? 1 : 0)
        return writeWithUnsafeMutableBytes(minimumWritableBytes: width) { bytes in
            var index = 0
            if value < 0 {
                bytes[0] = UInt8(ascii: "-")
                index = 1
            }
            while scale > 0 {
                bytes[index] = UInt8(ascii: "0") + UInt8(magnitude / scale)
                magnitude %= scale
                scale /= 10
                index += 1
            }
            return width
        }
    }
}
