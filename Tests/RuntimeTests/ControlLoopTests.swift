import Dispatch
import DeterministicRandom
import Hardware
import MonotonicTime
import NeuralNetwork
import Policy
import RobotModel
import Runtime
import Tasks
import TestSupport
import XCTest

/// Wraps the simulator to fail on a chosen step and to record whether torque was switched off.
final class FlakyArm: SimulatedArmWrapper {
    var failOnStep: Int?
    private(set) var steps = 0
    private(set) var deactivations = 0
    init(robot: RobotDescription, failOnStep: Int?) {
        self.failOnStep = failOnStep
        super.init(SimulatedArm(robot: robot))
    }
    override func step(torques: [Double], state: inout JointState) throws {
        steps += 1
        if steps == failOnStep { throw BackendError.inactive }
        try inner.step(torques: torques, state: &state)
    }
    override func deactivate() {
        deactivations += 1
        inner.deactivate()
    }
}

final class ControlLoopTests: XCTestCase {
    func policy(scale: Float = 1, seed: UInt64 = 1) -> ActorPolicy {
        var random = Xoshiro256(seed: seed)
        let network = MLP(sizes: [10, 32, 32, 2], activations: [.relu, .relu, .tanh])
        network.initializeLikePyTorch(using: &random)
        if scale != 1 {
            for layer in network.layers {
                for i in 0..<layer.weight.count { layer.weight[i] *= scale * (i % 2 == 0 ? 1 : -1) }
            }
        }
        return ActorPolicy(
            network: network,
            metadata: PolicyMetadata(observationLayout: "reacher-v5", jointNames: ["shoulder", "elbow"], robotName: "reacher", robotFingerprint: "", activations: ["relu", "relu", "tanh"]))
    }

    func makeTask(failOnStep: Int? = nil) throws -> (ReachEnvironment, FlakyArm) {
        let robot = try RepositoryFiles.robot("reacher")
        let arm = FlakyArm(robot: robot, failOnStep: failOnStep)
        return (ReachEnvironment(robot: robot, backend: arm), arm)
    }

    func testEpisodesRunToCompletionAndMatchAnOfflineEvaluation() throws {
        let (task, arm) = try makeTask()
        let actor = policy()
        let summary = ControlLoop(environment: task, policy: actor, realTime: false).run(episodes: 3, duration: nil, seed: 9)
        XCTAssertEqual(summary.stopReason, .completed)
        XCTAssertEqual(summary.episodes.count, 3)
        XCTAssertEqual(summary.timing.cycles, 150)
        XCTAssertFalse(arm.isActive, "torque off at the end")
        let (offline, _) = try makeTask()
        let reference = try offline.evaluate(episodes: 3, seed: 9, act: { actor.act(observation: $0, into: &$1) })
        // Exact on every CPU: the same actor, simulator and seed in one process compute the same bits.
        XCTAssertEqual(summary.episodes.map(\.returnValue), reference.returns)
        XCTAssertEqual(summary.episodes.map(\.finalDistance), reference.finalDistances)
    }

    func testRealTimeRunsPaceToTheControlPeriod() throws {
        let (task, _) = try makeTask()
        let summary = ControlLoop(environment: task, policy: policy(), realTime: true).run(episodes: 1, duration: nil, seed: 1)
        XCTAssertEqual(summary.timing.cycles, 50)
        XCTAssertEqual(summary.timing.jitter.seen, 50)
        // Pacing, not speed: 50 cycles at 20 ms cannot finish much faster than 49 periods.
        XCTAssertGreaterThanOrEqual(summary.timing.actualPeriod.mean * Double(summary.timing.actualPeriod.seen), 47 * 0.02)
    }

    func testANonFiniteActionStopsWithTorqueOff() throws {
        let (task, arm) = try makeTask()
        // Weights near Float.greatestFiniteMagnitude with alternating signs overflow to inf − inf = NaN.
        let summary = ControlLoop(environment: task, policy: policy(scale: 3e37), realTime: false).run(episodes: 2, duration: nil, seed: 1)
        guard case .unsafeAction(let reason) = summary.stopReason else { return XCTFail("\(summary.stopReason)") }
        XCTAssertTrue(reason.contains("non-finite") || reason.contains("nan"), reason)
        XCTAssertTrue(summary.stopReason.isFault)
        XCTAssertFalse(arm.isActive)
        XCTAssertEqual(arm.steps, 0, "the bad action never reached the arm")
    }

    func testABackendFailureStopsWithTorqueOff() throws {
        let (task, arm) = try makeTask(failOnStep: 30)
        let summary = ControlLoop(environment: task, policy: policy(), realTime: false).run(episodes: 2, duration: nil, seed: 1)
        guard case .backendFailure = summary.stopReason else { return XCTFail("\(summary.stopReason)") }
        XCTAssertEqual(summary.timing.cycles, 29)
        XCTAssertFalse(arm.isActive)
        XCTAssertGreaterThanOrEqual(arm.deactivations, 1)
    }

