import FirmwareLink

/// What an arm reports each control period: per-joint position, velocity and torque, and the time.
public struct JointState: Sendable, Equatable, JointReadings {
    /// rad
    public var position: [Double]
    /// rad/s
    public var velocity: [Double]
    /// Torque the motors applied (or measured), N·m.
    public var torque: [Double]
    /// Backend clock, s.
    public var time: Double

    /// A zero state for `jointCount` joints; backends fill it in place each step.
    public init(jointCount: Int) {
        position = Array(repeating: 0, count: jointCount)
        velocity = Array(repeating: 0, count: jointCount)
        torque = Array(repeating: 0, count: jointCount)
        time = 0
    }

    public init(position: [Double], velocity: [Double], torque: [Double], time: Double) {
        self.position = position
        self.velocity = velocity
        self.torque = torque
        self.time = time
    }

    public var jointCount: Int { position.count }

    /// Throws unless every per-joint array holds `jointCount` values: backends fill a state in place
    /// and must not write past its end.
    func requireJointCount(_ jointCount: Int) throws(BackendError) {
        for count in [position.count, velocity.count, torque.count] where count != jointCount {
            throw BackendError.wrongSize(expected: jointCount, got: count)
        }
    }
}

extension BackendError {
    /// Throws unless both per-joint arrays of a command hold `jointCount` values, naming the count that is wrong.
    static func require(_ first: [Double], _ second: [Double]? = nil, jointCount: Int) throws(BackendError) {
        for count in [first.count, second?.count ?? jointCount] where count != jointCount {
            throw BackendError.wrongSize(expected: jointCount, got: count)
        }
    }
}
