import RobotModel

/// Integrates a planar arm forward in time with fixed steps, MuJoCo-style soft joint limits,
/// viscous damping and rotor inertia. All buffers are sized once: stepping does not allocate.
public final class ArmSimulator {
    public let arm: PlanarArm
    public let timestep: Double
    public let integrator: Integrator
    /// Joint positions (rad) and velocities (rad/s).
    public private(set) var q: [Double]
    public private(set) var qd: [Double]
    /// Simulated time, s.
    public private(set) var time: Double = 0
    /// Generalised force each joint's limit applied during the last evaluated step, N·m.
    public private(set) var limitTorques: [Double]

    let limitsModel: SoftJointLimits
    let n: Int
    // Workspace for one acceleration evaluation.
    private var mass: [Double]
    private var cholesky: [Double]
    private var bias: [Double]
    private var rhs: [Double]
    private var scratch: [Double]
    private var column: [Double]
    private var zero: [Double]
    private var rowJoint: [Int]
    private var rowSign: [Double]
    private var rowTarget: [Double]
    private var rowForce: [Double]
    private var rowRegulariser: [Double]
    private var rowCoupling: [Double]
    // Workspace for RK4 stages.
    private var stageQ: [Double]
    private var stageQd: [Double]
    private var velocities: [[Double]]
    private var accelerations: [[Double]]

    public init(arm: PlanarArm, physics: PhysicsSettings) {
        self.arm = arm
        timestep = physics.timestep
        integrator = physics.integrator
        n = arm.jointCount
        q = Array(repeating: 0, count: n)
        qd = Array(repeating: 0, count: n)
        limitTorques = Array(repeating: 0, count: n)
        mass = Array(repeating: 0, count: n * n)
        cholesky = Array(repeating: 0, count: n * n)
        bias = Array(repeating: 0, count: n)
        rhs = Array(repeating: 0, count: n)
        scratch = Array(repeating: 0, count: 4 * n)
        column = Array(repeating: 0, count: n)
        zero = Array(repeating: 0, count: n)
        rowJoint = Array(repeating: 0, count: n)
        rowSign = Array(repeating: 0, count: n)
        rowTarget = Array(repeating: 0, count: n)
        rowForce = Array(repeating: 0, count: n)
        rowRegulariser = Array(repeating: 0, count: n)
        rowCoupling = Array(repeating: 0, count: n * n)
        stageQ = Array(repeating: 0, count: n)
        stageQd = Array(repeating: 0, count: n)
        velocities = Array(repeating: Array(repeating: 0, count: n), count: 4)
        accelerations = Array(repeating: Array(repeating: 0, count: n), count: 4)
        // (M⁻¹)ᵢᵢ at q = 0 scales the limit regulariser, as MuJoCo's dof_invweight0 does.
        let m0 = arm.massMatrix(q: Array(repeating: 0, count: n))
        var weights = [Double](repeating: 0, count: n)
        var factor = m0
        choleskyFactor(&factor, n)
        for j in 0..<n {
            var e = [Double](repeating: 0, count: n)
            e[j] = 1
            choleskySolve(factor, n, &e)
            weights[j] = e[j]
        }
        limitsModel = SoftJointLimits(physics: physics, limits: arm.limits, inverseWeight: weights)
    }

    public convenience init(robot: RobotDescription) {
        self.init(arm: PlanarArm(robot), physics: robot.physics)
    }

    /// Places the arm at (q, qd) and time t.
    public func reset(q: [Double], qd: [Double], time: Double = 0) {
        precondition(q.count == n && qd.count == n, "state size must match the joint count")
        for i in 0..<n {
            self.q[i] = q[i]
            self.qd[i] = qd[i]
            limitTorques[i] = 0
        }
        self.time = time
    }

    /// Brings one joint to rest where it is (static friction holding it: the reality gap's model).
    public func stopJoint(_ joint: Int) { qd[joint] = 0 }

    /// Advances `steps` physics steps holding `torques` (N·m) constant (zero-order hold, as a motor driver does).
    public func advance(torques: [Double], steps: Int) {
        for _ in 0..<steps {
            switch integrator {
            case .rk4: rungeKuttaStep(torques)
            case .semiImplicitEuler: eulerStep(torques)
            }
            time += timestep
        }
    }

    /// Joint accelerations at (q, qd) under `torques`, including damping and limits.
    public func acceleration(q: [Double], qd: [Double], torques: [Double], into qdd: inout [Double]) {
        arm.massMatrix(q: q, into: &mass, scratch: &scratch)
        arm.inverseDynamics(q: q, qd: qd, qdd: zero, torques: &bias, scratch: &scratch)
        for i in 0..<n { rhs[i] = torques[i] - bias[i] - arm.damping[i] * qd[i] }
        for i in 0..<(n * n) { cholesky[i] = mass[i] }
        choleskyFactor(&cholesky, n)
        choleskySolve(cholesky, n, &rhs)
        for i in 0..<n { qdd[i] = rhs[i] }
        applyLimits(q: q, qd: qd, qdd: &qdd)
    }

