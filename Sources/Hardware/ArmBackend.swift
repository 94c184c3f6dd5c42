/// An arm that takes joint torques and reports joint states: the simulator or the serial link to
/// the motor firmware. One protocol so that training, evaluation and deployment run the same loop.
///
/// Lifecycle (as ros2_control's): created inactive → `activate` → `step`… → `deactivate`.
/// Backends fill a caller-owned `JointState` in place so the control loop does not allocate.
public protocol ArmBackend: AnyObject {
    /// Number of actuated joints.
    var jointCount: Int { get }
    /// Seconds of arm time one `step` covers.
    var controlPeriod: Double { get }
    /// Whether the motors are powered (between `activate` and `deactivate`).
    var isActive: Bool { get }

    /// Powers the motors with zero torque and reads the first state.
    func activate(state: inout JointState) throws
    /// Commands `torques` (N·m, already guarded) for one control period and reads back the state.
    func step(torques: [Double], state: inout JointState) throws
    /// Brings the arm to (position, velocity) with zero torque and reads the state. The simulator
    /// places it exactly; hardware drives to the position and reports where it settled.
    func reset(position: [Double], velocity: [Double], state: inout JointState) throws
    /// Zeroes torque and disables the motors. Safe to call at any time, more than once; never fails.
    func deactivate()
}
