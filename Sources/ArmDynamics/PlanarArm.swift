import Foundation
import RobotModel

/// Rigid-body model of a planar serial arm with revolute joints about parallel axes.
///
/// Joint i rotates link i; absolute link angles are partial sums of joint angles. q = 0 points
/// every link along +x. In a vertical plane y is up and gravity acts along −y.
public struct PlanarArm: Sendable {
    public let jointCount: Int
    /// Link lengths, m.
    public let lengths: [Double]
    /// Link masses, kg; centres of mass along each link, m; inertias about them, kg·m².
    public let masses: [Double]
    public let coms: [Double]
    public let inertias: [Double]
    /// Per-joint rotor inertia (kg·m²) and viscous damping (N·m·s/rad).
    public let armature: [Double]
    public let damping: [Double]
    /// Acceleration of gravity in the plane, m/s² (0 for a horizontal arm).
    public let gravity: Double
    /// Position limits, rad; nil for continuous joints.
    public let limits: [Limits?]

    public init(_ robot: RobotDescription) {
        jointCount = robot.jointCount
        lengths = robot.links.map(\.length)
        masses = robot.links.map(\.inertial.mass)
        coms = robot.links.map(\.inertial.com)
        inertias = robot.links.map(\.inertial.inertia)
        armature = robot.joints.map(\.armature)
        damping = robot.joints.map(\.damping)
        gravity = robot.plane == .vertical ? robot.gravity : 0
        limits = robot.joints.map(\.position)
    }

    /// Position of the tool point (end of the last link) in the base frame, m.
    public func fingertip(q: [Double]) -> (x: Double, y: Double) {
        var tip = (x: 0.0, y: 0.0)
        forEachLinkEnd(q: q) { tip = ($0, $1) }
        return tip
    }

    /// Positions of the joints from the base (0, 0) outwards and of the tool point last (n + 1 points) in the
    /// base frame, m: what a picture of the arm draws.
    public func jointPositions(q: [Double]) -> [(x: Double, y: Double)] {
        var points = [(x: 0.0, y: 0.0)]
        forEachLinkEnd(q: q) { points.append(($0, $1)) }
        return points
    }

    /// The forward kinematics both of the above need, written once so that the drawn arm's tip is exactly
    /// the fingertip the reward measures: calls `visit` with the end of each link in the base frame, m,
    /// from the base outwards (the last is the tool point). Allocates nothing, so `fingertip` stays free
    /// of allocation on the control path.
    @inline(__always)
    private func forEachLinkEnd(q: [Double], _ visit: (_ x: Double, _ y: Double) -> Void) {
        var theta = 0.0
        var x = 0.0
        var y = 0.0
        for i in 0..<jointCount {
            theta += q[i]
            x += lengths[i] * cos(theta)
            y += lengths[i] * sin(theta)
            visit(x, y)
        }
    }

    /// Joint-space inverse dynamics by planar recursive Newton–Euler, without damping or armature:
    /// the torques that produce `qdd` at (q, qd) under gravity. With qdd = 0 this is the bias
    /// vector (Coriolis, centrifugal and gravity torques).
    ///
    /// - Parameter scratch: at least 4·n doubles of workspace, so the hot path does not allocate.
    public func inverseDynamics(
        q: [Double], qd: [Double], qdd: [Double], torques: inout [Double], scratch: inout [Double]
    ) {
        let n = jointCount
        // Forward pass: absolute angular velocity/acceleration and the acceleration of each
        // link's centre of mass. The base accelerates upward at g so gravity enters every link.
        var theta = 0.0
        var omega = 0.0
        var alpha = 0.0
        var jointAx = 0.0
        var jointAy = gravity
        for i in 0..<n {
            theta += q[i]
            omega += qd[i]
            alpha += qdd[i]
            let c = cos(theta)
            let s = sin(theta)
            let w2 = omega * omega
            scratch[4 * i] = c
            scratch[4 * i + 1] = s
            scratch[4 * i + 2] = jointAx - alpha * coms[i] * s - w2 * coms[i] * c
            scratch[4 * i + 3] = jointAy + alpha * coms[i] * c - w2 * coms[i] * s
            jointAx += -alpha * lengths[i] * s - w2 * lengths[i] * c
            jointAy += alpha * lengths[i] * c - w2 * lengths[i] * s
        }
        // Backward pass: force and moment each link passes to its parent; the moment about the
        // joint axis is the joint torque.
        var outwardFx = 0.0
        var outwardFy = 0.0
        var outwardMoment = 0.0
        var linkAlpha = alpha
        for i in stride(from: n - 1, through: 0, by: -1) {
            let c = scratch[4 * i]
            let s = scratch[4 * i + 1]
            let fx = masses[i] * scratch[4 * i + 2]
            let fy = masses[i] * scratch[4 * i + 3]
            let (rx, ry) = (coms[i] * c, coms[i] * s)
            let (dx, dy) = (lengths[i] * c, lengths[i] * s)
            let moment = inertias[i] * linkAlpha + (rx * fy - ry * fx) + (dx * outwardFy - dy * outwardFx) + outwardMoment
            torques[i] = moment
            outwardFx += fx
            outwardFy += fy
            outwardMoment = moment
            linkAlpha -= qdd[i]
        }
    }

