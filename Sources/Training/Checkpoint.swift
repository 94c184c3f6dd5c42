import DeterministicRandom
import Foundation
import NeuralNetwork
import Tasks

/// A resumable snapshot of training in one safetensors file: the learner's networks, targets and
/// Adam states (named by `Learner.state`), the replay buffer, every random stream and the
/// counters. Taken between episodes.
///
/// A network is stored layer by layer as `NAME.i.weight` and `NAME.i.bias`, plus
/// `NAME.i.layer_norm.weight` and `NAME.i.layer_norm.bias` (γ, β) for a normalized layer, and its
/// dropout stream as metadata `random.dropout.NAME`; an optimizer's moments as `NAME.m.k` and
/// `NAME.v.k`, the layer normalizations' tensors after every dense one. Plain networks store what
/// they always did, so older checkpoints load unchanged.
public enum Checkpoint {
    public static let formatName = "armature-checkpoint"

    /// Writes the trainer's state to `path` atomically (a crash mid-write leaves the old checkpoint). With the
    /// run's `log`, its scalars are made durable first and their extent is stored, so the checkpoint never
    /// exists without the scalars before it, and a resume can drop the ones logged after it.
    public static func save(_ trainer: Trainer, to path: String, log: ScalarLog? = nil) throws(CheckpointError) {
        var scalars: ScalarLog.Mark?
        do { scalars = try log?.flushToDisk() } catch { throw CheckpointError(path: path, reason: "\(error)") }
        var tensors: [String: StoredTensor] = [:]
        let agent = trainer.learner
        let state = agent.state
        for (prefix, network) in state.networks {
            for (i, layer) in network.layers.enumerated() {
                tensors["\(prefix).\(i).weight"] = StoredTensor(shape: [layer.outputs, layer.inputs], values: layer.weight.array)
                tensors["\(prefix).\(i).bias"] = StoredTensor(shape: [layer.outputs], values: layer.bias.array)
            }
            // Added names only: a network without layer normalization stores exactly what it always did.
            for (i, norm) in network.norms.enumerated() {
                guard let norm else { continue }
                tensors["\(prefix).\(i).layer_norm.weight"] = StoredTensor(shape: [norm.width], values: norm.gain.array)
                tensors["\(prefix).\(i).layer_norm.bias"] = StoredTensor(shape: [norm.width], values: norm.bias.array)
            }
        }
        for (prefix, optimizer) in state.optimizers {
            for i in optimizer.values.indices {
                tensors["\(prefix).m.\(i)"] = StoredTensor(shape: [optimizer.values[i].count], values: optimizer.firstMoments[i].array)
                tensors["\(prefix).v.\(i)"] = StoredTensor(shape: [optimizer.values[i].count], values: optimizer.secondMoments[i].array)
            }
        }
        for (name, buffer) in state.tensors { tensors[name] = StoredTensor(shape: [buffer.count], values: buffer.array) }
        let replay = trainer.replay
        tensors["replay.rows"] = StoredTensor(shape: [replay.count, replay.rowSize], values: replay.rows)
        var metadata: [String: String] = [
            "format": formatName,
            "format_version": "1",
            "seed": String(trainer.seed),
            "configuration": json(agent.configuration),
            "counters": json(trainer.counters),
            "random.trainer": words(trainer.random),
            "random.noise": words(trainer.noise.random),
            "random.environment": words(trainer.environment.random),
            "noise.state": json(trainer.noise.state),
            "replay.count": String(replay.count),
            "replay.next_index": String(replay.nextIndex),
        ]
        for (prefix, optimizer) in state.optimizers { metadata["\(prefix).step"] = String(optimizer.stepCount) }
        if let draws = state.draws { metadata["random.learner"] = words(draws.random) }
        for (prefix, network) in state.networks {
            if let masks = network.dropoutMasks { metadata["random.dropout.\(prefix)"] = words(masks.random) }
        }
        if let scalars {
            metadata["scalars.csv_bytes"] = String(scalars.csvBytes)
            metadata["scalars.event_file"] = scalars.eventFile
            metadata["scalars.event_bytes"] = String(scalars.eventBytes)
        }
        metadata["observation_size"] = String(agent.observationSize)
        metadata["action_size"] = String(agent.actionSize)
        metadata["randomization"] = (trainer.environment as? PlantDrawing)?.randomizationSummary ?? "none"
        // A diverged trainer must not replace the last good checkpoint.
        for (name, tensor) in tensors.sorted(by: { $0.key < $1.key }) {
            if let bad = tensor.values.firstIndex(where: { !$0.isFinite }) {
                throw CheckpointError(
                    path: path, reason: "not written: '\(name)' holds \(tensor.values[bad]) at index \(bad) (training diverged); the previous checkpoint is kept")
            }
        }
        do {
            try SafeTensors.write(SafeTensorsFile(tensors: tensors, metadata: metadata), to: path)
        } catch {
            throw CheckpointError(path: path, reason: error.message)
        }
    }

