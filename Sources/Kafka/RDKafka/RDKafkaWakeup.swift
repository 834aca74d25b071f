#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CRdKafka

/// A pipe that wakes a polling thread: librdkafka writes to it when a queue goes from empty to
/// non-empty (`rd_kafka_queue_io_event_enable`), and Swift code writes to it to ask the thread to
/// look at its state (a close, a flush, a reader wanting more). The thread never sleeps on a timer.
final class RDKafkaWakeup: @unchecked Sendable {
    private let readEnd: Int32
    private let writeEnd: Int32

    init() {
        var fds: [Int32] = [0, 0]
        let result = fds.withUnsafeMutableBufferPointer { pipe($0.baseAddress!) }
        precondition(result == 0, "pipe() failed: errno \(errno)")
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        readEnd = fds[0]
        writeEnd = fds[1]
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }

    /// Makes librdkafka write to this pipe whenever `queue` becomes non-empty.
    func attach(to queue: OpaquePointer) {
        var payload: UInt8 = 1
        rd_kafka_queue_io_event_enable(queue, writeEnd, &payload, 1)
    }

    func detach(from queue: OpaquePointer) {
        rd_kafka_queue_io_event_enable(queue, -1, nil, 0)
    }

    /// Wakes the thread blocked in ``wait(timeoutMilliseconds:)``.
    func signal() {
        var byte: UInt8 = 1
        // A full pipe already holds a wake-up; losing this byte loses nothing.
        _ = write(writeEnd, &byte, 1)
    }

    /// Blocks until the pipe is written to or the timeout passes (-1: no timeout), then empties it.
    func wait(timeoutMilliseconds: Int32) {
        var descriptor = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
        _ = poll(&descriptor, 1, timeoutMilliseconds)
        drain()
    }

    /// Empties the pipe so the next write is the next wake-up.
    func drain() {
        var buffer = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        while withUnsafeMutableBytes(of: &buffer, { read(readEnd, $0.baseAddress, $0.count) }) > 0 {}
    }
}
