/// Maps the actor's normalized actions in [-1, 1] to joint torques and back, per joint:
/// torque = a·scale + midpoint with scale = (high − low)/2 and midpoint = (high + low)/2.
public struct ActuatorMap: Sendable, Equatable {
    public let low: [Double]
    public let high: [Double]
    public let scale: [Double]
    public let midpoint: [Double]

    public init(torqueLimits: [Limits]) {
        low = torqueLimits.map(\.low)
        high = torqueLimits.map(\.high)
        scale = torqueLimits.map(\.halfRange)
        midpoint = torqueLimits.map(\.midpoint)
    }

    public init(robot: RobotDescription) {
        self.init(torqueLimits: robot.joints.map(\.torque))
    }

    public var jointCount: Int { scale.count }

    /// Torque for joint `joint` from a finite normalized action, clamped to [-1, 1] first.
    ///
    /// Computed as the interpolation ((1 − a)·low + (1 + a)·high)/2, which equals a·scale + midpoint
    /// but hits low, high and the midpoint exactly at −1, +1 and 0 (no rounding past a limit).
    public func torque(action: Double, joint: Int) -> Double {
        let a = min(1, max(-1, action))
        return ((1 - a) * low[joint] + (1 + a) * high[joint]) / 2
    }

    /// Clamps normalized actions to [-1, 1] in place, as exploration does before an action is
    /// stored and sent. `min(1, max(-1, a))` would turn NaN into −1, full negative torque, so a
    /// non-finite component is never clamped: it throws, naming the joint, and nothing is changed.
    public static func clamp(actions: inout [Double]) throws(ActionError) {
        if let joint = actions.firstIndex(where: { !$0.isFinite }) {
            throw .nonFinite(joint: joint, value: actions[joint])
        }
        for i in actions.indices { actions[i] = min(1, max(-1, actions[i])) }
    }

    /// Normalized action that yields `torque` on `joint`, clamped to [-1, 1].
    public func action(torque: Double, joint: Int) -> Double {
        min(1, max(-1, (torque - midpoint[joint]) / scale[joint]))
    }

    /// Writes the torques for `actions` into `torques` without allocating.
    ///
    /// A non-finite component rejects the whole action: every torque is set to zero and the
    /// error names the joint, so that a diverged policy never reaches the motors.
    public func torques(actions: [Double], into torques: inout [Double]) throws(ActionError) {
        guard actions.count == jointCount else {
            for i in torques.indices { torques[i] = 0 }
            throw .wrongCount(expected: jointCount, got: actions.count)
        }
        for (joint, value) in actions.enumerated() where !value.isFinite {
            for i in torques.indices { torques[i] = 0 }
            throw .nonFinite(joint: joint, value: value)
        }
        for joint in 0..<jointCount { torques[joint] = torque(action: actions[joint], joint: joint) }
    }
}

/// Why an action was refused; the torques were zeroed.
public enum ActionError: Error, Sendable, Equatable, CustomStringConvertible {
    case nonFinite(joint: Int, value: Double)
    case wrongCount(expected: Int, got: Int)

    public var description: String {
        switch self {
        case .nonFinite(let joint, let value):
            return "action for joint \(joint) is \(value); torques set to zero (the policy produced a non-finite output)"
        case .wrongCount(let expected, let got):
            return "action has \(got) components but the robot has \(expected) joints; torques set to zero"
        }
    }
}
