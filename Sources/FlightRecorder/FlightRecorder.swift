import FileAccess
import FirmwareLink
import Foundation
import Hardware
import MonotonicTime
import RobotModel
import Tasks

/// Records what the arm did into an MCAP file (see `RecordingChannel` for the topics): every step's joint
/// state, action and torques, the guard's and the actuation filters' report, goal and reward, episode
/// boundaries (with the plant drawn for the episode under domain randomization), loop timing and link
/// statistics, and the arm as a Foxglove scene.
///
/// The loop's thread only copies numbers into a row of a `SampleRing` allocated once; a writer thread
/// turns rows into JSON messages and MCAP chunks and writes them (see `RecordingFile` for why in place).
/// With real-time pacing the loop never waits for the writer: when the ring is full the sample is
/// dropped and counted. With simulated pacing (evaluation, training in simulation, lockstep) no motor
/// waits on the loop, so the loop waits for room instead and nothing is lost. A write error (a full
/// disk) ends the recording, never the run: later samples are dropped and `close` reports the error.
/// All `record`/observer calls come from one thread, the one that steps the arm.
public final class FlightRecorder: ReachObserver {
    /// Where log times come from.
    public enum Pacing: Sendable, Equatable {
        /// The monotonic clock, from the wall-clock time the recording started: a paced loop, the emulator.
        case realTime
        /// One control period of `period` seconds per step from the start: a loop that runs as fast as it
        /// can, whose recording should play back at the arm's speed.
        case simulated(period: Double)
    }

    public let path: String
    public let pacing: Pacing
    /// Only episodes 1, 1 + N, 1 + 2N, … are recorded (training records a sample of its episodes).
    public let recordEvery: Int

    private let jointCount: Int
    /// `PlantRandomization.fields`' values, taken once: the list is built anew at every access.
    private let plantFields = PlantRandomization.fields.map(\.value)
    private let ring: SampleRing
    private let writer: RecordingWriter
    private let startMonotonic: UInt64
    private let periodNanoseconds: Double

    // Control-thread state.
    private var episode = 0
    private var recordingEpisode = false
    private var episodeReturn = 0.0
    private var simulatedTime = 0.0
    private var jitterSeen = 0
    private var periodSeen = 0
    private var dropped = 0
    private var samples = 0
    private var closed = false
    private var report: RecordingReport?

    /// Opens `path` (a regular file or a link to one is replaced; anything else refused) and starts the writer.
    /// `context` (the command line, say) goes into the file's `armature` metadata record beside the robot's
    /// name, fingerprint and joints, the control period and the pacing.
    public init(
        path: String, robot: RobotDescription, pacing: Pacing, recordEvery: Int = 1, capacity: Int = 8192, context: [String: String] = [:],
        compression: ChunkCompression = .zstd
    ) throws(FileError) {
        precondition(recordEvery >= 1 && capacity >= 2)
        precondition(Sample.plant + PlantRandomization.fields.count <= Sample.vectors, "a drawn plant overlaps the row's vectors")
        self.path = path
        self.pacing = pacing
        self.recordEvery = recordEvery
        jointCount = robot.jointCount
        ring = SampleRing(width: Sample.width(joints: robot.jointCount), capacity: capacity)
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let unixStart = UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
        startMonotonic = MonotonicClock.nanoseconds()
        if case .simulated(let period) = pacing { periodNanoseconds = (period * 1e9).rounded() } else { periodNanoseconds = 0 }
        var metadata = context
        metadata["robot"] = robot.name
        metadata["robot_fingerprint"] = robot.fingerprint
        metadata["joint_names"] = robot.jointNames.joined(separator: ",")
        metadata["control_period_s"] = "\(robot.control.period)"
        metadata["record_every"] = "\(recordEvery)"
        switch pacing {
        case .realTime: metadata["log_time"] = "wall clock (monotonic from the start)"
        case .simulated(let period): metadata["log_time"] = "simulated: \(period) s per step from the start"
        }
        writer = try RecordingWriter(
            path: path, robot: robot, ring: ring, startTime: unixStart, metadata: metadata, compression: compression)
        writer.start()
    }

    deinit { _ = close() }

    // MARK: The loop's side

