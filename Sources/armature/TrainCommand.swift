import ArgumentParser
import DDPG
import FileAccess
import Foundation
import MonotonicTime
import Hardware
import NeuralNetwork
import Policy
import Tasks

/// `armature train`: DDPG on the reach task, simulated or through the serial link, with logs, checkpoints and the final actor.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a reaching policy with DDPG (CleanRL's defaults) on the simulated arm or through the serial link.",
        discussion: """
            Writes into --out: TensorBoard event files and scalars.csv (CleanRL's tags), a resumable checkpoint.safetensors every --checkpoint-every steps (at the next episode boundary), and the final actor.safetensors. --resume continues a run from its checkpoint with the same options, first dropping the scalars logged after that checkpoint (they are logged again); a fixed seed reproduces the same actor on the same machine. Scalars reach the disk with every checkpoint. One train at a time uses a run directory (it holds armature.lock there; a crashed run's lock goes with its process).

            Hardware in the loop: --port PORT trains through the arm's firmware (or the emulator's pseudo-terminal) instead of the simulated arm. The arm runs in real time, so the loop steps once per control period on a monotonic clock while the learning updates run on a second thread beside it, never inside it: the loop acts with a copy of the actor that the learner refreshes every few updates, and the learner does at most CleanRL's one update per step (fewer if it cannot keep up). Such a run is not reproducible; the loop's timing (jitter, overruns) and the learner's pace are printed at the end.

            --lockstep: the device waits for each command (armature emulate --lockstep), so training runs step for step as on the simulated arm and matches a simulated run up to the float32 wire. Not for a real arm.

            The arm is switched off (torque off) at every real-time checkpoint and whenever training ends, on errors too. Ctrl-C or SIGTERM stop cleanly (at once in real time, at the end of the episode otherwise) and save a checkpoint to --resume from.

            Examples:
              armature train --out runs/sim --steps 30000
              armature emulate --robot robots/reacher.yaml --link /tmp/arm --lockstep &
              armature train --out runs/lockstep --port /tmp/arm --lockstep --steps 30000
              armature train --out runs/arm --port /dev/ttyACM0 --steps 30000
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
    @Option(help: "Actor and target updates every N critic updates.")
    var policyFrequency: Int = 2
    @Option(help: "Critic updates per environment step after warm-up (update-to-data ratio; CleanRL: 1).")
    var updatesPerStep: Int = 1
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
    @Option(help: "Train through the arm's firmware on this serial port (or an emulator's pseudo-terminal) instead of the simulated arm.")
    var port: String?
    @Flag(help: "The device on --port waits for each command (armature emulate --lockstep): train synchronously, step for step as in simulation.")
    var lockstep = false

    func validate() throws {
        guard steps > 0 else { throw ValidationError("--steps must be at least 1") }
        guard batchSize > 0, bufferSize > 0 else { throw ValidationError("--batch-size and --buffer-size must be positive") }
        guard policyFrequency > 0 else { throw ValidationError("--policy-frequency must be at least 1") }
        guard (1...16).contains(updatesPerStep) else { throw ValidationError("--updates-per-step must be 1 to 16") }
        guard ["gaussian", "ou"].contains(noise) else { throw ValidationError("--noise must be gaussian or ou") }
        guard threads > 0 else { throw ValidationError("--threads must be at least 1") }
        guard hiddenSizes != nil else { throw ValidationError("--hidden must be positive whole numbers, e.g. 256,256") }
        guard !lockstep || port != nil else {
            throw ValidationError("--lockstep describes the device on --port; give --port PORT too (the simulated arm is always lockstep)")
        }
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
        c.updatesPerStep = updatesPerStep
        c.noise = noise == "ou"
            ? .ornsteinUhlenbeck(theta: noiseTheta, sigma: noiseSigma ?? 0.2) : .gaussian(sigma: noiseSigma ?? 0.1)
        return c
    }

    func run() throws {
        setMatrixThreads(threads == 2 ? 1 : threads)
        // SIGINT and SIGTERM become a flag the training loop polls, so a stop goes through the
        // clean shutdown below (torque off, checkpoint) instead of killing the process mid-command.
        let signals = StopSignals()
        let reach = try SimulatedReach(robotPath: robot)
        let backend: any ArmBackend
        let task: ReachTask
        if let port {
            do {
                backend = try SerialArm(robot: reach.robot, port: port)
                task = try ReachTask(robot: reach.robot, backend: backend)
            } catch {
                throw UserFacingError(String(describing: error))
            }
        } else {
            backend = reach.arm
            task = reach.task
        }
        // Every way out, errors included, leaves the motors off.
        defer { backend.deactivate() }
        let realTime = port != nil && !lockstep
        if let port {
            // Fail before anything is written if the device is absent or another arm: open, shake
            // hands, check the joints, then off again until the first episode's reset.
            var state = JointState(jointCount: reach.robot.jointCount)
            do {
                try backend.activate(state: &state)
            } catch {
                throw UserFacingError("cannot train through \(port): \(error)")
            }
            backend.deactivate()
        }

        let directory = URL(fileURLWithPath: out)
        let checkpointPath = directory.appendingPathComponent("checkpoint.safetensors").path
        let actorPath = directory.appendingPathComponent("actor.safetensors").path
        var configuration = ddpgConfiguration
        if resume {
            guard FileManager.default.fileExists(atPath: checkpointPath) else {
                throw UserFacingError("\(checkpointPath): no checkpoint to resume from; run without --resume to start")
            }
        } else {
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            } catch {
                throw UserFacingError("cannot create the run directory \(out) (\((error as NSError).localizedFailureReason ?? "\(error)")); choose another --out")
            }
        }
        // One train per run directory, from before the first check of its contents to the process's end; the
        // kernel drops the lock however the process ends, so a crashed run never blocks the next.
        let lock: DirectoryLock
        do {
            lock = try DirectoryLock(directory: out, holder: "armature train")
        } catch {
            throw UserFacingError(error.description)
        }
        defer { lock.release() }
        if resume {
            do {
                configuration = try Checkpoint.configuration(at: checkpointPath)
            } catch {
                throw UserFacingError(error.description)
            }
        } else if FileManager.default.fileExists(atPath: checkpointPath) {
            throw UserFacingError("\(out) already holds a run; pass --resume to continue it or choose another --out")
        }

        let metadata = reach.task.policyMetadata(layers: configuration.hiddenSizes.count + 1)
        let concurrent =
            realTime
            ? ConcurrentTrainer(
                environment: task, configuration: configuration, seed: seed, metadata: metadata, period: backend.controlPeriod)
            : nil
        let trainer = concurrent?.trainer ?? Trainer(environment: task, configuration: configuration, seed: seed, metadata: metadata)
        if threads == 2 { trainer.agent.parallelism = .twoThreads(HelperThread()) }
        var scalarsAtCheckpoint: ScalarLog.Mark?
        if resume {
            do {
                scalarsAtCheckpoint = try Checkpoint.restore(trainer, from: checkpointPath)
            } catch {
                throw UserFacingError(error.description)
            }
            print("resuming \(out) at step \(trainer.step)")
        }
        // Resuming drops the scalars logged after the checkpoint; the run logs them again.
        let log = try ScalarLog(directory: out, resumingAt: scalarsAtCheckpoint)
        defer { log.close() }
        let display = ProgressDisplay()
        let arm = port.map { "serial \($0)" + (lockstep ? " (lockstep)" : String(format: " (real time, %.0f Hz)", 1 / backend.controlPeriod)) }
        print(
            "training on \(reach.robot.name)\(arm.map { " through \($0)" } ?? "") for \(steps) steps, seed \(seed), "
                + "warm-up \(configuration.learningStarts) → \(out)")
        fflush(nil)
        func saveCheckpoint(_ trainer: Trainer) throws {
            try Checkpoint.save(trainer, to: checkpointPath, log: log)
            try trainer.actorPolicy.save(path: actorPath)
        }

        var stopped = false
        do {
            if let concurrent {
                let report = try concurrent.train(
                    totalSteps: steps, log: log, checkpointEvery: checkpointEvery,
                    // Waiting for the learner and writing files outlast the watchdog; the next reset re-enables the arm.
                    beforeCheckpoint: { backend.deactivate() }, checkpoint: saveCheckpoint,
                    shouldStop: { signals.received != nil }, progress: { display.show($0) })
                backend.deactivate()
                display.finish()
                stopped = report.stopRequested
                printReport(report, backend: backend)
            } else {
                var nextCheckpoint = checkpointEvery > 0 ? (trainer.step / checkpointEvery + 1) * checkpointEvery : Int.max
                do {
                    try trainer.train(
                        totalSteps: steps, log: log,
                        atEpisodeBoundary: { trainer in
                            if trainer.step >= nextCheckpoint {
                                nextCheckpoint += checkpointEvery
                                try saveCheckpoint(trainer)
                            }
                            // The synchronous loop has no other place to stop; an episode lasts about a second.
                            if signals.received != nil { throw StopRequested() }
                        },
                        progress: { display.show($0) })
                } catch is StopRequested {
                    stopped = true
                }
                backend.deactivate()
                display.finish()
            }
        } catch {
            backend.deactivate()
            display.finish()
            let resumeHint =
                FileManager.default.fileExists(atPath: checkpointPath)
                ? "the last checkpoint is in \(out); continue with --resume once the cause is fixed"
                : "no checkpoint was written yet"
            throw UserFacingError("training stopped at step \(trainer.step): \(error); torque is off, \(resumeHint)")
        }
        try saveCheckpoint(trainer)
        if stopped { print("stopped on request at step \(trainer.step); torque is off; continue with --resume") }
        print("actor → \(actorPath)")
    }

    /// How the real-time loop kept its period while the learner ran beside it.
    private func printReport(_ report: RealTimeTrainingReport, backend: any ArmBackend) {
        let t = report.timing
        print(
            String(
                format: "loop: %d cycles, period mean %.3f ms (target %.3f), jitter p99 %.3f ms, max %.3f ms, work mean %.3f ms, max %.3f ms, overruns %d (%.2f%%)",
                t.cycles, t.actualPeriod.mean * 1e3, t.period * 1e3, t.jitter.percentile(0.99) * 1e3, t.jitter.maximum * 1e3, t.work.mean * 1e3,
                t.work.maximum * 1e3, t.overruns, t.overrunFraction * 100))
        print(
            String(
                format: "learner: %d updates beside %d steps, update mean %.2f ms, max %.2f ms; %d weight publications, %d picked up by the loop",
                report.updates, report.steps, report.meanUpdateSeconds * 1e3, report.maxUpdateSeconds * 1e3, report.publishes,
                report.weightSwaps))
        if let serial = backend as? SerialArm {
            let link = serial.linkStatistics
            print(
                String(
                    format: "link: round trip p50 %.3f ms, p99 %.3f ms, max %.3f ms; %d frames out, %d in, %d CRC errors, %d timeouts",
                    (link.roundTripP50 ?? 0) * 1e3, (link.roundTripP99 ?? 0) * 1e3, (link.roundTripMax ?? 0) * 1e3, link.framesSent,
                    link.framesReceived, link.crcErrors, link.timeouts))
        }
    }
}

/// Thrown out of the synchronous loop at an episode boundary when a stop was requested.
private struct StopRequested: Error {}

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
