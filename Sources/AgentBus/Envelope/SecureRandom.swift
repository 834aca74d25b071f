#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Kernel-CSPRNG random words for event IDs and trace IDs, fetched in batches.
///
/// `SystemRandomNumberGenerator` makes one `getrandom` system call per 8 bytes on Linux; here one
/// `getentropy` call (itself `getrandom`) fills 32 words, so an ID costs a lock and a load, not a
/// syscall. The catch: a process that `fork`s without `exec` would hand the child a copy of the
/// unread pool and both would produce the same next words. Swift programs spawn with
/// `posix_spawn`, so this is documented rather than guarded (a `getpid` check per call would cost
/// as much as the syscall being saved).
enum SecureRandom {
    /// getentropy's maximum request, and so the pool size: 256 bytes.
    private static let poolWords = 32

    private struct Pool: ~Copyable {
        let words: UnsafeMutablePointer<UInt64>
        var next: Int

        init() {
            words = .allocate(capacity: SecureRandom.poolWords)
            next = SecureRandom.poolWords // empty: the first call refills
        }

        deinit { words.deallocate() }

        mutating func take() -> UInt64 {
            if next == SecureRandom.poolWords {
                SecureRandom.fill(UnsafeMutableRawBufferPointer(start: words, count: SecureRandom.poolWords * 8))
                next = 0
            }
            let word = words[next]
            // Zero what was handed out, so no copy of it lingers in the pool.
            words[next] = 0
            next += 1
            return word
        }
    }

    private static let pool = Mutex(Pool())

    /// 64 uniformly random bits from the kernel CSPRNG.
    static func next() -> UInt64 {
        pool.withLock { $0.take() }
    }

    /// A random non-zero 64-bit value (W3C trace and span IDs must not be all zeros).
    static func nextNonZero() -> UInt64 {
        while true {
            let value = next()
            if value != 0 { return value }
        }
    }

    /// Fills `buffer` from the kernel. Crashes if the kernel refuses, as the standard library does:
    /// an ID generator with no entropy must not limp on.
    private static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        #if canImport(Darwin)
        arc4random_buf(buffer.baseAddress!, buffer.count)
        #else
        precondition(buffer.count <= 256, "getentropy takes at most 256 bytes")
        // getentropy blocks only until the kernel pool is first initialised, then never fails.
        let result = getentropy(buffer.baseAddress, buffer.count)
        precondition(result == 0, "getentropy failed (errno \(errno)); no kernel randomness available")
        #endif
    }
}
