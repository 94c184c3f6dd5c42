import RobotModel

/// One X-series servo's control table as the bus emulator keeps it: the stored bytes, the rules a
/// write must pass (access, range, torque-off EEPROM, the tripped bus watchdog) and the values the
/// motor side produces. The motor and its sensors are the emulator's simulated arm.
struct EmulatedServo {
    typealias Table = XSeriesControlTable

    let model: DynamixelModel
    /// Joint torque per unit of Goal Current, N·m (the description's torque constant × current unit).
    let torquePerUnit: Double
    let direction: Double
    /// Encoder reading at the joint's zero, ticks (the servo's mounting; Homing Offset is added on top).
    let mountingTicks: Int
    private(set) var memory: [UInt8]
    /// Hardware Error Status; non-zero sets the Alert bit.
    var hardwareError: Table.HardwareError = []
    /// Wall-clock nanoseconds of the last instruction packet addressed to this servo.
    var lastInstructionNanos: UInt64 = 0

    init(id: UInt8, settings: DynamixelBusSettings.Servo, mountingTicks: Int) {
        model = settings.model
        torquePerUnit = settings.torqueConstant * settings.model.currentUnit
        direction = Double(settings.direction)
        self.mountingTicks = mountingTicks
        memory = Array(repeating: 0, count: Table.size)
        resetToFactory(id: id)
    }

    /// The values a servo has after power-up (REBOOT): EEPROM as configured, RAM at its defaults.
    mutating func resetToFactory(id: UInt8) {
        for i in memory.indices { memory[i] = 0 }
        store(Table.modelNumber, model.modelNumber)
        store(Table.firmwareVersion, 46)
        store(Table.id, Int(id))
        store(Table.baudRate, 3)  // 1 Mbps
        store(Table.returnDelayTime, 250)  // 500 µs, the factory value
        store(Table.operatingMode, Table.OperatingMode.position.rawValue)  // the factory mode
        store(Table.currentLimit, model.currentLimitMaximum)
        store(Table.shutdown, 0b0011_0100)  // overheating, electrical shock, overload switch torque off
        store(Table.statusReturnLevel, 2)
        resetRAM()
    }

    /// What REBOOT does to RAM: torque off, watchdog off, goals zero, errors cleared.
    mutating func resetRAM() {
        for field in Table.fields where field.area == .ram && field.writable { store(field, 0) }
        store(Table.statusReturnLevel, 2)
        hardwareError = []
    }

    var id: UInt8 { UInt8(truncatingIfNeeded: value(Table.id)) }
    var torqueEnabled: Bool { value(Table.torqueEnable) != 0 }
    var operatingMode: Int { value(Table.operatingMode) }
    var goalCurrent: Int { value(Table.goalCurrent) }
    var currentLimit: Int { value(Table.currentLimit) }
    var busWatchdog: Int { value(Table.busWatchdog) }
    var watchdogTripped: Bool { busWatchdog == -1 }
    var homingOffset: Int { value(Table.homingOffset) }
    var returnDelay: Double { Double(value(Table.returnDelayTime)) * Table.returnDelayUnit }

    func value(_ field: ControlTableField) -> Int {
        memory.withUnsafeBufferPointer { field.decode($0, at: Int(field.address)) }
    }

    mutating func store(_ field: ControlTableField, _ value: Int) {
        var bytes: [UInt8] = []
        field.encode(value, into: &bytes)
        for (i, byte) in bytes.enumerated() { memory[Int(field.address) + i] = byte }
    }

    // MARK: Motor side

    /// Whether the motor drives at all: torque on, no tripped watchdog, no hardware error.
    var driving: Bool { torqueEnabled && !watchdogTripped && hardwareError.isEmpty }

    /// Present Position for a joint at `q` rad.
    func positionTicks(_ q: Double) -> Int {
        mountingTicks + homingOffset + register(direction * q / Table.positionUnit)
    }

    /// The joint angle a Goal Position means, rad.
    func jointAngle(ticks: Int) -> Double {
        Double(ticks - mountingTicks - homingOffset) * Table.positionUnit / direction
    }

    /// Present Velocity for a joint at `qd` rad/s.
    func velocityUnits(_ qd: Double) -> Int { register(direction * qd / Table.velocityUnit) }

