import CArmProto
import RobotModel

/// An actor as the device's inference kernel holds it (`armproto_actor`, firmware-protocol's
/// armproto_actor.h), in memory this object owns: the emulated board's flash. Built from plain
/// arrays so that this module needs no policy file; `FirmwareExport` makes one from a policy
/// after the same checks as the exported header. Immutable once made; `pointer` stays valid for
/// the object's life.
public final class DeviceActor: @unchecked Sendable {
    /// One dense layer: PyTorch's [out, in] weights, row-major.
    public struct Layer: Sendable, Equatable {
        public var weight: [Float]
        public var bias: [Float]
        public var inputs: Int
        public var outputs: Int
        /// ARMPROTO_ACTIVATION_*: 0 identity, 1 ReLU, 2 tanh.
        public var activation: UInt8

        public init(weight: [Float], bias: [Float], inputs: Int, outputs: Int, activation: UInt8) {
            self.weight = weight
            self.bias = bias
            self.inputs = inputs
            self.outputs = outputs
            self.activation = activation
        }
    }

    /// The kernel's own struct; its pointers lead into this object's buffers.
    public let pointer: UnsafePointer<armproto_actor>
    public let jointCount: Int
    public let observationSize: Int
    private let actor: UnsafeMutablePointer<armproto_actor>
    private let layers: UnsafeMutablePointer<armproto_actor_layer>
    private let joints: UnsafeMutablePointer<armproto_actor_joint>
    private let buffers: [UnsafeMutablePointer<Float>]

    /// The actor for `robot`: its torque ranges (the actuator map and the guard's effort range),
    /// position limits, velocity limits and link lengths; `actionScale` and `actionBias` applied
    /// after the last layer. Returns nil when the kernel refuses it (`armproto_actor_check`:
    /// shapes that do not chain or fit the layout, non-finite values).
    public init?(layers: [Layer], robot: RobotDescription, previousAction: Bool, actionScale: [Float], actionBias: [Float]) {
        let n = robot.jointCount
        guard !layers.isEmpty, layers.count <= 255, (1...Int(ARMPROTO_MAX_JOINTS)).contains(n), actionScale.count == n,
            actionBias.count == n, layers.allSatisfy({ $0.weight.count == $0.inputs * $0.outputs && $0.bias.count == $0.outputs })
        else { return nil }
        var buffers: [UnsafeMutablePointer<Float>] = []
        func copy(_ values: [Float]) -> UnsafeMutablePointer<Float> {
            let buffer = UnsafeMutablePointer<Float>.allocate(capacity: max(1, values.count))
            buffer.initialize(from: values, count: values.count)
            buffers.append(buffer)
            return buffer
        }
        self.layers = .allocate(capacity: layers.count)
        for (l, layer) in layers.enumerated() {
            var c = armproto_actor_layer()
            c.weight = UnsafePointer(copy(layer.weight))
            c.bias = UnsafePointer(copy(layer.bias))
            c.inputs = UInt16(clamping: layer.inputs)
            c.outputs = UInt16(clamping: layer.outputs)
            c.activation = layer.activation
            self.layers.advanced(by: l).initialize(to: c)
        }
        joints = .allocate(capacity: n)
        for (j, joint) in robot.joints.enumerated() {
            var c = armproto_actor_joint()
            c.torque_low = joint.torque.low
            c.torque_high = joint.torque.high
            c.position_low = joint.position?.low ?? -.infinity
            c.position_high = joint.position?.high ?? .infinity
            c.velocity_limit = joint.velocityLimit ?? .infinity
            c.link_length = robot.links[j].length
            c.action_scale = actionScale[j]
            c.action_bias = actionBias[j]
            joints.advanced(by: j).initialize(to: c)
        }
        self.buffers = buffers
        actor = .allocate(capacity: 1)
        var c = armproto_actor()
        c.layers = UnsafePointer(self.layers)
        c.joints = UnsafePointer(joints)
        c.control_period_us = UInt32(clamping: Int((robot.control.period * 1e6).rounded()))
        c.layer_count = UInt8(layers.count)
        c.joint_count = UInt8(n)
        c.observation_layout = UInt8(previousAction ? ARMPROTO_OBSERVATION_PLANAR_REACH_PREVIOUS_ACTION : ARMPROTO_OBSERVATION_PLANAR_REACH)
        c.goal_count = 2
        actor.initialize(to: c)
        pointer = UnsafePointer(actor)
        jointCount = n
        observationSize = Int(armproto_actor_observation_size(pointer))
        guard armproto_actor_check(pointer) == 0 else { return nil }
    }

    deinit {
        for buffer in buffers { buffer.deallocate() }
        layers.deallocate()
        joints.deallocate()
        actor.deallocate()
    }
}
