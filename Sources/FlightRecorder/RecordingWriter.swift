import Dispatch
import FileAccess
import Foundation
import MonotonicTime
import RobotModel
import Synchronization

/// The writer thread's side of a `FlightRecorder`: takes rows off the ring in order, turns each into its
/// JSON messages and hands them to the `MCAPWriter`. A chunk is also written when the loop has been quiet
/// for a second, so that a run that stops producing (homing, a stall) still has its last steps on disk.
final class RecordingWriter: @unchecked Sendable {
    private let ring: SampleRing
    private let file: RecordingFile
    private let mcap: MCAPWriter
    private let scene: ArmScene
    /// The names of a drawn plant's fields, in the row's order.
    private let plantFields = PlantRandomization.fields.map(\.name)
    private let joints: Int
    private let startTime: UInt64
    private var sequences: [UInt32]
    private var messages = 0
    private var error: FileError?

    private let finishing = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private var finalSamples = 0
    private var finalDropped = 0
    private var running = false

    /// Unix niceness of the writer thread (0 normal, 19 lowest), as the learner thread's.
    static let niceness: Int32 = 10
    /// Idle time after which an open chunk is written anyway, s.
    static let quietFlush = 1.0
    /// How long the thread sleeps when the ring is empty, µs: well under a chunk's span.
    static let idleSleep: UInt32 = 2_000

    init(
        path: String, robot: RobotDescription, ring: SampleRing, startTime: UInt64, metadata: [String: String], compression: ChunkCompression
    ) throws(FileError) {
        self.ring = ring
        self.startTime = startTime
        joints = robot.jointCount
        scene = ArmScene(robot: robot)
        file = try RecordingFile(path: path)
        mcap = try MCAPWriter(file: file, library: "armature flight recorder", compression: compression)
        sequences = Array(repeating: 0, count: RecordingChannel.allCases.count)
        for channel in RecordingChannel.allCases {
            let schemaID = channel.rawValue + 1
            try mcap.add(
                MCAPWriter.Schema(id: schemaID, name: channel.schemaName, encoding: "jsonschema", data: Array(channel.schema(joints: joints).utf8)))
            var channelMetadata = ["robot": robot.name]
            if channel != .arm && channel != .link && channel != .loopTiming && channel != .recorder && channel != .episode {
                channelMetadata["joint_names"] = robot.jointNames.joined(separator: ",")
            }
            try mcap.add(
                MCAPWriter.Channel(
                    id: channel.rawValue, schemaID: schemaID, topic: channel.topic, messageEncoding: "json", metadata: channelMetadata))
        }
        try mcap.addMetadata(name: "armature", metadata)
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "armature-recorder"
        running = true
        thread.start()
    }

    /// Called from the loop's thread: lets the thread write what is queued and the file's end, and waits for it.
    func finish(samples: Int, dropped: Int) -> RecordingReport {
        if running {
            finalSamples = samples
            finalDropped = dropped
            finishing.store(true, ordering: .releasing)
            finished.wait()
            running = false
        }
        return RecordingReport(
            path: file.path, samples: samples, dropped: dropped, messages: messages, chunks: mcap.chunkCount, error: error)
    }

