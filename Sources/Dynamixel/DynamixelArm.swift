import Hardware
import Logging
import MonotonicTime
import RobotModel

/// An arm of X-series Dynamixel servos in current-control mode on one Protocol 2.0 bus, as an
/// `ArmBackend`: each control period one SYNC WRITE of Goal Current and one SYNC READ of Present
/// Current, Velocity and Position, nothing allocated.
///
/// Activation pings every id, checks each Model Number against the description, and with torque
/// off (EEPROM is locked while it is on) sets Operating Mode 0 (current), Return Delay Time and a
/// Current Limit derived from the guard's torque limits, so that the servo itself refuses anything
/// beyond them; then it enables torque and sets the Bus Watchdog, so that a servo stops by itself
/// when the host stalls. Torque ↔ current through each joint's torque constant and direction;
/// ticks ↔ radians through 4096 ticks per turn, the description's offset and the direction.
///
/// A lost status packet is asked for again (a SYNC READ, PING, READ or WRITE of the same value
/// changes nothing on the servos) and counted; `lost_replies` of them in a row, a hardware error
/// (the Alert bit), a tripped bus watchdog or a refused instruction stop the arm with torque
/// disabled, as does `deactivate`, which never fails.
public final class DynamixelArm: ArmBackend {
    typealias Table = XSeriesControlTable

    public let robot: RobotDescription
    public let settings: DynamixelBusSettings
    /// The port in use (the description's unless one was given).
    public let port: String
    public var jointCount: Int { robot.jointCount }
    public var controlPeriod: Double { robot.control.period }
    public private(set) var isActive = false
    /// Goal Current bound written to each servo's Current Limit, in its current unit.
    public let currentLimits: [Int]
    /// What happened on the bus since it was opened.
    public var statistics: BusStatistics { bus?.statistics ?? BusStatistics() }
    /// Lost status packets ridden through, and the longest run of them.
    public private(set) var lostStatuses = 0
    public private(set) var mostLostInARow = 0
    /// Lost status packets in a row that stop the arm.
    public let lostReplyLimit: Int
    /// Each step's SYNC WRITE + SYNC READ, from the write to the last status decoded, s.
    public private(set) var stepRoundTrips = DurationSamples(capacity: 65536)

    private let ids: [UInt8]
    private let baud: Int
    private let timeout: Double
    private let logger: Logger
    private var bus: DynamixelBus?
    private var goal: [Int]
    private var data: [UInt8]
    private var activatedAt = 0.0

    /// The arm the description's `bus` section describes, on `port` (default its `bus.port`). Nothing
    /// is opened until `activate` or `moveTo`.
    public init(
        robot: RobotDescription, port: String? = nil, baud: Int? = nil, lostReplies: Int? = nil,
        logger: Logger = Logger(label: "armature.dynamixel-arm")
    ) throws {
        guard let settings = robot.bus else { throw DynamixelArmError.noBus(robot: robot.name) }
        self.robot = robot
        self.settings = settings
        self.port = port ?? settings.port
        self.baud = baud ?? settings.baud
        timeout = settings.timeout
        lostReplyLimit = lostReplies ?? settings.lostReplies
        self.logger = logger
        ids = settings.servos.map { UInt8($0.id) }
        var limits: [Int] = []
        for (joint, servo) in zip(robot.joints, settings.servos) {
            guard servo.model.hasCurrentControl else {
                throw DynamixelArmError.noCurrentControl(joint: joint.name, id: servo.id, model: servo.model)
            }
            // The guard's largest torque, as current, rounded up: the servo must allow what the guard passes.
            let torque = max(abs(joint.torque.low), abs(joint.torque.high))
            let units = Int((torque / (servo.torqueConstant * servo.model.currentUnit)).rounded(.up))
            guard units <= servo.model.currentLimitMaximum else {
                let most = Double(servo.model.currentLimitMaximum) * servo.model.currentUnit * servo.torqueConstant
                throw DynamixelArmError.torqueBeyondServo(joint: joint.name, torque: torque, model: servo.model, most: most)
            }
            limits.append(units)
        }
        currentLimits = limits
        goal = Array(repeating: 0, count: robot.jointCount)
        data = []
        data.reserveCapacity(Table.presentBlock.size * robot.jointCount)
    }

