import Foundation

/// A process's resident memory from `/proc/<pid>/status`: `VmRSS` (now) and `VmHWM` (the peak
/// so far), in bytes; 0 when unreadable.
struct ProcessMemory {
    var resident = 0
    var peakResident = 0

    init(resident: Int = 0, peakResident: Int = 0) {
        self.resident = resident
        self.peakResident = peakResident
    }

    init(processID: Int32) {
        guard let status = try? String(contentsOfFile: "/proc/\(processID)/status", encoding: .utf8) else { return }
        for line in status.split(separator: "\n") {
            // `VmRSS:	   12345 kB`
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, let kilobytes = Int(fields[1]) else { continue }
            switch fields[0] {
            case "VmRSS:": resident = kilobytes * 1024
            case "VmHWM:": peakResident = kilobytes * 1024
            default: break
            }
        }
    }

    /// `12.3 MB` (10^6 bytes).
    static func megabytes(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1e6) }
}
