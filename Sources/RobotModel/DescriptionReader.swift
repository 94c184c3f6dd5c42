import Yams

/// What each numeric field may hold (see `Bound`): generous for real arms — a 1 MN·m motor, a
/// 100 t link, a 100 kHz loop — and far inside what the simulator's doubles and the wire's floats
/// carry, so that no accepted description can overflow into infinities or NaN.
enum Bounds {
    static let gravity = Bound(0, 1000, "m/s²")
    static let rate = Bound(0.01, 100_000, "Hz")
    static let timestep = Bound(1e-6, 100, "s")
    /// Physics steps per control period, so that one control step stays a bounded amount of work.
    static let substeps = 100_000.0
    static let timeConstant = Bound(1e-6, 1000, "s")
    static let dampingRatio = Bound(1e-6, 1000, "")
    static let baud = Bound(1, 100_000_000, "bit/s")
    static let timeout = Bound(1e-4, 60, "s")
    /// A board's start-up after its port opens: at least one short HELLO wait, at most ten minutes.
    static let connectTimeout = Bound(0.01, 600, "s")
    static let servoID = Bound(0, 252, "(a Dynamixel id)")
    static let torqueConstant = Bound(1e-4, 1000, "N·m/A")
    static let servoOffset = Bound.magnitude(1_048_575, "ticks (±256 turns of a 4096-tick encoder)")
    static let busWatchdog = Bound(
        DynamixelBusSettings.watchdogRange.lowerBound * 1000, DynamixelBusSettings.watchdogRange.upperBound * 1000, "ms")
    static let returnDelay = Bound(0, DynamixelBusSettings.returnDelayRange.upperBound * 1e6, "µs")
    static let lostReplies = Bound(
        Double(SerialSettings.lostRepliesRange.lowerBound), Double(SerialSettings.lostRepliesRange.upperBound), "in a row")
    static let torque = Bound.magnitude(1e6, "N·m")
    static let position = Bound.magnitude(1000, "rad")
    static let positionDegrees = Bound.magnitude(57_000, "degrees")
    static let velocity = Bound(1e-6, 10_000, "rad/s")
    static let velocityDegrees = Bound(1e-4, 570_000, "degrees/s")
    static let damping = Bound(0, 1e6, "N·m·s/rad")
    static let armature = Bound(0, 1000, "kg·m²")
    static let length = Bound(1e-4, 100, "m")
    static let offset = Bound.magnitude(100, "m")
    static let radius = Bound(1e-5, 100, "m")
    static let density = Bound(0.01, 100_000, "kg/m³")
    static let mass = Bound(1e-6, 100_000, "kg")
    static let inertia = Bound(1e-12, 100_000, "kg·m²")
    static let moveVelocity = Bound(1e-3, 100, "rad/s")
    static let moveTolerance = Bound(1e-6, 1, "rad")
    static let moveVelocityTolerance = Bound(1e-6, 100, "rad/s")
    static let moveTimeout = Bound(0.01, 600, "s")
    static let bandwidth = Bound(0.01, 1000, "Hz")
    static let integralTime = Bound(0, 1000, "s")
    static let stiffness = Bound(0, 1e8, "N·m/rad")
    static let gain = Bound(0, 1e6, "N·m·s/rad")
}

/// Turns a composed YAML tree into a validated `RobotDescription`, logging every problem.
struct DescriptionReader {
    let log: ProblemLog

    static let topKeys = [
        "name", "description", "plane", "gravity", "control", "physics", "serial", "bus", "move", "reality_gap", "randomize",
        "actuation", "joints", "links",
    ]
    static let moveKeys = [
        "velocity", "tolerance", "velocity_tolerance", "timeout", "bandwidth_hz", "integral_time", "stiffness", "damping",
    ]
    static let jointKeys = [
        "name", "torque", "position", "position_deg", "velocity_limit", "velocity_limit_deg", "damping", "armature",
    ]
    static let linkKeys = ["name", "length", "shapes", "inertial"]
    static let shapeKeys = ["type", "density", "radius", "from", "to", "at", "size"]

