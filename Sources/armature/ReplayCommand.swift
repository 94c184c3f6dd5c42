import ArgumentParser
import ArmDynamics
import Foundation
import Hardware
import RobotModel

/// `armature replay`: open-loop actions through the simulator, for checking it against a reference.
struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply normalized actions open-loop to the simulated arm and write the trajectory.",
        discussion: """
            The actions file has a header a0,a1,…(one column per joint) and one row per control step. \
            The arm starts at rest at --initial-q. After every control step the output gets a row \
            step,q0,…,qd0,…,tip_x,tip_y (rad, rad/s, m).

            Actions pass through the actuator map (clamped to [-1, 1], scaled to the torque range) \
            straight to the physics, as MuJoCo applies ctrl; --guard adds the SafetyGuard that \
            deployment uses (position and velocity limit cuts).
            """
    )

    @Option(help: "Robot description (YAML).")
    var robot: String
    @Option(help: "CSV of normalized actions, header a0,a1,….")
    var actions: String
    @Option(help: "Initial joint angles in rad, comma-separated (default: all zero).")
    var initialQ: String?
    @Option(help: "Where to write the trajectory CSV.")
    var out: String
    @Flag(name: .customLong("guard"), help: "Pass torques through the SafetyGuard as deployment does.")
    var withGuard = false

    func run() throws {
        let description = try loadRobot(robot)
        let n = description.jointCount
        let table = try CSVTable.read(path: actions, expectedColumns: (0..<n).map { "a\($0)" })
        let start = try parseInitial(n: n)
        let arm = SimulatedArm(robot: description)
        let map = ActuatorMap(robot: description)
        var safety = SafetyGuard(robot: description)
        let kinematics = PlanarArm(description)
        var state = JointState(jointCount: n)
        try arm.activate(state: &state)
        try arm.reset(position: start, velocity: Array(repeating: 0, count: n), state: &state)
        var torques = [Double](repeating: 0, count: n)
        var output = CSVTable(
            columns: ["step"] + (0..<n).map { "q\($0)" } + (0..<n).map { "qd\($0)" } + ["tip_x", "tip_y"], rows: [])
        for (index, row) in table.rows.enumerated() {
            try map.torques(actions: row, into: &torques)
            if withGuard { safety.apply(torques: &torques, state: state) }
            try arm.step(torques: torques, state: &state)
            let tip = kinematics.fingertip(q: state.position)
            output.rows.append([Double(index + 1)] + state.position + state.velocity + [tip.x, tip.y])
        }
        arm.deactivate()
        try output.write(path: out)
        var summary = "\(table.rows.count) steps (\(format(Double(table.rows.count) * description.control.period)) s) → \(out)"
        if withGuard { summary += "; guard interventions: \(safety.interventions.total)" }
        print(summary)
    }

    private func parseInitial(n: Int) throws -> [Double] {
        guard let initialQ else { return Array(repeating: 0, count: n) }
        let parts = initialQ.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let values = parts.compactMap { Double($0) }.filter(\.isFinite)
        guard parts.count == n, values.count == n else {
            throw UserFacingError("--initial-q '\(initialQ)' must be \(n) finite numbers in rad, comma-separated (e.g. 0.3,-0.5)")
        }
        return values
    }
}