    /// `value` rounded into what a 4-byte register holds (0 for a value that is not a number).
    private func register(_ value: Double) -> Int {
        guard value.isFinite else { return 0 }
        return Int(min(Double(Int32.max), max(Double(Int32.min), value.rounded())))
    }

    /// Joint torque for a current in the model's unit, N·m.
    func torque(current: Int) -> Double { direction * Double(current) * torquePerUnit }

    /// Current in the model's unit that makes `torque`, rounded and within the Current Limit.
    func current(torque: Double) -> Int {
        let limit = currentLimit
        return min(limit, max(-limit, register(direction * torque / torquePerUnit)))
    }

    // MARK: Instructions

    /// READ of `length` bytes at `address` into `out`, with the present values filled in by `present`.
    func read(address: Int, length: Int, into out: inout [UInt8]) -> StatusError.Kind {
        guard length > 0 else { return .dataLength }
        guard address >= 0, address + length <= Table.size else { return .access }
        out.append(contentsOf: memory[address..<(address + length)])
        return .none
    }

    /// WRITE of `data` at `address`: every byte must belong to a writable field written whole; EEPROM
    /// only with torque off; every value in range. All or nothing, as on the servo.
    mutating func write(address: Int, data: ArraySlice<UInt8>) -> StatusError.Kind {
        guard !data.isEmpty else { return .dataLength }
        guard address >= 0, address + data.count <= Table.size else { return .access }
        var offset = address
        var pending: [(ControlTableField, Int)] = []
        while offset < address + data.count {
            guard let field = Table.fields.first(where: { Int($0.address) == offset }) else {
                // Inside a field, or an address the table does not map.
                return Table.fields.contains { Int($0.address) < offset && offset < Int($0.address) + $0.size } ? .dataLength : .access
            }
            guard offset + field.size <= address + data.count else { return .dataLength }
            guard field.writable else { return .access }
            if field.area == .eeprom && torqueEnabled { return .access }
            let start = data.startIndex + (offset - address)
            let value = Array(data[start..<(start + field.size)]).withUnsafeBufferPointer { field.decode($0) }
            let check = validate(field, value, pending: pending)
            guard check == .none else { return check }
            pending.append((field, value))
            offset += field.size
        }
        for (field, value) in pending { apply(field, value) }
        return .none
    }

    private func validate(_ field: ControlTableField, _ value: Int, pending: [(ControlTableField, Int)]) -> StatusError.Kind {
        let mode = pending.first { $0.0 == Table.operatingMode }?.1 ?? operatingMode
        switch field {
        case Table.torqueEnable: return (0...1).contains(value) ? .none : .dataRange
        case Table.operatingMode: return model.operatingModes.contains(value) ? .none : .dataRange
        case Table.returnDelayTime: return (0...254).contains(value) ? .none : .dataRange
        case Table.currentLimit:
            return model.hasCurrentControl && (0...model.currentLimitMaximum).contains(value) ? .none : .dataRange
        case Table.homingOffset: return Table.homingOffsetRange.contains(value) ? .none : .dataRange
        case Table.busWatchdog: return (0...127).contains(value) ? .none : .dataRange
        case Table.id: return (0...Int(Instruction.highestServoID)).contains(value) ? .none : .dataRange
        case Table.baudRate: return [0, 1, 2, 3, 4, 5, 6, 7].contains(value) ? .none : .dataRange
        case Table.statusReturnLevel: return (0...2).contains(value) ? .none : .dataRange
        case Table.profileVelocity, Table.profileAcceleration:
            return Table.profileVelocityRange.contains(value) ? .none : .dataRange
        case Table.goalCurrent:
            // The goals are read-only while the bus watchdog has tripped (e-Manual, Bus Watchdog).
            if watchdogTripped { return .dataRange }
            return model.hasCurrentControl && abs(value) <= currentLimit ? .none : .dataRange
        case Table.goalPosition:
            if watchdogTripped { return .dataRange }
            let range = mode == Table.OperatingMode.position.rawValue ? 0...4095 : Table.extendedPositionRange
            return range.contains(value) ? .none : .dataRange
        case Table.goalVelocity: return watchdogTripped ? .dataRange : .none
        default: return .none
        }
    }

    private mutating func apply(_ field: ControlTableField, _ value: Int) {
        // A hardware error keeps torque off until REBOOT.
        if field == Table.torqueEnable && value == 1 && !hardwareError.isEmpty { return }
        store(field, value)
    }
}