    func read(_ root: Node) -> RobotDescription? {
        guard let top = MappingReader(root, path: "", allowed: Self.topKeys, log: log) else { return nil }
        let name = top.string("name")
        let summary = top.string("description", required: false) ?? ""
        let plane = top.choice("plane", as: Plane.self, default: .horizontal)
        let gravity = top.nonNegative("gravity", default: 9.81, within: Bounds.gravity)
        let control = readControl(top)
        let physics = readPhysics(top, controlPeriod: control?.period)
        let serial = readSerial(top)
        let joints = readJoints(top)
        let bus = readBus(top, jointCount: joints?.count)
        let links = readLinks(top)
        let move = readMove(top, jointCount: joints?.count)
        let gap = joints.flatMap { readRealityGap(top, jointCount: $0.count, controlPeriod: control?.period) }
        let randomization = readRandomization(top)
        let actuation = joints.flatMap { readActuation(top, jointCount: $0.count) }
        if let joints, let links, !joints.isEmpty, joints.count != links.count {
            log.report(.countMismatch(joints: joints.count, links: links.count), at: top.value("links"), field: "links")
        }
        guard let name, let plane, let gravity, let control, let physics, let joints, let links else { return nil }
        if top.has("serial") && serial == nil { return nil }
        if top.has("bus") && bus == nil { return nil }
        guard let move, let gap, let randomization, let actuation else { return nil }
        return RobotDescription(
            name: name, summary: summary, plane: plane, gravity: gravity, control: control, physics: physics,
            serial: serial, joints: joints, links: links, bus: bus, move: move, realityGap: gap, randomization: randomization,
            actuation: actuation)
    }

    private func readMove(_ top: MappingReader, jointCount: Int?) -> MoveSettings? {
        let defaults = MoveSettings()
        guard let node = top.node("move", required: false) else { return defaults }
        guard let reader = MappingReader(node, path: "move", allowed: Self.moveKeys, log: log) else { return nil }
        func positive(_ key: String, _ fallback: Double, _ bound: Bound) -> Double? {
            reader.has(key) ? reader.positive(key, within: bound) : fallback
        }
        let velocity = positive("velocity", defaults.velocity, Bounds.moveVelocity)
        let tolerance = positive("tolerance", defaults.tolerance, Bounds.moveTolerance)
        let velocityTolerance = positive("velocity_tolerance", defaults.velocityTolerance, Bounds.moveVelocityTolerance)
        let timeout = positive("timeout", defaults.timeout, Bounds.moveTimeout)
        let bandwidth = positive("bandwidth_hz", defaults.bandwidth, Bounds.bandwidth)
        let integralTime: Double?? =
            reader.has("integral_time") ? reader.nonNegative("integral_time", default: 0, within: Bounds.integralTime).map { $0 } : .some(nil)
        let stiffness = readGains(reader, "stiffness", jointCount: jointCount, within: Bounds.stiffness)
        let damping = readGains(reader, "damping", jointCount: jointCount, within: Bounds.gain)
        guard let velocity, let tolerance, let velocityTolerance, let timeout, let bandwidth, let integralTime, let stiffness,
            let damping
        else { return nil }
        return MoveSettings(
            velocity: velocity, tolerance: tolerance, velocityTolerance: velocityTolerance, timeout: timeout,
            bandwidth: bandwidth, integralTime: integralTime, stiffness: stiffness, damping: damping)
    }

    /// One non-negative gain per joint under `key`: .some(nil) when absent, nil when wrong.
    private func readGains(_ reader: MappingReader, _ key: String, jointCount: Int?, within bound: Bound) -> [Double]?? {
        guard reader.has(key) else { return .some(nil) }
        guard let jointCount else { return nil }
        return perJoint(reader, key, jointCount: jointCount, within: bound).map { .some($0) }
    }

