/// A robot arm as described by a `robots/*.yaml` file, in SI units, validated.
public struct RobotDescription: Sendable, Equatable {
    /// Short machine-friendly name (`reacher`).
    public var name: String
    /// Free text for people.
    public var summary: String
    /// Whether the arm moves in the horizontal plane (gravity has no effect) or a vertical one.
    public var plane: Plane
    /// Magnitude of gravity in m/s²; acts along −y of the base frame when `plane` is vertical.
    public var gravity: Double
    /// Control rate and physics settings.
    public var control: ControlSettings
    /// The simulator's integrator and joint-limit softness.
    public var physics: PhysicsSettings
    /// Serial link to the motor firmware, when the arm has one.
    public var serial: SerialSettings?
    /// Dynamixel servos on one bus, when the arm is built from them.
    public var bus: DynamixelBusSettings?
    /// Joints from the base outwards; joint i moves link i.
    public var joints: [Joint]
    /// Links from the base outwards; the last link's length reaches the tool point (fingertip).
    public var links: [Link]
    /// How the device drives the arm to a pose (an episode's start) with its own position controller.
    public var move: MoveSettings
    /// How the real arm differs from the model (zero: not at all).
    public var realityGap: RealityGap
    /// Ranges the plant is drawn from every training episode (domain randomization); nil: none given.
    public var randomization: PlantRandomization?
    /// How commands are smoothed before the guard (zero: not at all).
    public var actuation: ActuationSettings

    public init(
        name: String, summary: String, plane: Plane, gravity: Double, control: ControlSettings,
        physics: PhysicsSettings, serial: SerialSettings?, joints: [Joint], links: [Link], bus: DynamixelBusSettings? = nil,
        move: MoveSettings = MoveSettings(),
        realityGap: RealityGap? = nil, randomization: PlantRandomization? = nil, actuation: ActuationSettings? = nil
    ) {
        self.name = name
        self.summary = summary
        self.plane = plane
        self.gravity = gravity
        self.control = control
        self.physics = physics
        self.serial = serial
        self.bus = bus
        self.joints = joints
        self.links = links
        self.move = move
        self.realityGap = realityGap ?? RealityGap(jointCount: joints.count)
        self.randomization = randomization
        self.actuation = actuation ?? ActuationSettings(jointCount: joints.count)
    }

    /// Number of actuated joints.
    public var jointCount: Int { joints.count }
    /// Joint names in order.
    public var jointNames: [String] { joints.map(\.name) }
}

/// The plane an arm moves in.
public enum Plane: String, Sendable, Equatable, CaseIterable {
    case horizontal
    case vertical
}

/// A closed interval `low...high` with `low < high`, in the unit of the field that holds it.
public struct Limits: Sendable, Equatable {
    public var low: Double
    public var high: Double
    public init(low: Double, high: Double) {
        self.low = low
        self.high = high
    }
    /// (high − low) / 2.
    public var halfRange: Double { (high - low) / 2 }
    /// (high + low) / 2.
    public var midpoint: Double { (high + low) / 2 }
    /// Whether `value` lies in the interval.
    public func contains(_ value: Double) -> Bool { value >= low && value <= high }
}

/// One revolute joint and its motor.
public struct Joint: Sendable, Equatable {
    public var name: String
    /// Torque range the motor may be commanded, N·m.
    public var torque: Limits
    /// Position range, rad; nil for a continuous (unlimited) joint.
    public var position: Limits?
    /// Largest speed the guard allows torque to push beyond, rad/s; nil for none.
    public var velocityLimit: Double?
    /// Viscous damping, N·m·s/rad.
    public var damping: Double
    /// Reflected rotor inertia added to the joint's diagonal of the mass matrix, kg·m².
    public var armature: Double

    public init(
        name: String, torque: Limits, position: Limits?, velocityLimit: Double?, damping: Double, armature: Double
    ) {
        self.name = name
        self.torque = torque
        self.position = position
        self.velocityLimit = velocityLimit
        self.damping = damping
        self.armature = armature
    }
}

/// A rigid link from one joint axis to the next (or to the tool point, for the last link).
public struct Link: Sendable, Equatable {
    public var name: String
    /// Distance from this link's joint axis to the next joint axis or tool point, m.
    public var length: Double
    /// Mass, centre of mass along the link and rotational inertia about the plane normal.
    public var inertial: Inertial
    /// The solids the inertial was derived from (empty when the file gave the inertial directly).
    public var shapes: [Shape]

    public init(name: String, length: Double, inertial: Inertial, shapes: [Shape]) {
        self.name = name
        self.length = length
        self.inertial = inertial
        self.shapes = shapes
    }
}

/// Mass properties of a planar link.
public struct Inertial: Sendable, Equatable {
    /// kg
    public var mass: Double
    /// Centre of mass along the link from its joint axis, m.
    public var com: Double
    /// Rotational inertia about the plane normal through the centre of mass, kg·m².
    public var inertia: Double

    public init(mass: Double, com: Double, inertia: Double) {
        self.mass = mass
        self.com = com
        self.inertia = inertia
    }

    /// Inertia about the link's joint axis (parallel-axis theorem), kg·m².
    public var inertiaAboutJoint: Double { inertia + mass * com * com }
}