    public func episodeStarted(_ environment: ReachEnvironment) {
        episode += 1
        episodeReturn = 0
        recordingEpisode = (episode - 1) % recordEvery == 0
        guard recordingEpisode, let row = reserve() else { return }
        let goal = environment.goal
        row[Sample.kind] = Sample.Kind.episodeStart.rawValue
        row[Sample.time] = now
        row[Sample.episode] = Double(episode)
        row[Sample.goalX] = goal.x
        row[Sample.goalY] = goal.y
        for (i, field) in plantFields.enumerated() { row[Sample.plant + i] = environment.drawnPlant?[keyPath: field] ?? .nan }
        copy(environment.state.position, into: row, vector: 0)
        publish()
    }

    public func stepped(_ environment: ReachEnvironment, action: [Double], outcome: StepOutcome) {
        if case .simulated = pacing { simulatedTime += periodNanoseconds }
        episodeReturn += outcome.reward
        guard recordingEpisode, let row = reserve() else { return }
        let arm = environment.arm
        let state = arm.state
        let goal = environment.goal
        let report = arm.lastCommandReport
        let tip = environment.fingertip
        row[Sample.kind] = Sample.Kind.step.rawValue
        row[Sample.time] = now
        row[Sample.episode] = Double(episode)
        row[Sample.step] = Double(environment.episodeStep)
        row[Sample.backendTime] = state.time
        row[Sample.goalX] = goal.x
        row[Sample.goalY] = goal.y
        row[Sample.reward] = outcome.reward
        row[Sample.episodeReturn] = episodeReturn
        row[Sample.ends] = outcome.truncated || outcome.terminated ? 1 : 0
        row[Sample.guardCounts + 0] = Double(report.effortClamps)
        row[Sample.guardCounts + 1] = Double(report.positionCuts)
        row[Sample.guardCounts + 2] = Double(report.velocityCuts)
        row[Sample.guardCounts + 3] = Double(report.nonFiniteRejections)
        row[Sample.guardCounts + 4] = Double(report.wrongSizeRejections)
        row[Sample.guardCounts + 5] = Double(report.smoothedCommands)
        row[Sample.guardCounts + 6] = Double(report.rateLimitedTorques)
        row[Sample.distance] = environment.distance
        row[Sample.tipX] = tip.x
        row[Sample.tipY] = tip.y
        copy(state.position, into: row, vector: 0)
        copy(state.velocity, into: row, vector: 1)
        copy(state.torque, into: row, vector: 2)
        copy(action, into: row, vector: 3)
        copy(arm.torques, into: row, vector: 4)
        copy(arm.requestedTorques, into: row, vector: 5)
        publish()
    }

    /// One finished cycle of a fixed-rate loop (after `PeriodicSchedule.finishCycle`).
    public func record(timing: LoopTiming) {
        let newJitter = timing.jitter.seen > jitterSeen
        let newPeriod = timing.actualPeriod.seen > periodSeen
        jitterSeen = timing.jitter.seen
        periodSeen = timing.actualPeriod.seen
        guard recordingEpisode, let row = reserve() else { return }
        row[Sample.kind] = Sample.Kind.loopTiming.rawValue
        row[Sample.time] = now
        row[Sample.scalars + 0] = Double(timing.cycles)
        row[Sample.scalars + 1] = timing.period
        row[Sample.scalars + 2] = newPeriod ? timing.actualPeriod.latest : .nan
        row[Sample.scalars + 3] = newJitter ? timing.jitter.latest : .nan
        row[Sample.scalars + 4] = timing.work.latest
        row[Sample.scalars + 5] = Double(timing.overruns)
        publish()
    }

    /// The serial link's statistics so far (take them where the loop has time: they are sorted to compute).
    public func record(link: LinkStatistics) {
        guard let row = reserve() else { return }
        row[Sample.kind] = Sample.Kind.link.rawValue
        row[Sample.time] = now
        let s = Sample.scalars
        row[s + 0] = Double(link.framesSent)
        row[s + 1] = Double(link.framesReceived)
        row[s + 2] = Double(link.crcErrors)
        row[s + 3] = Double(link.decodeErrors)
        row[s + 4] = Double(link.lostReplies)
        row[s + 5] = Double(link.mostLostRepliesInARow)
        row[s + 6] = Double(link.lateReplies)
        row[s + 7] = Double(link.faultEvents)
        row[s + 8] = Double(link.roundTrips)
        row[s + 9] = link.roundTripP50 ?? .nan
        row[s + 10] = link.roundTripP99 ?? .nan
        row[s + 11] = link.roundTripMax ?? .nan
        publish()
    }

