import Training
import Foundation
import Hardware
import NeuralNetwork
import Tasks
import TestSupport
import XCTest

/// A checkpoint is a file anyone can edit: every field is checked as strictly as a command-line
/// option before a trainer is built from it or filled with it. Edited fields used to crash the
/// trainer (a replay index of −1 wrote outside its buffer).
final class CheckpointValidationTests: XCTestCase {
    override func setUp() { setMatrixThreads(1) }

    private func reacherTask() throws -> ReachEnvironment {
        let robot = try RepositoryFiles.robot("reacher")
        return ReachEnvironment(robot: robot, backend: SimulatedArm(robot: robot))
    }

    /// A small run's checkpoint, as written.
    private func savedCheckpoint() throws -> (path: String, file: SafeTensorsFile) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("armature-ckpt-edit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("checkpoint.safetensors").path
        let trainer = Trainer(
            environment: try reacherTask(), configuration: TrainingFixtures.smallConfiguration(), seed: 2, metadata: TrainingFixtures.reacherMetadata)
        try trainer.train(totalSteps: 300, log: nil)
        try Checkpoint.save(trainer, to: path)
        return (path, try SafeTensors.read(path: path))
    }

    private func edited(_ file: SafeTensorsFile, at path: String, _ change: (inout SafeTensorsFile) -> Void) throws {
        var copy = file
        change(&copy)
        try SafeTensors.write(copy, to: path)
    }

    /// Restores into a trainer built the way `train --resume` builds one: from the file's configuration.
    private func resume(_ path: String) throws {
        let configuration = try Checkpoint.configuration(at: path)
        let trainer = Trainer(environment: try reacherTask(), configuration: configuration, seed: 2, metadata: TrainingFixtures.reacherMetadata)
        try Checkpoint.restore(trainer, from: path)
    }

    func testEditedConfigurationFieldsAreRefusedBeforeATrainerIsBuilt() throws {
        let (path, file) = try savedCheckpoint()
        let edits: [(String, String, String)] = [
            ("\"policyFrequency\":2", "\"policyFrequency\":0", "--policy-frequency"),
            ("\"bufferSize\":5000", "\"bufferSize\":0", "--buffer-size"),
            ("\"batchSize\":32", "\"batchSize\":1000000000000", "--batch-size"),
            ("\"gamma\":0.99", "\"gamma\":-3", "--gamma"),
        ]
        for (original, replacement, option) in edits {
            let text = try XCTUnwrap(file.metadata["configuration"])
            XCTAssertTrue(text.contains(original), "the saved configuration no longer contains \(original): \(text)")
            try edited(file, at: path) { $0.metadata["configuration"] = text.replacingOccurrences(of: original, with: replacement) }
            XCTAssertThrowsError(try resume(path), original) { error in
                XCTAssertTrue("\(error)".contains("configuration is invalid") && "\(error)".contains(option), "\(error)")
            }
        }
    }

    func testEditedReplayCountersAndValuesAreRefused() throws {
        let (path, file) = try savedCheckpoint()
        let edits: [(String, (inout SafeTensorsFile) -> Void)] = [
            ("next index −1", { $0.metadata["replay.next_index"] = "-1" }),
            ("next index −10⁸", { $0.metadata["replay.next_index"] = "-100000000" }),
            ("next index past the count", { $0.metadata["replay.next_index"] = "299" }),
            ("negative count", { $0.metadata["replay.count"] = "-5" }),
            ("negative optimizer step", { $0.metadata["optimizer.actor.step"] = "-1" }),
            ("negative step counter", { $0.metadata["counters"] = $0.metadata["counters"]!.replacingOccurrences(of: "\"step\":300", with: "\"step\":-300") }),
            ("NaN weight", { $0.tensors["actor.0.weight"]!.values[0] = .nan }),
            ("NaN replay reward", { $0.tensors["replay.rows"]!.values[12] = .infinity }),
            ("short noise state", { $0.metadata["noise.state"] = "[0]" }),
        ]
        for (name, change) in edits {
            try edited(file, at: path, change)
            XCTAssertThrowsError(try resume(path), name) { error in
                XCTAssertTrue(error is CheckpointError, "\(name): \(error)")
                XCTAssertTrue("\(error)".hasPrefix(path), "\(name): the error names the file: \(error)")
            }
        }
        // The unedited file still resumes.
        try SafeTensors.write(file, to: path)
        XCTAssertNoThrow(try resume(path))
    }
}
