#if canImport(Glibc)
import Glibc
#endif
import Dispatch

/// Waits for SIGINT or SIGTERM, so long-running commands stop cleanly instead of dying mid-write.
enum ShutdownSignal {
    /// Returns the signal's name once one arrives.
    static func wait() async -> String {
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let (names, sink) = AsyncStream<String>.makeStream()
        var sources: [any DispatchSourceSignal] = []
        for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { sink.yield(name) }
            source.resume()
            sources.append(source)
        }
        var iterator = names.makeAsyncIterator()
        let name = await iterator.next() ?? "SIGTERM"
        for source in sources { source.cancel() }
        return name
    }
}
