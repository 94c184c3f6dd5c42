import Foundation
import RobotModel

/// A hand-written reaching controller, the baseline a learned policy must beat: Jacobian-transpose
/// attraction of the fingertip to the goal with joint-velocity damping, read from the reach
/// observation alone (as a policy would be; `ObservationLayout`'s order), output as a normalized
/// action. Any number of joints.
public struct ScriptedReacher: Sendable {
    /// Link lengths from the base outwards, m.
    public let linkLengths: [Double]
    /// Normalized action per N·m-equivalent of Jᵀ·error (1/m²) and per rad/s of joint speed.
    public var stiffness: Double
    public var damping: Double

    public init(linkLengths: [Double], stiffness: Double, damping: Double) {
        self.linkLengths = linkLengths
        self.stiffness = stiffness
        self.damping = damping
    }

    /// Writes a normalized action in [-1, 1] for a reach observation.
    public func act(observation o: [Float], into action: inout [Double]) {
        let n = linkLengths.count
        let (ex, ey) = (-Double(o[3 * n + 2]), -Double(o[3 * n + 3]))
        // Jacobian column i of the fingertip: the links from i outwards, at their absolute angles.
        withUnsafeTemporaryAllocation(of: Double.self, capacity: n) { angles in
            var absolute = 0.0
            for i in 0..<n {
                absolute += atan2(Double(o[n + i]), Double(o[i]))
                angles[i] = absolute
            }
            var sinSum = 0.0
            var cosSum = 0.0
            for i in stride(from: n - 1, through: 0, by: -1) {
                sinSum += linkLengths[i] * sin(angles[i])
                cosSum += linkLengths[i] * cos(angles[i])
                // Jᵀe is the joint torque a spring from the fingertip to the goal would exert.
                let pull = -sinSum * ex + cosSum * ey
                action[i] = stiffness * pull - damping * Double(o[2 * n + 2 + i])
            }
        }
        // A non-finite observation leaves a non-finite action, which the actuator map refuses
        // (torque off), instead of a clamp turning NaN into full torque.
        try? ActuatorMap.clamp(actions: &action)
    }
}