    /// The configuration a checkpoint was trained with, to build a matching trainer before `restore`.
    public static func configuration(at path: String) throws(CheckpointError) -> LearnerConfiguration {
        try configuration(in: try read(path), path: path)
    }

    /// The seed the run started from; nil in checkpoints written before it was recorded.
    public static func seed(at path: String) throws(CheckpointError) -> UInt64? {
        try read(path).metadata["seed"].flatMap(UInt64.init)
    }

    /// The domain randomization a checkpoint's run trained with (`PlantRandomization.summary`,
    /// `none`); nil for checkpoints written before it was recorded.
    public static func randomization(at path: String) throws(CheckpointError) -> String? {
        try read(path).metadata["randomization"]
    }

    /// The stored configuration, checked as strictly as the command line checks its options: a
    /// trainer is built from it before anything else is read.
    private static func configuration(in file: SafeTensorsFile, path: String) throws(CheckpointError) -> LearnerConfiguration {
        let configuration = try decode(LearnerConfiguration.self, file.metadata["configuration"], key: "configuration", path: path)
        let problems = configuration.problems
        guard problems.isEmpty else {
            throw CheckpointError(path: path, reason: "configuration is invalid (edited or damaged): " + problems.joined(separator: "; "))
        }
        return configuration
    }

    /// Loads a checkpoint into a trainer built with the same configuration and environment shape. Returns how
    /// far the run's scalar logs reached when it was saved (nil for one saved without its log): open the
    /// `ScalarLog` resuming at that mark.
    @discardableResult
    public static func restore(_ trainer: Trainer, from path: String) throws(CheckpointError) -> ScalarLog.Mark? {
        let file = try read(path)
        let agent = trainer.learner
        let state = agent.state
        func fail(_ reason: String) -> CheckpointError { CheckpointError(path: path, reason: reason) }
        guard file.metadata["observation_size"] == String(agent.observationSize),
            file.metadata["action_size"] == String(agent.actionSize)
        else { throw fail("made for a different observation or action size than this robot and task") }
        let saved = try configuration(in: file, path: path)
        // The replay may have grown since (a resumed run asking for more steps); nothing else may differ.
        var comparable = saved
        comparable.bufferSize = agent.configuration.bufferSize
        guard comparable == agent.configuration, saved.bufferSize <= agent.configuration.bufferSize else {
            throw fail("trained with different hyperparameters; resume with the same options (or start a new run)")
        }
        func load(_ name: String, into buffer: FloatBuffer) throws(CheckpointError) {
            guard let tensor = file.tensors[name], tensor.values.count == buffer.count else {
                throw fail("tensor '\(name)' is missing or has the wrong size")
            }
            if let bad = tensor.values.firstIndex(where: { !$0.isFinite }) {
                throw fail("tensor '\(name)' holds \(tensor.values[bad]) at index \(bad); a checkpoint holds finite numbers only")
            }
            buffer.copy(from: tensor.values)
        }
        for (prefix, network) in state.networks {
            for (i, layer) in network.layers.enumerated() {
                try load("\(prefix).\(i).weight", into: layer.weight)
                try load("\(prefix).\(i).bias", into: layer.bias)
            }
            for (i, norm) in network.norms.enumerated() {
                guard let norm else { continue }
                try load("\(prefix).\(i).layer_norm.weight", into: norm.gain)
                try load("\(prefix).\(i).layer_norm.bias", into: norm.bias)
            }
            if let masks = network.dropoutMasks {
                masks.random = try generator(file.metadata["random.dropout.\(prefix)"], key: "random.dropout.\(prefix)", path: path)
            }
        }
        for (prefix, optimizer) in state.optimizers {
            for i in optimizer.values.indices {
                try load("\(prefix).m.\(i)", into: optimizer.firstMoments[i])
                try load("\(prefix).v.\(i)", into: optimizer.secondMoments[i])
            }
            guard let steps = file.metadata["\(prefix).step"].flatMap(Int.init), steps >= 0 else {
                throw fail("'\(prefix).step' is missing or negative")
            }
            optimizer.stepCount = steps
        }
        for (name, buffer) in state.tensors { try load(name, into: buffer) }
        if let draws = state.draws { draws.random = try generator(file.metadata["random.learner"], key: "random.learner", path: path) }
        // The buffer fills in order and then wraps: below capacity the next row is the count.
        let capacity = saved.bufferSize
        guard let rows = file.tensors["replay.rows"], let count = file.metadata["replay.count"].flatMap(Int.init),
            let next = file.metadata["replay.next_index"].flatMap(Int.init),
            (0...capacity).contains(count), (0..<capacity).contains(next), count == capacity || next == count,
            rows.values.count == count * trainer.replay.rowSize
        else { throw fail("replay buffer missing, of another shape, or with its count and next index out of range") }
        if let bad = rows.values.firstIndex(where: { !$0.isFinite }) {
            throw fail("replay row \(bad / trainer.replay.rowSize) holds a non-finite value; a checkpoint holds finite numbers only")
        }
        trainer.replay.restore(rows: rows.values, count: count, nextIndex: next, savedCapacity: capacity)
        trainer.random = try generator(file.metadata["random.trainer"], key: "random.trainer", path: path)
        let noiseState = try decode([Double].self, file.metadata["noise.state"], key: "noise.state", path: path)
        guard noiseState.count == agent.actionSize, noiseState.allSatisfy(\.isFinite) else {
            throw fail("'noise.state' must hold \(agent.actionSize) finite numbers")
        }
        trainer.noise = ExplorationNoise(
            kind: saved.noise, state: noiseState, random: try generator(file.metadata["random.noise"], key: "random.noise", path: path))
        trainer.environment.random = try generator(file.metadata["random.environment"], key: "random.environment", path: path)
        let counters = try decode(Trainer.Counters.self, file.metadata["counters"], key: "counters", path: path)
        guard counters.step >= 0, counters.episodes >= 0, counters.updates >= 0, counters.recentReturns.count <= 10,
            counters.recentReturns.allSatisfy(\.isFinite), counters.elapsed.isFinite, counters.elapsed >= 0
        else { throw fail("'counters' out of range (negative counts, more than ten returns or non-finite values)") }
        trainer.restore(counters)
        guard let csvBytes = file.metadata["scalars.csv_bytes"].flatMap(Int.init), let eventFile = file.metadata["scalars.event_file"],
            let eventBytes = file.metadata["scalars.event_bytes"].flatMap(Int.init)
        else { return nil }
        guard csvBytes >= 0, eventBytes >= 0, !eventFile.contains("/"), eventFile.hasPrefix("events.out.tfevents.") else {
            throw fail("the scalar log mark is out of range (negative lengths or an event file outside the run directory)")
        }
        return ScalarLog.Mark(csvBytes: csvBytes, eventFile: eventFile, eventBytes: eventBytes)
    }

