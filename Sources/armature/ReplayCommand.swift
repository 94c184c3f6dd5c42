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
        // Both files stream: any number of rows in bounded memory, the output put in place whole at the end.
        let input = try CSVReader(path: actions, expectedColumns: (0..<n).map { "a\($0)" })
        let start = try parseInitial(n: n)
        let arm = SimulatedArm(robot: description)
        let map = ActuatorMap(robot: description)
        var safety = SafetyGuard(robot: description)
        let kinematics = PlanarArm(description)
        var state = JointState(jointCount: n)
        try arm.activate(state: &state)
        defer { arm.deactivate() }
        try arm.place(position: start, velocity: Array(repeating: 0, count: n), state: &state)
        var torques = [Double](repeating: 0, count: n)
        let output = try CSVWriter(
            path: out, columns: ["step"] + (0..<n).map { "q\($0)" } + (0..<n).map { "qd\($0)" } + ["tip_x", "tip_y"])
        var action = [Double](repeating: 0, count: n)
        var row = [Double](repeating: 0, count: 1 + 2 * n + 2)
        var steps = 0
        let progress = ProgressReporter(what: "replay")
        while try input.next(into: &action) {
            try map.torques(actions: action, into: &torques)
            if withGuard { safety.apply(torques: &torques, state: state) }
            try arm.step(torques: torques, state: &state)
            steps += 1
            let tip = kinematics.fingertip(q: state.position)
            row[0] = Double(steps)
            for j in 0..<n {
                row[1 + j] = state.position[j]
                row[1 + n + j] = state.velocity[j]
            }
            row[1 + 2 * n] = tip.x
            row[2 + 2 * n] = tip.y
            try output.append(row)
            progress.report(fraction: input.progress, detail: "\(steps) steps")
        }
        try output.commit()
        progress.finish()
        var summary = "\(steps) steps (\(format(Double(steps) * description.control.period)) s) → \(out)"
        if withGuard { summary += "; guard interventions: \(safety.interventions.total)" }
        print(summary)
    }

    private func parseInitial(n: Int) throws -> [Double] {
        guard let initialQ else { return Array(repeating: 0, count: n) }
        return try parseJointValues(initialQ, option: "--initial-q", jointCount: n)
    }
}
