import DeterministicRandom
import NeuralNetwork

/// Transitions (s, a, r, terminated, s′) in one preallocated contiguous float32 ring.
///
/// Each transition is one row of 2·observation + action + 2 floats —
/// `bytesPerTransition` = 4·(2·O + A + 2), 96 bytes for the reacher (O = 10, A = 2), so the
/// default million transitions take 96 MB. Inserting overwrites the oldest row when full (O(1));
/// sampling copies whole rows into a caller-owned `ReplayBatch` without allocating.
public final class ReplayBuffer: @unchecked Sendable {
    public let capacity: Int
    public let observationSize: Int
    public let actionSize: Int
    /// Where each part of a transition sits in a row.
    public let layout: TransitionLayout
    /// Floats per row: observation, action, reward, terminated flag, next observation.
    public var rowSize: Int { layout.rowSize }
    public private(set) var count = 0
    /// Where the next insert goes.
    public private(set) var nextIndex = 0
    let storage: FloatBuffer

    public init(capacity: Int, observationSize: Int, actionSize: Int) {
        precondition(capacity > 0, "capacity must be positive")
        self.capacity = capacity
        self.observationSize = observationSize
        self.actionSize = actionSize
        layout = TransitionLayout(observationSize: observationSize, actionSize: actionSize)
        storage = FloatBuffer(count: capacity * layout.rowSize)
    }

    public var bytesPerTransition: Int { rowSize * MemoryLayout<Float>.size }

    /// Stores one transition. `terminated` masks the bootstrap; a time-limit truncation must not set it.
    public func add(observation: [Float], action: [Double], reward: Double, terminated: Bool, nextObservation: [Float]) {
        layout.write(
            into: storage.pointer + nextIndex * rowSize, observation: observation, action: action, reward: reward, terminated: terminated,
            nextObservation: nextObservation)
        nextIndex = (nextIndex + 1) % capacity
        count = min(count + 1, capacity)
    }

    /// Stores one transition already laid out as `layout` says (the real-time trainer's hand-off ring).
    public func add(row: UnsafePointer<Float>) {
        (storage.pointer + nextIndex * rowSize).update(from: row, count: rowSize)
        nextIndex = (nextIndex + 1) % capacity
        count = min(count + 1, capacity)
    }

    /// Fills `batch` with `batch.size` transitions drawn uniformly with replacement.
    public func sample(into batch: ReplayBatch, using random: inout Xoshiro256) {
        precondition(count > 0, "sampling an empty buffer")
        for b in 0..<batch.size {
            // Unbiased index in [0, count) from the high word of a 64×64-bit product.
            let index = Int(random.next().multipliedFullWidth(by: UInt64(count)).high)
            (batch.rows.pointer + b * rowSize).update(from: storage.pointer + index * rowSize, count: rowSize)
        }
    }

    /// The stored rows in insertion ring order, for checkpoints.
    public var rows: [Float] { Array(UnsafeBufferPointer(start: storage.pointer, count: count * rowSize)) }

    /// Restores rows and ring position saved from a buffer of `savedCapacity` rows, which may be
    /// smaller than this one (a resumed run that asks for more steps). A grown buffer holds the
    /// saved rows oldest first, so it continues as one that had been this large all along would
    /// whenever the saved one never overwrote a row.
    public func restore(rows: [Float], count: Int, nextIndex: Int, savedCapacity: Int) {
        precondition(
            rows.count == count * rowSize && savedCapacity <= capacity && count <= savedCapacity && nextIndex < savedCapacity,
            "replay state does not fit")
        rows.withUnsafeBufferPointer { saved in
            if savedCapacity == capacity || count < savedCapacity {
                storage.pointer.update(from: saved.baseAddress!, count: rows.count)
            } else {
                // A full ring: its oldest row is at nextIndex.
                let older = (count - nextIndex) * rowSize
                storage.pointer.update(from: saved.baseAddress! + nextIndex * rowSize, count: older)
                (storage.pointer + older).update(from: saved.baseAddress!, count: nextIndex * rowSize)
            }
        }
        self.count = count
        self.nextIndex = savedCapacity == capacity ? nextIndex : count % capacity
    }
}

/// A sampled minibatch: `size` rows laid out as in the replay buffer.
public final class ReplayBatch: @unchecked Sendable {
    public let size: Int
    public let layout: TransitionLayout
    public let rows: FloatBuffer

    public init(size: Int, observationSize: Int, actionSize: Int) {
        self.size = size
        layout = TransitionLayout(observationSize: observationSize, actionSize: actionSize)
        rows = FloatBuffer(count: size * layout.rowSize)
    }

    public var observationSize: Int { layout.observationSize }
    public var actionSize: Int { layout.actionSize }
    /// Row `b`, laid out as `layout` says.
    public func row(_ b: Int) -> UnsafeMutablePointer<Float> { rows.pointer + b * layout.rowSize }
    func observation(_ b: Int) -> UnsafeMutablePointer<Float> { row(b) + layout.observation }
    func action(_ b: Int) -> UnsafeMutablePointer<Float> { row(b) + layout.action }
    func reward(_ b: Int) -> Float { row(b)[layout.reward] }
    func terminated(_ b: Int) -> Float { row(b)[layout.terminated] }
    func nextObservation(_ b: Int) -> UnsafeMutablePointer<Float> { row(b) + layout.nextObservation }
}
