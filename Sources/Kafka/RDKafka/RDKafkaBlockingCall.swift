import Foundation

/// Runs a blocking librdkafka call (metadata, committed offsets, admin results) on a thread of its
/// own and awaits it, so it never occupies a thread of Swift's cooperative pool.
enum RDKafkaBlockingCall {
    static func run<T: Sendable>(_ name: String, _ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.name = name
            thread.start()
        }
    }
}
