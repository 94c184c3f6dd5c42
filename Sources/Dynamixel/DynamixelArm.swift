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
/// Episodes start by `move` (the servos' own position loop drives the arm to the start pose, then
/// the arm is handed back in current mode) or from where the arm is (`read`); it cannot be placed
/// (`canPlace` is false), and nothing here writes Homing Offset: an episode never re-zeroes the
/// encoders.
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
    /// A real arm cannot be put at a state.
    public var canPlace: Bool { false }
    /// Goal Current bound written to each servo's Current Limit, in its current unit.
    public let currentLimits: [Int]
    /// What happened on the bus since it was opened.
    public var statistics: BusStatistics { bus?.statistics ?? BusStatistics() }
    /// Lost status packets ridden through, and the longest run of them.
    public private(set) var lostStatuses = 0
    public private(set) var mostLostInARow = 0
    /// Lost status packets in a row that stop the arm.
    public let lostReplyLimit: Int
    /// Each step's SYNC WRITE + SYNC READ, from the write to the last status decoded, s (the wait
    /// for the period's end between them not counted).
    public private(set) var stepRoundTrips = DurationSamples(capacity: 65536)
    /// Whether a step waits for its control period to end before the SYNC READ (`PeriodEndReading`),
    /// so that it returns the state the period ends in, not the state the current began to act
    /// in. Only a lockstep bus emulator, whose SYNC WRITE already advances the period, goes without.
    public var readsAtPeriodEnd = true
    public private(set) var lastStepWait = 0.0
    private var periodEnd: PeriodEndReading
    /// The period whose end a real-time step waits for: the robot's control period, or the loop's
    /// when it runs at another rate (`run --rate-hz`).
    public var readingPeriod: Double {
        get { periodEnd.period }
        set { periodEnd = PeriodEndReading(period: newValue) }
    }

    private let ids: [UInt8]
    private let baud: Int
    private let timeout: Double
    private let logger: Logger
    private var bus: DynamixelBus?
    private var goal: [Int]
    /// Present Current of each servo at the last read, in its own unit and sense.
    private var presentCurrent: [Int]
    private var data: [UInt8]
    private var activatedAt = 0.0

    /// The arm the description's `bus` section describes, on `port` (default its `bus.port`). Nothing
    /// is opened until `activate`.
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
        periodEnd = PeriodEndReading(period: robot.control.period)
        goal = Array(repeating: 0, count: robot.jointCount)
        presentCurrent = Array(repeating: 0, count: robot.jointCount)
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
            periodEnd.restart()
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
            lastStepWait = readsAtPeriodEnd ? periodEnd.waitForReading(commandedAt: start) : 0
            try readState(bus, into: &state)
            stepRoundTrips.record(MonotonicClock.seconds() - start - lastStepWait)
        } catch {
            isActive = false
            disableTorque()
            throw error
        }
    }

    /// A real arm cannot be put at a state: it is moved there (`move`) or starts where it is (`read`).
    /// The refusal, as every error here, leaves torque off.
    public func place(position: [Double], velocity: [Double], state: inout JointState) throws {
        deactivate()
        throw BackendError.cannotPlace
    }

    /// Torque off on every servo (one SYNC WRITE, then each servo on its own to confirm). Never throws.
    public func deactivate() {
        isActive = false
        disableTorque()
    }

    // MARK: Move

    /// Drives the active arm to `position` (rad) with the servos' own position loop, as an episode on
    /// hardware starts: torque off (EEPROM is locked while it is on), current-based position mode
    /// (Operating Mode 5) with Goal Current at the Current Limit as the loop's bound and Profile
    /// Velocity at the profile's `maxVelocity`, torque and the Bus Watchdog on, one SYNC WRITE of Goal
    /// Position; then SYNC READs back to back (each feeds the watchdog; against a lockstep emulator
    /// each is one control period of the move) until every joint is within the profile's position
    /// and velocity tolerances. The arm is then handed back in current mode holding the Present
    /// Current the position loop ended with, so that it stays where it settled until the next `step`.
    ///
    /// The profile's gains and integral time are the Armature firmware's controller's: the servos
    /// drive with their own Position P/I/D Gains. The timeout runs on the host's clock, from the Goal
    /// Position on; the outcome counts the SYNC READs as its periods and the host's seconds as its
    /// duration. Nothing re-zeroes the encoders (Homing Offset is `armature calibrate`'s, on request).
    ///
    /// Throws `BackendError.moveRefused` for a target outside a joint's position range, a non-finite
    /// target or an unusable tolerance or timeout; `DynamixelArmError.targetOutOfRange` beyond the
    /// servos' turns; `BackendError.moveNotSettled` when the timeout passes first. Every error, a
    /// refusal included, leaves the arm inactive with torque off.
    @discardableResult
    public func move(to position: [Double], profile: MoveProfile, state: inout JointState, unless stop: StopRequest) throws -> MoveOutcome {
        guard isActive else { throw BackendError.inactive }
        isActive = false
        periodEnd.restart()
        do {
            guard position.count == jointCount else { throw BackendError.wrongSize(expected: jointCount, got: position.count) }
            try requireSize(state)
            let targets = try targetTicks(position, profile: profile)
            let bus = try openBus()
            try configure(bus, mode: .currentBasedPosition)
            let fastest = Double(Table.profileVelocityRange.upperBound)
            let speed = (profile.maxVelocity / Table.velocityUnit).rounded()
            // An unusable speed becomes the slowest profile (0 would mean "as fast as it can").
            let velocityUnits = speed.isFinite ? Int(max(1, min(fastest, speed))) : 1
            try writeEach(bus, Table.profileVelocity, velocityUnits)
            for (id, limit) in zip(ids, currentLimits) {
                try tolerant { try bus.write(id: id, Table.currentLimit, limit) }
                try tolerant { try bus.write(id: id, Table.goalCurrent, limit) }  // the position loop's bound in mode 5
            }
            try writeEach(bus, Table.torqueEnable, 1)
            try writeEach(bus, Table.busWatchdog, watchdogUnits)
            try bus.syncWrite(Table.goalPosition, ids: ids, values: targets)
            let started = MonotonicClock.seconds()
            var polls = 0
            while true {
                try checkWatchdog(bus)
                try readState(bus, into: &state)
                polls += 1
                let settled = (0..<jointCount).allSatisfy {
                    abs(state.position[$0] - position[$0]) <= profile.positionTolerance
                        && abs(state.velocity[$0]) <= profile.velocityTolerance
                }
                if settled { break }
                // A stop (Ctrl-C, an e-stop) takes effect between polls: the error path turns the torque off.
                if stop.isRequested { throw BackendError.moveStopped }
                if MonotonicClock.seconds() - started >= profile.timeout {
                    let worst = farthestJoint(from: position, state: state)
                    throw BackendError.moveNotSettled(
                        seconds: profile.timeout, joint: worst, error: abs(position[worst] - state.position[worst]),
                        speed: abs(state.velocity[worst]))
                }
                // Polled back to back, as ROBOTIS's own examples do: the bus is ours.
            }
            let duration = MonotonicClock.seconds() - started
            // Held as the position loop held it: its last current, within the Current Limit.
            for i in 0..<jointCount { goal[i] = min(currentLimits[i], max(-currentLimits[i], presentCurrent[i])) }
            try configure(bus, mode: .current)
            for (id, current) in zip(ids, goal) { try tolerant { try bus.write(id: id, Table.goalCurrent, current) } }
            try writeEach(bus, Table.torqueEnable, 1)
            try writeEach(bus, Table.busWatchdog, watchdogUnits)
            try readState(bus, into: &state)
            isActive = true
            let worst = farthestJoint(from: position, state: state)
            return MoveOutcome(periods: polls, duration: duration, positionError: abs(position[worst] - state.position[worst]))
        } catch {
            disableTorque()
            throw error
        }
    }

    /// Each joint's Goal Position, ticks; a refusal for a target no move should be asked to reach.
    private func targetTicks(_ position: [Double], profile: MoveProfile) throws -> [Int] {
        for (name, value) in [
            ("position tolerance", profile.positionTolerance), ("velocity tolerance", profile.velocityTolerance),
            ("timeout", profile.timeout),
        ] where !(value.isFinite && value > 0) {
            throw BackendError.moveRefused("the \(name) must be a positive number, not \(value)")
        }
        var targets: [Int] = []
        for i in 0..<jointCount {
            let joint = robot.joints[i]
            guard position[i].isFinite else { throw BackendError.moveRefused("joint \(joint.name)'s target is not a finite number") }
            if let range = joint.position, position[i] < range.low || position[i] > range.high {
                throw BackendError.moveRefused(
                    "joint \(joint.name)'s target \(position[i]) rad is outside its range [\(range.low), \(range.high)] rad")
            }
            let servo = settings.servos[i]
            let ticks = Double(servo.offset) + (Double(servo.direction) * position[i] / Table.positionUnit).rounded()
            let range = Table.extendedPositionRange
            guard ticks >= Double(range.lowerBound), ticks <= Double(range.upperBound) else {
                throw DynamixelArmError.targetOutOfRange(joint: joint.name, position: position[i])
            }
            targets.append(Int(ticks))
        }
        return targets
    }

    private func farthestJoint(from target: [Double], state: JointState) -> Int {
        var worst = 0
        for i in 0..<jointCount where abs(target[i] - state.position[i]) > abs(target[worst] - state.position[worst]) { worst = i }
        return worst
    }

    /// One SYNC READ of the state, commanding nothing new (the arm must be active).
    public func read(state: inout JointState) throws {
        guard isActive, let bus else { throw BackendError.inactive }
        try requireSize(state)
        do {
            try checkWatchdog(bus)
            try readState(bus, into: &state)
            periodEnd.restart()
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
                presentCurrent[i] = current
                let velocity = Table.presentVelocity.decode(buffer, at: base + 2)
                let ticks = Table.presentPosition.decode(buffer, at: base + 6)
                state.position[i] = direction * Double(ticks - servo.offset) * Table.positionUnit
                state.velocity[i] = direction * Double(velocity) * Table.velocityUnit
                // Through the one torque per unit the goal's conversion and the servo use (torque
                // constant × current unit): a current read back is the torque it was sent as, to the
                // bit, as the simulator's torque resolution reads it.
                state.torque[i] = direction * Double(current) * (servo.torqueConstant * servo.model.currentUnit)
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
        }
    }
}
