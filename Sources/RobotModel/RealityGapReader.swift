extension Bounds {
    static let latency = Bound(0, 10, "s")
    static let friction = Bound(0, 1e6, "N·m")
    static let torqueGain = Bound(0.01, 100, "")
    static let lagTimeConstant = Bound(0, 10, "s")
    static let positionNoise = Bound(0, 10, "rad")
    static let velocityNoise = Bound(0, 1000, "rad/s")
    static let encoderCounts = Bound(0, 1_073_741_824, "counts per revolution")
    static let velocityResolution = Bound(0, 1000, "rad/s")
    static let torqueResolution = Bound(0, 1e6, "N·m")
}

extension DescriptionReader {
    static let realityGapKeys = [
        "latency", "coulomb_friction", "deadband", "torque_gain", "time_constant", "position_noise", "velocity_noise",
        "encoder_resolution", "velocity_resolution", "torque_resolution", "differenced_velocity",
    ]

    /// The `reality_gap` section: per-joint fields take one number for every joint or a list of one
    /// per joint; absent fields are exact (no gap).
    func readRealityGap(_ top: MappingReader, jointCount n: Int, controlPeriod: Double?) -> RealityGap? {
        var gap = RealityGap(jointCount: n)
        guard let node = top.node("reality_gap", required: false) else { return gap }
        guard let reader = MappingReader(node, path: "reality_gap", allowed: Self.realityGapKeys, log: log) else { return nil }
        var complete = true
        func joints(_ key: String, _ bound: Bound, into target: inout [Double]) {
            guard reader.has(key) else { return }
            if let values = perJoint(reader, key, jointCount: n, within: bound) { target = values } else { complete = false }
        }
        if reader.has("latency") {
            if let latency = reader.nonNegative("latency", default: 0, within: Bounds.latency) { gap.latency = latency } else { complete = false }
        }
        joints("coulomb_friction", Bounds.friction, into: &gap.coulombFriction)
        joints("deadband", Bounds.friction, into: &gap.deadband)
        joints("torque_gain", Bounds.torqueGain, into: &gap.torqueGain)
        joints("time_constant", Bounds.lagTimeConstant, into: &gap.timeConstant)
        joints("position_noise", Bounds.positionNoise, into: &gap.positionNoise)
        joints("velocity_noise", Bounds.velocityNoise, into: &gap.velocityNoise)
        if reader.has("encoder_resolution") {
            var counts = gap.encoderResolution.map(Double.init)
            joints("encoder_resolution", Bounds.encoderCounts, into: &counts)
            if let bad = counts.firstIndex(where: { $0 != $0.rounded() }) {
                log.report(
                    .invalid("encoder counts per revolution must be whole numbers (joint \(bad): \(counts[bad]))"),
                    at: reader.value("encoder_resolution"), field: "reality_gap.encoder_resolution")
                complete = false
            }
            gap.encoderResolution = counts.map { Int($0) }
        }
        joints("velocity_resolution", Bounds.velocityResolution, into: &gap.velocityResolution)
        joints("torque_resolution", Bounds.torqueResolution, into: &gap.torqueResolution)
        if reader.has("differenced_velocity") {
            switch reader.string("differenced_velocity") {
            case "true": gap.differencedVelocity = true
            case "false": gap.differencedVelocity = false
            case let other?:
                log.report(
                    .wrongType(expected: "true or false", found: other), at: reader.value("differenced_velocity"),
                    field: "reality_gap.differenced_velocity")
                complete = false
            case nil: complete = false
            }
        }
        return complete ? gap : nil
    }
}