    private static func read(_ path: String) throws(CheckpointError) -> SafeTensorsFile {
        let file: SafeTensorsFile
        do {
            file = try SafeTensors.read(path: path)
        } catch {
            throw CheckpointError(path: path, reason: error.message)
        }
        guard file.metadata["format"] == formatName else {
            throw CheckpointError(path: path, reason: "not an armature checkpoint (format '\(file.metadata["format"] ?? "none")')")
        }
        return file
    }

    private static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ text: String?, key: String, path: String) throws(CheckpointError) -> T {
        guard let text, let value = try? JSONDecoder().decode(T.self, from: Data(text.utf8)) else {
            throw CheckpointError(path: path, reason: "metadata '\(key)' is missing or unreadable")
        }
        return value
    }

    private static func words(_ random: Xoshiro256) -> String {
        let s = random.state
        return "\(s.0),\(s.1),\(s.2),\(s.3)"
    }

    private static func generator(_ text: String?, key: String, path: String) throws(CheckpointError) -> Xoshiro256 {
        let parts = (text ?? "").split(separator: ",").compactMap { UInt64($0) }
        guard parts.count == 4, parts != [0, 0, 0, 0] else {
            throw CheckpointError(path: path, reason: "metadata '\(key)' is not a random generator state")
        }
        return Xoshiro256(state: (parts[0], parts[1], parts[2], parts[3]))
    }
}

/// A checkpoint that could not be written or read back.
public struct CheckpointError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }
}
