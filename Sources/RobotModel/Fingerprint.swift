extension RobotDescription {
    /// A short hash of everything that shapes the arm's behaviour (not names of files or comments),
    /// recorded in policy files so a deploy can tell that the description changed since training.
    public var fingerprint: String {
        var text = "\(name)|\(plane.rawValue)|\(gravity)|\(control.rateHz)|\(physics.timestep)|\(physics.integrator.rawValue)"
        for joint in joints {
            text += "|j:\(joint.name),\(joint.torque.low),\(joint.torque.high),\(joint.position?.low ?? .nan),"
            text += "\(joint.position?.high ?? .nan),\(joint.velocityLimit ?? .nan),\(joint.damping),\(joint.armature)"
        }
        for link in links {
            text += "|l:\(link.name),\(link.length),\(link.inertial.mass),\(link.inertial.com),\(link.inertial.inertia)"
        }
        // A policy learns with the filters it trains through, so they count; only when set, so that a
        // description without them keeps the fingerprint its policies already carry.
        if !actuation.isZero {
            text += "|a:\(actuation.actionTimeConstant)," + actuation.torqueRateLimit.map { "\($0)" }.joined(separator: ",")
        }
        // FNV-1a, 64 bit: stable across platforms and releases, unlike Hasher.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
