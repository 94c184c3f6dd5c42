import Dispatch
import Foundation
import Synchronization

/// The signal number that asked the process to stop, shared with the signal handlers.
final class StopRequest: Sendable {
    let signal = Atomic<Int32>(0)
}

/// Turns SIGINT and SIGTERM into a flag the control loop polls, so that a stop always goes
/// through the loop's clean shutdown (torque off) instead of killing the process mid-command.
final class StopSignals {
    private let request = StopRequest()
    private var sources: [any DispatchSourceSignal] = []

    init() {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            let request = self.request
            source.setEventHandler { request.signal.store(number, ordering: .relaxed) }
            source.resume()
            sources.append(source)
        }
    }

    /// The signal that asked to stop, if any.
    var received: Int32? {
        let value = request.signal.load(ordering: .relaxed)
        return value == 0 ? nil : value
    }
}
