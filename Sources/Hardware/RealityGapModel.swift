import ArmDynamics
import Foundation
import DeterministicRandom
import RobotModel

/// A robot description's `RealityGap` applied to the simulator, one physics step at a time: what
/// happens between a torque command and the joints (the command's torque resolution, latency,
/// deadband, torque gain, the current loop's lag, Coulomb friction) and between the joints and the
/// readings (position, velocity and torque in whole units, noise, velocity by differencing). The
/// one implementation of the gap: `SimulatedArm` steps through it in `--sim`, training and
/// evaluation, and the firmware device emulator's plant is a `SimulatedArm`. With a zero gap every
/// step is the exact model's, bit for bit.
struct RealityGapModel {
    let gap: RealityGap
    let jointCount: Int
    let timestep: Double
    let period: Double

    // Latency: commands in flight with the times they were issued, oldest first (a ring).
    private var issuedAt: [Double]
    private var issued: [[Double]]
    private var first = 0
    private var count = 0
    /// The torque the motors deliver now (after deadband, gain and lag), N·m.
    private(set) var delivered: [Double]
    /// 1 − exp(−h/T) per joint: the share of the way to the command the lag covers in one step.
    private let lagShare: [Double]
    /// Coulomb friction can stop a joint within one step when it is this slow, rad/s (F·h/M_jj).
    private let stoppable: [Double]
    /// Quantized positions after each of the last physics steps, newest last (a ring), for
    /// velocities by differencing over one control period.
    private var history: [[Double]]
    private var newest = 0
    private let historySpan: Int
    private var random: Xoshiro256
    /// Per-step torque on the joints (delivered plus friction), N·m.
    private var jointTorque: [Double]

    init(robot: RobotDescription, gap: RealityGap, seed: UInt64) {
        self.gap = gap
        jointCount = robot.jointCount
        timestep = robot.physics.timestep
        period = robot.control.period
        let zeros = [Double](repeating: 0, count: robot.jointCount)
        let steps = max(1, Int((period / timestep).rounded()))
        // Commands come at most once a physics step (a device's controller); as many can be in flight as fit in the latency.
        let slots = Int((gap.latency / timestep).rounded(.up)) + 3
        issuedAt = Array(repeating: 0, count: slots)
        issued = Array(repeating: zeros, count: slots)
        delivered = zeros
        jointTorque = zeros
        lagShare = gap.timeConstant.map { $0 > 0 ? 1 - exp(-robot.physics.timestep / $0) : 1 }
        let inertia = PlanarArm(robot).massMatrix(q: zeros)
        stoppable = (0..<robot.jointCount).map { gap.coulombFriction[$0] * robot.physics.timestep / inertia[$0 * robot.jointCount + $0] }
        historySpan = steps
        history = Array(repeating: zeros, count: steps + 1)
        random = Xoshiro256(seed: seed)
    }

    /// A model of another gap that goes on with `previous`'s noise stream.
    init(robot: RobotDescription, gap: RealityGap, continuing previous: RealityGapModel) {
        self.init(robot: robot, gap: gap, seed: 0)
        random = previous.random
    }

    /// Restarts the sensor noise from `seed`.
    mutating func reseed(_ seed: UInt64) { random = Xoshiro256(seed: seed) }

    /// Forgets commands in flight and the delivered torque (motors off), and restarts the position
    /// history at the simulator's pose: after activation, placement and deactivation.
    mutating func reset(at simulator: ArmSimulator) {
        count = 0
        first = 0
        for i in 0..<jointCount { delivered[i] = 0 }
        for slot in history.indices {
            for i in 0..<jointCount { history[slot][i] = quantized(simulator.q[i], joint: i) }
        }
    }

    /// A torque command issued at simulator time `time`; it reaches the motors `latency` later.
    mutating func issue(_ torques: [Double], at time: Double) {
        if count == issued.count {
            // Full: the oldest is superseded by the next in any case once its successor is in force.
            first = (first + 1) % issued.count
            count -= 1
        }
        let slot = (first + count) % issued.count
        // The command leaves the host in whole torque units (a Dynamixel host's Goal Current), so
        // it is rounded here, before the latency and the motor: what travels is the rounded value.
        for i in 0..<jointCount { issued[slot][i] = Self.rounded(torques[i], to: gap.torqueResolution[i]) }
        issuedAt[slot] = time
        count += 1
        // Without latency the command is in force at once; without lag the motors deliver it at
        // once too, so a reading taken before the next physics step (a STATE right after a stop)
        // already shows it.
        if gap.latency == 0 {
            for i in 0..<jointCount where lagShare[i] == 1 { delivered[i] = motorTorque(issued[slot][i], joint: i) }
        }
    }

