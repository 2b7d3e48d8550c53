import Glibc

/// glibc's malloc arenas. A plan parses on both cores at once, and glibc gives each thread
/// that allocates its own arena; their slack adds ~10 MiB to the peak of a large plan.
enum HeapArenas {
    /// `mallopt(M_ARENA_MAX, count)`: malloc.h is not in Swift's Glibc module, so the function
    /// is looked up by name; without it (another C library) nothing changes.
    static func limit(to count: Int32) {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        let mArenaMax: Int32 = -8  // M_ARENA_MAX in glibc's malloc.h
        _ = unsafeBitCast(symbol, to: Mallopt.self)(mArenaMax, count)
    }
}
