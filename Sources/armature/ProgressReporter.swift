import Foundation
import MonotonicTime

/// Progress of long work on standard error (standard output stays for results): silent for the
/// first few seconds, so quick runs print nothing extra, then a line every few seconds.
final class ProgressReporter {
    private let what: String
    private let started = MonotonicClock.seconds()
    private var lastPrinted: Double
    private var printed = false
    /// Quiet this long, then one line per interval.
    static let interval = 3.0

    init(what: String) {
        self.what = what
        lastPrinted = started
    }

    func report(fraction: Double, detail: String) {
        let now = MonotonicClock.seconds()
        guard now - lastPrinted >= Self.interval else { return }
        lastPrinted = now
        printed = true
        let elapsed = now - started
        let remaining = fraction > 0 ? elapsed * (1 - fraction) / fraction : .infinity
        let eta = remaining.isFinite ? String(format: ", about %.0f s left", remaining) : ""
        let line = String(format: "%@: %.0f%% (%@), %.0f s%@\n", what, fraction * 100, detail, elapsed, eta)
        try? FileHandle.standardError.write(contentsOf: Data(line.utf8))
    }

    func finish() {
        guard printed else { return }
        let line = String(format: "%@: done in %.0f s\n", what, MonotonicClock.seconds() - started)
        try? FileHandle.standardError.write(contentsOf: Data(line.utf8))
    }
}
