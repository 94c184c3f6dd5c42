/// Named layouts of the observation vector; a policy file records its layout (and its joint
/// names, so their count) so that it is only deployed with an environment that builds the same vector.
///
/// The reach layouts are one order — cos q (n), sin q (n), goal x, goal y, q̇ (n), fingertip x −
/// goal x, fingertip y − goal y: 3n + 4 values. Two-joint arms use Gymnasium's name for it, so that
/// policies trained here and on Gymnasium's Reacher-v5 stay interchangeable.
///
/// The `+previous-action` layouts append the action the policy sent one period before (n values,
/// normalized and clamped to [-1, 1] as the actuator map reads it; zero at an episode's start).
/// That one step of memory is what a policy needs on a real motor: with it, it can tell an arm
/// that friction holds still from one at rest (and push harder), a command still in flight
/// (latency) from one that had no effect, and build up torque against a weak or heavy joint,
/// none of which the joint state alone shows.
public enum ObservationLayout: String, Sendable, Equatable, CaseIterable {
    /// Gymnasium Reacher-v5's ten values: cos q0, cos q1, sin q0, sin q1, target x, target y,
    /// q̇0, q̇1, fingertip x − target x, fingertip y − target y.
    case reacherV5 = "reacher-v5"
    /// The same order for a planar arm of any other number of joints.
    case planarReach = "planar-reach"
    /// Reacher-v5's ten values, then the previous action's two.
    case reacherV5PreviousAction = "reacher-v5+previous-action"
    /// The planar reach values, then the previous action's n.
    case planarReachPreviousAction = "planar-reach+previous-action"

    /// The layout for a planar arm of `joints` joints, with the previous action or without.
    public static func forPlanarArm(joints: Int, previousAction: Bool = false) -> ObservationLayout {
        switch (joints == 2, previousAction) {
        case (true, false): return .reacherV5
        case (false, false): return .planarReach
        case (true, true): return .reacherV5PreviousAction
        case (false, true): return .planarReachPreviousAction
        }
    }

    /// Whether the vector ends with the previous action.
    public var includesPreviousAction: Bool { self == .reacherV5PreviousAction || self == .planarReachPreviousAction }

    /// Number of values in the vector for an arm of `joints` joints.
    public func size(joints: Int) -> Int { 3 * joints + 4 + (includesPreviousAction ? joints : 0) }

    /// Whether the layout is defined for `joints` joints.
    public func fits(joints: Int) -> Bool {
        switch self {
        case .reacherV5, .reacherV5PreviousAction: return joints == 2
        case .planarReach, .planarReachPreviousAction: return joints >= 1 && joints != 2
        }
    }
}
