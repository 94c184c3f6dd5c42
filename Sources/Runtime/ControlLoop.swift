import Hardware
import MonotonicTime
import Policy
import RobotModel
import Tasks

/// Why a run ended. Every way ends with the motors' torque off.
public enum StopReason: Sendable, Equatable, CustomStringConvertible {
    /// The requested episodes or duration finished.
    case completed
    /// Ctrl-C, SIGTERM or another stop request.
    case stopRequested
    /// The policy produced an action the actuator map refused (non-finite).
    case unsafeAction(String)
    /// The backend failed (link loss, timeout, device fault).
    case backendFailure(String)

    public var description: String {
        switch self {
        case .completed: return "completed"
        case .stopRequested: return "stopped on request"
        case .unsafeAction(let reason): return "safety stop: \(reason)"
        case .backendFailure(let reason): return "arm fault: \(reason)"
        }
    }

    /// Whether the run ended because something went wrong.
    public var isFault: Bool {
        switch self {
        case .completed, .stopRequested: return false
        case .unsafeAction, .backendFailure: return true
        }
    }
}

/// One finished (or cut-short) episode.
public struct EpisodeResult: Sendable, Equatable {
    public var returnValue: Double
    public var finalDistance: Double
    public var steps: Int
}

/// What a deploy run did.
public struct RunSummary: Sendable {
    public var timing: LoopTiming
    public var episodes: [EpisodeResult]
    public var interventions: SafetyGuard.Interventions
    public var stopReason: StopReason
    /// Joint positions after every step, for comparing runs (only when recording was asked for).
    public var trajectory: [[Double]]
}

/// The deploy loop: a policy on any environment over an actuated arm, at a fixed rate on the
/// monotonic clock (`PeriodicSchedule`: absolute deadlines, so lateness never accumulates, skipped
/// deadlines after an overrun, timing statistics). Each cycle acts on the latest observation; the
/// environment's step maps and guards the torques, writes them and reads the arm back through its
/// `ActuatedArm`. Any error, a stop request or the end of the run leaves the arm deactivated.
public final class ControlLoop {
    public let environment: any ArmEnvironment
    public let policy: ActorPolicy
    /// Control period, s; the robot's unless overridden.
    public let period: Double
    /// When false the loop runs as fast as the backend allows (lockstep emulation, simulation checks).
    public let realTime: Bool

    private var observation: [Float]
    private var action: [Double]

    public init(environment: any ArmEnvironment, policy: ActorPolicy, period: Double? = nil, realTime: Bool = true) {
        self.environment = environment
        self.policy = policy
        self.period = period ?? environment.arm.robot.control.period
        self.realTime = realTime
        observation = Array(repeating: 0, count: environment.observationSize)
        action = Array(repeating: 0, count: environment.actionSize)
    }

    /// Runs `episodes` episodes, or for `duration` seconds, whichever is given (episodes win); a
    /// timed run ends at its duration even when the next deadline is later. `stop` (a signal handler
    /// requests it) is checked every cycle and wakes the wait for the next deadline, so a stop is
    /// prompt whatever the period; it also ends a move to an episode's start (`ActuatedArm.stop`). `recordTrajectory` keeps joint positions per step (allocates;
    /// for tests and comparisons). `onCycle` sees the timing after each cycle's work (a flight recorder).
    public func run(
        episodes: Int?, duration: Double?, seed: UInt64, recordTrajectory: Bool = false,
        stop: StopRequest = StopRequest(), onEpisode: (Int, EpisodeResult) -> Void = { _, _ in },
        onCycle: (LoopTiming) -> Void = { _ in }
    ) -> RunSummary {
        let task = environment
        let plannedCycles = episodes.map { $0 * task.maxEpisodeSteps } ?? Int(((duration ?? 60) / period).rounded(.up))
        var schedule = PeriodicSchedule(period: period, realTime: realTime, expectedCycles: plannedCycles)
        var summary = RunSummary(
            timing: schedule.timing, episodes: [], interventions: task.arm.interventions, stopReason: .completed, trajectory: [])
        defer { task.arm.deactivate() }
        task.arm.stop = stop

        var episodeReturn = 0.0
        var episodeSteps = 0
        var needsReset = true
        var started = MonotonicClock.seconds()
        let interventionsBefore = task.arm.interventions

        loop: while true {
            if let episodes, summary.episodes.count >= episodes { break }
            if episodes == nil, let duration, MonotonicClock.seconds() - started >= duration { break }
            if stop.isRequested {
                summary.stopReason = .stopRequested
                break
            }
            if needsReset {
                do {
                    try task.reset(seed: summary.episodes.isEmpty ? seed : nil, observation: &observation)
                } catch {
                    // A move to the start pose ends early on a stop: a stop, not a fault.
                    summary.stopReason = stop.isRequested ? .stopRequested : .backendFailure(String(describing: error))
                    break
                }
                needsReset = false
                episodeReturn = 0
                episodeSteps = 0
                schedule.restart()
                if summary.episodes.isEmpty { started = MonotonicClock.seconds() }
            }

            // A timed run wakes at its end rather than sleep on to a deadline after it.
            let end = episodes == nil ? duration.map { started + $0 } ?? .infinity : .infinity
            switch schedule.waitForNextCycle(until: end, unless: stop) {
            case .tick: break
            case .ended: break loop
            case .stopped:
                summary.stopReason = .stopRequested
                break loop
            }

            policy.act(observation: observation, into: &action)
            let outcome: StepOutcome
            do {
                outcome = try task.step(action: action, observation: &observation)
            } catch let error as ActionError {
                summary.stopReason = .unsafeAction(error.description)
                break
            } catch {
                summary.stopReason = .backendFailure(String(describing: error))
                break
            }
            schedule.finishCycle(idle: task.arm.backend.lastStepWait)
            onCycle(schedule.timing)
            if recordTrajectory { summary.trajectory.append(task.arm.state.position) }

            episodeReturn += outcome.reward
            episodeSteps += 1
            if outcome.terminated || outcome.truncated {
                let result = EpisodeResult(returnValue: episodeReturn, finalDistance: task.distance, steps: episodeSteps)
                summary.episodes.append(result)
                onEpisode(summary.episodes.count, result)
                needsReset = true
            }
        }
        summary.timing = schedule.timing
        summary.interventions = task.arm.interventions - interventionsBefore
        return summary
    }
}