    private func run() {
        #if os(Linux)
            // Writing is background work: at a lower priority the waking control loop (and, on one machine,
            // the emulator) preempts JSON and compression at once instead of queueing behind them. On Linux,
            // `who` 0 is the calling thread, not the whole process.
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, Self.niceness)
        #endif
        var lastWrite = MonotonicClock.seconds()
        while true {
            var wrote = false
            while let row = ring.peek() {
                if error == nil { attempt { () throws(FileError) in try handle(row) } }
                ring.release()
                wrote = true
            }
            if wrote {
                lastWrite = MonotonicClock.seconds()
                continue
            }
            if finishing.load(ordering: .acquiring) && ring.peek() == nil { break }
            if mcap.hasOpenChunk, MonotonicClock.seconds() - lastWrite > Self.quietFlush {
                attempt { () throws(FileError) in try mcap.flushChunk() }
                lastWrite = MonotonicClock.seconds()
            }
            usleep(Self.idleSleep)
        }
        if error == nil {
            attempt { () throws(FileError) in
                var status = JSONText()
                status.integer("samples", finalSamples)
                status.integer("dropped_samples", finalDropped)
                try emit(.recorder, time: mcap.lastLogTime ?? startTime, status.bytes)
                try mcap.finish()
            }
        }
        file.close()
        finished.signal()
    }

    private func attempt(_ body: () throws(FileError) -> Void) {
        do { try body() } catch { self.error = error }
    }

    private func emit(_ channel: RecordingChannel, time: UInt64, _ data: [UInt8]) throws(FileError) {
        let id = Int(channel.rawValue)
        try mcap.addMessage(channel: channel.rawValue, sequence: sequences[id], logTime: time, data: data)
        sequences[id] &+= 1
        messages += 1
    }

    private func vector(_ row: UnsafeMutablePointer<Double>, _ index: Int) -> UnsafeBufferPointer<Double> {
        UnsafeBufferPointer(start: row + Sample.vectors + index * joints, count: joints)
    }

    /// A row's measured joint state (vectors 0 to 2 and the backend's clock). A control step's row and an
    /// emulated device's both carry one and write it the same way, so that the joint-state channel reads
    /// alike whichever wrote it; only a step's row names its episode and step.
    private func emitJointState(_ row: UnsafeMutablePointer<Double>, time: UInt64, episode: Int? = nil, step: Int? = nil) throws(FileError) {
        var state = JSONText()
        if let episode { state.integer("episode", episode) }
        if let step { state.integer("step", step) }
        state.number("time", row[Sample.backendTime])
        state.numbers("position", vector(row, 0))
        state.numbers("velocity", vector(row, 1))
        state.numbers("torque", vector(row, 2))
        try emit(.jointState, time: time, state.bytes)
    }

    /// The arm's 3D scene at the row's joint positions, for every kind of row that moves the arm (a step,
    /// an episode's start, a device sample), so that the scene is drawn from one place.
    private func emitScene(
        _ row: UnsafeMutablePointer<Double>, time: UInt64, goal: (x: Double, y: Double)?, episode: Int? = nil, step: Int? = nil
    ) throws(FileError) {
        try emit(.arm, time: time, scene.message(position: Array(vector(row, 0)), goal: goal, episode: episode, step: step, logTime: time))
    }

    private func point(_ x: Double, _ y: Double) -> String { #"{"x":\#(JSONText.number(x)),"y":\#(JSONText.number(y))}"# }

    private func handle(_ row: UnsafeMutablePointer<Double>) throws(FileError) {
        let time = startTime &+ UInt64(max(0, row[Sample.time]))
        let episode = Int(row[Sample.episode])
        let step = Int(row[Sample.step])
        switch Sample.Kind(rawValue: row[Sample.kind]) {
        case .step:
            let goal = point(row[Sample.goalX], row[Sample.goalY])
            try emitJointState(row, time: time, episode: episode, step: step)

            var command = JSONText()
            command.integer("episode", episode)
            command.integer("step", step)
            command.numbers("action", vector(row, 3))
            command.numbers("torque", vector(row, 4))
            try emit(.command, time: time, command.bytes)

            var report = JSONText()
            report.integer("episode", episode)
            report.integer("step", step)
            let names = ["effort_clamps", "position_cuts", "velocity_cuts", "non_finite_rejections", "wrong_size_rejections"]
            var total = 0
            for (i, name) in names.enumerated() {
                let count = Int(row[Sample.guardCounts + i])
                total += count
                report.integer(name, count)
            }
            // The guard's own total, as `SafetyGuard.Interventions.total`: a low-pass changes nearly every
            // command by design, which says nothing about how often safety stepped in.
            report.integer("total", total)
            report.integer("smoothed_commands", Int(row[Sample.guardCounts + 5]))
            report.integer("rate_limited_torques", Int(row[Sample.guardCounts + 6]))
            // What the guard was given beside what it let through: the difference is the guard's work alone.
            report.numbers("requested_torque", vector(row, 5))
            report.numbers("torque", vector(row, 4))
            try emit(.guardReport, time: time, report.bytes)

            var reach = JSONText()
            reach.integer("episode", episode)
            reach.integer("step", step)
            reach.raw("goal", goal)
            reach.raw("fingertip", point(row[Sample.tipX], row[Sample.tipY]))
            reach.number("distance", row[Sample.distance])
            reach.number("reward", row[Sample.reward])
            reach.number("episode_return", row[Sample.episodeReturn])
            reach.bool("truncated", row[Sample.ends] != 0)
            try emit(.reach, time: time, reach.bytes)

            try emitScene(row, time: time, goal: (row[Sample.goalX], row[Sample.goalY]), episode: episode, step: step)

            if row[Sample.ends] != 0 {
                var end = JSONText()
                end.string("event", "end")
                end.integer("episode", episode)
                end.raw("goal", goal)
                end.integer("steps", step)
                end.number("return", row[Sample.episodeReturn])
                end.number("final_distance", row[Sample.distance])
                try emit(.episode, time: time, end.bytes)
            }
        case .episodeStart:
            var start = JSONText()
            start.string("event", "start")
            start.integer("episode", episode)
            start.raw("goal", point(row[Sample.goalX], row[Sample.goalY]))
            start.numbers("position", vector(row, 0))
            if !row[Sample.plant].isNaN {
                var plant = JSONText()
                for (i, name) in plantFields.enumerated() { plant.number(name, row[Sample.plant + i]) }
                start.raw("plant", plant.finished())
            }
            try emit(.episode, time: time, start.bytes)
            try emitScene(row, time: time, goal: (row[Sample.goalX], row[Sample.goalY]), episode: episode, step: 0)
        case .loopTiming:
            var timing = JSONText()
            let s = Sample.scalars
            timing.integer("cycle", Int(row[s]))
            timing.number("target_period", row[s + 1])
            timing.number("period", row[s + 2])
            timing.number("jitter", row[s + 3])
            timing.number("work", row[s + 4])
            timing.integer("overruns", Int(row[s + 5]))
            try emit(.loopTiming, time: time, timing.bytes)
        case .link:
            var link = JSONText()
            let s = Sample.scalars
            let counts = [
                "frames_sent", "frames_received", "crc_errors", "decode_errors", "lost_replies", "most_lost_replies_in_a_row",
                "late_replies", "fault_events", "round_trips",
            ]
            for (i, name) in counts.enumerated() { link.integer(name, Int(row[s + i])) }
            link.number("round_trip_p50", row[s + 9])
            link.number("round_trip_p99", row[s + 10])
            link.number("round_trip_max", row[s + 11])
            try emit(.link, time: time, link.bytes)
        case .device:
            // An emulated device's own state: no episode, step or goal.
            try emitJointState(row, time: time)
            var command = JSONText()
            command.numbers("torque", vector(row, 4))
            try emit(.command, time: time, command.bytes)
            try emitScene(row, time: time, goal: nil)
        case nil:
            break
        }
    }
}
