extension Bounds {
    static let actionTimeConstant = Bound(0, 10, "s")
    /// A full 2 MN·m swing in 0.2 ms is far faster than any motor; a limit past it would never act.
    static let torqueRateLimit = Bound(0, 1e10, "N·m/s")
}

extension DescriptionReader {
    static let actuationKeys = ["action_time_constant", "torque_rate_limit"]

    /// The `actuation` section: the action low-pass's time constant and the torque-rate limit (one
    /// number for every joint or a list of one per joint); absent fields filter nothing.
    func readActuation(_ top: MappingReader, jointCount n: Int) -> ActuationSettings? {
        var settings = ActuationSettings(jointCount: n)
        guard let node = top.node("actuation", required: false) else { return settings }
        guard let reader = MappingReader(node, path: "actuation", allowed: Self.actuationKeys, log: log) else { return nil }
        var complete = true
        if reader.has("action_time_constant") {
            if let value = reader.nonNegative("action_time_constant", default: 0, within: Bounds.actionTimeConstant) {
                settings.actionTimeConstant = value
            } else {
                complete = false
            }
        }
        if reader.has("torque_rate_limit") {
            if let values = perJoint(reader, "torque_rate_limit", jointCount: n, within: Bounds.torqueRateLimit) {
                settings.torqueRateLimit = values
            } else {
                complete = false
            }
        }
        return complete ? settings : nil
    }
}
