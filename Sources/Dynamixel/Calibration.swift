import RobotModel

/// Reads where an arm's servos are while the arm is held at its zero pose (every link along +x):
/// those Present Positions are the description's offsets. Torque is switched off first (the arm is
/// placed by hand) and left off. With `writeHomingOffset` it instead stores the offsets in the
/// servos' own Homing Offset (EEPROM, worn by every write: only on an explicit request), so that
/// each servo reads 0 at zero, and returns zeros.
public enum Calibration {
    typealias Table = XSeriesControlTable

    public static func offsets(robot: RobotDescription, port: String? = nil, writeHomingOffset: Bool = false) throws -> [Int] {
        guard let settings = robot.bus else { throw DynamixelArmError.noBus(robot: robot.name) }
        let path = port ?? settings.port
        let bus = try DynamixelBus(path: path, baud: settings.baud, timeout: settings.timeout)
        defer { bus.close() }
        var offsets: [Int] = []
        // Every request here is safe to repeat: a lost status is asked for again, as the arm does.
        func again<T>(_ body: () throws -> T) throws -> T {
            for _ in 1..<settings.lostReplies {
                do { return try body() } catch DynamixelError.noStatus {}
            }
            return try body()
        }
        for servo in settings.servos {
            let id = UInt8(servo.id)
            let (number, _) = try again { try bus.ping(id: id) }
            guard number == servo.model.modelNumber else {
                let found = DynamixelModel(modelNumber: number).map(\.rawValue) ?? "model number \(number)"
                throw DynamixelArmError.modelMismatch(port: path, id: id, expected: servo.model, found: found)
            }
            try again { try bus.write(id: id, Table.torqueEnable, 0) }
            let present = try again { try bus.read(id: id, Table.presentPosition) }
            guard writeHomingOffset else {
                offsets.append(present)
                continue
            }
            let homing = try again { try bus.read(id: id, Table.homingOffset) } - present
            guard Table.homingOffsetRange.contains(homing) else {
                throw CalibrationError.homingOffsetOutOfRange(port: path, id: id, value: homing)
            }
            try again { try bus.write(id: id, Table.homingOffset, homing) }
            offsets.append(try again { try bus.read(id: id, Table.presentPosition) })
        }
        return offsets
    }
}

/// Why a calibration could not be stored on the servos.
public enum CalibrationError: Error, Sendable, Equatable, CustomStringConvertible {
    case homingOffsetOutOfRange(port: String, id: UInt8, value: Int)

    public var description: String {
        switch self {
        case .homingOffsetOutOfRange(let port, let id, let value):
            return "servo \(id) on \(port) would need a Homing Offset of \(value) ticks, beyond its ±1 044 479; calibrate "
                + "without --write-homing-offset (the offset then lives in the description)"
        }
    }
}
