import CArmProto

/// What a MOVE asks of the device (PROTOCOL.md 6.11 and 8.6): drive to `target` with per-joint
/// gains, the setpoint travelling at most `maxVelocity`, and report SETTLED once within the tolerances.
public struct MoveCommand: Sendable, Equatable {
    /// rad
    public var target: [Double]
    /// Position gain kp per joint, N·m/rad.
    public var stiffness: [Double]
    /// Velocity gain kd per joint, N·m·s/rad.
    public var damping: [Double]
    /// rad/s
    public var maxVelocity: Double
    /// rad
    public var positionTolerance: Double
    /// rad/s
    public var velocityTolerance: Double
    /// Integral time constant Ti, s; 0: no integral action.
    public var integralTime: Double

    public init(
        target: [Double], stiffness: [Double], damping: [Double], maxVelocity: Double, positionTolerance: Double,
        velocityTolerance: Double, integralTime: Double
    ) {
        self.target = target
        self.stiffness = stiffness
        self.damping = damping
        self.maxVelocity = maxVelocity
        self.positionTolerance = positionTolerance
        self.velocityTolerance = velocityTolerance
        self.integralTime = integralTime
    }

    public var jointCount: Int { target.count }

    /// The C message, for the codec and the controller.
    func cMessage() -> armproto_msg {
        var m = armproto_msg()
        armproto_msg_init(&m, UInt8(ARMPROTO_MSG_MOVE))
        m.joint_count = UInt8(clamping: jointCount)
        m.max_velocity = Float(maxVelocity)
        m.position_tolerance = Float(positionTolerance)
        m.velocity_tolerance = Float(velocityTolerance)
        m.integral_time = Float(integralTime)
        JointArray.write(target.map(Float.init), to: &m.q)
        JointArray.write(stiffness.map(Float.init), to: &m.kp)
        JointArray.write(damping.map(Float.init), to: &m.kd)
        return m
    }
}

/// The device's MOVE controller (firmware-protocol/src/armproto_move.c) for an arm that is simulated
/// on the host: the very arithmetic a device runs, in float32 as on the device, so that a move of
/// the simulated arm and the same move through the lockstep emulator agree to the bit.
public struct MoveController {
    private var move = armproto_move()
    private var limits: [Float]
    private var position: [Float]
    private var velocity: [Float]
    private var output: [Float]
    public let jointCount: Int

    /// A controller for `command`, clamping torques to ±`torqueLimits` (N·m) as the device does.
    public init(command: MoveCommand, torqueLimits: [Double]) {
        jointCount = command.jointCount
        limits = torqueLimits.map(Float.init)
        position = Array(repeating: 0, count: jointCount)
        velocity = position
        output = position
        var message = command.cMessage()
        armproto_move_set(&move, &message)
    }

    /// Whether the device would accept the command: nil, or the refusal (NON_FINITE, OUT_OF_RANGE)
    /// for the joint ranges given, rad.
    public static func refusal(of command: MoveCommand, low: [Double], high: [Double]) -> ResultCode? {
        var message = command.cMessage()
        var lowFloats = low.map(Float.init)
        var highFloats = high.map(Float.init)
        var joint: UInt8 = 0
        var bits: UInt32 = 0
        let result = armproto_move_check(&message, &lowFloats, &highFloats, &joint, &bits)
        return result == 0 ? nil : ResultCode(rawValue: result)
    }

    /// Takes a new command for the move in progress, as a device takes a MOVE while moving: the
    /// setpoint and the integral go on from where they are.
    public mutating func retarget(_ command: MoveCommand) {
        var message = command.cMessage()
        armproto_move_set(&move, &message)
    }

    /// Starts the setpoint at the measured `position` at device time `timeMicros`.
    public mutating func start(position measured: [Double], timeMicros: UInt64) {
        for i in 0..<jointCount { position[i] = Float(measured[i]) }
        armproto_move_start(&move, position, UInt8(jointCount), timeMicros)
    }

    /// One update at device time `timeMicros` from the measured state; the torque to command goes
    /// into `torques` (N·m).
    public mutating func update(
        position measured: [Double], velocity measuredVelocity: [Double], timeMicros: UInt64, torques: inout [Double]
    ) -> (settled: Bool, clamped: Bool) {
        for i in 0..<jointCount {
            position[i] = Float(measured[i])
            velocity[i] = Float(measuredVelocity[i])
        }
        let flags = armproto_move_update(&move, position, velocity, limits, UInt8(jointCount), timeMicros, &output)
        for i in 0..<jointCount { torques[i] = Double(output[i]) }
        return ((flags & ARMPROTO_MOVE_SETTLED) != 0, (flags & ARMPROTO_MOVE_CLAMPED) != 0)
    }
}
