import FlightRecorder
import Foundation
import MonotonicTime
import RobotModel
import Tasks

/// The loop's side of the live page: a `ReachObserver` and a timing tap that copy a decimated sample
/// (joint state, torques, goal, loop timing, the guard's counts) into a lock-free `SampleRing` on the
/// loop's thread and return. The server's thread reads the ring; when it falls behind (or no page is
/// open and nothing reads) a sample is dropped and counted, never waited for.
/// All calls come from the one thread that steps the arm.
public final class LiveTap: ReachObserver {
    /// Every `decimation`'th step is published (the control rate divided down to about `rateHz`), and an
    /// episode's last, at most one per 0.9 / `rateHz` s of wall time.
    public let decimation: Int
    /// How often the page is updated at most, Hz.
    public let rateHz: Double
    let jointCount: Int
    let ring: SampleRing
    private let start = MonotonicClock.seconds()
    /// A loop faster than real time (training in simulation) is sampled on the wall clock instead.
    private let minimumInterval: Double
    private var lastPublished = -Double.infinity

    // Loop-thread state.
    private var episode = 0
    private var steps = 0
    private var jitterPeak = 0.0
    private var workPeak = 0.0
    private var period = 0.0
    private var overruns = 0
    private var cycles = 0
    private var guardCounts = [Int](repeating: 0, count: 7)
    private var droppedCount = 0

    /// `rateHz`: how often the page is updated at most; `controlPeriod`: the loop's period, s.
    public init(robot: RobotDescription, controlPeriod: Double, rateHz: Double = 30, capacity: Int = 256) {
        precondition(rateHz > 0 && capacity >= 2)
        decimation = max(1, Int((1 / (controlPeriod * rateHz)).rounded()))
        self.rateHz = rateHz
        minimumInterval = 0.9 / rateHz
        jointCount = robot.jointCount
        ring = SampleRing(width: LiveSample.width(joints: robot.jointCount), capacity: capacity)
    }

    /// Samples dropped because the ring was full (read on the loop's thread, or after the run).
    public var dropped: Int { droppedCount }

    public func episodeStarted(_ environment: ReachEnvironment) {
        episode += 1
        steps = 0
        publish(environment, action: nil)
    }

    public func stepped(_ environment: ReachEnvironment, action: [Double], outcome: StepOutcome) {
        steps += 1
        let report = environment.arm.lastCommandReport
        guardCounts[0] += report.effortClamps
        guardCounts[1] += report.positionCuts
        guardCounts[2] += report.velocityCuts
        guardCounts[3] += report.nonFiniteRejections
        guardCounts[4] += report.wrongSizeRejections
        guardCounts[5] += report.smoothedCommands
        guardCounts[6] += report.rateLimitedTorques
        guard steps % decimation == 0 || outcome.terminated || outcome.truncated else { return }
        let now = MonotonicClock.seconds()
        guard now - lastPublished >= minimumInterval else { return }
        lastPublished = now
        publish(environment, action: action, reward: outcome.reward)
    }

    /// One finished cycle of the fixed-rate loop: the peaks since the last published sample go with it.
    public func record(timing: LoopTiming) {
        if timing.jitter.seen > 0 { jitterPeak = max(jitterPeak, abs(timing.jitter.latest)) }
        if timing.work.seen > 0 { workPeak = max(workPeak, timing.work.latest) }
        if timing.actualPeriod.seen > 0 { period = timing.actualPeriod.latest }
        overruns = timing.overruns
        cycles = timing.cycles
    }

    private func publish(_ environment: ReachEnvironment, action: [Double]?, reward: Double = .nan) {
        guard let row = ring.reserve() else {
            droppedCount += 1
            return
        }
        let arm = environment.arm
        let state = arm.state
        let goal = environment.goal
        row[LiveSample.time] = MonotonicClock.seconds() - start
        row[LiveSample.episode] = Double(episode)
        row[LiveSample.step] = Double(steps)
        row[LiveSample.goalX] = goal.x
        row[LiveSample.goalY] = goal.y
        row[LiveSample.reward] = reward
        row[LiveSample.distance] = environment.distance
        row[LiveSample.jitter] = jitterPeak
        row[LiveSample.work] = workPeak
        row[LiveSample.period] = period
        row[LiveSample.overruns] = Double(overruns)
        row[LiveSample.cycles] = Double(cycles)
        row[LiveSample.dropped] = Double(droppedCount)
        for i in 0..<7 { row[LiveSample.guardCounts + i] = Double(guardCounts[i]) }
        copy(state.position, into: row, vector: 0)
        copy(state.velocity, into: row, vector: 1)
        copy(state.torque, into: row, vector: 2)
        copy(arm.torques, into: row, vector: 3)
        jitterPeak = 0
        workPeak = 0
        ring.publish()
    }

    private func copy(_ values: [Double], into row: UnsafeMutablePointer<Double>, vector: Int) {
        let start = LiveSample.vectors + vector * jointCount
        for i in 0..<jointCount { row[start + i] = i < values.count ? values[i] : .nan }
    }
}

/// Where each value sits in a row of the live page's ring.
enum LiveSample {
    static let time = 0
    static let episode = 1
    static let step = 2
    static let goalX = 3
    static let goalY = 4
    static let reward = 5
    static let distance = 6
    static let jitter = 7
    static let work = 8
    static let period = 9
    static let overruns = 10
    static let cycles = 11
    static let dropped = 12
    /// The guard's five counts (`SafetyGuard.Interventions` order), then the actuation filters' two; totals.
    static let guardCounts = 13  // seven
    static let guardNames = [
        "effort_clamps", "position_cuts", "velocity_cuts", "non_finite_rejections", "wrong_size_rejections",
        "smoothed_commands", "rate_limited_torques",
    ]
    /// Per-joint vectors: position, velocity, measured torque, commanded torque (sent).
    static let vectors = 20

    static func width(joints: Int) -> Int { vectors + 4 * joints }
}
