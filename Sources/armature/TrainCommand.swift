import ArgumentParser
import DDPG
import Foundation
import NeuralNetwork
import Policy

/// `armature train`: DDPG on the simulated reach task, with logs, checkpoints and the final actor.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a reaching policy with DDPG (CleanRL's defaults) on the simulated arm.",
        discussion: """
            Writes into --out: TensorBoard event files and scalars.csv (CleanRL's tags), a resumable
            checkpoint.safetensors every --checkpoint-every steps (at the next episode boundary), and
            the final actor.safetensors. --resume continues a killed run from its checkpoint with the
            same options; a fixed seed reproduces the same actor on the same machine.
            """
    )

    @Option(help: "Robot description (YAML), two joints for the reacher-v5 task.")
    var robot: String = "robots/reacher.yaml"
    @Option(help: "Total environment steps.")
    var steps: Int = 100_000
    @Option(help: "Random seed (networks, targets, noise, minibatches).")
    var seed: UInt64 = 1
    @Option(help: "Run directory.")
    var out: String
    @Flag(help: "Continue from the run directory's checkpoint.")
    var resume = false
    @Option(help: "Uniform random steps before learning starts.")
    var learningStarts: Int = 25_000
    @Option(help: "Minibatch size.")
    var batchSize: Int = 256
    @Option(help: "Replay buffer capacity (transitions).")
    var bufferSize: Int = 1_000_000
    @Option(help: "Discount γ.")
    var gamma: Float = 0.99
    @Option(help: "Target smoothing τ.")
    var tau: Float = 0.005
    @Option(help: "Actor learning rate.")
    var actorLearningRate: Float = 3e-4
    @Option(help: "Critic learning rate.")
    var criticLearningRate: Float = 3e-4
    @Option(help: "Actor and target updates every N steps.")
    var policyFrequency: Int = 2
    @Option(help: "Exploration noise: gaussian or ou (Ornstein–Uhlenbeck).")
    var noise: String = "gaussian"
    @Option(help: "Noise σ in normalized action units (default 0.1 gaussian, 0.2 OU).")
    var noiseSigma: Double?
    @Option(help: "OU mean reversion θ.")
    var noiseTheta: Double = 0.15
    @Option(help: "Hidden layer widths, comma-separated.")
    var hidden: String = "256,256"
    @Option(help: "Checkpoint interval in steps (0: only at the end).")
    var checkpointEvery: Int = 10_000
    @Option(help: "Threads for the learning updates (2: the update's independent products side by side).")
    var threads: Int = 1

    func validate() throws {
        guard steps > 0 else { throw ValidationError("--steps must be at least 1") }
        guard batchSize > 0, bufferSize > 0 else { throw ValidationError("--batch-size and --buffer-size must be positive") }
        guard policyFrequency > 0 else { throw ValidationError("--policy-frequency must be at least 1") }
        guard ["gaussian", "ou"].contains(noise) else { throw ValidationError("--noise must be gaussian or ou") }
        guard threads > 0 else { throw ValidationError("--threads must be at least 1") }
        guard hiddenSizes != nil else { throw ValidationError("--hidden must be positive whole numbers, e.g. 256,256") }
    }

    var hiddenSizes: [Int]? {
        let sizes = hidden.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        return sizes.isEmpty || sizes.contains { $0 <= 0 } ? nil : sizes
    }

    var ddpgConfiguration: DDPGConfiguration {
        var c = DDPGConfiguration()
        c.hiddenSizes = hiddenSizes ?? [256, 256]
        c.actorLearningRate = actorLearningRate
        c.criticLearningRate = criticLearningRate
        c.bufferSize = min(bufferSize, steps)
        c.gamma = gamma
        c.tau = tau
        c.batchSize = batchSize
        c.learningStarts = learningStarts
        c.policyFrequency = policyFrequency
        c.noise = noise == "ou"
            ? .ornsteinUhlenbeck(theta: noiseTheta, sigma: noiseSigma ?? 0.2) : .gaussian(sigma: noiseSigma ?? 0.1)
        return c
    }

    func run() throws {
        setMatrixThreads(threads == 2 ? 1 : threads)
        let reach = try SimulatedReach(robotPath: robot)
        defer { reach.arm.deactivate() }
        let directory = URL(fileURLWithPath: out)
        let checkpointPath = directory.appendingPathComponent("checkpoint.safetensors").path
        let actorPath = directory.appendingPathComponent("actor.safetensors").path
        var configuration = ddpgConfiguration
        if resume {
            guard FileManager.default.fileExists(atPath: checkpointPath) else {
                throw UserFacingError("\(checkpointPath): no checkpoint to resume from; run without --resume to start")
            }
            do {
                configuration = try Checkpoint.configuration(at: checkpointPath)
            } catch {
                throw UserFacingError(error.description)
            }
        } else if FileManager.default.fileExists(atPath: checkpointPath) {
            throw UserFacingError("\(out) already holds a run; pass --resume to continue it or choose another --out")
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)

        let trainer = Trainer(
            environment: reach.task, configuration: configuration, seed: seed,
            metadata: reach.policyMetadata(layers: configuration.hiddenSizes.count + 1))
        if threads == 2 { trainer.agent.parallelism = .twoThreads(HelperThread()) }
        if resume {
            do {
                try Checkpoint.restore(trainer, from: checkpointPath)
            } catch {
                throw UserFacingError(error.description)
            }
            print("resuming \(out) at step \(trainer.step)")
        }
        let log = try ScalarLog(directory: out)
        defer { log.close() }
        let display = ProgressDisplay()
        print("training on \(reach.robot.name) for \(steps) steps, seed \(seed), warm-up \(configuration.learningStarts) → \(out)")
        fflush(nil)
        var nextCheckpoint = checkpointEvery > 0 ? (trainer.step / checkpointEvery + 1) * checkpointEvery : Int.max
        try trainer.train(
            totalSteps: steps, log: log,
            atEpisodeBoundary: { trainer in
                guard trainer.step >= nextCheckpoint else { return }
                nextCheckpoint += checkpointEvery
                try Checkpoint.save(trainer, to: checkpointPath)
                try trainer.actorPolicy.save(path: actorPath)
            },
            progress: { display.show($0) })
        display.finish()
        try Checkpoint.save(trainer, to: checkpointPath)
        try trainer.actorPolicy.save(path: actorPath)
        print("actor → \(actorPath)")
    }
}

/// One progress line, rewritten in place on a terminal and printed every few seconds otherwise.
final class ProgressDisplay {
    private let interactive = isatty(STDOUT_FILENO) != 0
    private var lastPrinted = -Double.infinity

    func show(_ p: TrainingProgress) {
        let remaining = Double(p.totalSteps - p.step) / max(p.stepsPerSecond, 1e-9)
        let recent = p.recentReturn.map { String(format: "%.2f", $0) } ?? "–"
        let line = String(
            format: "step %d/%d  %.0f steps/s  episodes %d  return (last 10) %@  elapsed %@  ETA %@", p.step, p.totalSteps,
            p.stepsPerSecond, p.episodes, recent, duration(p.elapsed), duration(remaining))
        if interactive {
            print("\r\u{1B}[K" + line, terminator: "")
            fflush(nil)
        } else if p.elapsed - lastPrinted >= 5 || p.step == p.totalSteps {
            lastPrinted = p.elapsed
            print(line)
            // Piped or logged output is block-buffered; a person tailing the log should see progress.
            fflush(nil)
        }
    }

    func finish() { if interactive { print("") } }

    private func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%dh%02dm", s / 3600, s / 60 % 60) : String(format: "%dm%02ds", s / 60, s % 60)
    }
}
