/// Parsed cells waiting to be appended to their columns, up to `size` per column: appending one value to an
/// array checks that the array is uniquely referenced and has room, which per cell costs about as much as
/// reading a short number; a batch pays that once.
final class CellBatches<Element: BitwiseCopyable> {
    static var size: Int { 256 }

    private let values: UnsafeMutablePointer<Element>
    private let counts: UnsafeMutablePointer<Int>
    private let columns: Int

    init(columns: Int) {
        self.columns = columns
        values = .allocate(capacity: Swift.max(columns, 1) * Self.size)
        counts = .allocate(capacity: Swift.max(columns, 1))
        counts.initialize(repeating: 0, count: Swift.max(columns, 1))
    }

    deinit {
        values.deallocate()
        counts.deallocate()
    }

    /// Adds a value to a column's batch; true when the batch is now full and must be flushed.
    @inline(__always)
    func add(_ value: Element, to column: Int) -> Bool {
        let count = counts[column]
        (values + column * Self.size + count).initialize(to: value)
        counts[column] = count + 1
        return count + 1 == Self.size
    }

    /// Appends a column's batch to its array and empties the batch.
    func flush(_ column: Int, into array: inout [Element]) {
        guard counts[column] > 0 else { return }
        array.append(contentsOf: UnsafeBufferPointer(start: values + column * Self.size, count: counts[column]))
        counts[column] = 0
    }
}