    /// Adds the soft-limit constraint forces to the unconstrained acceleration in `qdd`.
    private func applyLimits(q: [Double], qd: [Double], qdd: inout [Double]) {
        for i in 0..<n { limitTorques[i] = 0 }
        var rows = 0
        for j in 0..<n {
            guard let (distance, sign) = limitsModel.violation(joint: j, q: q[j]) else { continue }
            let reference = limitsModel.reference(joint: j, distance: distance, rowVelocity: sign * qd[j])
            rowJoint[rows] = j
            rowSign[rows] = sign
            rowTarget[rows] = reference.aref - sign * qdd[j]
            rowRegulariser[rows] = reference.regulariser
            rowForce[rows] = 0
            rows += 1
        }
        guard rows > 0 else { return }
        // Row coupling A = J M⁻¹ Jᵀ from columns of M⁻¹.
        for a in 0..<rows {
            for i in 0..<n { column[i] = 0 }
            column[rowJoint[a]] = 1
            choleskySolve(cholesky, n, &column)
            for b in 0..<rows { rowCoupling[a * n + b] = rowSign[a] * rowSign[b] * column[rowJoint[b]] }
        }
        // Projected Gauss–Seidel on (A + R) f = a_ref − J a₀, f ≥ 0; exact in one sweep for one row,
        // and rows couple only through the small off-diagonal inertia terms.
        for _ in 0..<50 {
            var change = 0.0
            for a in 0..<rows {
                var residual = rowTarget[a]
                for b in 0..<rows where b != a { residual -= rowCoupling[a * n + b] * rowForce[b] }
                let updated = max(0, residual / (rowCoupling[a * n + a] + rowRegulariser[a]))
                change = max(change, abs(updated - rowForce[a]))
                rowForce[a] = updated
            }
            if change < 1e-12 { break }
        }
        for i in 0..<n { column[i] = 0 }
        for a in 0..<rows {
            column[rowJoint[a]] += rowSign[a] * rowForce[a]
            limitTorques[rowJoint[a]] += rowSign[a] * rowForce[a]
        }
        choleskySolve(cholesky, n, &column)
        for i in 0..<n { qdd[i] += column[i] }
    }

    /// Classic RK4 with the constraint re-evaluated at every stage, as MuJoCo's `mj_RungeKutta`.
    private func rungeKuttaStep(_ torques: [Double]) {
        let h = timestep
        for stage in 0..<4 {
            for i in 0..<n {
                if stage == 0 {
                    stageQ[i] = q[i]
                    stageQd[i] = qd[i]
                } else {
                    let offset = stage == 3 ? h : h / 2
                    stageQ[i] = q[i] + offset * velocities[stage - 1][i]
                    stageQd[i] = qd[i] + offset * accelerations[stage - 1][i]
                }
                velocities[stage][i] = stageQd[i]
            }
            acceleration(q: stageQ, qd: stageQd, torques: torques, into: &accelerations[stage])
        }
        for i in 0..<n {
            q[i] += h / 6 * (velocities[0][i] + 2 * velocities[1][i] + 2 * velocities[2][i] + velocities[3][i])
            qd[i] += h / 6 * (accelerations[0][i] + 2 * accelerations[1][i] + 2 * accelerations[2][i] + accelerations[3][i])
        }
    }

    /// Semi-implicit Euler: velocity from the current acceleration, then position from the new velocity.
    private func eulerStep(_ torques: [Double]) {
        acceleration(q: q, qd: qd, torques: torques, into: &accelerations[0])
        for i in 0..<n {
            qd[i] += timestep * accelerations[0][i]
            q[i] += timestep * qd[i]
        }
    }
}

/// In-place Cholesky factorisation of a symmetric positive-definite row-major n×n matrix (lower triangle).
func choleskyFactor(_ a: inout [Double], _ n: Int) {
    for j in 0..<n {
        var diagonal = a[j * n + j]
        for k in 0..<j { diagonal -= a[j * n + k] * a[j * n + k] }
        let root = diagonal.squareRoot()
        a[j * n + j] = root
        for i in (j + 1)..<max(j + 1, n) {
            var value = a[i * n + j]
            for k in 0..<j { value -= a[i * n + k] * a[j * n + k] }
            a[i * n + j] = value / root
        }
    }
}

/// Solves L Lᵀ x = b in place given the factor from `choleskyFactor`.
func choleskySolve(_ l: [Double], _ n: Int, _ b: inout [Double]) {
    for i in 0..<n {
        var value = b[i]
        for k in 0..<i { value -= l[i * n + k] * b[k] }
        b[i] = value / l[i * n + i]
    }
    for i in stride(from: n - 1, through: 0, by: -1) {
        var value = b[i]
        for k in (i + 1)..<max(i + 1, n) { value -= l[k * n + i] * b[k] }
        b[i] = value / l[i * n + i]
    }
}
