import Hardware
import NeuralNetwork
import Policy
import RobotModel
import Tasks

/// A policy checked for the device: it fits the robot (layout, sizes, joint names), stays within
/// the inference kernel's limits (armproto_actor.h), runs plain dense layers and holds only finite
/// values; the robot has no actuation filters, which the device does not apply. What the C
/// header (`ActorCSource`) and the emulated board's actor (`DeviceActor`) are both made from.
public struct ExportedActor {
    /// The device's limits (armproto_actor.h).
    public static let maximumWidth = 256
    public static let maximumLayers = 8
    public static let maximumJoints = 16

    public let policy: ActorPolicy
    public let robot: RobotDescription
    public let layout: ObservationLayout
    /// Per layer, PyTorch's [out, in] weights and the biases.
    public let weights: [[Float]]
    public let biases: [[Float]]

    public init(policy: ActorPolicy, robot: RobotDescription) throws(ActorExportError) {
        let network = policy.network
        let n = robot.jointCount
        guard let layout = ObservationLayout(rawValue: policy.metadata.observationLayout) else {
            throw .unknownLayout(policy.metadata.observationLayout)
        }
        guard layout.fits(joints: n) else { throw .layoutDoesNotFit(layout: layout.rawValue, joints: n) }
        guard policy.observationSize == layout.size(joints: n) else {
            throw .observationSize(policy: policy.observationSize, layout: layout.rawValue, expected: layout.size(joints: n))
        }
        guard policy.actionSize == n else { throw .actionSize(policy: policy.actionSize, joints: n) }
        guard policy.metadata.jointNames == robot.jointNames else { throw .jointNames(policy: policy.metadata.jointNames, robot: robot.jointNames) }
        guard n <= Self.maximumJoints else { throw .tooLarge(what: "joint count", value: n, limit: Self.maximumJoints) }
        guard network.layers.count <= Self.maximumLayers else {
            throw .tooLarge(what: "layer count", value: network.layers.count, limit: Self.maximumLayers)
        }
        let widest = max(network.inputSize, network.layers.map(\.outputs).max() ?? 0)
        guard widest <= Self.maximumWidth else { throw .tooLarge(what: "widest layer", value: widest, limit: Self.maximumWidth) }
        guard network.options.allSatisfy({ $0 == .plain }) else { throw .notPlain }
        guard robot.actuation.isZero else { throw .actuationFilters(robot: robot.name) }
        var weights: [[Float]] = []
        var biases: [[Float]] = []
        for (i, layer) in network.layers.enumerated() {
            let tensor = Self.tensorName(i, of: network.layers.count)
            let weight = layer.weight.array
            let bias = layer.bias.array
            if let bad = weight.firstIndex(where: { !$0.isFinite }) { throw .nonFinite(tensor: "\(tensor).weight", index: bad) }
            if let bad = bias.firstIndex(where: { !$0.isFinite }) { throw .nonFinite(tensor: "\(tensor).bias", index: bad) }
            weights.append(weight)
            biases.append(bias)
        }
        if let bad = policy.actionScale.firstIndex(where: { !$0.isFinite }) { throw .nonFinite(tensor: "action_scale", index: bad) }
        if let bad = policy.actionBias.firstIndex(where: { !$0.isFinite }) { throw .nonFinite(tensor: "action_bias", index: bad) }
        self.policy = policy
        self.robot = robot
        self.layout = layout
        self.weights = weights
        self.biases = biases
    }

    /// CleanRL's tensor names, as in the policy file.
    static func tensorName(_ index: Int, of count: Int) -> String { index == count - 1 ? "fc_mu" : "fc\(index + 1)" }

    /// The kernel's activation code (ARMPROTO_ACTIVATION_*).
    static func activationCode(_ activation: Activation) -> UInt8 {
        switch activation {
        case .identity: return 0
        case .relu: return 1
        case .tanh: return 2
        }
    }

    /// The actor as the emulated board holds it, for the device's on-device mode.
    public func deviceActor() -> DeviceActor {
        let network = policy.network
        let layers = network.layers.enumerated().map { i, layer in
            DeviceActor.Layer(
                weight: weights[i], bias: biases[i], inputs: layer.inputs, outputs: layer.outputs,
                activation: Self.activationCode(network.activations[i]))
        }
        // Every check the kernel makes was made above, with reasons; a refusal now is a bug here.
        guard let actor = DeviceActor(
            layers: layers, robot: robot, previousAction: layout.includesPreviousAction, actionScale: policy.actionScale,
            actionBias: policy.actionBias)
        else { preconditionFailure("the device kernel refused an actor that passed the export checks") }
        return actor
    }
}