    /// Joint-space mass matrix including armature, row-major n×n, by the composite-rigid-body sums
    /// M_jk = Σ_{i ≥ max(j,k)} m_i (∂c_i/∂q_j · ∂c_i/∂q_k) + I_i.
    ///
    /// - Parameter scratch: at least 4·n doubles of workspace.
    public func massMatrix(q: [Double], into matrix: inout [Double], scratch: inout [Double]) {
        let n = jointCount
        // scratch[0..<2n]: joint origins; scratch[2n..<4n]: centres of mass.
        var theta = 0.0
        var px = 0.0
        var py = 0.0
        for i in 0..<n {
            theta += q[i]
            let c = cos(theta)
            let s = sin(theta)
            scratch[2 * i] = px
            scratch[2 * i + 1] = py
            scratch[2 * n + 2 * i] = px + coms[i] * c
            scratch[2 * n + 2 * i + 1] = py + coms[i] * s
            px += lengths[i] * c
            py += lengths[i] * s
        }
        for j in 0..<n {
            for k in j..<n {
                var sum = 0.0
                for i in k..<n {
                    // ∂c_i/∂q_j = ẑ × (c_i − p_j); the dot product of two such vectors is the
                    // dot product of the offsets themselves.
                    let cx = scratch[2 * n + 2 * i]
                    let cy = scratch[2 * n + 2 * i + 1]
                    let ajx = cx - scratch[2 * j]
                    let ajy = cy - scratch[2 * j + 1]
                    let akx = cx - scratch[2 * k]
                    let aky = cy - scratch[2 * k + 1]
                    sum += masses[i] * (ajx * akx + ajy * aky) + inertias[i]
                }
                if j == k { sum += armature[j] }
                matrix[j * n + k] = sum
                matrix[k * n + j] = sum
            }
        }
    }

    /// Mass matrix as a fresh array (convenience; not for hot paths).
    public func massMatrix(q: [Double]) -> [Double] {
        var matrix = [Double](repeating: 0, count: jointCount * jointCount)
        var scratch = [Double](repeating: 0, count: 4 * jointCount)
        massMatrix(q: q, into: &matrix, scratch: &scratch)
        return matrix
    }

    /// Coriolis, centrifugal and gravity torques as a fresh array (convenience; not for hot paths).
    public func biasTorques(q: [Double], qd: [Double]) -> [Double] {
        var torques = [Double](repeating: 0, count: jointCount)
        var scratch = [Double](repeating: 0, count: 4 * jointCount)
        inverseDynamics(q: q, qd: qd, qdd: [Double](repeating: 0, count: jointCount), torques: &torques, scratch: &scratch)
        return torques
    }

    /// ½ q̇ᵀ M q̇ including rotor (armature) energy, J.
    public func kineticEnergy(q: [Double], qd: [Double]) -> Double {
        let m = massMatrix(q: q)
        var energy = 0.0
        for j in 0..<jointCount {
            for k in 0..<jointCount { energy += 0.5 * qd[j] * m[j * jointCount + k] * qd[k] }
        }
        return energy
    }

    /// Σ m_i g y_ci, J (zero for a horizontal arm).
    public func potentialEnergy(q: [Double]) -> Double {
        var theta = 0.0
        var y = 0.0
        var energy = 0.0
        for i in 0..<jointCount {
            theta += q[i]
            energy += masses[i] * gravity * (y + coms[i] * sin(theta))
            y += lengths[i] * sin(theta)
        }
        return energy
    }
}
