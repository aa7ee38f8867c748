/// The header of a SQLite database's WAL index (the first page of the `<database>-shm` file), as SQLite itself
/// maps it for one connection. Every connection that commits, in this process or another one, rewrites it before
/// its commit returns: the last frame, the checksums and a change counter move with each transaction (the format
/// is fixed by SQLite's documentation of the WAL index, https://www.sqlite.org/walformat.html, since processes
/// built against different SQLite versions share it). Comparing the header with the one seen last tells whether
/// anything committed since, with six memory loads.
///
/// Why: asking SQLite (`PRAGMA data_version`) opens and ends a read transaction, two `fcntl` locks on the
/// `-shm` file and a statement's run, and the serving route asks before every request whether its deployment
/// changed: that took 12% of the event loops' time under `bench/router.py` (2 cores, 16 connections).
///
/// The mapping is SQLite's own (`SQLiteHandle.walIndex()`), never a descriptor of this type's: POSIX locks belong
/// to the process, and closing any descriptor of the `-shm` file would drop every lock SQLite holds on it (a
/// second process would then take the file for unused and rebuild it under this one). It is valid while the
/// connection it came from is open; its owner drops it before closing that connection.
struct WALIndexHeader {
    /// The first copy of the header: 48 bytes (version, change counter, page size, last frame, page count,
    /// checksums and salts).
    struct Snapshot: Equatable, Sendable {
        let words: SIMD8<UInt64>
    }

    private let base: UnsafeRawPointer

    init(base: UnsafeRawPointer) {
        self.base = base
    }

    /// The header as it is now. A copy being rewritten while it is read differs from every earlier snapshot, so
    /// it only ever makes the caller ask SQLite once more.
    func snapshot() -> Snapshot {
        func word(_ index: Int) -> UInt64 { base.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self) }
        return Snapshot(words: SIMD8(word(0), word(1), word(2), word(3), word(4), word(5), 0, 0))
    }
}
