/// Named layouts of the observation vector; a policy file records its layout (and its joint
/// names, so their count) so that it is only deployed with an environment that builds the same vector.
///
/// Both layouts are the same order — cos q (n), sin q (n), goal x, goal y, q̇ (n), fingertip x −
/// goal x, fingertip y − goal y: 3n + 4 values. Two-joint arms use Gymnasium's name for it, so that
/// policies trained here and on Gymnasium's Reacher-v5 stay interchangeable.
public enum ObservationLayout: String, Sendable, Equatable, CaseIterable {
    /// Gymnasium Reacher-v5's ten values: cos q0, cos q1, sin q0, sin q1, target x, target y,
    /// q̇0, q̇1, fingertip x − target x, fingertip y − target y.
    case reacherV5 = "reacher-v5"
    /// The same order for a planar arm of any other number of joints.
    case planarReach = "planar-reach"

    /// The layout for a planar arm of `joints` joints.
    public static func forPlanarArm(joints: Int) -> ObservationLayout { joints == 2 ? .reacherV5 : .planarReach }

    /// Number of values in the vector for an arm of `joints` joints.
    public func size(joints: Int) -> Int { 3 * joints + 4 }

    /// Whether the layout is defined for `joints` joints.
    public func fits(joints: Int) -> Bool {
        switch self {
        case .reacherV5: return joints == 2
        case .planarReach: return joints >= 1 && joints != 2
        }
    }
}
