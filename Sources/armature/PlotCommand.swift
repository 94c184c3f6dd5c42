import ArgumentParser
import ArmDynamics
import DeterministicRandom
import FileAccess
import FlightRecorder
import Foundation
import Hardware
import Plots
import RobotModel
import Tasks

/// `armature plot`: pictures of runs as SVG (and PNG where rsvg-convert is installed).
struct Plot: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw learning curves, evaluation bars and episodes of the arm as SVG (PNG too with --png).",
        discussion: """
            Examples:
              armature plot curve runs/s1 runs/s2 runs/s3 --out curve.svg
              armature plot eval runs/a/eval.json runs/b/eval.json --out eval.svg
              armature plot episode --recording run.mcap --episode 2 --out ep.svg
              armature plot episode --policy runs/a/actor.safetensors --out ep.svg
            """,
        subcommands: [Curve.self, EvalBars.self, Episode.self]
    )

    /// Options every picture takes.
    struct Output: ParsableArguments {
        @Option(help: ArgumentHelp("Where to write the SVG (replaced whole).", valueName: "file.svg"))
        var out: String
        @Flag(help: "Also write a PNG beside the SVG (same name, .png) with rsvg-convert, if it is installed (Debian: librsvg2-bin).")
        var png = false

        func validate() throws {
            guard out.hasSuffix(".svg") else { throw ValidationError("--out \(out): the picture is SVG; give a name ending in .svg") }
        }

        func write(_ svg: String) throws {
            do { try AtomicFile.write(Array(svg.utf8), to: out) } catch { throw UserFacingError(error.description) }
            print("picture → \(out)")
            if png { try writePNG(svg) }
        }

        private func writePNG(_ svg: String) throws {
            let path = String(out.dropLast(4)) + ".png"
            let converter = ["/usr/bin/rsvg-convert", "/usr/local/bin/rsvg-convert"].first { FileManager.default.isExecutableFile(atPath: $0) }
            guard let converter else {
                print("PNG skipped: rsvg-convert is not installed (Debian: apt install librsvg2-bin); the SVG is written")
                return
            }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: converter)
            process.arguments = ["--format", "png", out]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            let bytes = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0, !bytes.isEmpty else {
                throw UserFacingError("rsvg-convert could not convert \(out) (status \(process.terminationStatus)); the SVG is written")
            }
            do { try AtomicFile.write(Array(bytes), to: path) } catch { throw UserFacingError(error.description) }
            print("picture → \(path)")
        }
    }

    /// `armature plot curve`: the learning curve of one run, or of several as their mean and a band.
    struct Curve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The learning curve of training runs from their scalars.csv (several runs: mean ± 1 std across them).")

        @Argument(help: "Run directories (each with scalars.csv), or scalars.csv files.")
        var runs: [String]
        @Option(help: "Scalar to plot.")
        var tag = "charts/episodic_return"
        @Option(help: "Step bins the points are averaged in (2 to 1000).")
        var bins = 40
        @Option(help: "Title (default: the tag).")
        var title: String?
        @OptionGroup var output: Output

        func validate() throws {
            guard !runs.isEmpty else { throw ValidationError("give at least one run directory") }
            try OptionBounds.require("--bins", bins, in: 2...1000)
        }

        func run() throws {
            let curves = try runs.map { run in
                let path = run.hasSuffix(".csv") ? run : URL(fileURLWithPath: run).appendingPathComponent("scalars.csv").path
                let points = try Self.points(path, tag: tag)
                guard !points.isEmpty else { throw UserFacingError("\(path): no '\(tag)' rows; is it a training run's scalars.csv, and the tag right?") }
                let name = run.hasSuffix(".csv") ? URL(fileURLWithPath: run).deletingLastPathComponent().lastPathComponent : URL(fileURLWithPath: run).lastPathComponent
                return LearningCurve.Run(name: name, points: points)
            }
            try output.write(LearningCurve.svg(runs: curves, title: title ?? tag, valueName: tag.split(separator: "/").last.map(String.init) ?? tag, bins: bins))
        }

        /// (step, value) of every `tag` row of a scalars.csv (`step,tag,value,wall_time`).
        static func points(_ path: String, tag: String) throws -> [(step: Double, value: Double)] {
            var points: [(step: Double, value: Double)] = []
            do {
                let lines = try RegularFile.Lines(path: path)
                while let line = try lines.next() {
                    let fields = line.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
                    guard fields.count == 4, String(decoding: fields[1], as: UTF8.self) == tag,
                        let step = Double(String(decoding: fields[0], as: UTF8.self)),
                        let value = Double(String(decoding: fields[2], as: UTF8.self))
                    else { continue }
                    points.append((step, value))
                }
            } catch {
                throw UserFacingError(error.description)
            }
            return points
        }
    }

    /// `armature plot eval`: evaluation summaries as bars.
    struct EvalBars: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "eval", abstract: "Evaluation summaries (eval's JSON) as bars: mean return ± 1 std, success rate above.")

        @Argument(help: "JSON summaries written by armature eval.")
        var summaries: [String]
        @Option(help: "Names under the bars, comma-separated (default: each policy's run directory).")
        var names: String?
        @Option(help: "Title.")
        var title = "Evaluation"
        @OptionGroup var output: Output

        func validate() throws {
            guard !summaries.isEmpty else { throw ValidationError("give at least one summary") }
            if let names, names.split(separator: ",").count != summaries.count {
                throw ValidationError("--names gives \(names.split(separator: ",").count) names for \(summaries.count) summaries")
            }
        }

        func run() throws {
            let given = names?.split(separator: ",").map(String.init)
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            let bars = try summaries.enumerated().map { index, path in
                let summary: EvalSummary
                do {
                    summary = try decoder.decode(EvalSummary.self, from: Data(try RegularFile.read(path, limit: 64 << 20)))
                } catch let error as FileError {
                    throw UserFacingError(error.description)
                } catch {
                    throw UserFacingError("\(path): not a summary written by armature eval (\(error)); give eval's JSON (--summary)")
                }
                let name = given?[index] ?? URL(fileURLWithPath: summary.policy).deletingLastPathComponent().lastPathComponent
                return EvaluationBars.Bar(
                    name: name, mean: summary.meanReturn, standardDeviation: summary.stdReturn, successRate: summary.successRate)
            }
            try output.write(EvaluationBars.svg(bars: bars, title: title))
        }
    }

    /// `armature plot episode`: one episode of the arm as a strip of poses.
    struct Episode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One episode of the arm as a strip of poses (links, fingertip path, goal), from a recording or a simulated rollout.")

        @Option(help: "Robot description (YAML) of the arm.")
        var robot: String = "robots/reacher.yaml"
        @Option(help: ArgumentHelp("Draw an episode of this recording (made with --record).", valueName: "file.mcap"))
        var recording: String?
        @Option(help: "Which episode of the recording (from 1).")
        var episode = 1
        @Option(help: "Without --recording: simulate one episode with this policy (default: the scripted controller).")
        var policy: String?
        @Option(help: "Without --recording: seed of the simulated episode's goal and start.")
        var seed: UInt64 = 1
        @Option(help: "Poses in the strip (2 to 20).")
        var panels = 6
        @Flag(help: "One animated panel (plays at the arm's control rate in a browser) instead of a strip.")
        var animate = false
        @OptionGroup var output: Output

        func validate() throws {
            try OptionBounds.require("--panels", panels, in: 2...20)
            try OptionBounds.require("--episode", episode, in: 1...OptionBounds.mostEpisodes)
            if recording != nil, policy != nil { throw ValidationError("give --recording or --policy, not both") }
        }

        func run() throws {
            let description = try loadRobot(robot)
            let arm = PlanarArm(description)
            let (positions, goal, source) = try recording.map { try Self.recorded($0, episode: episode, joints: description.jointCount) }
                ?? simulated(description)
            let picture = ArmEpisode(
                poses: positions.map { arm.jointPositions(q: $0) }, goal: goal, title: "\(description.name): \(source)")
            try output.write(animate ? picture.animatedSVG(secondsPerStep: description.control.period) : picture.svg(panels: panels))
        }

        /// The episode's joint angles (its start, then after each step) and goal from a recording.
        static func recorded(_ path: String, episode: Int, joints: Int) throws -> ([[Double]], (x: Double, y: Double)?, String) {
            var start: [Double]?
            var goal: (x: Double, y: Double)?
            var steps: [(Int, [Double])] = []
            func numbers(_ value: Any?) -> [Double]? { (value as? [NSNumber])?.map(\.doubleValue) }
            do {
                try RecordingReader.messages(in: path) { message in
                    guard message.topic == "/episode" || message.topic == "/joint_state" else { return }
                    guard let object = try JSONSerialization.jsonObject(with: Data(message.data)) as? [String: Any],
                        (object["episode"] as? NSNumber)?.intValue == episode
                    else { return }
                    if message.topic == "/episode", object["event"] as? String == "start" {
                        start = numbers(object["position"])
                        if let g = object["goal"] as? [String: NSNumber], let x = g["x"], let y = g["y"] { goal = (x.doubleValue, y.doubleValue) }
                    } else if message.topic == "/joint_state", let step = (object["step"] as? NSNumber)?.intValue,
                        let q = numbers(object["position"])
                    {
                        steps.append((step, q))
                    }
                }
            } catch let error as RecordingReader.ReadError {
                throw UserFacingError(error.description)
            }
            let positions = (start.map { [$0] } ?? []) + steps.sorted { $0.0 < $1.0 }.map(\.1)
            guard !positions.isEmpty else {
                throw UserFacingError("\(path): episode \(episode) is not in the recording (training records every --record-every'th); choose another --episode")
            }
            guard positions.allSatisfy({ $0.count == joints }) else {
                throw UserFacingError("\(path): the recorded arm has \(positions[0].count) joints, not \(joints); give its --robot")
            }
            return (positions, goal, "episode \(episode) of \(URL(fileURLWithPath: path).lastPathComponent)")
        }

        /// One simulated episode with the policy or the scripted controller.
        func simulated(_ description: RobotDescription) throws -> ([[Double]], (x: Double, y: Double)?, String) {
            // The observation the policy was trained on: with its previous action when its layout has it.
            let task = ReachEnvironment(
                robot: description, backend: SimulatedArm(robot: description), previousAction: try policy.map(policyObservesPreviousAction) ?? false)
            defer { task.arm.deactivate() }
            let actor = try policy.map { try task.loadPolicy($0) }
            let scripted = ScriptedReacher(linkLengths: description.links.map(\.length), stiffness: 20, damping: 0.06)  // rollout's defaults
            var observation = [Float](repeating: 0, count: task.observationSize)
            var action = [Double](repeating: 0, count: task.actionSize)
            try task.reset(seed: seed, observation: &observation)
            var positions = [task.state.position]
            var done = false
            var total = 0.0
            while !done {
                if let actor { actor.act(observation: observation, into: &action) } else { scripted.act(observation: observation, into: &action) }
                let outcome = try task.step(action: action, observation: &observation)
                total += outcome.reward
                positions.append(task.state.position)
                done = outcome.terminated || outcome.truncated
            }
            let who = policy.map { URL(fileURLWithPath: $0).deletingLastPathComponent().lastPathComponent } ?? "scripted controller"
            return (positions, task.goal, "\(who), seed \(seed), return \(String(format: "%.2f", total))")
        }
    }
}
