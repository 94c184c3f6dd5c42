/// How a real arm differs from the rigid-body model: the motors, the link and the sensors. Zero
/// (the default) is the exact model, MuJoCo's plant; a robot description's `reality_gap` section
/// sets it, and the simulated arm — in `--sim`, training, evaluation and the emulator's plant —
/// applies it, so that policies meet in simulation what they will meet on the arm.
public struct RealityGap: Sendable, Equatable {
    /// Time from a command to its effect on the motors, s: whole and fractional control periods.
    public var latency: Double
    /// Coulomb friction per joint, N·m: a joint at rest stays at rest under any smaller torque;
    /// a moving joint feels this much against its motion.
    public var coulombFriction: [Double]
    /// Torque deadband per joint, N·m: a command of at most this magnitude moves nothing.
    public var deadband: [Double]
    /// Delivered over commanded torque per joint (a torque constant off by 20 %: 0.8).
    public var torqueGain: [Double]
    /// First-order lag of the delivered torque per joint (the current loop), s.
    public var timeConstant: [Double]
    /// Standard deviation of the noise on each joint's position reading, rad.
    public var positionNoise: [Double]
    /// Standard deviation of the noise on each joint's velocity reading, rad/s.
    public var velocityNoise: [Double]
    /// Encoder counts per revolution per joint: positions read in steps of 2π/counts; 0: exact.
    public var encoderResolution: [Int]
    /// Velocity reading unit per joint, rad/s: velocities read as the nearest whole number of units
    /// (halves away from zero), as a servo reports Present Velocity; 0: exact.
    public var velocityResolution: [Double]
    /// Torque unit per joint, N·m: each command is rounded to the nearest whole number of units
    /// (halves away from zero) before it goes to the motor, as a host sends Goal Current in whole
    /// units of current, and the measured torque is read in the same units; 0: exact.
    public var torqueResolution: [Double]
    /// Velocities read as the difference of the (quantized, noisy) positions one control period
    /// apart, as a device without a velocity sensor measures them.
    public var differencedVelocity: Bool

    /// No gap for `jointCount` joints.
    public init(jointCount n: Int) {
        latency = 0
        coulombFriction = Array(repeating: 0, count: n)
        deadband = Array(repeating: 0, count: n)
        torqueGain = Array(repeating: 1, count: n)
        timeConstant = Array(repeating: 0, count: n)
        positionNoise = Array(repeating: 0, count: n)
        velocityNoise = Array(repeating: 0, count: n)
        encoderResolution = Array(repeating: 0, count: n)
        velocityResolution = Array(repeating: 0, count: n)
        torqueResolution = Array(repeating: 0, count: n)
        differencedVelocity = false
    }

    /// Whether readings carry random noise.
    public var isNoisy: Bool { positionNoise.contains { $0 > 0 } || velocityNoise.contains { $0 > 0 } }

    /// Whether this is the exact model.
    public var isZero: Bool { self == RealityGap(jointCount: coulombFriction.count) }
}
