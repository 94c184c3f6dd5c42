import Synchronization

/// A bounded single-producer, single-consumer queue of fixed-size samples (rows of doubles) in memory
/// allocated once: the control thread copies a step's values into the next free row and publishes it
/// with one atomic store; the writer thread reads rows in order and frees them. Neither side locks,
/// allocates or waits on the other.
public final class SampleRing: @unchecked Sendable {
    public let width: Int
    public let capacity: Int
    private let storage: UnsafeMutablePointer<Double>
    private let produced = Atomic<Int>(0)
    private let consumed = Atomic<Int>(0)

    public init(width: Int, capacity: Int) {
        self.width = width
        self.capacity = capacity
        storage = .allocate(capacity: width * capacity)
        storage.initialize(repeating: 0, count: width * capacity)
    }

    deinit { storage.deallocate() }

    /// Producer: the next free row to fill, or nil when the ring is full.
    public func reserve() -> UnsafeMutablePointer<Double>? {
        let next = produced.load(ordering: .relaxed)
        guard next - consumed.load(ordering: .acquiring) < capacity else { return nil }
        return storage + (next % capacity) * width
    }

    /// Producer: hands the row `reserve` returned to the consumer.
    public func publish() { produced.add(1, ordering: .releasing) }

    /// Consumer: the oldest published row, or nil when there is none.
    public func peek() -> UnsafeMutablePointer<Double>? {
        let next = consumed.load(ordering: .relaxed)
        guard next < produced.load(ordering: .acquiring) else { return nil }
        return storage + (next % capacity) * width
    }

    /// Consumer: frees the row `peek` returned.
    public func release() { consumed.add(1, ordering: .releasing) }
}
