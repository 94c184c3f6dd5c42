import Hardware
import MonotonicTime

/// The simulated arm behind a class that tests subclass to make it misbehave at a chosen moment
/// (fail a step, request a stop) while it stays an arm in every other respect.
open class SimulatedArmWrapper: ArmBackend {
    public let inner: SimulatedArm

    public init(_ inner: SimulatedArm) { self.inner = inner }

    public var jointCount: Int { inner.jointCount }
    public var controlPeriod: Double { inner.controlPeriod }
    public var isActive: Bool { inner.isActive }
    public var canPlace: Bool { inner.canPlace }
    open func activate(state: inout JointState) throws { try inner.activate(state: &state) }
    open func step(torques: [Double], state: inout JointState) throws { try inner.step(torques: torques, state: &state) }
    open func read(state: inout JointState) throws { try inner.read(state: &state) }
    open func place(position: [Double], velocity: [Double], state: inout JointState) throws {
        try inner.place(position: position, velocity: velocity, state: &state)
    }
    open func move(to position: [Double], profile: MoveProfile, state: inout JointState, unless stop: StopRequest) throws -> MoveOutcome {
        try inner.move(to: position, profile: profile, state: &state, unless: stop)
    }
    open func deactivate() { inner.deactivate() }
}
