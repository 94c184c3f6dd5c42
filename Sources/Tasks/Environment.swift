import DeterministicRandom
import Hardware
import RobotModel

/// What one environment step returned besides the observation.
public struct StepOutcome: Sendable, Equatable {
    public var reward: Double
    /// The episode reached a terminal state: do not bootstrap from the next observation.
    public var terminated: Bool
    /// The episode was cut short (time limit): bootstrap through it.
    public var truncated: Bool

    public init(reward: Double, terminated: Bool, truncated: Bool) {
        self.reward = reward
        self.terminated = terminated
        self.truncated = truncated
    }
}

/// A reinforcement-learning environment in Gymnasium's shape: reset(seed:) and step(action)
/// giving an observation, a reward and the two ways an episode ends. Observations are written
/// into a caller-owned float32 buffer (the actor's input type) so stepping does not allocate.
public protocol Environment: AnyObject {
    /// Length of the observation vector.
    var observationSize: Int { get }
    /// Length of the normalized action vector; each component in [-1, 1].
    var actionSize: Int { get }
    /// Steps after which an episode is truncated.
    var maxEpisodeSteps: Int { get }
    /// The environment's random stream (resets draw from it); saved in checkpoints.
    var random: Xoshiro256 { get set }

    /// Starts an episode. A seed restarts the random stream; nil continues it.
    func reset(seed: UInt64?, observation: inout [Float]) throws
    /// Applies a normalized action for one control period.
    func step(action: [Double], observation: inout [Float]) throws -> StepOutcome
}

/// An environment over an actuated arm: what the deploy loop runs. The loop needs the arm (to
/// switch it off whatever happens, and for the guard's report) and how far the episode ended from
/// its goal; the observation layout and the task stay the environment's business.
public protocol ArmEnvironment: Environment {
    /// The arm's safety stage and backend.
    var arm: ActuatedArm { get }
    /// The observation layout a policy for this environment must have been trained on.
    var layout: ObservationLayout { get }
    /// How far the arm is from the episode's goal now, in the task's unit (the reach task: m).
    var distance: Double { get }
}

/// An environment that may draw a new plant every episode (domain randomization): the trainers
/// log the drawn plant with each finished episode.
public protocol PlantDrawing {
    /// The current episode's plant; nil when the environment does not randomize.
    var drawnPlant: PlantVariation? { get }
    /// The ranges drawn from (`PlantRandomization.summary`), `none` when not randomizing: what a
    /// checkpoint records so that a resumed run draws as the run did.
    var randomizationSummary: String { get }
}
