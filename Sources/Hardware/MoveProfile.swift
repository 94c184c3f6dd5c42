import ArmDynamics
import FirmwareLink
import RobotModel

/// How a backend's position controller (PROTOCOL.md 8.6) drives one arm: per-joint gains, the
/// setpoint's speed, the settling tolerances and the timeout, from the robot description's `move`
/// section. Gains the description leaves out are derived from the arm itself: for joint j with
/// effective inertia I (the mass matrix's diagonal at the zero pose, rotor inertia included) and
/// viscous damping b, kp = I·ω² and kd = max(0, 2·I·ω − b) with ω = 2π·bandwidth — a critically
/// damped joint at that bandwidth, were it alone — and an integral time of `integralTimeCycles`
/// periods of that bandwidth, slow beside the PD loop so that it only removes the steady error
/// gravity and friction leave.
public struct MoveProfile: Sendable, Equatable {
    /// kp per joint, N·m/rad.
    public var stiffness: [Double]
    /// kd per joint, N·m·s/rad.
    public var damping: [Double]
    /// The setpoint's speed, rad/s.
    public var maxVelocity: Double
    /// rad
    public var positionTolerance: Double
    /// rad/s
    public var velocityTolerance: Double
    /// s of device time
    public var timeout: Double
    /// Integral time constant Ti, s; 0: none.
    public var integralTime: Double

    /// The derived integral time in periods of the bandwidth.
    public static let integralTimeCycles = 1.0

    public init(
        stiffness: [Double], damping: [Double], maxVelocity: Double, positionTolerance: Double, velocityTolerance: Double,
        timeout: Double, integralTime: Double
    ) {
        self.stiffness = stiffness
        self.damping = damping
        self.maxVelocity = maxVelocity
        self.positionTolerance = positionTolerance
        self.velocityTolerance = velocityTolerance
        self.timeout = timeout
        self.integralTime = integralTime
    }

    /// The description's move settings, with derived gains where it gives none.
    public init(robot: RobotDescription) {
        let settings = robot.move
        let arm = PlanarArm(robot)
        let n = robot.jointCount
        let inertia = arm.massMatrix(q: Array(repeating: 0, count: n))
        let omega = 2 * Double.pi * settings.bandwidth
        stiffness = settings.stiffness ?? (0..<n).map { inertia[$0 * n + $0] * omega * omega }
        damping = settings.damping ?? (0..<n).map { max(0, 2 * inertia[$0 * n + $0] * omega - robot.joints[$0].damping) }
        maxVelocity = settings.velocity
        positionTolerance = settings.tolerance
        velocityTolerance = settings.velocityTolerance
        timeout = settings.timeout
        integralTime = settings.integralTime ?? Self.integralTimeCycles / settings.bandwidth
    }

    /// The MOVE to `target`.
    public func command(to target: [Double]) -> MoveCommand {
        MoveCommand(
            target: target, stiffness: stiffness, damping: damping, maxVelocity: maxVelocity,
            positionTolerance: positionTolerance, velocityTolerance: velocityTolerance, integralTime: integralTime)
    }
}

/// What a device clamps torques to: one symmetric limit per joint, the larger magnitude of the
/// description's range (the device's limit is symmetric; the description's range may not be).
/// The emulator configures its device with these and the simulated arm's moves clamp to them.
public func deviceTorqueLimits(_ robot: RobotDescription) -> [Double] {
    robot.joints.map { max(abs($0.torque.low), abs($0.torque.high)) }
}

/// The device clock of a simulated arm: its time in whole microseconds, as the emulator reports it.
func deviceMicros(_ seconds: Double) -> UInt64 { UInt64((max(0, seconds) * 1e6).rounded()) }
