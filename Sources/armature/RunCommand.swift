import ArgumentParser
import Foundation
import Hardware
import MonotonicTime
import Policy
import RobotModel
import Runtime
import Tasks

/// `armature run`: deploy a policy at a fixed rate on the simulated arm or over the serial link.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a policy on the arm at the robot's control rate (simulated with --sim, real with --port).",
        discussion: """
            Each cycle, on a monotonic clock with absolute deadlines: read the state, build the
            observation, run the actor, map and guard the torques (smoothed first where the robot's
            actuation section says), write them. Prints the episodes' returns and final distances, the
            loop timing (period, jitter, overruns) and how its thread was scheduled (--realtime-priority), link round trips (serial: lost and late replies
            too) and guard interventions (with the smoothed commands and rate-limited torques). Ctrl-C or SIGTERM stop cleanly
            with torque off (exit 0); a non-finite action or a link fault stops with torque off and
            exit 1. A lost reply is counted and the run goes on; --lost-replies of them in a row
            (default: the robot's serial.lost_replies, else 2) are a link fault.
            SIGHUP (the terminal or SSH session closed) and standard output closed by its reader
            (armature run ... | head) stop as Ctrl-C does. A timed run ends at --duration even when
            the next deadline (--rate-hz) is later.
            """
    )

    @Option(help: "Robot description (YAML).")
    var robot: String = "robots/reacher.yaml"
    @Option(help: "Policy file (actor.safetensors).")
    var policy: String
    @Flag(help: "Use the simulated arm.")
    var sim = false
    @Option(help: "Serial port of the arm's firmware, or of its Dynamixel bus when the description has a `bus:` section (or an emulator's pseudo-terminal).")
    var port: String?
    @Option(help: "With --port: lost replies in a row that stop the run with torque off (1 to 10; default the robot's serial.lost_replies, else 2).")
    var lostReplies: Int?
    @Option(help: "With --port: how long the handshake may take, s (HELLO is sent again until the firmware answers; a board that resets when its port opens needs a second or two; default the robot's serial.connect_timeout, else 3).")
    var connectTimeout: Double?
    @Option(help: "Run this many episodes.")
    var episodes: Int?
    @Option(help: "Run for this many seconds (when --episodes is not given; default 10).")
    var duration: Double?
    @Option(help: "Random seed for targets and initial states.")
    var seed: UInt64 = 1
    @Option(help: "Loop rate in Hz instead of the robot's control rate (for measuring the loop; the policy still sees the robot's dynamics per step).")
    var rateHz: Double?
    @Flag(help: "Do not pace to the wall clock (simulation and lockstep emulation only).")
    var asFastAsPossible = false
    @Option(help: EpisodeStartOption.help)
    var episodeStart: String?
    @Option(help: ArgumentHelp(Recording.help, valueName: "file.mcap"))
    var record: String?
    @Option(help: ArgumentHelp(LiveView.help, valueName: "host:port"))
    var live: String?
    @Option(help: RealTimeOption.help)
    var realtimePriority: Int?
    @Flag(help: "With --port: the firmware's own actor (built from this policy with export-firmware) closes the loop; the host sends the goal each period (protocol 1.4).")
    var onDevice = false

    func validate() throws {
        guard sim != (port != nil) else { throw ValidationError("give exactly one of --sim or --port PORT") }
        if let episodes { try OptionBounds.require("--episodes", episodes, in: 1...OptionBounds.mostEpisodes) }
        if let duration { try OptionBounds.require("--duration", duration, above: 0, upTo: OptionBounds.longestRun, unit: "s") }
        if let lostReplies {
            guard port != nil else { throw ValidationError("--lost-replies is about the serial link; give --port PORT too") }
            try OptionBounds.require("--lost-replies", lostReplies, in: SerialSettings.lostRepliesRange)
        }
        if let connectTimeout {
            guard port != nil else { throw ValidationError("--connect-timeout is about the serial link; give --port PORT too") }
            try OptionBounds.require("--connect-timeout", connectTimeout, above: 0.01, inclusive: true, upTo: 600, unit: "s")
        }
        if let rateHz { try OptionBounds.require("--rate-hz", rateHz, above: 0.01, inclusive: true, upTo: 100_000, unit: "Hz") }
        _ = try EpisodeStartOption.parse(episodeStart, onHardware: port != nil)
        if onDevice && (port == nil || record != nil || live != nil || rateHz != nil || realtimePriority != nil) {
            throw ValidationError("--on-device needs --port PORT and runs without --record, --live, --rate-hz and --realtime-priority")
        }
        try RealTimeOption.validate(
            realtimePriority, pacedLoop: !asFastAsPossible, unpacedReason: "--as-fast-as-possible never waits, and would hold a core")
    }

    func run() throws {
        let description = try loadRobot(robot)
        let backend: any ArmBackend = try makeBackend(description)
        if onDevice {
            let signals = StopSignals()
            return try withExtendedLifetime(signals) { try runOnDevice(description, backend: backend, stop: signals.stop) }
        }
        let task = ReachEnvironment(
            robot: description, backend: backend, episodeStart: try EpisodeStartOption.parse(episodeStart, onHardware: port != nil),
            previousAction: try policyObservesPreviousAction(policy))
        let actor = try task.loadPolicy(policy)
        let signals = StopSignals()
        let loop = ControlLoop(environment: task, policy: actor, period: rateHz.map { 1 / $0 }, realTime: !asFastAsPossible)
        let recorder = try Recording.open(record, robot: description, pacing: asFastAsPossible ? .simulated(period: loop.period) : .realTime)
        let live = try LiveView.open(live, robot: description, period: loop.period, stop: signals.stop)
        task.observer = ReachObservers.combine([recorder, live?.tap])
        let serial = backend as? SerialArm
        let target = episodes.map { "\($0) episodes" } ?? String(format: "%.1f s", duration ?? 10)
        let link = description.bus != nil ? "Dynamixel bus" : "serial"
        print("running \(policy) on \(description.name) (\(port.map { "\(link) \($0)" } ?? "simulated")) at \(format(1 / loop.period)) Hz for \(target)")
        signals.flushOutput()
        let loopThread = RealTimeOption.enter(
            priority: RealTimeOption.priority(realtimePriority, live: live != nil, pacedLoop: !asFastAsPossible))
        let summary = loop.run(
            episodes: episodes, duration: episodes == nil ? (duration ?? 10) : nil, seed: seed,
            stop: signals.stop,
            onEpisode: { index, result in
                print(String(format: "episode %3d  return %8.3f  final distance %.4f m", index, result.returnValue, result.finalDistance))
                signals.flushOutput()
                // Between episodes the arm is homing, not pacing: time to sort the round trips.
                if let serial { recorder?.record(link: serial.linkStatistics) }
            },
            onCycle: {
                recorder?.record(timing: $0)
                live?.tap.record(timing: $0)
            })
        // The loop deactivated the arm as it returned.
        let torqueOff = MonotonicClock.seconds()
        loopThread?.leave()
        if let serial { recorder?.record(link: serial.linkStatistics) }
        live?.finish(reason: "\(summary.stopReason)", backend: backend, torqueOff: torqueOff)
        report(summary, backend: backend, loopThread: loopThread)
        Recording.close(recorder)
        signals.reportLostOutput()
        if summary.stopReason.isFault { throw UserFacingError("\(summary.stopReason); torque is off") }
    }

    func makeBackend(_ description: RobotDescription) throws -> any ArmBackend {
        guard let port else { return SimulatedArm(robot: description) }
        return try PortBackend.make(
            description, port: port, lostReplies: lostReplies, connectTimeout: connectTimeout, lockstep: asFastAsPossible,
            loopPeriod: rateHz.map { 1 / $0 })
    }

    func report(_ summary: RunSummary, backend: any ArmBackend, loopThread: RealTimeThread?) {
        let results = summary.episodes
        if !results.isEmpty {
            let evaluation = ReachEvaluation(
                returns: results.map(\.returnValue), finalDistances: results.map(\.finalDistance), successRadius: 0.01)
            printSummary(evaluation)
        }
        for line in Reports.loop(summary.timing) { print(line) }
        if !asFastAsPossible { print(RealTimeOption.report(loopThread)) }
        if let line = PortBackend.report(backend) { print(line) }
        print(Reports.guardInterventions(summary.interventions))
        print("stop: \(summary.stopReason); torque off")
    }
}
