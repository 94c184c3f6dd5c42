import Foundation
import RobotModel

/// The description's `actuation` section at work, one control period at a time, inside
/// `ActuatedArm.command`: a first-order low-pass on the normalized action (before the map) and a
/// per-joint torque-rate limit (after it, before the guard, which keeps the final word).
///
/// The low-pass is the exact discretisation of a first-order lag over one control period,
/// a_f ← a_f + (1 − e^(−period/T))·(a − a_f), so a time constant means the same at any rate. The
/// rate limit holds each torque within limit × period of the torque sent the period before: what
/// the motors actually got, so a torque the guard cut ramps back up rather than jumping.
public struct ActuationFilter: Sendable {
    public let settings: ActuationSettings
    /// The fraction of the way to a new action the filtered one moves in one period,
    /// 1 − e^(−period/T); 1 (no filter) when T is 0.
    public let actionGain: Double
    /// The largest torque change per period per joint, N·m; infinity where there is no limit.
    public let torqueSteps: [Double]
    /// The low-pass's state: the filtered normalized action, in [-1, 1].
    public private(set) var action: [Double]
    /// The torques sent the period before, N·m, that the next command's may change from.
    public private(set) var previousTorques: [Double]
    /// Commands the low-pass changed (any component).
    public private(set) var smoothedCommands = 0
    /// Torque components the rate limit cut.
    public private(set) var rateLimitedTorques = 0

    public init(settings: ActuationSettings, period: Double) {
        self.settings = settings
        let n = settings.torqueRateLimit.count
        // −expm1(−x) is 1 − e^(−x) without cancellation when the time constant is long.
        actionGain = settings.actionTimeConstant > 0 ? -expm1(-period / settings.actionTimeConstant) : 1
        torqueSteps = settings.torqueRateLimit.map { $0 > 0 ? $0 * period : .infinity }
        action = Array(repeating: 0, count: n)
        previousTorques = Array(repeating: 0, count: n)
    }

    public init(robot: RobotDescription, period: Double) { self.init(settings: robot.actuation, period: period) }

    /// Whether the low-pass acts; without it the action path is the map alone, bit for bit.
    public var smoothsActions: Bool { settings.actionTimeConstant > 0 }

    /// Moves the filtered action one period towards `actions`, which must be finite and one per
    /// joint (the map refuses anything else before this is called, so NaN never enters the
    /// state). Each component is clamped to [-1, 1] first, as the map would, so an action out of
    /// range cannot wind the filter up beyond what any torque could follow.
    public mutating func smooth(_ actions: [Double]) {
        var changed = false
        for i in action.indices {
            let target = min(1, max(-1, actions[i]))
            action[i] += actionGain * (target - action[i])
            if action[i] != target { changed = true }
        }
        if changed { smoothedCommands += 1 }
    }

    /// Holds each torque within its step of the previous period's, in place.
    public mutating func limitRate(_ torques: inout [Double]) {
        for i in torques.indices where torqueSteps[i].isFinite {
            let low = previousTorques[i] - torqueSteps[i]
            let high = previousTorques[i] + torqueSteps[i]
            if torques[i] > high {
                torques[i] = high
                rateLimitedTorques += 1
            } else if torques[i] < low {
                torques[i] = low
                rateLimitedTorques += 1
            }
        }
    }

    /// Records what was sent this period, the base of the next period's rate limit.
    public mutating func sent(_ torques: [Double]) {
        for i in previousTorques.indices { previousTorques[i] = torques[i] }
    }

    /// Starts again from a zero action and from `torques` (what holds the arm now; zero when
    /// nothing does). A non-finite reading counts as zero: it must not poison the limit.
    public mutating func restart(from torques: [Double]?) {
        for i in action.indices {
            action[i] = 0
            let held = torques.flatMap { i < $0.count ? $0[i] : nil } ?? 0
            previousTorques[i] = held.isFinite ? held : 0
        }
    }
}