    /// A non-negative value per joint under `key`: one number for every joint, or a list of one per
    /// joint; nil (with the problem logged) when it is neither or a value is out of bounds.
    func perJoint(_ reader: MappingReader, _ key: String, jointCount: Int, within bound: Bound) -> [Double]? {
        guard let node = reader.value(key) else { return nil }
        if case .scalar = node {
            guard let value = reader.nonNegative(key, default: 0, within: bound) else { return nil }
            return Array(repeating: value, count: jointCount)
        }
        guard let items = reader.list(key) else { return nil }
        let field = reader.child(key)
        if items.count != jointCount {
            log.report(.invalid("needs one value per joint: \(jointCount), not \(items.count)"), at: node, field: field)
            return nil
        }
        var values: [Double] = []
        for item in items {
            guard let value = readNumber(item.node, field: item.path, log: log) else { return nil }
            if value < 0 {
                log.report(.negative(value), at: item.node, field: item.path)
                return nil
            }
            guard bound.check(value, at: item.node, field: item.path, log: log) != nil else { return nil }
            values.append(value)
        }
        return values
    }

    private func readControl(_ top: MappingReader) -> ControlSettings? {
        guard let node = top.node("control", required: true),
            let reader = MappingReader(node, path: "control", allowed: ["rate_hz"], log: log),
            let rate = reader.positive("rate_hz", within: Bounds.rate)
        else { return nil }
        return ControlSettings(rateHz: rate)
    }

    private func readPhysics(_ top: MappingReader, controlPeriod: Double?) -> PhysicsSettings? {
        let allowed = ["timestep", "integrator", "limit_time_constant", "limit_damping_ratio", "limit_impedance"]
        guard let node = top.node("physics", required: false) else {
            return controlPeriod.map { PhysicsSettings(timestep: $0) }
        }
        guard let reader = MappingReader(node, path: "physics", allowed: allowed, log: log) else { return nil }
        let timestep = reader.has("timestep") ? reader.positive("timestep", within: Bounds.timestep) : controlPeriod
        let integrator = reader.choice("integrator", as: Integrator.self, default: .rk4)
        let defaults = PhysicsSettings(timestep: 1)
        let timeConstant =
            reader.has("limit_time_constant") ? reader.positive("limit_time_constant", within: Bounds.timeConstant) : defaults.limitTimeConstant
        let dampingRatio =
            reader.has("limit_damping_ratio") ? reader.positive("limit_damping_ratio", within: Bounds.dampingRatio) : defaults.limitDampingRatio
        let impedance = readImpedance(reader) ?? (reader.has("limit_impedance") ? nil : defaults.limitImpedance)
        if let timestep, let controlPeriod {
            let ratio = controlPeriod / timestep
            if ratio < 1 - 1e-9 || abs(ratio - ratio.rounded()) > 1e-6 {
                log.report(
                    .invalid("the control period (\(controlPeriod) s) must be a whole number of timesteps (\(timestep) s)"),
                    at: reader.value("timestep"), field: "physics.timestep")
                return nil
            }
            if ratio > Bounds.substeps {
                log.report(
                    .invalid("\(Int(ratio.rounded())) timesteps per control period is more than \(Int(Bounds.substeps)); use a longer timestep"),
                    at: reader.value("timestep"), field: "physics.timestep")
                return nil
            }
        }
        guard let timestep, let integrator, let timeConstant, let dampingRatio, let impedance else { return nil }
        return PhysicsSettings(
            timestep: timestep, integrator: integrator, limitTimeConstant: timeConstant,
            limitDampingRatio: dampingRatio, limitImpedance: impedance)
    }

