import Foundation
import RobotModel

/// MuJoCo's soft joint-limit constraint, so that the simulator agrees with MuJoCo at a limit.
///
/// A limit row becomes active when the joint is past its limit (distance r < 0). Its force
/// f ≥ 0 makes the constrained acceleration approach a reference a_ref = −b·v − k·d(r)·r,
/// softened by a regulariser R = (1 − d)/d · (M⁻¹)ᵢᵢ at q = 0, where d(r) is the impedance curve
/// (solimp) and k, b come from the time constant and damping ratio (solref):
/// f = max(0, (a_ref − J·a₀) / (J M⁻¹ Jᵀ + R)).
public struct SoftJointLimits: Sendable {
    let stiffness: Double
    let damping: Double
    let impedance: [Double]
    /// (M⁻¹)ᵢᵢ at q = 0 per joint, MuJoCo's `dof_invweight0`.
    let inverseWeight: [Double]
    let limits: [Limits?]

    public init(physics: PhysicsSettings, limits: [Limits?], inverseWeight: [Double]) {
        // MuJoCo raises the time constant to two timesteps so that the constraint stays stable.
        let timeConstant = max(physics.limitTimeConstant, 2 * physics.timestep)
        let dmax = physics.limitImpedance[1]
        let ratio = physics.limitDampingRatio
        stiffness = 1 / (dmax * dmax * timeConstant * timeConstant * ratio * ratio)
        damping = 2 / (dmax * timeConstant)
        impedance = physics.limitImpedance
        self.inverseWeight = inverseWeight
        self.limits = limits
    }

    /// Impedance d(r) ∈ [dmin, dmax] for a violation of |r| rad.
    func impedance(at violation: Double) -> Double {
        let (dmin, dmax, width, mid, power) = (impedance[0], impedance[1], impedance[2], impedance[3], impedance[4])
        let x = abs(violation) / width
        if x >= 1 { return dmax }
        let y: Double
        if x <= mid {
            y = pow(x, power) / pow(mid, power - 1)
        } else {
            y = 1 - pow(1 - x, power) / pow(1 - mid, power - 1)
        }
        return dmin + y * (dmax - dmin)
    }

    /// The signed distance to the violated limit (negative) and the row's sign, or nil inside the range.
    func violation(joint: Int, q: Double) -> (distance: Double, sign: Double)? {
        guard let limit = limits[joint] else { return nil }
        if q < limit.low { return (q - limit.low, 1) }
        if q > limit.high { return (limit.high - q, -1) }
        return nil
    }

    /// Reference acceleration along the row and its regulariser.
    func reference(joint: Int, distance: Double, rowVelocity: Double) -> (aref: Double, regulariser: Double) {
        let d = impedance(at: distance)
        let aref = -damping * rowVelocity - stiffness * d * distance
        let regulariser = max(1e-15, (1 - d) / d * inverseWeight[joint])
        return (aref, regulariser)
    }
}




