#if canImport(Glibc)
import Glibc
#endif

/// Line-at-a-time output: every line is written at once with `write(2)`, so a script or test
/// reading a pipe sees it immediately, and lines from concurrent tasks never interleave.
enum Output {
    static func line(_ text: String) { write(text + "\n", to: 1) }

    static func error(_ text: String) { write(text + "\n", to: 2) }

    /// Writes to stderr without ending the line: a progress line on a terminal, rewritten in
    /// place with `\r`.
    static func errorFragment(_ text: String) { write(text, to: 2) }

    /// True when stderr is a terminal, where a progress line can be rewritten in place.
    static var standardErrorIsTerminal: Bool { isatty(2) == 1 }

    private static func write(_ text: String, to descriptor: Int32) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }
}
