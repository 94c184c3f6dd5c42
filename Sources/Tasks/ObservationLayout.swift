/// Named layouts of the observation vector; a policy file records its layout so that it is only
/// deployed with an environment that builds the same vector.
public enum ObservationLayout: String, Sendable, Equatable, CaseIterable {
    /// Gymnasium Reacher-v5's ten values: cos q0, cos q1, sin q0, sin q1, target x, target y,
    /// q̇0, q̇1, fingertip x − target x, fingertip y − target y.
    case reacherV5 = "reacher-v5"

    /// Number of values in the vector.
    public var size: Int {
        switch self {
        case .reacherV5: return 10
        }
    }

    /// Joint count the layout is defined for.
    public var jointCount: Int {
        switch self {
        case .reacherV5: return 2
        }
    }
}