/// Control-loop timing.
public struct ControlSettings: Sendable, Equatable {
    /// Control steps per second, Hz.
    public var rateHz: Double
    public init(rateHz: Double) { self.rateHz = rateHz }
    /// Seconds per control step.
    public var period: Double { 1 / rateHz }
}

/// Numerical integration scheme of the simulator.
public enum Integrator: String, Sendable, Equatable, CaseIterable {
    /// Classic fourth-order Runge–Kutta, as MuJoCo's `RK4`.
    case rk4
    /// Semi-implicit (symplectic) Euler: velocity first, then position.
    case semiImplicitEuler = "semi_implicit_euler"
}

/// How the simulator integrates and how soft its joint limits are.
///
/// Joint limits are MuJoCo-style soft constraints so that the simulator agrees with MuJoCo
/// at a limit; the defaults are MuJoCo's `solref` (0.02, 1) and `solimp` (0.9, 0.95, 0.001, 0.5, 2).
public struct PhysicsSettings: Sendable, Equatable {
    /// Physics step, s; the control period must be a whole number of these.
    public var timestep: Double
    public var integrator: Integrator
    /// Time constant of the limit constraint, s (MuJoCo solref[0]); raised to 2·timestep if smaller.
    public var limitTimeConstant: Double
    /// Damping ratio of the limit constraint (MuJoCo solref[1]).
    public var limitDampingRatio: Double
    /// Impedance curve of the limit constraint: dmin, dmax, width (rad), midpoint, power (MuJoCo solimp).
    public var limitImpedance: [Double]

    public init(
        timestep: Double, integrator: Integrator = .rk4, limitTimeConstant: Double = 0.02,
        limitDampingRatio: Double = 1, limitImpedance: [Double] = [0.9, 0.95, 0.001, 0.5, 2]
    ) {
        self.timestep = timestep
        self.integrator = integrator
        self.limitTimeConstant = limitTimeConstant
        self.limitDampingRatio = limitDampingRatio
        self.limitImpedance = limitImpedance
    }
}

/// How the device's position controller (protocol 1.3 MOVE) drives the arm to a pose: the start of
/// an episode on hardware, where the arm cannot be placed as a simulator is. The setpoint travels at
/// `velocity`; the move is done when every joint is within `tolerance` of its target and slower
/// than `velocityTolerance`, and fails after `timeout`. Gains are per joint, or derived from the
/// arm's inertia for a critically damped response of `bandwidth` Hz where not given; integral
/// action (`integralTime`) holds the pose against gravity and friction.
public struct MoveSettings: Sendable, Equatable {
    /// The setpoint's speed, rad/s.
    public var velocity: Double
    /// rad
    public var tolerance: Double
    /// rad/s
    public var velocityTolerance: Double
    /// Longest a move may take, s of device time.
    public var timeout: Double
    /// Closed-loop bandwidth the derived gains aim for, Hz.
    public var bandwidth: Double
    /// Integral time constant, s (0: no integral action); nil: derived from the bandwidth.
    public var integralTime: Double?
    /// Position gain kp per joint, N·m/rad; nil: derived.
    public var stiffness: [Double]?
    /// Velocity gain kd per joint, N·m·s/rad; nil: derived.
    public var damping: [Double]?

    public init(
        velocity: Double = 1, tolerance: Double = 0.005, velocityTolerance: Double = 0.05, timeout: Double = 10,
        bandwidth: Double = 2, integralTime: Double? = nil, stiffness: [Double]? = nil, damping: [Double]? = nil
    ) {
        self.velocity = velocity
        self.tolerance = tolerance
        self.velocityTolerance = velocityTolerance
        self.timeout = timeout
        self.bandwidth = bandwidth
        self.integralTime = integralTime
        self.stiffness = stiffness
        self.damping = damping
    }
}

/// Where the motor firmware is and how to talk to it.
public struct SerialSettings: Sendable, Equatable {
    /// Device path (`/dev/ttyACM0`) or port name.
    public var port: String
    /// Bits per second.
    public var baud: Int
    /// How long to wait for each reply before it counts as lost, s.
    public var timeout: Double
    /// How long the handshake may take, s: HELLO is sent again until the device answers (a board
    /// that resets when its port opens needs a second or two).
    public var connectTimeout: Double
    /// Lost replies in a row that fault the link and stop the run with torque off; fewer are
    /// counted and ridden through (1: the first lost reply stops the run).
    public var lostReplies: Int

    /// Two in a row: one lost reply is normal on a real bus, two mean the line or the device is in trouble.
    public static let defaultLostReplies = 2
    /// What `lostReplies` may be, in a description and on the command line: each lost reply costs a
    /// `timeout` in which the host does not know the arm's state, so a long run of them is a broken
    /// line, not a noisy one.
    public static let lostRepliesRange = 1...10

    /// Three seconds: boards that reset when their port opens are up within it.
    public static let defaultConnectTimeout = 3.0

    public init(
        port: String, baud: Int = 1_000_000, timeout: Double = 0.02, connectTimeout: Double = SerialSettings.defaultConnectTimeout,
        lostReplies: Int = SerialSettings.defaultLostReplies
    ) {
        self.port = port
        self.baud = baud
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.lostReplies = lostReplies
    }
}
