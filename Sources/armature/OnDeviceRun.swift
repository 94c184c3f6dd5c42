import DeterministicRandom
import FirmwareExport
import Foundation
import Hardware
import MonotonicTime
import RobotModel
import Tasks

/// `armature run --port P --on-device`: the firmware's own actor closes the loop (protocol 1.4
/// GOAL, PROTOCOL.md 8.7); the host only starts each episode, sends the goal once a control period
/// (which keeps the device's watchdog fed) and reads the state back. The policy file is checked
/// against the robot and the kernel as `export-firmware` checks it; the device runs the actor it
/// was built with, which the host cannot see, so build the firmware from the same file.
extension Run {
    func runOnDevice(_ description: RobotDescription, backend: any ArmBackend, stop: StopRequest) throws {
        guard let arm = backend as? SerialArm else {
            throw UserFacingError("--on-device needs the Armature firmware; a Dynamixel bus has no actor of its own")
        }
        let (exported, warnings) = try loadDeviceActor(policyPath: policy, robot: description)
        for warning in warnings { print("warning: \(warning)") }
        let task = ReachTask(robot: description, previousAction: exported.layout.includesPreviousAction)
        let actuated = ActuatedArm(robot: description, backend: arm)
        actuated.stop = stop
        let start = try EpisodeStartOption.parse(episodeStart, onHardware: true)
        let count = episodes ?? 1
        var schedule = PeriodicSchedule(
            period: description.control.period, realTime: !asFastAsPossible, expectedCycles: count * task.maxEpisodeSteps)
        var random = Xoshiro256(seed: seed)
        var position = [Double](repeating: 0, count: description.jointCount)
        var velocity = position
        var state = JointState(jointCount: description.jointCount)
        defer { actuated.deactivate() }
        try actuated.activate()
        guard arm.canRunActor else {
            throw UserFacingError(
                "the firmware on \(arm.link.path) holds no actor (protocol \(arm.device?.version ?? "?")); build it with the header `armature export-firmware --policy \(policy)` writes")
        }
        print("running the device's own actor on \(description.name) (serial \(arm.link.path)) at \(format(1 / description.control.period)) Hz for \(count) episodes")
        var distances: [Double] = []
        episodes: for index in 0..<count {
            let drawn = task.sampleStart(&random, position: &position, velocity: &velocity)
            // The goal as the wire carries it (float32), so that the host's distances are the device's.
            let goal = (x: Double(Float(drawn.x)), y: Double(Float(drawn.y)))
            try actuated.begin(start ?? .move, position: position, velocity: velocity)
            schedule.restart()
            var meanDistance = 0.0
            for _ in 0..<task.maxEpisodeSteps {
                guard schedule.waitForNextCycle(unless: stop) == .tick else { break episodes }
                try arm.actOnDevice(goal: [goal.x, goal.y], state: &state)
                meanDistance += task.distance(state, goal: goal) / Double(task.maxEpisodeSteps)
                schedule.finishCycle()
            }
            distances.append(task.distance(state, goal: goal))
            print(String(format: "episode %3d  mean distance %.4f m  final distance %.4f m", index, meanDistance, distances.last!))
        }
        for line in Reports.loop(schedule.timing) { print(line) }
        print(Reports.link(arm.linkStatistics))
        print("stop: \(stop.isRequested ? "stop requested" : "done"); torque off")
    }
}