    /// What the motor makes of a command: nothing inside the deadband, the gain's share outside it.
    private func motorTorque(_ command: Double, joint i: Int) -> Double {
        abs(command) <= gap.deadband[i] ? 0 : command * gap.torqueGain[i]
    }

    /// One physics step of `simulator` under the command in force at its start, through the motors and friction.
    mutating func step(_ simulator: ArmSimulator) {
        let now = simulator.time
        // The newest command whose latency has passed is in force; older ones are done with.
        let due = now - gap.latency + timestep * 1e-6
        while count > 1 && issuedAt[(first + 1) % issued.count] <= due {
            first = (first + 1) % issued.count
            count -= 1
        }
        let inForce = count > 0 && issuedAt[first] <= due
        for i in 0..<jointCount {
            let command = motorTorque(inForce ? issued[first][i] : 0, joint: i)
            delivered[i] = lagShare[i] == 1 ? command : delivered[i] + (command - delivered[i]) * lagShare[i]
            jointTorque[i] = delivered[i] + friction(joint: i, simulator)
        }
        simulator.advance(torques: jointTorque, steps: 1)
        newest = (newest + 1) % history.count
        for i in 0..<jointCount { history[newest][i] = quantized(simulator.q[i], joint: i) }
    }

    /// Karnopp's model, per step: a joint slow enough for friction to stop it within the step
    /// sticks (its velocity is zeroed) while the delivered torque is within the friction, and
    /// breaks away against it otherwise; a moving joint feels the friction against its motion.
    private func friction(joint i: Int, _ simulator: ArmSimulator) -> Double {
        let limit = gap.coulombFriction[i]
        guard limit > 0 else { return 0 }
        let velocity = simulator.qd[i]
        if abs(velocity) <= stoppable[i] {
            if abs(delivered[i]) <= limit {
                simulator.stopJoint(i)
                return -delivered[i]
            }
            return delivered[i] > 0 ? -limit : limit
        }
        return velocity > 0 ? -limit : limit
    }

    /// What the sensors read now: positions quantized by the encoder and noisy, velocities
    /// (differenced over one control period when the gap says so) in whole velocity units and
    /// noisy, the delivered torque in whole torque units.
    mutating func measure(_ simulator: ArmSimulator, into state: inout JointState) {
        let oldest = (newest + history.count - historySpan) % history.count
        for i in 0..<jointCount {
            state.position[i] = quantized(simulator.q[i], joint: i) + noise(gap.positionNoise[i])
            let velocity = gap.differencedVelocity ? (history[newest][i] - history[oldest][i]) / period : simulator.qd[i]
            state.velocity[i] = Self.rounded(velocity, to: gap.velocityResolution[i]) + noise(gap.velocityNoise[i])
            // A servo's Present Current: what the motor makes, in the same units as the command.
            state.torque[i] = Self.rounded(delivered[i], to: gap.torqueResolution[i])
        }
        state.time = simulator.time
    }

    /// `value` as the nearest whole number of `unit`s, halves away from zero — Swift's `rounded()`,
    /// which is how the Dynamixel host and the bus emulator turn torque into Goal Current and speed
    /// into Present Velocity, so that the simulator's readings are the servos' to the bit. Rounding
    /// away from zero is odd-symmetric, so a servo mounted reversed (direction −1) reads the same
    /// grid. A unit of 0 is exact.
    static func rounded(_ value: Double, to unit: Double) -> Double {
        unit > 0 ? (value / unit).rounded() * unit : value
    }

    /// The angle in whole counts, halves away from zero as `rounded(_:to:)`; a servo's offset is a
    /// whole number of ticks, so it shifts the grid onto itself.
    private func quantized(_ angle: Double, joint: Int) -> Double {
        let counts = gap.encoderResolution[joint]
        guard counts > 0 else { return angle }
        return Self.rounded(angle, to: 2 * Double.pi / Double(counts))
    }

    private mutating func noise(_ sigma: Double) -> Double { sigma > 0 ? sigma * random.normal() : 0 }
}