    /// The emulated device's arm: its exact state and the torque it applies (no policy, no episodes),
    /// sampled once per control period.
    public func record(deviceState state: JointState, appliedTorque: [Double]) {
        if case .simulated = pacing { simulatedTime += periodNanoseconds }
        guard let row = reserve() else { return }
        row[Sample.kind] = Sample.Kind.device.rawValue
        row[Sample.time] = now
        row[Sample.backendTime] = state.time
        copy(state.position, into: row, vector: 0)
        copy(state.velocity, into: row, vector: 1)
        copy(state.torque, into: row, vector: 2)
        copy(appliedTorque, into: row, vector: 4)
        publish()
    }

    /// Writes what is queued, the summary and the footer, and says what was recorded. Later calls return the
    /// same report.
    public func close() -> RecordingReport {
        if let report { return report }
        closed = true
        let report = writer.finish(samples: samples, dropped: dropped)
        self.report = report
        return report
    }

    // MARK: Rows

    /// Nanoseconds since the recording started, on the pacing's clock (exact in a double for 104 days).
    private var now: Double {
        switch pacing {
        case .realTime: return Double(MonotonicClock.nanoseconds() &- startMonotonic)
        case .simulated: return simulatedTime
        }
    }

    private func reserve() -> UnsafeMutablePointer<Double>? {
        guard !closed else { return nil }
        if let row = ring.reserve() { return row }
        if case .simulated = pacing {
            // Nothing real waits on a simulated loop: wait for the writer rather than lose the sample.
            while true {
                usleep(100)
                if let row = ring.reserve() { return row }
            }
        }
        dropped += 1
        return nil
    }

    private func publish() {
        samples += 1
        ring.publish()
    }

    private func copy(_ values: [Double], into row: UnsafeMutablePointer<Double>, vector: Int) {
        let start = Sample.vectors + vector * jointCount
        for i in 0..<jointCount { row[start + i] = i < values.count ? values[i] : .nan }
    }
}

/// What a recording holds, or why it stopped early.
public struct RecordingReport: Sendable, CustomStringConvertible {
    public var path: String
    public var samples: Int
    public var dropped: Int
    public var messages: Int
    public var chunks: Int
    /// The write error that ended the recording early; the chunks before it stay readable.
    public var error: FileError?

    public var description: String {
        var text = "recording: \(messages) messages in \(chunks) chunks → \(path)"
        text += dropped == 0 ? ", none dropped" : ", \(dropped) samples dropped (the writer fell behind; the loop did not wait)"
        if let error { text += "; recording stopped early: \(error.description)" }
        return text
    }
}

/// Where each value sits in a row of the ring.
enum Sample {
    enum Kind: Double {
        case step = 1, episodeStart, loopTiming, link, device
    }

    static let kind = 0
    static let time = 1
    static let episode = 2
    static let step = 3
    static let backendTime = 4
    static let goalX = 5
    static let goalY = 6
    static let reward = 7
    static let episodeReturn = 8
    static let ends = 9
    /// The guard's five counts (`SafetyGuard.Interventions` order), then the actuation filters' two.
    static let guardCounts = 10  // seven
    static let distance = 17
    static let tipX = 18
    static let tipY = 19
    /// Kind-specific scalars (timing, link) reuse the slots from here.
    static let scalars = 4
    /// An episode start's drawn plant, one slot per `PlantRandomization.fields` (eight, in the slots a
    /// step's reward and counts use); NaN when the episode runs on the described plant.
    static let plant = 7
    /// Per-joint vectors start here: position, velocity, measured torque, action, commanded torque
    /// (sent), requested torque (what the guard was given).
    static let vectors = 20

    static func width(joints: Int) -> Int { vectors + 6 * joints }
}