    deinit { deactivate() }

    // MARK: ArmBackend

    public func activate(state: inout JointState) throws {
        try requireSize(state)
        isActive = false
        do {
            let bus = try openBus()
            try configure(bus, mode: .current)
            for (id, limit) in zip(ids, currentLimits) { try tolerant { try bus.write(id: id, Table.currentLimit, limit) } }
            try writeEach(bus, Table.goalCurrent, 0)
            try writeEach(bus, Table.torqueEnable, 1)
            try writeEach(bus, Table.busWatchdog, watchdogUnits)
            activatedAt = MonotonicClock.seconds()
            try readState(bus, into: &state)
            isActive = true
        } catch {
            disableTorque()
            throw error
        }
    }

    public func step(torques: [Double], state: inout JointState) throws {
        guard isActive, let bus else { throw BackendError.inactive }
        guard torques.count == jointCount else { throw BackendError.wrongSize(expected: jointCount, got: torques.count) }
        try requireSize(state)
        do {
            try checkWatchdog(bus)
            for i in 0..<jointCount {
                let servo = settings.servos[i]
                let units = (Double(servo.direction) * torques[i] / (servo.torqueConstant * servo.model.currentUnit)).rounded()
                let limit = Double(currentLimits[i])
                // A non-finite torque never reaches here (the guard zeroes it); send zero for one all the same.
                goal[i] = units.isFinite ? Int(min(limit, max(-limit, units))) : 0
            }
            let start = MonotonicClock.seconds()
            try bus.syncWrite(Table.goalCurrent, ids: ids, values: goal)
            try readState(bus, into: &state)
            stepRoundTrips.record(MonotonicClock.seconds() - start)
        } catch {
            isActive = false
            disableTorque()
            throw error
        }
    }

    /// `moveTo(position:)` with the default settings; a servo cannot be given a velocity, so it is ignored.
    public func reset(position: [Double], velocity: [Double], state: inout JointState) throws {
        guard velocity.count == jointCount else { throw BackendError.wrongSize(expected: jointCount, got: velocity.count) }
        try moveTo(position: position, state: &state)
    }

    /// Torque off on every servo (one SYNC WRITE, then each servo on its own to confirm). Never throws.
    public func deactivate() {
        isActive = false
        disableTorque()
    }

    // MARK: Move-to

    /// How a move-to goes: the setpoint's speed, when it counts as arrived, how long it may take.
    /// (The servos' own position loop does the driving, so gains are theirs, not the host's.)
    public struct MoveOptions: Sendable, Equatable {
        /// Profile Velocity, rad/s.
        public var maxVelocity: Double
        /// rad
        public var positionTolerance: Double
        /// rad/s (Present Velocity comes in units of 0.024 rad/s)
        public var velocityTolerance: Double
        /// s
        public var timeout: Double

        public init(maxVelocity: Double = 0.5, positionTolerance: Double = 0.01, velocityTolerance: Double = 0.05, timeout: Double = 10) {
            self.maxVelocity = maxVelocity
            self.positionTolerance = positionTolerance
            self.velocityTolerance = velocityTolerance
            self.timeout = timeout
        }
    }

    /// How a move-to went.
    public struct MoveResult: Sendable, Equatable {
        /// SYNC READs it took.
        public var polls: Int
        /// s
        public var duration: Double
        /// Largest |target − position| at the end, rad.
        public var positionError: Double
    }

