/// How the arm's actuation stage shapes each command before the safety guard: a first-order
/// low-pass on the normalized action and a per-joint limit on how fast the commanded torque may
/// change. Zero (the default) is neither. A robot description's `actuation` section sets them and
/// `ActuatedArm` applies them wherever the arm is driven — training, evaluation, deployment — so a
/// policy learns with the smoothing it will run with.
public struct ActuationSettings: Sendable, Equatable {
    /// Time constant of the low-pass on the normalized action, s; 0: none. A time constant rather
    /// than an EMA coefficient, so that it means the same at any control rate.
    public var actionTimeConstant: Double
    /// Largest change of the commanded torque per second, per joint, N·m/s; 0: none.
    public var torqueRateLimit: [Double]

    /// Neither filter, for `jointCount` joints.
    public init(jointCount n: Int) {
        actionTimeConstant = 0
        torqueRateLimit = Array(repeating: 0, count: n)
    }

    public init(actionTimeConstant: Double, torqueRateLimit: [Double]) {
        self.actionTimeConstant = actionTimeConstant
        self.torqueRateLimit = torqueRateLimit
    }

    /// Whether commands pass unchanged.
    public var isZero: Bool { actionTimeConstant == 0 && torqueRateLimit.allSatisfy { $0 == 0 } }
}