    private func readImpedance(_ reader: MappingReader) -> [Double]? {
        guard let items = reader.list("limit_impedance", required: false) else { return nil }
        let field = "physics.limit_impedance"
        guard items.count == 5 else {
            log.report(.invalid("needs five numbers: dmin, dmax, width, midpoint, power"), at: reader.value("limit_impedance"), field: field)
            return nil
        }
        let values = items.compactMap { readNumber($0.node, field: $0.path, log: log) }
        guard values.count == 5 else { return nil }
        let (dmin, dmax, width, mid, power) = (values[0], values[1], values[2], values[3], values[4])
        guard dmin > 0, dmin < 1, dmax > 0, dmax < 1, dmin <= dmax, width > 0, mid > 0, mid < 1, power >= 1 else {
            log.report(
                .invalid("needs 0 < dmin ≤ dmax < 1, width > 0, 0 < midpoint < 1, power ≥ 1"),
                at: reader.value("limit_impedance"), field: field)
            return nil
        }
        return values
    }

    private func readSerial(_ top: MappingReader) -> SerialSettings? {
        guard let node = top.node("serial", required: false),
            let reader = MappingReader(node, path: "serial", allowed: ["port", "baud", "timeout", "connect_timeout", "lost_replies"], log: log)
        else { return nil }
        let port = reader.string("port")
        var baud: Int? = 1_000_000
        if reader.has("baud") {
            baud = reader.integer("baud")
            if let value = baud, value <= 0 {
                log.report(.notPositive(Double(value)), at: reader.value("baud"), field: "serial.baud")
                baud = nil
            } else if let value = baud {
                baud = Bounds.baud.check(Double(value), at: reader.value("baud"), field: "serial.baud", log: log).map { _ in value }
            }
        }
        let timeout = reader.has("timeout") ? reader.positive("timeout", within: Bounds.timeout) : 0.02
        let connectTimeout = reader.has("connect_timeout")
            ? reader.positive("connect_timeout", within: Bounds.connectTimeout) : SerialSettings.defaultConnectTimeout
        var lostReplies: Int? = SerialSettings.defaultLostReplies
        if reader.has("lost_replies") {
            lostReplies = reader.integer("lost_replies").flatMap { value in
                Bounds.lostReplies.check(Double(value), at: reader.value("lost_replies"), field: "serial.lost_replies", log: log)
                    .map { _ in value }
            }
        }
        guard let port, let baud, let timeout, let connectTimeout, let lostReplies else { return nil }
        return SerialSettings(port: port, baud: baud, timeout: timeout, connectTimeout: connectTimeout, lostReplies: lostReplies)
    }

    /// The bus kinds a description may name; only Dynamixel servos in current mode so far.
    enum BusType: String, CaseIterable { case dynamixel }

    private func readBus(_ top: MappingReader, jointCount: Int?) -> DynamixelBusSettings? {
        let allowed = ["type", "port", "baud", "timeout", "lost_replies", "watchdog_ms", "return_delay_us", "servos"]
        guard let node = top.node("bus", required: false),
            let reader = MappingReader(node, path: "bus", allowed: allowed, log: log)
        else { return nil }
        guard reader.has("type") else {
            log.report(.missing("type"), at: node, field: "bus.type")
            return nil
        }
        let type = reader.choice("type", as: BusType.self, default: .dynamixel)
        let port = reader.string("port")
        var baud: Int? = 1_000_000
        if reader.has("baud") {
            baud = reader.integer("baud").flatMap { value in
                Bounds.baud.check(Double(value), at: reader.value("baud"), field: "bus.baud", log: log).map { _ in value }
            }
        }
        let timeout = reader.has("timeout") ? reader.positive("timeout", within: Bounds.timeout) : 0.02
        var lostReplies: Int? = SerialSettings.defaultLostReplies
        if reader.has("lost_replies") {
            lostReplies = reader.integer("lost_replies").flatMap { value in
                Bounds.lostReplies.check(Double(value), at: reader.value("lost_replies"), field: "bus.lost_replies", log: log)
                    .map { _ in value }
            }
        }
        var watchdog: Double? = 0.1
        if reader.has("watchdog_ms") {
            watchdog = reader.number("watchdog_ms", within: Bounds.busWatchdog).flatMap { ms in
                guard abs(ms / 20 - (ms / 20).rounded()) < 1e-9 else {
                    log.report(
                        .invalid("the servos count their bus watchdog in units of 20 ms; give a multiple of 20 (20 to 2540)"),
                        at: reader.value("watchdog_ms"), field: "bus.watchdog_ms")
                    return nil
                }
                return ms / 1000
            }
        }
        var returnDelay: Double? = 0
        if reader.has("return_delay_us") {
            returnDelay = reader.number("return_delay_us", within: Bounds.returnDelay).flatMap { us in
                guard abs(us / 2 - (us / 2).rounded()) < 1e-9 else {
                    log.report(
                        .invalid("the servos count their return delay in units of 2 µs; give an even number (0 to 508)"),
                        at: reader.value("return_delay_us"), field: "bus.return_delay_us")
                    return nil
                }
                return us * 1e-6
            }
        }
        let servos = readServos(reader, jointCount: jointCount)
        guard type != nil, let port, let baud, let timeout, let lostReplies, let watchdog, let returnDelay, let servos else {
            return nil
        }
        if watchdog <= timeout * Double(lostReplies) {
            // The host rides through this many lost status packets while sending nothing new: the
            // servos must not stop in the meantime, or riding through would always end in a stop.
            log.report(
                .invalid("the bus watchdog (\(Int((watchdog * 1000).rounded())) ms) must outlast lost_replies × timeout "
                    + "(\(lostReplies) × \(timeout * 1000) ms); raise watchdog_ms or lower timeout"),
                at: reader.value("watchdog_ms") ?? node, field: "bus.watchdog_ms")
            return nil
        }
        return DynamixelBusSettings(
            port: port, baud: baud, timeout: timeout, lostReplies: lostReplies, watchdog: watchdog, returnDelay: returnDelay,
            servos: servos)
    }

