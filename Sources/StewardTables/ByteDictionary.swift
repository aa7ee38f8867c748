import Foundation

/// Distinct byte strings numbered in the order first seen: category cells are coded without making a String per
/// cell. Open addressing with the bytes kept in one growing buffer. A string of up to eight bytes is packed into
/// one word that is its hash's input and its equality check; longer ones are hashed with FNV-1a and compared byte
/// for byte.
struct ByteDictionary {
    private var bytes: [UInt8] = []
    private var starts: [Int] = [0]
    private var hashes: [UInt64] = []
    /// Each entry's bytes packed into a word when it has at most eight (0 otherwise).
    private var packed: [UInt64] = []
    /// Slot → code + 1; 0 is empty.
    private var slots = [UInt32](repeating: 0, count: 64)

    var count: Int { hashes.count }

    /// The code of the bytes, adding them if new.
    mutating func code(_ text: UnsafeBufferPointer<UInt8>) -> UInt32 {
        let length = text.count
        let mask = slots.count - 1
        var word: UInt64 = 0
        var hash: UInt64
        var slot: Int
        if length <= 8 {
            for byte in text { word = word << 8 | UInt64(byte) }
            hash = (word &+ UInt64(length)) &* 0x9E37_79B9_7F4A_7C15
            hash ^= hash >> 32
            slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] != 0 {
                let code = Int(slots[slot] - 1)
                if packed[code] == word, starts[code + 1] - starts[code] == length { return UInt32(code) }
                slot = (slot + 1) & mask
            }
        } else {
            hash = 0xcbf2_9ce4_8422_2325
            for byte in text { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] != 0 {
                let code = Int(slots[slot] - 1)
                if hashes[code] == hash, starts[code + 1] - starts[code] == length, equal(code, text) { return UInt32(code) }
                slot = (slot + 1) & mask
            }
        }
        let code = hashes.count
        bytes.append(contentsOf: text)
        starts.append(bytes.count)
        hashes.append(hash)
        packed.append(word)
        slots[slot] = UInt32(code + 1)
        if hashes.count * 2 > slots.count { grow() }
        return UInt32(code)
    }

    /// The bytes of a code.
    func withBytes<Result>(of code: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        bytes.withUnsafeBufferPointer { all in body(UnsafeBufferPointer(rebasing: all[starts[code]..<starts[code + 1]])) }
    }

    /// Every entry as text, by code.
    var names: [String] { (0..<count).map { code in withBytes(of: code) { String(decoding: $0, as: UTF8.self) } } }

    private func equal(_ code: Int, _ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let start = text.baseAddress, !text.isEmpty else { return true }
        return bytes.withUnsafeBufferPointer { all in all.baseAddress.map { memcmp($0 + starts[code], start, text.count) == 0 } ?? false }
    }

    private mutating func grow() {
        slots = [UInt32](repeating: 0, count: slots.count * 2)
        let mask = slots.count - 1
        for (code, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = UInt32(code + 1)
        }
    }
}
