import ArmDynamics
import Foundation
import RobotModel
import TestSupport
import XCTest

final class RigidBodyTests: XCTestCase {
    /// The vertical servo arm with damping and limits removed: a conservative double pendulum.
    func conservativeArm(timestep: Double) throws -> RobotDescription {
        var robot = try RepositoryFiles.robot("two-joint-arm")
        for i in robot.joints.indices {
            robot.joints[i].damping = 0
            robot.joints[i].position = nil
        }
        robot.physics.timestep = timestep
        return robot
    }

    func testEnergyIsConservedWithoutDampingOrTorque() throws {
        let robot = try conservativeArm(timestep: 0.0005)
        let simulator = ArmSimulator(robot: robot)
        // Released from a large, chaotic swing: both links move through most of their range.
        simulator.reset(q: [1.2, -0.9], qd: [0, 2])
        let arm = simulator.arm
        let initial = arm.kineticEnergy(q: simulator.q, qd: simulator.qd) + arm.potentialEnergy(q: simulator.q)
        // Reference level: the arm hanging straight down at rest, so the ratio is meaningful.
        let lowest = arm.potentialEnergy(q: [-Double.pi / 2, 0])
        var worst = 0.0
        for _ in 0..<100 {
            simulator.advance(torques: [0, 0], steps: 200)
            let energy = arm.kineticEnergy(q: simulator.q, qd: simulator.qd) + arm.potentialEnergy(q: simulator.q)
            worst = max(worst, abs(energy - initial) / (initial - lowest))
        }
        XCTAssertEqual(simulator.time, 10, accuracy: 1e-9)
        XCTAssertLessThan(worst, 1e-6, "relative energy drift over 10 s")
    }

    func testSinglePendulumFollowsTheSmallAngleSolution() throws {
        let yaml = """
            name: pendulum
            plane: vertical
            gravity: 9.81
            control: {rate_hz: 100}
            physics: {timestep: 0.001}
            joints: [{name: pivot, torque: {low: -1, high: 1}}]
            links: [{name: rod, length: 0.5, inertial: {mass: 0.3, com: 0.4, inertia: 0.002}}]
            """
        let robot = try RobotDescription.parse(data: Data(yaml.utf8), file: "pendulum.yaml")
        let simulator = ArmSimulator(robot: robot)
        // Hanging down is q = −π/2; swing ±0.01 rad about it.
        let amplitude = 0.01
        simulator.reset(q: [-Double.pi / 2 + amplitude], qd: [0])
        let inertia = 0.002 + 0.3 * 0.4 * 0.4
        let omega = (0.3 * 9.81 * 0.4 / inertia).squareRoot()
        var worst = 0.0
        for _ in 0..<300 {
            simulator.advance(torques: [0], steps: 10)
            let analytic = -Double.pi / 2 + amplitude * cos(omega * simulator.time)
            worst = max(worst, abs(simulator.q[0] - analytic))
        }
        // The small-angle solution itself is off by O(amplitude³) in 3 s of swinging.
        XCTAssertLessThan(worst, 2e-5)
    }