    func testAStopRequestEndsTheRunCleanly() throws {
        let (task, arm) = try makeTask()
        let stop = StopRequest()
        let summary = ControlLoop(environment: task, policy: policy(), realTime: false).run(
            episodes: nil, duration: 60, seed: 1, stop: stop, onEpisode: { _, _ in stop.request() })
        XCTAssertEqual(summary.stopReason, .stopRequested)
        XCTAssertFalse(summary.stopReason.isFault)
        XCTAssertEqual(summary.episodes.count, 1)
        XCTAssertEqual(summary.timing.cycles, 50)
        XCTAssertFalse(arm.isActive)
    }

    /// The live page's e-stop or Ctrl-C pressed while a real arm moves to an episode's start (seconds):
    /// the backend ends the move at once (`BackendError.moveStopped`), and the run ends as a stop, not a fault.
    func testAStopDuringTheMoveToAnEpisodesStartEndsTheRunAsAStop() throws {
        final class StoppedMidMove: SimulatedArmWrapper {
            private(set) var moves = 0
            override func move(to position: [Double], profile: MoveProfile, state: inout JointState, unless stop: StopRequest) throws -> MoveOutcome {
                moves += 1
                guard moves == 2 else { return try inner.move(to: position, profile: profile, state: &state, unless: stop) }
                stop.request()  // pressed mid-move; the device's move ends as SerialArm's does
                inner.deactivate()
                throw BackendError.moveStopped
            }
        }
        let robot = try RepositoryFiles.robot("reacher")
        let arm = StoppedMidMove(SimulatedArm(robot: robot))
        let task = ReachEnvironment(robot: robot, backend: arm, episodeStart: .move)
        let stop = StopRequest()
        let summary = ControlLoop(environment: task, policy: policy(), realTime: false).run(episodes: 3, duration: nil, seed: 1, stop: stop)
        XCTAssertEqual(summary.stopReason, .stopRequested, "the run's own stop reached the move")
        XCTAssertEqual(summary.episodes.count, 1)
        XCTAssertEqual(arm.moves, 2)
        XCTAssertFalse(arm.isActive)
    }

    func testAStopRequestWakesTheLoopBetweenDistantDeadlines() throws {
        let (task, arm) = try makeTask()
        let stop = StopRequest()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.05) { stop.request() }
        let started = MonotonicClock.seconds()
        let summary = ControlLoop(environment: task, policy: policy(), period: 100).run(episodes: 1, duration: nil, seed: 1, stop: stop)
        // Bounded far below the 100 s period, not by how fast this machine is.
        XCTAssertLessThan(MonotonicClock.seconds() - started, 10)
        XCTAssertEqual(summary.stopReason, .stopRequested)
        XCTAssertEqual(summary.timing.cycles, 0)
        XCTAssertFalse(arm.isActive)
    }

    func testATimedRunEndsAtItsDurationWhenTheNextDeadlineIsLater() throws {
        let (task, arm) = try makeTask()
        let started = MonotonicClock.seconds()
        let summary = ControlLoop(environment: task, policy: policy(), period: 100).run(episodes: nil, duration: 0.05, seed: 1)
        let elapsed = MonotonicClock.seconds() - started
        XCTAssertGreaterThanOrEqual(elapsed, 0.05)
        XCTAssertLessThan(elapsed, 10)
        XCTAssertEqual(summary.stopReason, .completed)
        XCTAssertEqual(summary.timing.cycles, 0, "no step after the duration")
        XCTAssertFalse(arm.isActive)
    }

    /// A deadline that falls on the end of a timed run (up to the rounding of summed periods) is
    /// still served: 0.2 s at 50 Hz is ten cycles, not nine.
    func testATimedRunServesTheDeadlineThatFallsOnItsEnd() throws {
        let (task, _) = try makeTask()
        let summary = ControlLoop(environment: task, policy: policy(), period: 0.02).run(episodes: nil, duration: 0.2, seed: 1)
        XCTAssertEqual(summary.stopReason, .completed)
        // A late cycle skips deadlines by design; only a run without overruns must have all ten.
        if summary.timing.overruns == 0 { XCTAssertEqual(summary.timing.cycles, 10) }
    }

    func testAStoppableSleepReachesItsDeadlineOrWakesForTheStop() {
        let stop = StopRequest()
        let deadline = MonotonicClock.seconds() + 0.01
        XCTAssertTrue(MonotonicClock.sleep(until: deadline, unless: stop))
        XCTAssertGreaterThanOrEqual(MonotonicClock.seconds(), deadline)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.02) { stop.request() }
        let started = MonotonicClock.seconds()
        XCTAssertFalse(MonotonicClock.sleep(until: started + 100, unless: stop))
        XCTAssertLessThan(MonotonicClock.seconds() - started, 10)
        XCTAssertFalse(MonotonicClock.sleep(until: MonotonicClock.seconds() + 100, unless: stop), "a request stays made")
    }

    func testDurationSamplesSummarize() {
        var samples = DurationSamples(capacity: 100)
        for i in 1...100 { samples.record(Double(i)) }
        XCTAssertEqual(samples.mean, 50.5)
        XCTAssertEqual(samples.percentile(0.5), 50)
        XCTAssertEqual(samples.percentile(0.99), 99)
        XCTAssertEqual(samples.maximum, 100)
    }
}
