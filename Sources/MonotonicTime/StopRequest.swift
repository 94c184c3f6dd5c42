import Synchronization

/// A request to stop, made from a signal's queue or another thread, that loops check between steps
/// and that `MonotonicClock.sleep(until:unless:)` wakes for: a stop never waits for a deadline.
public final class StopRequest: Sendable {
    private let requested = Atomic<Bool>(false)

    public init() {}

    /// Asks everything that watches this request to stop; asking again changes nothing.
    public func request() { requested.store(true, ordering: .releasing) }

    /// Whether a stop has been asked for.
    public var isRequested: Bool { requested.load(ordering: .acquiring) }
}
