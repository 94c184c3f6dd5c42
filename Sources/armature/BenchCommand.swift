import ArgumentParser
import Training
import DeterministicRandom
import Foundation
import MonotonicTime
import NeuralNetwork
import Policy

/// `armature bench`: update throughput (DDPG, TD3 or SAC) and actor latency with CleanRL's shapes.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure learning updates per second (DDPG, TD3 or SAC) and the actor's batch-1 latency (CleanRL's shapes).",
        discussion: """
            Shapes: observation 10, action 2, hidden 256×256, batch 256, replay of 100 000 random \
            transitions. An "update" at policy frequency 2 is the average of one critic-only step and \
            one full step (critic, actor, both targets), as CleanRL's default cadence; for SAC, of one \
            critics-only step and one with two actor and temperature steps (CleanRL's SAC). Each rate is \
            the median of --rounds timing windows, as bench/pytorch_ddpg.py reports its own. Compare \
            with bench/pytorch_ddpg.py --algorithm on the same machine; record results in BENCHMARKS.md.
            """
    )

    @Option(help: "The learner: ddpg, td3 or sac.")
    var algorithm: Algorithm = .ddpg
    @Option(help: "OpenBLAS threads for matrix products (1 or more).")
    var threads: [Int] = [1, 2]
    @Option(help: "Seconds to measure each configuration.")
    var seconds: Double = 5
    @Option(help: "Timing windows per configuration; the median window's rate is reported, which a burst of other work on the machine cannot drag down.")
    var rounds: Int = 5
    @Option(help: "Actor inference calls for the latency percentiles.")
    var calls: Int = 20_000
    @Option(help: ArgumentHelp("Dropout probability in the critics' hidden layers (DroQ; as train's).", valueName: "p"))
    var criticDropout: Float = 0
    @Flag(help: "Layer normalization in the critics' hidden layers (DroQ; as train's).")
    var criticLayerNorm = false
    @Flag(help: "Print one JSON line at the end.")
    var json = false

    func validate() throws {
        for count in threads { try OptionBounds.require("--threads", count, in: 1...64) }
        try OptionBounds.require("--seconds", seconds, above: 0, upTo: 86_400, unit: "s")
        try OptionBounds.require("--rounds", rounds, in: 1...1000)
        try OptionBounds.require("--calls", calls, in: 1...10_000_000)
        var critics = LearnerConfiguration.defaults(for: algorithm)
        critics.criticDropout = criticDropout
        guard critics.problems.isEmpty else { throw ValidationError(critics.problems.joined(separator: "\n")) }
    }

    func run() throws {
        let machine = MachineReport.current()
        for line in machine.lines { print(line) }
        var results: [String: Any] = machine.json
        results["algorithm"] = algorithm.rawValue
        print("algorithm: \(algorithm.rawValue)")
        if criticDropout > 0 || criticLayerNorm {
            results["critic_dropout"] = criticDropout
            results["critic_layer_norm"] = criticLayerNorm
            print("critics: dropout \(criticDropout)\(criticLayerNorm ? ", layer normalization" : "") (DroQ)")
        }
        for count in threads {
            // Two threads: our coarse split with single-threaded OpenBLAS beats OpenBLAS's own threading here.
            setMatrixThreads(count == 2 ? 1 : count)
            let helper = count == 2 ? HelperThread() : nil
            defer { helper?.stop() }
            let (pf1, pf2, rowSplit) = measureUpdates(parallelism: helper.map { .twoThreads($0) } ?? .serial)
            results["updates_per_s_pf2_threads\(count)"] = median(pf2)
            results["updates_per_s_pf1_threads\(count)"] = median(pf1)
            results["openblas_threads_threads\(count)"] = MatrixLibrary.threads
            var how = "OpenBLAS at \(MatrixLibrary.threads) thread\(MatrixLibrary.threads == 1 ? "" : "s")"
            if let rowSplit {
                results["row_cut"] = rowSplit.cut ?? NSNull()
                how += ", a helper thread; batch rows cut at " + (rowSplit.cut.map { "\($0) of \(rowSplit.batch)" } ?? "none (no exact cut: row stages on one thread)")
            }
            print(String(format: "threads %d: %.0f updates/s (policy frequency 2), %.0f full updates/s (policy frequency 1)", count, median(pf2), median(pf1)))
            print("  \(how)")
            print("  per window: \(rounded(pf2)) / \(rounded(pf1))")
        }
        setMatrixThreads(1)
        let (p50, p99) = measureActorLatency()
        results["actor_p50_us"] = p50
        results["actor_p99_us"] = p99
        print(String(format: "actor batch-1 latency: p50 %.2f µs, p99 %.2f µs (%d calls, 1 thread)", p50, p99, calls))
        if json {
            let data = try JSONSerialization.data(withJSONObject: results, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
    }

    /// Updates/s in each timing window, for full updates only (policy frequency 1) and for a
    /// critic-only + full pair (policy frequency 2), and where two threads cut the batch's rows.
    func measureUpdates(parallelism: Parallelism) -> ([Double], [Double], RowSplit?) {
        var random = Xoshiro256(seed: 1)
        let full = makeAgent(policyFrequency: 1, random: &random)
        let alternating = makeAgent(policyFrequency: 2, random: &random)
        full.parallelism = parallelism
        alternating.parallelism = parallelism
        let buffer = ReplayBuffer(capacity: 100_000, observationSize: 10, actionSize: 2)
        var observation = [Float](repeating: 0, count: 10)
        var next = [Float](repeating: 0, count: 10)
        var action = [0.0, 0.0]
        for _ in 0..<100_000 {
            for i in 0..<10 {
                observation[i] = Float(random.uniform(-1, 1))
                next[i] = Float(random.uniform(-1, 1))
            }
            action = [random.uniform(-1, 1), random.uniform(-1, 1)]
            buffer.add(observation: observation, action: action, reward: random.uniform(-1, 0), terminated: false, nextObservation: next)
        }
        let batch = ReplayBatch(size: 256, observationSize: 10, actionSize: 2)
        func rates(_ agent: any Learner) -> [Double] {
            for _ in 0..<20 {
                buffer.sample(into: batch, using: &random)
                _ = agent.update(batch: batch) // only the time counts here
            }
            var rates: [Double] = []
            for _ in 0..<rounds {
                let start = MonotonicClock.seconds()
                var done = 0
                while true {
                    for _ in 0..<10 {
                        buffer.sample(into: batch, using: &random)
                        _ = agent.update(batch: batch)
                    }
                    done += 10
                    let elapsed = MonotonicClock.seconds() - start
                    if elapsed >= seconds / Double(rounds) {
                        rates.append(Double(done) / elapsed)
                        break
                    }
                }
            }
            return rates
        }
        return (rates(full), rates(alternating), (alternating as? DDPGAgent)?.rowSplit)
    }

    func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

    func rounded(_ values: [Double]) -> String { values.map { String(format: "%.0f", $0) }.joined(separator: " ") }

    func makeAgent(policyFrequency: Int, random: inout Xoshiro256) -> any Learner {
        var configuration = LearnerConfiguration.defaults(for: algorithm)
        configuration.policyFrequency = policyFrequency
        configuration.criticDropout = criticDropout
        configuration.criticLayerNorm = criticLayerNorm
        return makeLearner(observationSize: 10, actionSize: 2, configuration: configuration, random: &random)
    }

    func measureActorLatency() -> (Double, Double) {
        var random = Xoshiro256(seed: 2)
        let agent = makeAgent(policyFrequency: 2, random: &random)
        let policy = ActorPolicy(
            network: agent.deployableActor(),
            metadata: PolicyMetadata(observationLayout: "reacher-v5", jointNames: ["a", "b"], robotName: "bench", robotFingerprint: "", activations: ["relu", "relu", "tanh"]))
        var observation = (0..<10).map { _ in Float(random.uniform(-1, 1)) }
        var action = [0.0, 0.0]
        var samples = [Double](repeating: 0, count: calls)
        for _ in 0..<1000 { policy.act(observation: observation, into: &action) }
        for i in 0..<calls {
            observation[i % 10] = Float(i % 7) * 0.1
            let start = DispatchTime.now().uptimeNanoseconds
            policy.act(observation: observation, into: &action)
            samples[i] = Double(DispatchTime.now().uptimeNanoseconds - start) / 1000
        }
        samples.sort()
        return (samples[calls / 2], samples[min(calls - 1, calls * 99 / 100)])
    }
}