    /// Drives the arm to `position` (rad) in current-based position mode (Operating Mode 5): Goal
    /// Current bounded by the same Current Limit, Profile Velocity `options.maxVelocity`, until
    /// every joint is within the tolerances, or the timeout passes (then torque off and an error).
    /// The watchdog stays set; each poll feeds it. Then back to current mode with zero current,
    /// torque on if the arm was active, off if not.
    @discardableResult
    public func moveTo(position: [Double], options move: MoveOptions = MoveOptions(), state: inout JointState) throws -> MoveResult {
        guard position.count == jointCount else { throw BackendError.wrongSize(expected: jointCount, got: position.count) }
        try requireSize(state)
        let wasActive = isActive
        isActive = false
        var targets: [Int] = []
        for i in 0..<jointCount {
            let servo = settings.servos[i]
            guard position[i].isFinite else { throw BackendError.nonFiniteStart(joint: i) }
            let ticks = Double(servo.offset) + (Double(servo.direction) * position[i] / Table.positionUnit).rounded()
            let range = Table.extendedPositionRange
            guard ticks >= Double(range.lowerBound), ticks <= Double(range.upperBound) else {
                throw DynamixelArmError.targetOutOfRange(joint: robot.joints[i].name, position: position[i])
            }
            targets.append(Int(ticks))
        }
        do {
            let bus = try openBus()
            try configure(bus, mode: .currentBasedPosition)
            let fastest = Double(Table.profileVelocityRange.upperBound)
            let speed = (move.maxVelocity / Table.velocityUnit).rounded()
            let profile = speed.isFinite ? Int(max(1, min(fastest, speed))) : 1
            try writeEach(bus, Table.profileVelocity, profile)
            for (id, limit) in zip(ids, currentLimits) {
                try tolerant { try bus.write(id: id, Table.currentLimit, limit) }
                try tolerant { try bus.write(id: id, Table.goalCurrent, limit) }  // the position loop's bound in mode 5
            }
            try writeEach(bus, Table.torqueEnable, 1)
            try writeEach(bus, Table.busWatchdog, watchdogUnits)
            try bus.syncWrite(Table.goalPosition, ids: ids, values: targets)
            let started = MonotonicClock.seconds()
            var settled = false
            var polls = 0
            while !settled {
                try checkWatchdog(bus)
                try readState(bus, into: &state)
                polls += 1
                settled = (0..<jointCount).allSatisfy {
                    abs(state.position[$0] - position[$0]) <= move.positionTolerance && abs(state.velocity[$0]) <= move.velocityTolerance
                }
                if !settled && MonotonicClock.seconds() - started > move.timeout {
                    let far = (0..<jointCount).filter { abs(state.position[$0] - position[$0]) > move.positionTolerance }
                    throw DynamixelArmError.moveTimedOut(port: port, joints: far.map { robot.joints[$0].name }, seconds: move.timeout)
                }
                // Polled back to back, as ROBOTIS's own examples do: the bus is ours, each poll feeds
                // the watchdog, and a lockstep emulator's move advances with each poll.
            }
            try configure(bus, mode: .current)
            try writeEach(bus, Table.goalCurrent, 0)
            if wasActive {
                try writeEach(bus, Table.torqueEnable, 1)
                try writeEach(bus, Table.busWatchdog, watchdogUnits)
            }
            try readState(bus, into: &state)
            isActive = wasActive
            let error = (0..<jointCount).map { abs(state.position[$0] - position[$0]) }.max() ?? 0
            return MoveResult(polls: polls, duration: MonotonicClock.seconds() - started, positionError: error)
        } catch {
            disableTorque()
            throw error
        }
    }

    /// One SYNC READ of the state, commanding nothing new (the arm must be active).
    public func read(state: inout JointState) throws {
        guard isActive, let bus else { throw BackendError.inactive }
        try requireSize(state)
        do {
            try readState(bus, into: &state)
        } catch {
            isActive = false
            disableTorque()
            throw error
        }
    }

    // MARK: Parts

    private var watchdogUnits: Int { Int((settings.watchdog / Table.busWatchdogUnit).rounded()) }

