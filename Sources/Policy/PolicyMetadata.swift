import Foundation

/// What a policy file records about the task and robot it was trained for (safetensors metadata).
///
/// Keys: `format` ("armature-policy"), `format_version` ("1"), `observation_layout`
/// (e.g. "reacher-v5"), `joint_names` (a JSON list), `robot_name`, `robot_fingerprint`,
/// `activations` (comma-separated, one per layer, e.g. "relu,relu,tanh"), and `algorithm` (the learner
/// that trained it: "ddpg", "td3", "sac"; informational, absent in older files). A file exported from
/// PyTorch needs at least `observation_layout` and `joint_names`; the rest have defaults.
public struct PolicyMetadata: Sendable, Equatable {
    public static let formatName = "armature-policy"
    public static let formatVersion = 1

    public var observationLayout: String
    public var jointNames: [String]
    public var robotName: String
    public var robotFingerprint: String
    /// Activation after each layer; CleanRL's actor is ReLU, ReLU, tanh.
    public var activations: [String]
    /// The learner that trained the actor; every algorithm's actor is deployed the same way.
    public var algorithm: String?

    public init(
        observationLayout: String, jointNames: [String], robotName: String, robotFingerprint: String, activations: [String],
        algorithm: String? = nil
    ) {
        self.observationLayout = observationLayout
        self.jointNames = jointNames
        self.robotName = robotName
        self.robotFingerprint = robotFingerprint
        self.activations = activations
        self.algorithm = algorithm
    }

    /// The metadata as safetensors string pairs.
    public var strings: [String: String] {
        let names = (try? JSONSerialization.data(withJSONObject: jointNames)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
        var strings = [
            "format": Self.formatName, "format_version": String(Self.formatVersion),
            "observation_layout": observationLayout, "joint_names": names, "robot_name": robotName,
            "robot_fingerprint": robotFingerprint, "activations": activations.joined(separator: ","),
        ]
        if let algorithm { strings["algorithm"] = algorithm }
        return strings
    }

    /// Reads metadata strings, defaulting what PyTorch exports usually lack.
    static func parse(_ strings: [String: String], layers: Int, path: String) throws(PolicyError) -> PolicyMetadata {
        if let format = strings["format"], format != formatName {
            throw PolicyError(path: path, .wrongFormat(format))
        }
        if let version = strings["format_version"], Int(version) != formatVersion {
            throw PolicyError(path: path, .unsupportedVersion(version))
        }
        guard let layout = strings["observation_layout"] else { throw PolicyError(path: path, .missingMetadata("observation_layout")) }
        guard let namesText = strings["joint_names"] else { throw PolicyError(path: path, .missingMetadata("joint_names")) }
        guard let object = try? JSONSerialization.jsonObject(with: Data(namesText.utf8)), let names = object as? [String] else {
            throw PolicyError(path: path, .badMetadata(key: "joint_names", value: namesText, expected: "a JSON list of strings"))
        }
        let activations = strings["activations"].map { $0.split(separator: ",").map(String.init) }
            ?? Array(repeating: "relu", count: layers - 1) + ["tanh"]
        return PolicyMetadata(
            observationLayout: layout, jointNames: names, robotName: strings["robot_name"] ?? "",
            robotFingerprint: strings["robot_fingerprint"] ?? "", activations: activations, algorithm: strings["algorithm"])
    }
}

/// What the deploying side expects of a policy: checked on load.
public struct PolicyExpectation: Sendable, Equatable {
    public var observationLayout: String
    public var observationSize: Int
    public var jointNames: [String]
    public var robotName: String
    public var robotFingerprint: String

    public init(observationLayout: String, observationSize: Int, jointNames: [String], robotName: String, robotFingerprint: String) {
        self.observationLayout = observationLayout
        self.observationSize = observationSize
        self.jointNames = jointNames
        self.robotName = robotName
        self.robotFingerprint = robotFingerprint
    }
}
