import MonotonicTime

/// An arm that takes joint torques and reports joint states: the simulator or the serial link to
/// the motor firmware. One protocol so that training, evaluation and deployment run the same loop.
///
/// Lifecycle (as ros2_control's): created inactive → `activate` → `step`… → `deactivate`.
/// Backends fill a caller-owned `JointState` in place so the control loop does not allocate.
///
/// An episode starts in one of three ways (`EpisodeStart`): a simulator *places* the arm exactly
/// (`place`, only where `canPlace`); a real arm is *moved* there by its device's own position
/// controller (`move`); or it starts wherever it is (`read`). Nothing here re-zeroes a real arm's
/// encoders: that is `SerialArm.rezero`, for a person who knows where the arm is.
public protocol ArmBackend: AnyObject {
    /// Number of actuated joints.
    var jointCount: Int { get }
    /// Seconds of arm time one `step` covers.
    var controlPeriod: Double { get }
    /// Whether the motors are powered (between `activate` and `deactivate`).
    var isActive: Bool { get }
    /// Whether `place` can put the arm exactly at a state: a simulator can, a real arm cannot.
    var canPlace: Bool { get }

    /// Powers the motors with zero torque and reads the first state.
    func activate(state: inout JointState) throws
    /// Commands `torques` (N·m, already guarded) for one control period and reads the state that
    /// period ends in (a real-time arm waits for it: `PeriodEndReading`).
    func step(torques: [Double], state: inout JointState) throws
    /// Seconds the last `step` spent waiting for its period to end before reading: idle time, which
    /// a loop's timing does not count as work. 0 where nothing waits (simulator, lockstep device).
    var lastStepWait: Double { get }
    /// Reads the state without commanding anything new.
    func read(state: inout JointState) throws
    /// Puts the arm exactly at (position, velocity) with zero torque and reads the state. Throws
    /// `BackendError.cannotPlace` where `canPlace` is false.
    func place(position: [Double], velocity: [Double], state: inout JointState) throws
    /// Drives the active arm to `position` with the position controller of PROTOCOL.md 8.6 (the
    /// device's own on hardware, the same arithmetic on the simulator) until it settles within the
    /// profile's tolerances, and leaves it held there until the next `step`. Throws
    /// `BackendError.moveNotSettled` when the profile's timeout passes first, and
    /// `BackendError.moveStopped`, with the arm deactivated, as soon as `stop` is requested: a move
    /// to an episode's start lasts seconds on a real arm, and an e-stop or Ctrl-C may not wait for it.
    @discardableResult
    func move(to position: [Double], profile: MoveProfile, state: inout JointState, unless stop: StopRequest) throws -> MoveOutcome
    /// Zeroes torque and disables the motors. Safe to call at any time, more than once; never fails.
    func deactivate()
}

/// How a move went.
public struct MoveOutcome: Sendable, Equatable {
    /// Control periods it took (MOVE requests on hardware).
    public var periods: Int
    /// Device time it took, s.
    public var duration: Double
    /// Largest |target − position| at the end, rad.
    public var positionError: Double

    /// A backend outside this module (the Dynamixel arm) reports its moves too.
    public init(periods: Int, duration: Double, positionError: Double) {
        self.periods = periods
        self.duration = duration
        self.positionError = positionError
    }
}

extension ArmBackend {
    public var lastStepWait: Double { 0 }

    /// A move that nothing stops but its end or its timeout (a person moving the arm, the tests).
    @discardableResult
    public func move(to position: [Double], profile: MoveProfile, state: inout JointState) throws -> MoveOutcome {
        try move(to: position, profile: profile, state: &state, unless: StopRequest())
    }

    /// The end of a move whose state is in `state`: its outcome, or the timeout's error.
    func finishMove(
        to target: [Double], profile: MoveProfile, state: JointState, settled: Bool, periods: Int, started: Double
    ) throws -> MoveOutcome? {
        var worst = 0
        for i in 0..<jointCount where abs(target[i] - state.position[i]) > abs(target[worst] - state.position[worst]) { worst = i }
        let outcome = MoveOutcome(
            periods: periods, duration: state.time - started, positionError: abs(target[worst] - state.position[worst]))
        if settled { return outcome }
        if outcome.duration >= profile.timeout {
            throw BackendError.moveNotSettled(
                seconds: profile.timeout, joint: worst, error: outcome.positionError, speed: abs(state.velocity[worst]))
        }
        return nil
    }
}