    func testMassMatrixIsSymmetricPositiveDefinite() throws {
        let arm = PlanarArm(try RepositoryFiles.robot("six-joint-planar"))
        var random = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let q = (0..<6).map { _ in Double.random(in: -Double.pi...Double.pi, using: &random) }
            let m = arm.massMatrix(q: q)
            for j in 0..<6 {
                for k in 0..<6 { XCTAssertEqual(m[j * 6 + k], m[k * 6 + j], accuracy: 1e-15) }
            }
            // Positive definite: every leading principal minor positive (checked via Cholesky pivots).
            var a = m
            for j in 0..<6 {
                var pivot = a[j * 6 + j]
                for k in 0..<j { pivot -= a[j * 6 + k] * a[j * 6 + k] }
                XCTAssertGreaterThan(pivot, 0)
                let root = pivot.squareRoot()
                a[j * 6 + j] = root
                for i in (j + 1)..<6 {
                    var value = a[i * 6 + j]
                    for k in 0..<j { value -= a[i * 6 + k] * a[j * 6 + k] }
                    a[i * 6 + j] = value / root
                }
            }
        }
    }

    func testInverseDynamicsAgreesWithTheMassMatrix() throws {
        var robot = try RepositoryFiles.robot("six-joint-planar")
        for i in robot.joints.indices { robot.joints[i].armature = 0 }
        let arm = PlanarArm(robot)
        let q = [0.3, -0.7, 1.1, 0.2, -1.4, 0.9]
        let qd = [0.5, -0.2, 0.8, -1.0, 0.3, 0.1]
        let qdd = [1.0, -2.0, 0.5, 3.0, -0.7, 0.4]
        var scratch = [Double](repeating: 0, count: 24)
        var full = [Double](repeating: 0, count: 6)
        arm.inverseDynamics(q: q, qd: qd, qdd: qdd, torques: &full, scratch: &scratch)
        let bias = arm.biasTorques(q: q, qd: qd)
        let m = arm.massMatrix(q: q)
        for j in 0..<6 {
            let inertial = (0..<6).reduce(0.0) { $0 + m[j * 6 + $1] * qdd[$1] }
            XCTAssertEqual(full[j] - bias[j], inertial, accuracy: 1e-12)
        }
    }

    func testGravityTorqueOfAHorizontalLinkIsWeightTimesLever() throws {
        let arm = PlanarArm(try RepositoryFiles.robot("two-joint-arm"))
        let bias = arm.biasTorques(q: [0, 0], qd: [0, 0])
        // Both links straight out along +x: shoulder holds m1 g c1 + m2 g (l1 + c2).
        XCTAssertEqual(bias[0], 0.2 * 9.81 * 0.08 + 0.08 * 9.81 * (0.12 + 0.05), accuracy: 1e-12)
        XCTAssertEqual(bias[1], 0.08 * 9.81 * 0.05, accuracy: 1e-12)
    }

    func testForwardKinematicsReachesTheFingertip() throws {
        let arm = PlanarArm(try RepositoryFiles.robot("reacher"))
        let straight = arm.fingertip(q: [0, 0])
        XCTAssertEqual(straight.x, 0.21, accuracy: 1e-15)
        XCTAssertEqual(straight.y, 0, accuracy: 1e-15)
        let bent = arm.fingertip(q: [Double.pi / 2, -Double.pi / 2])
        XCTAssertEqual(bent.x, 0.11, accuracy: 1e-15)
        XCTAssertEqual(bent.y, 0.1, accuracy: 1e-15)
    }

    func testSemiImplicitEulerStaysCloseToRK4() throws {
        var robot = try conservativeArm(timestep: 0.0005)
        let rk4 = ArmSimulator(robot: robot)
        robot.physics.integrator = .semiImplicitEuler
        let euler = ArmSimulator(robot: robot)
        rk4.reset(q: [0.3, 0.2], qd: [0, 0])
        euler.reset(q: [0.3, 0.2], qd: [0, 0])
        rk4.advance(torques: [0.1, -0.05], steps: 200)
        euler.advance(torques: [0.1, -0.05], steps: 200)
        XCTAssertGreaterThan(abs(rk4.q[0] - 0.3), 0.05, "the arm must actually move")
        XCTAssertEqual(rk4.q[0], euler.q[0], accuracy: 2e-3)
        XCTAssertEqual(rk4.q[1], euler.q[1], accuracy: 2e-3)
    }

    func testALimitedJointIsHeldNearItsLimitUnderSustainedTorque() throws {
        let robot = try RepositoryFiles.robot("two-joint-arm")
        let simulator = ArmSimulator(robot: robot)
        simulator.reset(q: [0, 1.5], qd: [0, 0])
        simulator.advance(torques: [0, 0.8], steps: 2000)
        let high = robot.joints[1].position!.high
        XCTAssertGreaterThan(simulator.q[1], high - 0.05)
        // MuJoCo's default softness lets a light joint under full torque settle about 0.016 rad past.
        XCTAssertLessThan(simulator.q[1], high + 0.03, "soft limit lets it in only slightly")
        XCTAssertLessThan(simulator.limitTorques[1], 0, "the limit pushes back")
    }
}
