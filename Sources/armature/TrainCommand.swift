import ArgumentParser
import Training
import FileAccess
import Foundation
import MonotonicTime
import Hardware
import NeuralNetwork
import Policy
import RobotModel
import Tasks

/// `armature train`: DDPG, TD3 or SAC on the reach task, simulated or through the serial link, with logs, checkpoints and the final actor.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a reaching policy with DDPG, TD3 or SAC (CleanRL's defaults) on the simulated arm, or through the serial link or a Dynamixel bus.",
        discussion: """
            --algorithm ddpg (default), td3 or sac, each with CleanRL's defaults (ddpg_continuous_action.py, td3_continuous_action.py, sac_continuous_action.py) for the options not given; SAC's differ: critic learning rate 0.001, warm-up 5000, the temperature α tuned from 1 (--alpha fixes it). Every algorithm saves the same actor file, the deterministic actor (for SAC tanh of its mean), which run and eval deploy as they are. --critic-dropout P and --critic-layer-norm give any of them DroQ's regularized critics (Linear → Dropout → LayerNorm → ReLU in every critic hidden layer); the actor file is unchanged.

            Writes into --out: TensorBoard event files and scalars.csv (CleanRL's tags), a resumable checkpoint.safetensors every --checkpoint-every steps (at the next episode boundary), and the final actor.safetensors. --resume continues a run from its checkpoint with its own hyperparameters (an option that would change one is refused by name), first dropping the scalars logged after that checkpoint (they are logged again); a fixed seed reproduces the same actor on the same machine. Scalars reach the disk with every checkpoint. One train at a time uses a run directory (it holds armature.lock there; a crashed run's lock goes with its process).

            Hardware in the loop: --port PORT trains through the arm's firmware (or the emulator's pseudo-terminal) instead of the simulated arm. The arm runs in real time, so the loop steps once per control period on a monotonic clock while the learning updates run on a second thread beside it, never inside it: the loop acts with a copy of the actor that the learner refreshes every few updates, and the learner does at most CleanRL's one update per step (fewer if it cannot keep up). Such a run is not reproducible; the loop's timing (jitter, overruns) and the learner's pace are printed at the end.

            --lockstep: the device waits for each command (armature emulate --lockstep), so training runs step for step as on the simulated arm and matches a simulated run up to the float32 wire. Not for a real arm. The device's watchdog still runs on the wall clock (protocol 1.2), so the updates between two steps must take less than it: with large networks, --updates-per-step above 1 or a debug build, start the emulator with a longer --watchdog-ms.

            The arm is switched off (torque off) at every real-time checkpoint and whenever training ends, on errors too. Ctrl-C, SIGTERM, SIGHUP (the terminal or SSH session closed) and standard output closed by its reader stop cleanly (at once in real time, at the end of the episode otherwise) and save a checkpoint to --resume from.

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
    @Option(help: "Random seed (networks, targets, noise, minibatches; default 1). A resumed run keeps its own.")
    var seed: UInt64?
    @Option(help: "Run directory.")
    var out: String
    @Flag(help: "Continue from the run directory's checkpoint: --steps, --buffer-size (to grow the replay), --checkpoint-every, --threads and the arm (--port, --lockstep) may change; the hyperparameters stay the run's.")
    var resume = false
    @Option(name: .customLong("algorithm"), help: "The learner: ddpg (default), td3 or sac. A resumed run keeps its own.")
    var algorithmOption: Algorithm?
    @Option(help: "Uniform random steps before learning starts (default 25000; SAC 5000).")
    var learningStarts: Int?
    @Option(help: "Minibatch size (default 256).")
    var batchSize: Int?
    @Option(help: "Replay buffer capacity in transitions (default 1000000, at most --steps).")
    var bufferSize: Int?
    @Option(help: "Discount γ (default 0.99).")
    var gamma: Float?
    @Option(help: "Target smoothing τ (default 0.005).")
    var tau: Float?
    @Option(help: "Actor learning rate (default 0.0003).")
    var actorLearningRate: Float?
    @Option(help: "Critic learning rate (default 0.0003; SAC 0.001, its temperature's too).")
    var criticLearningRate: Float?
    @Option(help: "Actor (and DDPG's and TD3's target) updates every N critic updates (default 2; SAC then takes N actor steps).")
    var policyFrequency: Int?
    @Option(help: "Critic updates per environment step after warm-up (update-to-data ratio; default 1, CleanRL's).")
    var updatesPerStep: Int?
    @Option(help: "Exploration noise for DDPG and TD3: gaussian (default) or ou (Ornstein–Uhlenbeck). SAC samples its own policy.")
    var noise: String?
    @Option(help: "Noise σ in normalized action units (default 0.1 gaussian, 0.2 OU).")
    var noiseSigma: Double?
    @Option(help: "OU mean reversion θ (default 0.15).")
    var noiseTheta: Double?
    @Option(help: "TD3: σ of the noise on the target actor's action (default 0.2).")
    var policyNoise: Float?
    @Option(help: "TD3: clip of that noise (default 0.5).")
    var noiseClip: Float?
    @Option(help: "SAC: a fixed entropy temperature α instead of tuning it (CleanRL's --autotune False --alpha A).")
    var alpha: Float?
    @Option(help: "Hidden layer widths, comma-separated (default 256,256).")
    var hidden: String?
    @Option(help: ArgumentHelp("Dropout probability in every critic hidden layer, targets too, as DroQ (Hiraoka et al. 2021; its value: 0.01); the critics run with dropout wherever they are evaluated (default 0: none; at most 0.9).", valueName: "p"))
    var criticDropout: Float?
    @Flag(help: "Layer normalization in every critic hidden layer, targets too, after the dropout and before the ReLU, as DroQ, which pairs it with --critic-dropout at a high --updates-per-step.")
    var criticLayerNorm = false
    @Option(help: "Evaluate the deterministic actor every N steps (at the next episode boundary) on the robot's own simulated plant, --eval-episodes episodes from --eval-seed (the same goals each time); logged as eval/return, eval/final_distance, eval/success_rate (0: never). In real-time training (--port) evaluations run at checkpoints.")
    var evalEvery: Int = 0
    @Option(help: "Episodes per evaluation.")
    var evalEpisodes: Int = 100
    @Option(help: "Seed of the evaluation episodes.")
    var evalSeed: UInt64 = 1000
    @Option(help: "Checkpoint interval in steps (0: only at the end).")
    var checkpointEvery: Int = 10_000
    @Option(help: "Threads for the learning updates (2: the update's independent products side by side).")
    var threads: Int = 1
    @Option(help: "Train through the arm's firmware on this serial port, or its Dynamixel bus when the description has a `bus:` section (or an emulator's pseudo-terminal), instead of the simulated arm.")
    var port: String?
    @Option(help: "With --port: lost replies in a row that stop training with torque off (1 to 10; default the robot's serial.lost_replies, else 2).")
    var lostReplies: Int?
    @Option(help: "With --port: how long the handshake may take, s (HELLO is sent again until the firmware answers; a board that resets when its port opens needs a second or two; default the robot's serial.connect_timeout, else 3).")
    var connectTimeout: Double?
    @Option(help: EpisodeStartOption.help)
    var episodeStart: String?
    @Flag(help: "Domain randomization: a new plant every episode (masses, rotor inertia, damping, friction, torque gain; latency and noise too if a section asks), from the robot's randomize section, or default ranges when it has none (robots/README.md). A randomize section turns it on by itself. Simulated arm only.")
    var randomize = false
    @Flag(help: "Observations end with the action sent one period before (layout reacher-v5+previous-action, or planar-reach+previous-action): one step of memory, with which a policy can push through friction, ride out latency and build up torque on a weak motor. Recorded in the policy file; eval and run follow it.")
    var observePreviousAction = false
    @Flag(help: "The device on --port waits for each command (armature emulate --lockstep): train synchronously, step for step as in simulation.")
    var lockstep = false
    @Option(help: ArgumentHelp(Recording.help + " Training records every --record-every'th episode.", valueName: "file.mcap"))
    var record: String?
    @Option(help: ArgumentHelp("With --record: record episodes 1, 1 + N, 1 + 2N, … of this run (default 100).", valueName: "n"))
    var recordEvery: Int?
    @Option(help: ArgumentHelp(LiveView.help + " In synchronous training a stop is taken at the next episode boundary.", valueName: "host:port"))
    var live: String?
    @Option(help: ArgumentHelp(RealTimeOption.help.abstract + " With --port only (not --lockstep): the loop that steps the arm; the learner stays at normal priority.", valueName: "n"))
    var realtimePriority: Int?

    func validate() throws {
        try OptionBounds.require("--steps", steps, in: 1...1_000_000_000_000)
        try OptionBounds.require("--checkpoint-every", checkpointEvery, in: 0...1_000_000_000_000)
        try OptionBounds.require("--threads", threads, in: 1...64)
        try OptionBounds.require("--eval-every", evalEvery, in: 0...1_000_000_000_000)
        try OptionBounds.require("--eval-episodes", evalEpisodes, in: 1...OptionBounds.mostEpisodes)
        guard noise.map(["gaussian", "ou"].contains) ?? true else { throw ValidationError("--noise must be gaussian or ou") }
        guard hiddenSizes != nil else { throw ValidationError("--hidden must be positive whole numbers, e.g. 256,256") }
        if algorithm == .sac, noise != nil || noiseSigma != nil || noiseTheta != nil {
            throw ValidationError("--noise, --noise-sigma and --noise-theta are DDPG's and TD3's; SAC explores by sampling its own policy")
        }
        if algorithm != .td3, policyNoise != nil || noiseClip != nil {
            throw ValidationError("--policy-noise and --noise-clip are TD3's target policy smoothing; give --algorithm td3")
        }
        if algorithm != .sac, alpha != nil { throw ValidationError("--alpha is SAC's entropy temperature; give --algorithm sac") }
        // Every hyperparameter is checked where checkpoints are checked too (LearnerConfiguration).
        let problems = learnerConfiguration.problems
        guard problems.isEmpty else { throw ValidationError(problems.joined(separator: "\n")) }
        if let lostReplies {
            guard port != nil else { throw ValidationError("--lost-replies is about the serial link; give --port PORT too") }
            try OptionBounds.require("--lost-replies", lostReplies, in: SerialSettings.lostRepliesRange)
        }
        if let connectTimeout {
            guard port != nil else { throw ValidationError("--connect-timeout is about the serial link; give --port PORT too") }
            try OptionBounds.require("--connect-timeout", connectTimeout, above: 0.01, inclusive: true, upTo: 600, unit: "s")
        }
        if let recordEvery {
            guard record != nil else { throw ValidationError("--record-every says which episodes go into the recording; give --record FILE.mcap too") }
            try OptionBounds.require("--record-every", recordEvery, in: 1...1_000_000_000)
        }
        guard !lockstep || port != nil else {
            throw ValidationError("--lockstep describes the device on --port; give --port PORT too (the simulated arm is always lockstep)")
        }
        _ = try EpisodeStartOption.parse(episodeStart, onHardware: port != nil)
        if randomize && port != nil {
            throw ValidationError("--randomize changes the simulated plant; a real arm on --port is the plant it is")
        }
        try RealTimeOption.validate(
            realtimePriority, pacedLoop: port != nil && !lockstep,
            unpacedReason: "training paces to it only with --port and without --lockstep (otherwise it runs step for step)")
    }

    var algorithm: Algorithm { algorithmOption ?? .ddpg }

    /// The widths given with --hidden, the default's when absent; nil when they are not widths.
    var hiddenSizes: [Int]? {
        guard let hidden else { return LearnerConfiguration.defaults(for: algorithm).hiddenSizes }
        let sizes = hidden.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        return sizes.isEmpty || sizes.contains { $0 <= 0 } ? nil : sizes
    }

    /// The hyperparameters as given, CleanRL's defaults for the algorithm for the rest. The replay holds at most
    /// --steps transitions: a short run needs no gigabyte buffer.
    var learnerConfiguration: LearnerConfiguration {
        let defaults = LearnerConfiguration.defaults(for: algorithm)
        var c = defaults
        c.hiddenSizes = hiddenSizes ?? defaults.hiddenSizes
        c.actorLearningRate = actorLearningRate ?? defaults.actorLearningRate
        c.criticLearningRate = criticLearningRate ?? defaults.criticLearningRate
        c.bufferSize = min(bufferSize ?? defaults.bufferSize, steps)
        c.gamma = gamma ?? defaults.gamma
        c.tau = tau ?? defaults.tau
        c.batchSize = batchSize ?? defaults.batchSize
        c.learningStarts = learningStarts ?? defaults.learningStarts
        c.policyFrequency = policyFrequency ?? defaults.policyFrequency
        c.updatesPerStep = updatesPerStep ?? defaults.updatesPerStep
        c.targetPolicyNoise = policyNoise ?? defaults.targetPolicyNoise
        c.targetNoiseClip = noiseClip ?? defaults.targetNoiseClip
        c.fixedAlpha = alpha ?? defaults.fixedAlpha
        c.criticDropout = criticDropout ?? defaults.criticDropout
        c.criticLayerNorm = criticLayerNorm || defaults.criticLayerNorm
        c.noise = noise == "ou"
            ? .ornsteinUhlenbeck(theta: noiseTheta ?? 0.15, sigma: noiseSigma ?? 0.2) : .gaussian(sigma: noiseSigma ?? 0.1)
        return c
    }

    /// The configuration a resumed run continues with: the run's own hyperparameters, the replay
    /// grown to what --steps and --buffer-size now ask for. Options given on the command line that
    /// would change the learner are refused by name rather than silently ignored.
    func resumedConfiguration(_ saved: LearnerConfiguration, savedSeed: UInt64?) throws -> LearnerConfiguration {
        var conflicts: [String] = []
        func compare<T: Equatable>(_ option: String, _ given: T?, _ kept: T) {
            if let given, given != kept { conflicts.append("\(option) \(given) (the run has \(kept))") }
        }
        let given = learnerConfiguration
        compare("--algorithm", algorithmOption, saved.algorithm)
        compare("--hidden", hidden.map { _ in given.hiddenSizes }, saved.hiddenSizes)
        compare("--gamma", gamma, saved.gamma)
        compare("--tau", tau, saved.tau)
        compare("--actor-learning-rate", actorLearningRate, saved.actorLearningRate)
        compare("--critic-learning-rate", criticLearningRate, saved.criticLearningRate)
        compare("--batch-size", batchSize, saved.batchSize)
        compare("--learning-starts", learningStarts, saved.learningStarts)
        compare("--policy-frequency", policyFrequency, saved.policyFrequency)
        compare("--updates-per-step", updatesPerStep, saved.updatesPerStep)
        if noise != nil || noiseSigma != nil || noiseTheta != nil { compare("the noise options", given.noise, saved.noise) }
        compare("--policy-noise", policyNoise, saved.targetPolicyNoise)
        compare("--noise-clip", noiseClip, saved.targetNoiseClip)
        compare("--critic-dropout", criticDropout, saved.criticDropout)
        if criticLayerNorm && !saved.criticLayerNorm { conflicts.append("--critic-layer-norm (the run's critics have no layer normalization)") }
        if let alpha, saved.fixedAlpha != alpha {
            conflicts.append("--alpha \(alpha) (the run has " + (saved.fixedAlpha.map { "\($0)" } ?? "a tuned temperature") + ")")
        }
        if let savedSeed { compare("--seed", seed, savedSeed) }
        if let bufferSize, bufferSize < saved.bufferSize {
            conflicts.append("--buffer-size \(bufferSize) (the replay already holds up to \(saved.bufferSize); it can grow, not shrink)")
        }
        guard conflicts.isEmpty else {
            throw UserFacingError(
                "--resume continues \(out) with its own hyperparameters, and these options differ: \(conflicts.joined(separator: ", ")); "
                    + "drop them to continue, or start a new run in another --out")
        }
        var configuration = saved
        configuration.bufferSize = max(saved.bufferSize, given.bufferSize)
        return configuration
    }

    func run() throws {
        setMatrixThreads(threads == 2 ? 1 : threads)
        // SIGINT, SIGTERM, SIGHUP and a closed output become a stop request the training loop checks,
        // so a stop goes through the clean shutdown below (torque off, checkpoint, logs) instead of
        // killing the process mid-command.
        let signals = StopSignals()
        let reach = try SimulatedReach(robotPath: robot)
        let backend: any ArmBackend
        let task: ReachEnvironment
        if let port {
            backend = try PortBackend.make(
                reach.robot, port: port, lostReplies: lostReplies, connectTimeout: connectTimeout, lockstep: lockstep)
            task = ReachEnvironment(
                robot: reach.robot, backend: backend, episodeStart: try EpisodeStartOption.parse(episodeStart, onHardware: true),
                previousAction: observePreviousAction)
        } else {
            backend = reach.arm
            task = ReachEnvironment(
                robot: reach.robot, backend: reach.arm, episodeStart: try EpisodeStartOption.parse(episodeStart, onHardware: false),
                randomization: randomize ? (reach.robot.randomization ?? .standard) : reach.robot.randomization,
                previousAction: observePreviousAction)
        }
        if port != nil && reach.robot.randomization != nil {
            printWarning("\(robot)'s randomize section is ignored with --port: the arm on the port is the plant")
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
        var configuration = learnerConfiguration
        var savedBufferSize = configuration.bufferSize
        var runSeed = seed ?? 1
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
            let saved: (configuration: LearnerConfiguration, seed: UInt64?)
            do {
                saved = (try Checkpoint.configuration(at: checkpointPath), try Checkpoint.seed(at: checkpointPath))
            } catch {
                throw UserFacingError(error.description)
            }
            configuration = try resumedConfiguration(saved.configuration, savedSeed: saved.seed)
            let savedRandomization = (try? Checkpoint.randomization(at: checkpointPath)) ?? nil
            if let savedRandomization, savedRandomization != task.randomizationSummary {
                throw UserFacingError(
                    "--resume continues \(out), which trained with randomization \(savedRandomization), but this run would draw "
                        + "\(task.randomizationSummary); give the same --randomize and randomize section to continue it")
            }
            savedBufferSize = saved.configuration.bufferSize
            runSeed = saved.seed ?? runSeed
        } else if FileManager.default.fileExists(atPath: checkpointPath) {
            throw UserFacingError("\(out) already holds a run; pass --resume to continue it or choose another --out")
        }

        var metadata = task.policyMetadata(layers: configuration.hiddenSizes.count + 1)
        metadata.algorithm = configuration.algorithm.rawValue
        let concurrent =
            realTime
            ? ConcurrentTrainer(
                environment: task, configuration: configuration, seed: runSeed, metadata: metadata, period: backend.controlPeriod)
            : nil
        let trainer = concurrent?.trainer ?? Trainer(environment: task, configuration: configuration, seed: runSeed, metadata: metadata)
        if threads == 2 { trainer.learner.parallelism = .twoThreads(HelperThread()) }
        var scalarsAtCheckpoint: ScalarLog.Mark?
        if resume {
            do {
                scalarsAtCheckpoint = try Checkpoint.restore(trainer, from: checkpointPath)
            } catch {
                throw UserFacingError(error.description)
            }
            guard trainer.step < steps else {
                throw UserFacingError("\(out) is already at step \(trainer.step); give --steps larger than that to train on")
            }
            var changes = ["continuing to step \(steps)"]
            if configuration.bufferSize > savedBufferSize {
                changes.append("replay grown from \(savedBufferSize) to \(configuration.bufferSize) transitions")
            }
            print("resuming \(out) at step \(trainer.step): \(changes.joined(separator: "; "))")
        }
        // Resuming drops the scalars logged after the checkpoint; the run logs them again.
        let log = try ScalarLog(directory: out, resumingAt: scalarsAtCheckpoint)
        defer { log.close() }
        let display = ProgressDisplay(signals: signals)
        let recorder = try Recording.open(
            record, robot: reach.robot, pacing: realTime ? .realTime : .simulated(period: backend.controlPeriod), every: recordEvery ?? 100)
        let live = try LiveView.open(live, robot: reach.robot, period: backend.controlPeriod, stop: signals.stop)
        task.observer = ReachObservers.combine([recorder, live?.tap])
        defer { Recording.close(recorder) }
        let arm = port.map { "serial \($0)" + (lockstep ? " (lockstep)" : String(format: " (real time, %.0f Hz)", 1 / backend.controlPeriod)) }
        print(
            "training \(configuration.algorithm.rawValue.uppercased()) on \(reach.robot.name)\(arm.map { " through \($0)" } ?? "") for \(steps) steps, seed \(runSeed), "
                + "warm-up \(configuration.learningStarts) → \(out)")
        signals.flushOutput()
        func saveCheckpoint(_ trainer: Trainer) throws {
            try Checkpoint.save(trainer, to: checkpointPath, log: log)
            try trainer.actorPolicy.save(path: actorPath)
        }

        // Every loss on the line is reported, a run that a run of them stopped included.
        func reportLink() {
            // The recording's /link is the Armature firmware link's statistics; a Dynamixel bus's are only printed.
            if let serial = backend as? SerialArm { recorder?.record(link: serial.linkStatistics) }
            if let line = PortBackend.report(backend) { print(line) }
        }
        var evaluation = PeriodicEvaluation(
            robotPath: robot, previousAction: observePreviousAction, every: evalEvery, episodes: evalEpisodes, seed: evalSeed,
            from: trainer.step)
        var stopped = false
        /// When the arm was deactivated, for the live page's e-stop report.
        var torqueOff = 0.0
        do {
            if let concurrent {
                // This thread steps the arm; the learner it starts inside `train` runs at normal priority.
                let loopThread = RealTimeOption.enter(priority: RealTimeOption.priority(realtimePriority, live: live != nil, pacedLoop: true))
                defer { loopThread?.leave() }
                let report = try concurrent.train(
                    totalSteps: steps, log: log, checkpointEvery: checkpointEvery,
                    // Waiting for the learner and writing files outlast the watchdog; the next reset re-enables the arm.
                    beforeCheckpoint: { backend.deactivate() },
                    checkpoint: { trainer in
                        try saveCheckpoint(trainer)
                        try evaluation.runIfDue(trainer, log: log)
                    },
                    stop: signals.stop, progress: { display.show($0) })
                backend.deactivate()
                torqueOff = MonotonicClock.seconds()
                display.finish()
                stopped = report.stopRequested
                printReport(report)
                print(RealTimeOption.report(loopThread))
                reportLink()
            } else {
                var nextCheckpoint = checkpointEvery > 0 ? (trainer.step / checkpointEvery + 1) * checkpointEvery : Int.max
                do {
                    try trainer.train(
                        totalSteps: steps, log: log,
                        atEpisodeBoundary: { trainer in
                            if trainer.step >= nextCheckpoint {
                                nextCheckpoint += checkpointEvery
                                // Writing files outlasts a device watchdog (which runs on the wall clock,
                                // in lockstep too): the arm goes off, and the next reset switches it on.
                                backend.deactivate()
                                try saveCheckpoint(trainer)
                            }
                            try evaluation.runIfDue(trainer, log: log, before: { backend.deactivate() })
                            // The synchronous loop has no other place to stop; an episode lasts about a second.
                            if signals.stop.isRequested { throw StopRequested() }
                        },
                        progress: { display.show($0) })
                } catch is StopRequested {
                    stopped = true
                }
                backend.deactivate()
                torqueOff = MonotonicClock.seconds()
                display.finish()
                reportLink()
            }
        } catch {
            backend.deactivate()
            torqueOff = MonotonicClock.seconds()
            display.finish()
            live?.finish(reason: "training stopped: \(error)", backend: backend, torqueOff: torqueOff)
            reportLink()
            let resumeHint =
                FileManager.default.fileExists(atPath: checkpointPath)
                ? "the last checkpoint is in \(out); continue with --resume once the cause is fixed"
                : "no checkpoint was written yet"
            throw UserFacingError("training stopped at step \(trainer.step): \(error); torque is off, \(resumeHint)")
        }
        live?.finish(reason: stopped ? "stopped on request" : "completed", backend: backend, torqueOff: torqueOff)
        try saveCheckpoint(trainer)
        if stopped { print("stopped on request at step \(trainer.step); torque is off; continue with --resume") }
        print("actor → \(actorPath)")
        signals.reportLostOutput()
    }

    /// How the real-time loop kept its period while the learner ran beside it.
    private func printReport(_ report: RealTimeTrainingReport) {
        for line in Reports.loop(report.timing) { print(line) }
        print(
            String(
                format: "learner: %d updates beside %d steps, update mean %.2f ms, max %.2f ms; %d weight publications, %d picked up by the loop",
                report.updates, report.steps, report.meanUpdateSeconds * 1e3, report.maxUpdateSeconds * 1e3, report.publishes,
                report.weightSwaps))

    }
}

/// Thrown out of the synchronous loop at an episode boundary when a stop was requested.
private struct StopRequested: Error {}

/// One progress line, rewritten in place on a terminal and printed every few seconds otherwise.
final class ProgressDisplay {
    private let interactive = isatty(STDOUT_FILENO) != 0
    private var lastPrinted = -Double.infinity
    /// Flushes each line, and stops the run when nobody can read them any more.
    private let signals: StopSignals

    init(signals: StopSignals) { self.signals = signals }

    func show(_ p: TrainingProgress) {
        let remaining = Double(p.totalSteps - p.step) / max(p.stepsPerSecond, 1e-9)
        let recent = p.recentReturn.map { String(format: "%.2f", $0) } ?? "–"
        let line = String(
            format: "step %d/%d  %.0f steps/s  episodes %d  return (last 10) %@  elapsed %@  ETA %@", p.step, p.totalSteps,
            p.stepsPerSecond, p.episodes, recent, duration(p.elapsed), duration(remaining))
        if interactive {
            print("\r\u{1B}[K" + line, terminator: "")
            signals.flushOutput()
        } else if p.elapsed - lastPrinted >= 5 || p.step == p.totalSteps {
            lastPrinted = p.elapsed
            print(line)
            // Piped or logged output is block-buffered; a person tailing the log should see progress.
            signals.flushOutput()
        }
    }

    func finish() { if interactive { print("") } }

    private func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%dh%02dm", s / 3600, s / 60 % 60) : String(format: "%dm%02ds", s / 60, s % 60)
    }
}

extension Algorithm: ExpressibleByArgument {}
