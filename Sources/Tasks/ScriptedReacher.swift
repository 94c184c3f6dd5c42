import RobotModel
import Foundation

/// A hand-written reaching controller, the baseline a learned policy must beat: Jacobian-transpose
/// attraction of the fingertip to the target with joint-velocity damping, read from the
/// `reacher-v5` observation alone (as a policy would be), output as a normalized action.
public struct ScriptedReacher: Sendable {
    /// Link lengths from the shoulder to the elbow and from the elbow to the fingertip, m.
    public let upperLength: Double
    public let foreLength: Double
    /// Normalized action per N·m-equivalent of Jᵀ·error (1/m²) and per rad/s of joint speed.
    public var stiffness: Double
    public var damping: Double

    public init(upperLength: Double, foreLength: Double, stiffness: Double, damping: Double) {
        self.upperLength = upperLength
        self.foreLength = foreLength
        self.stiffness = stiffness
        self.damping = damping
    }

    /// Writes a normalized action in [-1, 1] for a `reacher-v5` observation.
    public func act(observation o: [Float], into action: inout [Double]) {
        let q0 = atan2(Double(o[2]), Double(o[0]))
        let q01 = q0 + atan2(Double(o[3]), Double(o[1]))
        let (ex, ey) = (-Double(o[8]), -Double(o[9]))
        // Jacobian of the fingertip; Jᵀe is the joint torque a spring from tip to target would exert.
        let j00 = -upperLength * sin(q0) - foreLength * sin(q01)
        let j01 = -foreLength * sin(q01)
        let j10 = upperLength * cos(q0) + foreLength * cos(q01)
        let j11 = foreLength * cos(q01)
        let pull0 = j00 * ex + j10 * ey
        let pull1 = j01 * ex + j11 * ey
        action[0] = stiffness * pull0 - damping * Double(o[6])
        action[1] = stiffness * pull1 - damping * Double(o[7])
        // A non-finite observation leaves a non-finite action, which the actuator map refuses
        // (torque off), instead of a clamp turning NaN into full torque.
        try? ActuatorMap.clamp(actions: &action)
    }
}