    private func requireSize(_ state: JointState) throws {
        for count in [state.position.count, state.velocity.count, state.torque.count] where count != jointCount {
            throw BackendError.wrongSize(expected: jointCount, got: count)
        }
    }

    private func openBus() throws -> DynamixelBus {
        if let bus { return bus }
        let opened = try DynamixelBus(path: port, baud: baud, timeout: timeout)
        bus = opened
        return opened
    }

    /// Every servo answers and is the model the description says; torque off, the watchdog cleared
    /// (0 also clears a tripped one), then `mode` and the return delay (EEPROM: torque must be off).
    private func configure(_ bus: DynamixelBus, mode: Table.OperatingMode) throws {
        for (id, servo) in zip(ids, settings.servos) {
            let (number, _) = try tolerant { try bus.ping(id: id) }
            guard number == servo.model.modelNumber else {
                let found = DynamixelModel(modelNumber: number).map(\.rawValue) ?? "model number \(number)"
                throw DynamixelArmError.modelMismatch(port: port, id: id, expected: servo.model, found: found)
            }
        }
        try writeEach(bus, Table.torqueEnable, 0)
        try writeEach(bus, Table.busWatchdog, 0)
        try writeEach(bus, Table.operatingMode, mode.rawValue)
        let delay = Int((settings.returnDelay / Table.returnDelayUnit).rounded())
        try writeEach(bus, Table.returnDelayTime, delay)
    }

    /// The same WRITE to each servo in turn, each confirmed by its status (made again after a loss).
    private func writeEach(_ bus: DynamixelBus, _ field: ControlTableField, _ value: Int) throws {
        for id in ids { try tolerant { try bus.write(id: id, field, value) } }
    }

    /// `body`, a request that is safe to repeat, made again after a lost status packet; each loss is
    /// counted, and `lostReplyLimit` of them in a row are a fault.
    private func tolerant<T>(_ body: () throws -> T) throws -> T {
        var lostInARow = 0
        while true {
            do {
                return try body()
            } catch DynamixelError.noStatus {
                lostInARow += 1
                lostStatuses += 1
                mostLostInARow = max(mostLostInARow, lostInARow)
                if lostInARow >= lostReplyLimit { throw DynamixelArmError.lostStatuses(port: port, count: lostInARow) }
            }
        }
    }

    /// One SYNC READ of the present block into `state`, read again after a lost status up to the limit.
    private func readState(_ bus: DynamixelBus, into state: inout JointState) throws {
        try tolerant {
            data.removeAll(keepingCapacity: true)
            try bus.syncRead(address: Table.presentBlock.address, length: Table.presentBlock.size, ids: ids, into: &data)
        }
        if let id = bus.alerts.first {
            let bits = (try? bus.read(id: id, Table.hardwareErrorStatus)).map { Table.HardwareError(rawValue: UInt8(truncatingIfNeeded: $0)) }
            throw DynamixelArmError.hardwareError(port: port, id: id, error: bits)
        }
        data.withUnsafeBufferPointer { buffer in
            for i in 0..<jointCount {
                let servo = settings.servos[i]
                let base = i * Table.presentBlock.size
                let direction = Double(servo.direction)
                let current = Table.presentCurrent.decode(buffer, at: base)
                let velocity = Table.presentVelocity.decode(buffer, at: base + 2)
                let ticks = Table.presentPosition.decode(buffer, at: base + 6)
                state.position[i] = direction * Double(ticks - servo.offset) * Table.positionUnit
                state.velocity[i] = direction * Double(velocity) * Table.velocityUnit
                state.torque[i] = direction * Double(current) * servo.model.currentUnit * servo.torqueConstant
            }
        }
        state.time = MonotonicClock.seconds() - activatedAt
    }

