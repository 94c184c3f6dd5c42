import DeterministicRandom
import Hardware
import RobotModel

/// The reach task on an actuated arm: an `Environment` for training and evaluation, and what the
/// deploy loop steps. The arm (map, guard, backend) does the acting; the task only looks. A reset
/// activates the arm if it is not active; deactivating it stays with whoever owns the backend.
public final class ReachEnvironment: ArmEnvironment, PlantDrawing {
    public let arm: ActuatedArm
    public let task: ReachTask
    public var random = Xoshiro256(seed: 0)
    /// Goal of the current episode in the base frame, m.
    public private(set) var goal: (x: Double, y: Double) = (0, 0)
    /// Steps taken in the current episode.
    public private(set) var episodeStep = 0
    /// Sees every episode start and step (a flight recorder); nil when nobody watches.
    public var observer: (any ReachObserver)?
    /// How episodes start on this arm (default: placed on a simulator, moved on hardware).
    public var episodeStart: EpisodeStart
    /// Domain randomization: a plant drawn from these ranges at every reset, before the start and
    /// the goal, from the environment's own random stream (so a checkpoint's stream restores it).
    /// Only a simulated arm can change its plant; `init` refuses it for others.
    public let randomization: PlantRandomization?
    /// The plant of the current episode when randomizing; nil otherwise.
    public private(set) var drawnPlant: PlantVariation?
    public var randomizationSummary: String { randomization?.summary ?? "none" }

    /// The action sent one period before (zero at an episode's start), for layouts that observe it.
    public private(set) var previousAction: [Double]
    private var startPosition: [Double]
    private var startVelocity: [Double]

    public init(
        robot: RobotDescription, backend: any ArmBackend, goalRadius: Double? = nil, maxEpisodeSteps: Int = 50,
        episodeStart: EpisodeStart? = nil, randomization: PlantRandomization? = nil, previousAction: Bool = false
    ) {
        precondition(randomization == nil || backend is SimulatedArm, "only a simulated arm can change its plant")
        self.randomization = randomization
        arm = ActuatedArm(robot: robot, backend: backend)
        self.episodeStart = episodeStart ?? .default(for: backend)
        task = ReachTask(robot: robot, goalRadius: goalRadius, maxEpisodeSteps: maxEpisodeSteps, previousAction: previousAction)
        self.previousAction = Array(repeating: 0, count: robot.jointCount)
        startPosition = Array(repeating: 0, count: robot.jointCount)
        startVelocity = Array(repeating: 0, count: robot.jointCount)
    }

    public var robot: RobotDescription { arm.robot }
    public var backend: any ArmBackend { arm.backend }
    public var layout: ObservationLayout { task.layout }
    public var observationSize: Int { task.observationSize }
    public var actionSize: Int { robot.jointCount }
    public var maxEpisodeSteps: Int { task.maxEpisodeSteps }
    /// The arm's state after the last reset or step.
    public var state: JointState { arm.state }
    /// Torque commands the guard altered since the environment was made.
    public var interventions: SafetyGuard.Interventions { arm.interventions }
    /// Current fingertip position, m.
    public var fingertip: (x: Double, y: Double) { task.fingertip(state.position) }
    /// Current fingertip-to-goal distance, m.
    public var distance: Double { task.distance(state, goal: goal) }

    /// A new episode: start and goal drawn from `random` (the same draws however the episode
    /// starts, so goals repeat across simulator and hardware runs of one seed), then the arm
    /// brought to its start as `episodeStart` says.
    public func reset(seed: UInt64?, observation: inout [Float]) throws {
        if let seed { random = Xoshiro256(seed: seed) }
        // Activation reads the sensors; done before the noise is reseeded, a fresh environment (one
        // restored from a checkpoint) and one that ran on start the episode on the same readings.
        try arm.activate()
        if let simulated = backend as? SimulatedArm {
            if let randomization {
                let plant = randomization.draw { random.nextUnit() }
                simulated.reconfigure(to: plant.applied(to: robot))
                drawnPlant = plant
            }
            // Each episode's sensor noise seeded from the environment's stream without drawing from
            // it: a checkpoint, which saves the stream, restores the noise too, and the starts and
            // goals stay those of a noise-free plant (Gymnasium's on the exact reacher), so a
            // robustness report compares every plant on the same episodes.
            if simulated.gap.isNoisy { simulated.reseedNoise(noiseSeed) }
        }
        let goal = task.sampleStart(&random, position: &startPosition, velocity: &startVelocity)
        try start(position: startPosition, velocity: startVelocity, goal: goal, observation: &observation)
    }

    /// A seed for the episode's sensor noise: the environment stream's state, hashed (by the
    /// generator's seeding) apart from the draws the stream itself will make.
    private var noiseSeed: UInt64 {
        let (a, b, c, d) = random.state
        return a ^ (b &* 0x9E37_79B9_7F4A_7C15) ^ (c << 17 | c >> 47) ^ (d &+ 0x6E6F_6973_6500_0000)
    }

    /// Starts an episode from a given arm state and goal instead of random ones (deployment to a
    /// chosen goal, comparisons with a reference).
    public func start(position: [Double], velocity: [Double], goal: (x: Double, y: Double), observation: inout [Float]) throws {
        try arm.begin(episodeStart, position: position, velocity: velocity)
        self.goal = goal
        episodeStep = 0
        for i in previousAction.indices { previousAction[i] = 0 }
        task.observe(state, goal: goal, previousAction: previousAction, into: &observation)
        observer?.episodeStarted(self)
    }

    public func step(action: [Double], observation: inout [Float]) throws -> StepOutcome {
        try arm.command(action)
        episodeStep += 1
        // Only an action the arm took (a non-finite one was refused above) becomes the previous one.
        for i in previousAction.indices { previousAction[i] = action[i] }
        task.observe(state, goal: goal, previousAction: previousAction, into: &observation)
        let outcome = StepOutcome(
            reward: task.reward(state, goal: goal, action: action), terminated: false, truncated: task.isTruncated(steps: episodeStep))
        observer?.stepped(self, action: action, outcome: outcome)
        return outcome
    }
}
