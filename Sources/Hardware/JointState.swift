/// What an arm reports each control period: per-joint position, velocity and torque, and the time.
public struct JointState: Sendable, Equatable {
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
}