    private func readServos(_ bus: MappingReader, jointCount: Int?) -> [DynamixelBusSettings.Servo]? {
        guard let items = bus.list("servos") else { return nil }
        if let jointCount, items.count != jointCount {
            log.report(
                .invalid("lists \(items.count) servos for \(jointCount) joints; give one servo per joint, in joint order"),
                at: bus.value("servos"), field: "bus.servos")
            return nil
        }
        let servos: [DynamixelBusSettings.Servo?] = items.map { item in
            guard let reader = MappingReader(
                item.node, path: item.path, allowed: ["id", "model", "torque_constant", "direction", "offset"], log: log)
            else { return nil }
            let id = reader.integer("id").flatMap { value in
                Bounds.servoID.check(Double(value), at: reader.value("id"), field: reader.child("id"), log: log).map { _ in value }
            }
            var model: DynamixelModel?
            if let text = reader.string("model") {
                model = DynamixelModel(rawValue: text)
                if model == nil {
                    let choices = DynamixelModel.allCases.map(\.rawValue)
                    log.report(
                        .badChoice(text, choices: choices, suggestion: closestMatch(to: text, among: choices)),
                        at: reader.value("model"), field: reader.child("model"))
                }
            }
            let torqueConstant = reader.positive("torque_constant", within: Bounds.torqueConstant)
            var direction: Int? = 1
            if reader.has("direction") {
                direction = reader.integer("direction")
                if let value = direction, value != 1 && value != -1 {
                    log.report(
                        .invalid("is 1 (the servo turns the joint's way) or -1 (reversed), not \(value)"),
                        at: reader.value("direction"), field: reader.child("direction"))
                    direction = nil
                }
            }
            var offset: Int? = 0
            if reader.has("offset") {
                offset = reader.integer("offset").flatMap { value in
                    Bounds.servoOffset.check(Double(value), at: reader.value("offset"), field: reader.child("offset"), log: log)
                        .map { _ in value }
                }
            }
            guard let id, let model, let torqueConstant, let direction, let offset else { return nil }
            return DynamixelBusSettings.Servo(id: id, model: model, torqueConstant: torqueConstant, direction: direction, offset: offset)
        }
        var seen: [Int: Int] = [:]
        for (index, servo) in servos.enumerated() {
            guard let servo else { continue }
            if let first = seen[servo.id] {
                log.report(
                    .invalid("id \(servo.id) is also servos[\(first)]'s; two servos on one bus need different ids"),
                    at: items[index].node, field: "\(items[index].path).id")
                return nil
            }
            seen[servo.id] = index
        }
        let complete = servos.compactMap { $0 }
        return complete.count == servos.count ? complete : nil
    }