    /// A servo that heard nothing for its watchdog's time has stopped and ignores Goal Current; only
    /// a gap that long can have tripped it, so only then is the watchdog read.
    private func checkWatchdog(_ bus: DynamixelBus) throws {
        let gap = MonotonicClock.seconds() - bus.statistics.lastRequestTime
        guard gap > 0.8 * settings.watchdog else { return }
        let tripped = try ids.filter { id in try tolerant { try bus.read(id: id, Table.busWatchdog) } == -1 }
        if !tripped.isEmpty {
            throw DynamixelArmError.watchdogTripped(port: port, ids: tripped, gap: gap)
        }
    }

    private func disableTorque() {
        guard let bus else { return }
        // One packet reaches every servo even when status packets are being lost; each is then asked
        // on its own so that a failure is at least logged.
        do { try bus.syncWrite(Table.torqueEnable, ids: ids, values: ids.map { _ in 0 }) } catch {
            logger.warning("disabling torque on \(port) failed: \(error)")
        }
        for id in ids {
            do { try bus.write(id: id, Table.torqueEnable, 0) } catch {
                logger.warning("servo \(id) on \(port) did not confirm torque off: \(error)")
            }
        }
    }
}


/// Why the Dynamixel arm refused or stopped.
public enum DynamixelArmError: Error, Sendable, Equatable, CustomStringConvertible {
    case noBus(robot: String)
    case noCurrentControl(joint: String, id: Int, model: DynamixelModel)
    case torqueBeyondServo(joint: String, torque: Double, model: DynamixelModel, most: Double)
    case modelMismatch(port: String, id: UInt8, expected: DynamixelModel, found: String)
    case lostStatuses(port: String, count: Int)
    case hardwareError(port: String, id: UInt8, error: XSeriesControlTable.HardwareError?)
    case watchdogTripped(port: String, ids: [UInt8], gap: Double)
    case targetOutOfRange(joint: String, position: Double)
    case moveTimedOut(port: String, joints: [String], seconds: Double)

    public var description: String {
        switch self {
        case .noBus(let robot):
            return "robot \(robot) has no `bus: {type: dynamixel}` section; add one (robots/README.md) to drive Dynamixel servos"
        case .noCurrentControl(let joint, let id, let model):
            return "joint \(joint)'s servo \(id) is an \(model.rawValue), which has no current-control mode; "
                + "use an XM430-W350 or XL330-M288 for a torque-driven joint"
        case .torqueBeyondServo(let joint, let torque, let model, let most):
            return "joint \(joint) allows \(torque) N·m but its \(model.rawValue) reaches at most "
                + "\(String(format: "%.3g", most)) N·m at its largest Current Limit with this torque constant; lower the joint's torque range"
        case .modelMismatch(let port, let id, let expected, let found):
            return "servo \(id) on \(port) is a \(found), but the description says \(expected.rawValue); fix the description's "
                + "bus.servos or the servo's id"
        case .lostStatuses(let port, let count):
            return "\(count) status packets lost in a row on \(port); torque is off. Check the cable, the power and the baud rate, "
                + "then run again (bus.lost_replies or --lost-replies sets how many are tolerated)"
        case .hardwareError(let port, let id, let error):
            return "servo \(id) on \(port) reports a hardware error (\(error?.description ?? "Hardware Error Status unreadable")); "
                + "torque is off. Let it cool, check the load and the supply, then REBOOT it (power-cycle or DYNAMIXEL Wizard)"
        case .watchdogTripped(let port, let ids, let gap):
            return "the bus watchdog of servo(s) \(ids.map(String.init).joined(separator: ", ")) on \(port) tripped: the host was "
                + "silent for \(Int((gap * 1000).rounded())) ms; torque is off. Activate the arm again, and raise bus.watchdog_ms "
                + "if the host is that slow on purpose"
        case .targetOutOfRange(let joint, let position):
            return "joint \(joint) cannot be moved to \(position) rad: it is beyond the servo's ±256 turns"
        case .moveTimedOut(let port, let joints, let seconds):
            return "the arm on \(port) did not reach its target within \(seconds) s (\(joints.joined(separator: ", ")) still away); "
                + "torque is off. Check that nothing blocks it and that the torque limits can move it"
        }
    }
}
