import Foundation

/// Starts the dedicated thread a client polls librdkafka on, so that no blocking C call ever runs
/// on Swift's cooperative thread pool.
enum RDKafkaPollThread {
    static func start(name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.name = name
        thread.start()
    }
}
