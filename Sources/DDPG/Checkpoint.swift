import DeterministicRandom
import Foundation
import NeuralNetwork

/// A resumable snapshot of training in one safetensors file: actor, critic, both targets, both
/// Adam states, the replay buffer, every random stream and the counters. Taken between episodes.
public enum Checkpoint {
    public static let formatName = "armature-checkpoint"

    /// Writes the trainer's state to `path` atomically (a crash mid-write leaves the old checkpoint). With the
    /// run's `log`, its scalars are made durable first and their extent is stored, so the checkpoint never
    /// exists without the scalars before it, and a resume can drop the ones logged after it.
    public static func save(_ trainer: Trainer, to path: String, log: ScalarLog? = nil) throws(CheckpointError) {
        var scalars: ScalarLog.Mark?
        do { scalars = try log?.flushToDisk() } catch { throw CheckpointError(path: path, reason: "\(error)") }
        var tensors: [String: StoredTensor] = [:]
        let agent = trainer.agent
        for (prefix, network) in [
            ("actor", agent.actor), ("critic", agent.critic), ("target_actor", agent.targetActor), ("target_critic", agent.targetCritic),
        ] {
            for (i, layer) in network.layers.enumerated() {
                tensors["\(prefix).\(i).weight"] = StoredTensor(shape: [layer.outputs, layer.inputs], values: layer.weight.array)
                tensors["\(prefix).\(i).bias"] = StoredTensor(shape: [layer.outputs], values: layer.bias.array)
            }
        }
        for (prefix, optimizer) in [("optimizer.actor", agent.actorOptimizer), ("optimizer.critic", agent.criticOptimizer)] {
            for i in optimizer.values.indices {
                tensors["\(prefix).m.\(i)"] = StoredTensor(shape: [optimizer.values[i].count], values: optimizer.firstMoments[i].array)
                tensors["\(prefix).v.\(i)"] = StoredTensor(shape: [optimizer.values[i].count], values: optimizer.secondMoments[i].array)
            }
        }
        let replay = trainer.replay
        tensors["replay.rows"] = StoredTensor(shape: [replay.count, replay.rowSize], values: replay.rows)
        var metadata: [String: String] = [
            "format": formatName,
            "format_version": "1",
            "configuration": json(agent.configuration),
            "counters": json(trainer.counters),
            "optimizer.actor.step": String(agent.actorOptimizer.stepCount),
            "optimizer.critic.step": String(agent.criticOptimizer.stepCount),
            "random.trainer": words(trainer.random),
            "random.noise": words(trainer.noise.random),
            "random.environment": words(trainer.environment.random),
            "noise.state": json(trainer.noise.state),
            "replay.count": String(replay.count),
            "replay.next_index": String(replay.nextIndex),
        ]
        if let scalars {
            metadata["scalars.csv_bytes"] = String(scalars.csvBytes)
            metadata["scalars.event_file"] = scalars.eventFile
            metadata["scalars.event_bytes"] = String(scalars.eventBytes)
        }
        metadata["observation_size"] = String(agent.observationSize)
        metadata["action_size"] = String(agent.actionSize)
        do {
            try SafeTensors.write(SafeTensorsFile(tensors: tensors, metadata: metadata), to: path)
        } catch {
            throw CheckpointError(path: path, reason: error.message)
        }
    }

    /// The configuration a checkpoint was trained with, to build a matching trainer before `restore`.
    public static func configuration(at path: String) throws(CheckpointError) -> DDPGConfiguration {
        let file = try read(path)
        return try decode(DDPGConfiguration.self, file.metadata["configuration"], key: "configuration", path: path)
    }

    /// Loads a checkpoint into a trainer built with the same configuration and environment shape. Returns how
    /// far the run's scalar logs reached when it was saved (nil for one saved without its log): open the
    /// `ScalarLog` resuming at that mark.
    @discardableResult
    public static func restore(_ trainer: Trainer, from path: String) throws(CheckpointError) -> ScalarLog.Mark? {
        let file = try read(path)
        let agent = trainer.agent
        func fail(_ reason: String) -> CheckpointError { CheckpointError(path: path, reason: reason) }
        guard file.metadata["observation_size"] == String(agent.observationSize),
            file.metadata["action_size"] == String(agent.actionSize)
        else { throw fail("made for a different observation or action size than this robot and task") }
        let saved = try decode(DDPGConfiguration.self, file.metadata["configuration"], key: "configuration", path: path)
        guard saved == agent.configuration else {
            throw fail("trained with different hyperparameters; resume with the same options (or start a new run)")
        }
        func load(_ name: String, into buffer: FloatBuffer) throws(CheckpointError) {
            guard let tensor = file.tensors[name], tensor.values.count == buffer.count else {
                throw fail("tensor '\(name)' is missing or has the wrong size")
            }
            buffer.copy(from: tensor.values)
        }
        for (prefix, network) in [
            ("actor", agent.actor), ("critic", agent.critic), ("target_actor", agent.targetActor), ("target_critic", agent.targetCritic),
        ] {
            for (i, layer) in network.layers.enumerated() {
                try load("\(prefix).\(i).weight", into: layer.weight)
                try load("\(prefix).\(i).bias", into: layer.bias)
            }
        }
        for (prefix, optimizer) in [("optimizer.actor", agent.actorOptimizer), ("optimizer.critic", agent.criticOptimizer)] {
            for i in optimizer.values.indices {
                try load("\(prefix).m.\(i)", into: optimizer.firstMoments[i])
                try load("\(prefix).v.\(i)", into: optimizer.secondMoments[i])
            }
            guard let steps = file.metadata["\(prefix).step"].flatMap(Int.init) else { throw fail("'\(prefix).step' missing") }
            optimizer.stepCount = steps
        }
        guard let rows = file.tensors["replay.rows"], let count = file.metadata["replay.count"].flatMap(Int.init),
            let next = file.metadata["replay.next_index"].flatMap(Int.init),
            rows.values.count == count * trainer.replay.rowSize, count <= trainer.replay.capacity, next < trainer.replay.capacity
        else { throw fail("replay buffer missing or of another shape") }
        trainer.replay.restore(rows: rows.values, count: count, nextIndex: next)
        trainer.random = try generator(file.metadata["random.trainer"], key: "random.trainer", path: path)
        let noiseState = try decode([Double].self, file.metadata["noise.state"], key: "noise.state", path: path)
        trainer.noise = ExplorationNoise(
            kind: saved.noise, state: noiseState, random: try generator(file.metadata["random.noise"], key: "random.noise", path: path))
        trainer.environment.random = try generator(file.metadata["random.environment"], key: "random.environment", path: path)
        trainer.restore(try decode(Trainer.Counters.self, file.metadata["counters"], key: "counters", path: path))
        guard let csvBytes = file.metadata["scalars.csv_bytes"].flatMap(Int.init), let eventFile = file.metadata["scalars.event_file"],
            let eventBytes = file.metadata["scalars.event_bytes"].flatMap(Int.init)
        else { return nil }
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
