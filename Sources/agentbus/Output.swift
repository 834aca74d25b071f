#if canImport(Glibc)
import Glibc
#endif

/// Line-at-a-time output: every line is written at once with `write(2)`, so a script or test
/// reading a pipe sees it immediately, and lines from concurrent tasks never interleave.
enum Output {
    static func line(_ text: String) { write(text + "\n", to: 1) }

    static func error(_ text: String) { write(text + "\n", to: 2) }

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