    private func readJoints(_ top: MappingReader) -> [Joint]? {
        guard let items = top.list("joints") else { return nil }
        if items.isEmpty {
            log.report(.noJoints, at: top.value("joints"), field: "joints")
            return nil
        }
        let joints = items.map { readJoint($0.node, path: $0.path) }
        checkUnique(names: joints.map { $0?.name }, items: items, what: "name")
        let complete = joints.compactMap { $0 }
        return complete.count == joints.count ? complete : nil
    }

    private func readJoint(_ node: Node, path: String) -> Joint? {
        guard let reader = MappingReader(node, path: path, allowed: Self.jointKeys, log: log) else { return nil }
        let name = reader.string("name")
        let torque = reader.limits("torque", within: Bounds.torque)
        let degrees = Double.pi / 180
        var position: Limits?? = .some(nil)
        if reader.has("position") && reader.has("position_deg") {
            log.report(.conflicting("position", "position_deg"), at: node, field: path)
            position = nil
        } else if reader.has("position") {
            position = reader.limits("position", within: Bounds.position).map { .some($0) }
        } else if reader.has("position_deg") {
            position = reader.limits("position_deg", scale: degrees, within: Bounds.positionDegrees).map { .some($0) }
        }
        var velocity: Double?? = .some(nil)
        if reader.has("velocity_limit") && reader.has("velocity_limit_deg") {
            log.report(.conflicting("velocity_limit", "velocity_limit_deg"), at: node, field: path)
            velocity = nil
        } else if reader.has("velocity_limit") {
            velocity = reader.positive("velocity_limit", within: Bounds.velocity).map { .some($0) }
        } else if reader.has("velocity_limit_deg") {
            velocity = reader.positive("velocity_limit_deg", within: Bounds.velocityDegrees).map { .some($0 * degrees) }
        }
        let damping = reader.nonNegative("damping", default: 0, within: Bounds.damping)
        let armature = reader.nonNegative("armature", default: 0, within: Bounds.armature)
        guard let name, let torque, let position, let velocity, let damping, let armature else { return nil }
        return Joint(
            name: name, torque: torque, position: position, velocityLimit: velocity, damping: damping,
            armature: armature)
    }

    private func readLinks(_ top: MappingReader) -> [Link]? {
        guard let items = top.list("links") else { return nil }
        let links = items.map { readLink($0.node, path: $0.path) }
        checkUnique(names: links.map { $0?.name }, items: items, what: "name")
        let complete = links.compactMap { $0 }
        return complete.count == links.count ? complete : nil
    }

    private func readLink(_ node: Node, path: String) -> Link? {
        guard let reader = MappingReader(node, path: path, allowed: Self.linkKeys, log: log) else { return nil }
        let name = reader.string("name")
        let length = reader.positive("length", within: Bounds.length)
        let hasShapes = reader.has("shapes")
        let hasInertial = reader.has("inertial")
        if hasShapes == hasInertial {
            if hasShapes {
                log.report(.conflicting("shapes", "inertial"), at: node, field: path)
            } else {
                log.report(.missing("shapes' or 'inertial"), at: node, field: "\(path).shapes")
            }
            return nil
        }
        var shapes: [Shape] = []
        var inertial: Inertial?
        if hasShapes {
            guard let items = reader.list("shapes") else { return nil }
            if items.isEmpty {
                log.report(.invalid("a link needs at least one shape to have mass"), at: reader.value("shapes"), field: "\(path).shapes")
                return nil
            }
            let read = items.map { readShape($0.node, path: $0.path, linkLength: length) }
            guard read.allSatisfy({ $0 != nil }) else { return nil }
            shapes = read.compactMap { $0 }
            inertial = Inertial(composing: shapes)
        } else if let inertialNode = reader.value("inertial"),
            let sub = MappingReader(inertialNode, path: "\(path).inertial", allowed: ["mass", "com", "inertia"], log: log)
        {
            let mass = sub.positive("mass", within: Bounds.mass)
            let com = sub.number("com", within: Bounds.offset)
            let inertia = sub.positive("inertia", within: Bounds.inertia)
            if let mass, let com, let inertia { inertial = Inertial(mass: mass, com: com, inertia: inertia) }
        }
        guard let name, let length, let inertial else { return nil }
        return Link(name: name, length: length, inertial: inertial, shapes: shapes)
    }

