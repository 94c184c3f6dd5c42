/// The one layout of a transition (s, a, r, terminated, s′) as a row of float32: the replay
/// buffer, its sampled batches, the real-time trainer's hand-off ring and checkpoints all use it,
/// so the offsets are written here only.
public struct TransitionLayout: Sendable, Equatable {
    public let observationSize: Int
    public let actionSize: Int

    public init(observationSize: Int, actionSize: Int) {
        self.observationSize = observationSize
        self.actionSize = actionSize
    }

    /// Offsets of the parts of a row.
    public var observation: Int { 0 }
    public var action: Int { observationSize }
    public var reward: Int { observationSize + actionSize }
    public var terminated: Int { observationSize + actionSize + 1 }
    public var nextObservation: Int { observationSize + actionSize + 2 }
    /// Floats per row: 2·observation + action + 2.
    public var rowSize: Int { 2 * observationSize + actionSize + 2 }

    /// Writes one transition into `row`. `terminated` masks the bootstrap; a time-limit truncation must not set it.
    public func write(
        into row: UnsafeMutablePointer<Float>, observation: [Float], action: [Double], reward: Double, terminated: Bool,
        nextObservation: [Float]
    ) {
        for i in 0..<observationSize { row[self.observation + i] = observation[i] }
        for i in 0..<actionSize { row[self.action + i] = Float(action[i]) }
        row[self.reward] = Float(reward)
        row[self.terminated] = terminated ? 1 : 0
        for i in 0..<observationSize { row[self.nextObservation + i] = nextObservation[i] }
    }
}
