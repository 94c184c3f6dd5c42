import Dispatch
import Foundation
import Synchronization

/// The signal number that asked the process to stop, shared with the signal handlers.
final class StopRequest: Sendable {
    let signal = Atomic<Int32>(0)
    let semaphore = DispatchSemaphore(value: 0)
}

/// Turns SIGINT and SIGTERM into a flag that loops poll (or `wait()` blocks on), so a stop always
/// goes through the command's clean shutdown (torque off, links closed) instead of killing the
/// process mid-command.
final class StopSignals {
    private let request = StopRequest()
    private var sources: [any DispatchSourceSignal] = []

    init() {
        for number in [SIGINT, SIGTERM] {
            // Signals arrive as events on a queue, not as handlers interrupting whatever runs.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            let request = self.request
            source.setEventHandler {
                request.signal.store(number, ordering: .relaxed)
                request.semaphore.signal()
            }
            source.resume()
            sources.append(source)
        }
        waitUntilCaught([SIGINT, SIGTERM])
    }

    deinit { for source in sources { source.cancel() } }

    /// The signal that asked to stop, if any.
    var received: Int32? {
        let value = request.signal.load(ordering: .relaxed)
        return value == 0 ? nil : value
    }

    /// Blocks until SIGINT or SIGTERM arrives.
    func wait() { request.semaphore.wait() }
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
