import Dispatch
import Foundation
import MonotonicTime

/// The one place where a command learns that it must stop early: SIGINT (Ctrl-C), SIGTERM and
/// SIGHUP (the terminal or SSH session went away), and standard output that can no longer be
/// written (its reader exited, as `head` does). Each becomes a `StopRequest` that loops check and
/// that their sleeps wake for, so a stop always goes through the command's clean shutdown (torque
/// off, DISABLE sent, logs and checkpoint written, links removed) instead of killing the process
/// mid-command. SIGPIPE is ignored so that a closed pipe is an EPIPE error here, not death.
final class StopSignals {
    /// Requested when a signal arrives or the output is gone; hand it to loops and sleeps.
    let stop = StopRequest()
    private var sources: [any DispatchSourceSignal] = []
    private var outputFailed = false

    init() {
        signal(SIGPIPE, SIG_IGN)
        let numbers = [SIGINT, SIGTERM, SIGHUP]
        for number in numbers {
            // Signals arrive as events on a queue, not as handlers interrupting whatever runs.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            let stop = self.stop
            source.setEventHandler { stop.request() }
            source.resume()
            sources.append(source)
        }
        waitUntilCaught(numbers)
    }

    deinit { for source in sources { source.cancel() } }

    /// Blocks until a stop is asked for.
    func wait() { MonotonicClock.sleep(until: .infinity, unless: stop) }

    /// Pushes what was printed to standard output now (a person tailing a log, or a script waiting
    /// for a line, sees it) and requests a stop if it cannot be written: nobody can see the run any more.
    func flushOutput() {
        if fflush(nil) != 0 {
            outputFailed = true
            stop.request()
        }
    }

    /// Says on standard error, if the output was lost, why the command stopped early.
    func reportLostOutput() {
        if outputFailed {
            printWarning("standard output could not be written (its reader exited or the terminal closed), so the command stopped as on Ctrl-C")
        }
    }
}

/// Waits (up to a second) until the signal sources' handlers are in place. libdispatch on Linux
/// installs them from its manager thread after `resume()`; until then the disposition is still
/// SIG_IGN and a signal is lost, so a script that stops a command right after it started would hang.
private func waitUntilCaught(_ numbers: [Int32]) {
    #if os(Linux)
    func ignored(_ number: Int32) -> Bool {
        var current = sigaction()
        guard sigaction(number, nil, &current) == 0 else { return false }
        return unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self)
    }
    let deadline = Date().addingTimeInterval(1)
    while numbers.contains(where: ignored) && Date() < deadline { usleep(1000) }
    #endif
}
