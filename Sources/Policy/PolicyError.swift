import NeuralNetwork

/// Why a policy file could not be loaded or saved; names the file and what to do.
public struct PolicyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong.
    public enum Problem: Sendable, Equatable {
        case file(SafeTensorsError)
        case wrongFormat(String)
        case unsupportedVersion(String)
        case missingTensor(String)
        case unexpectedTensor(String)
        case badShape(tensor: String, shape: [Int], expected: String)
        case nonFinite(tensor: String, index: Int)
        case missingMetadata(String)
        case badMetadata(key: String, value: String, expected: String)
        case layoutMismatch(policy: String, robot: String)
        case observationSizeMismatch(policy: Int, expected: Int)
        case jointMismatch(policy: [String], robot: [String])
        case unknownActivation(String)
    }

    public var path: String
    public var problem: Problem

    public init(path: String, _ problem: Problem) {
        self.path = path
        self.problem = problem
    }

    public var description: String {
        if case .file(let error) = problem { return error.description }
        return "\(path): \(message)"
    }

    public var message: String {
        switch problem {
        case .file(let error): return error.message
        case .wrongFormat(let format): return "format is '\(format)', not an armature policy"
        case .unsupportedVersion(let version):
            return "policy format version \(version) is not supported (this armature reads version \(PolicyMetadata.formatVersion))"
        case .missingTensor(let name):
            return "no tensor '\(name)'; an actor needs fc1…, fc_mu weights and biases named as CleanRL's Actor"
        case .unexpectedTensor(let name):
            return "unexpected tensor '\(name)'; a policy file holds only the actor (is this a checkpoint or a critic?)"
        case .badShape(let tensor, let shape, let expected):
            return "tensor '\(tensor)' has shape \(shape), expected \(expected)"
        case .nonFinite(let tensor, let index): return "tensor '\(tensor)' holds a non-finite value at index \(index); the policy diverged"
        case .missingMetadata(let key):
            return "metadata '\(key)' is missing; when exporting from PyTorch pass metadata={'observation_layout': 'reacher-v5', 'joint_names': json.dumps([...])} to safetensors.torch.save_file"
        case .badMetadata(let key, let value, let expected): return "metadata '\(key)' is '\(value)', expected \(expected)"
        case .layoutMismatch(let policy, let robot):
            return "policy observes '\(policy)' but the task builds '\(robot)' observations"
        case .observationSizeMismatch(let policy, let expected):
            return "policy takes \(policy) observation values but the task gives \(expected)"
        case .jointMismatch(let policy, let robot):
            return "policy was trained for joints \(policy) but the robot has \(robot); use the description it was trained with"
        case .unknownActivation(let name): return "unknown activation '\(name)' (known: relu, tanh, identity)"
        }
    }
}
