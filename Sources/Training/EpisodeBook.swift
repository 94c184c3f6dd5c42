import RobotModel
import Tasks

/// Episode bookkeeping for both trainers: the running episode's return and length, the count of
/// finished episodes and the last ten returns (what progress shows and checkpoints keep), and the
/// scalars CleanRL logs when an episode ends.
public struct EpisodeBook: Sendable, Equatable {
    public private(set) var episodes = 0
    /// Returns of the last ten finished episodes, oldest first.
    public private(set) var recentReturns: [Double] = []
    public private(set) var currentReturn = 0.0
    public private(set) var currentLength = 0
    static let recentCount = 10

    public init() {}

    init(episodes: Int, recentReturns: [Double]) {
        self.episodes = episodes
        self.recentReturns = recentReturns
        self.recentReturns.reserveCapacity(Self.recentCount + 1)
    }

    /// Mean of `recentReturns`, nil before the first episode ends.
    public var meanRecentReturn: Double? { recentReturns.isEmpty ? nil : recentReturns.reduce(0, +) / Double(recentReturns.count) }

    mutating func beginEpisode() {
        currentReturn = 0
        currentLength = 0
    }

    mutating func record(reward: Double) {
        currentReturn += reward
        currentLength += 1
    }

    /// Closes the running episode at environment step `step` and logs `charts/episodic_return`
    /// and `charts/episodic_length`, and `randomization/<field>` for each field of the plant the
    /// episode ran on when it was drawn (domain randomization).
    mutating func finishEpisode(step: Int, log: ScalarSink?, plant: PlantVariation? = nil) throws {
        episodes += 1
        recentReturns.append(currentReturn)
        if recentReturns.count > Self.recentCount { recentReturns.removeFirst() }
        try log?.record(currentReturn, tag: "charts/episodic_return", step: step)
        try log?.record(Double(currentLength), tag: "charts/episodic_length", step: step)
        if let plant, let log {
            for field in PlantRandomization.fields {
                try log.record(plant[keyPath: field.value], tag: "randomization/\(field.name)", step: step)
            }
        }
    }
}
