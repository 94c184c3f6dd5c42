/// Results of running whole reach episodes with some controller.
public struct ReachEvaluation: Sendable, Equatable, Codable {
    /// Undiscounted return of each episode.
    public var returns: [Double]
    /// Fingertip-to-target distance at the end of each episode, m.
    public var finalDistances: [Double]
    /// Distance under which an episode counts as a success, m.
    public var successRadius: Double
    /// The control part of each episode's cost, Σ‖a‖² over its steps (the return is minus this
    /// and minus the summed distances): what a weaker or heavier plant costs in effort rather
    /// than in reaching. Empty where the actions were not seen.
    public var controlCosts: [Double]

    public init(returns: [Double], finalDistances: [Double], successRadius: Double, controlCosts: [Double] = []) {
        self.returns = returns
        self.finalDistances = finalDistances
        self.successRadius = successRadius
        self.controlCosts = controlCosts
    }

    public var meanReturn: Double { returns.reduce(0, +) / Double(max(1, returns.count)) }
    public var returnStandardDeviation: Double {
        let mean = meanReturn
        return (returns.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(1, returns.count))).squareRoot()
    }
    public var meanFinalDistance: Double { finalDistances.reduce(0, +) / Double(max(1, finalDistances.count)) }
    public var meanControlCost: Double { controlCosts.reduce(0, +) / Double(max(1, controlCosts.count)) }
    public var successRate: Double {
        Double(finalDistances.filter { $0 < successRadius }.count) / Double(max(1, finalDistances.count))
    }
}

extension ReachEnvironment {
    /// Runs `episodes` episodes from `seed`, asking `act` for each normalized action, and
    /// reports returns and final distances; `onEpisode` sees each finished episode.
    public func evaluate(
        episodes: Int, seed: UInt64, successRadius: Double = 0.01,
        act: ([Float], inout [Double]) -> Void,
        onEpisode: (Int, Double, Double) -> Void = { _, _, _ in }
    ) throws -> ReachEvaluation {
        var observation = [Float](repeating: 0, count: observationSize)
        var action = [Double](repeating: 0, count: actionSize)
        var result = ReachEvaluation(returns: [], finalDistances: [], successRadius: successRadius)
        for episode in 0..<episodes {
            try reset(seed: episode == 0 ? seed : nil, observation: &observation)
            var total = 0.0
            var control = 0.0
            var done = false
            while !done {
                act(observation, &action)
                let outcome = try step(action: action, observation: &observation)
                total += outcome.reward
                for a in action { control += a * a }
                done = outcome.terminated || outcome.truncated
            }
            result.returns.append(total)
            result.controlCosts.append(control)
            result.finalDistances.append(distance)
            onEpisode(episode, total, distance)
        }
        return result
    }
}