    private func readShape(_ node: Node, path: String, linkLength: Double?) -> Shape? {
        guard let reader = MappingReader(node, path: path, allowed: Self.shapeKeys, log: log),
            let kindText = reader.string("type")
        else { return nil }
        guard let kind = Shape.Kind(rawValue: kindText) else {
            let choices = Shape.Kind.allCases.map(\.rawValue)
            log.report(
                .badChoice(kindText, choices: choices, suggestion: closestMatch(to: kindText, among: choices)),
                at: reader.value("type"), field: "\(path).type")
            return nil
        }
        let density = reader.positive("density", within: Bounds.density)
        let unexpected: [String]
        var shape: Shape?
        switch kind {
        case .capsule, .cylinder:
            unexpected = ["at", "size"]
            let radius = reader.positive("radius", within: Bounds.radius)
            let from = reader.has("from") ? reader.number("from", within: Bounds.offset) : 0
            let to = reader.has("to") ? reader.number("to", within: Bounds.offset) : linkLength
            if let from, let to, from == to {
                log.report(.invalid("'from' and 'to' are equal: a \(kind.rawValue) needs a length"), at: node, field: path)
            } else if let density, let radius, let from, let to {
                shape = Shape(kind: kind, density: density, radius: radius, from: from, to: to)
            }
        case .sphere:
            unexpected = ["from", "to", "size"]
            let radius = reader.positive("radius", within: Bounds.radius)
            let at = reader.has("at") ? reader.number("at", within: Bounds.offset) : linkLength
            if let density, let radius, let at { shape = Shape(kind: kind, density: density, radius: radius, at: at) }
        case .box:
            unexpected = ["from", "to", "radius"]
            let at = reader.has("at") ? reader.number("at", within: Bounds.offset) : linkLength.map { $0 / 2 }
            let size = readBoxSize(reader, path: path)
            if let density, let at, let size { shape = Shape(kind: kind, density: density, at: at, boxSize: size) }
        }
        for key in unexpected where reader.has(key) {
            log.report(.invalid("'\(key)' does not apply to a \(kind.rawValue)"), at: reader.value(key), field: "\(path).\(key)")
            shape = nil
        }
        return shape
    }

    private func readBoxSize(_ reader: MappingReader, path: String) -> [Double]? {
        guard let items = reader.list("size") else { return nil }
        guard items.count == 3 else {
            log.report(.invalid("needs three sizes in m: along the link, across it, out of the plane"), at: reader.value("size"), field: "\(path).size")
            return nil
        }
        var sizes: [Double] = []
        for item in items {
            guard let value = readNumber(item.node, field: item.path, log: log) else { return nil }
            guard value > 0 else {
                log.report(.notPositive(value), at: item.node, field: item.path)
                return nil
            }
            guard Bounds.radius.check(value, at: item.node, field: item.path, log: log) != nil else { return nil }
            sizes.append(value)
        }
        return sizes
    }

    func checkUnique(names: [String?], items: [(node: Node, path: String)], what: String) {
        var seen = Set<String>()
        for (name, item) in zip(names, items) {
            guard let name else { continue }
            if !seen.insert(name).inserted {
                log.report(.duplicateName(name), at: item.node, field: "\(item.path).\(what)")
            }
        }
    }
}
