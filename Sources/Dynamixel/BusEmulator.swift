import DeterministicRandom
import FirmwareLink
import Foundation
import Hardware
import Logging
import MonotonicTime
import RobotModel

/// A bus of X-series servos on a pseudo-terminal, one per joint of a description with a
/// `bus: {type: dynamixel}` section, with a `SimulatedArm` as motors and sensors: a Dynamixel arm to
/// talk to when there is none. It answers PING, READ, WRITE, SYNC READ, SYNC WRITE and REBOOT as the
/// e-Manual describes (status packets with their error numbers: CRC, instruction, range, length,
/// access), drives each joint with Goal Current × torque constant in current mode and with a position
/// loop limited by Goal Current in current-based position mode, and keeps each servo's Bus Watchdog.
///
/// Lockstep timing advances the physics one control period per SYNC WRITE of Goal Current (and, so
/// that a move-to converges, per SYNC READ while a servo is in current-based position mode), inside
/// the request, so the next SYNC READ reports the state after the step exactly as `SimulatedArm`
/// would, up to the servos' units. Real-time timing lets the physics follow the wall clock and delays
/// each status packet by the bytes' time on the line at `baud` plus the servo's Return Delay Time.
/// The Bus Watchdog runs on the wall clock in both (a clock that stops with the host could never trip).
/// Not emulated: REG WRITE/ACTION, BULK and FAST instructions (answered with an Instruction Error),
/// the velocity, position and PWM modes (the motor idles), Status Return Level below 2 (every
/// instruction addressed to one servo is answered), and the description's `reality_gap`: the plant
/// is the exact model and the servos' own units are its only quantization (which is what a
/// Dynamixel description's gap states, so `--sim` of it matches this bus; its other fields —
/// latency, friction, noise — are not applied here).
public final class BusEmulator {
    public typealias Timing = DeviceEmulator.Timing

    /// How the emulator runs.
    public struct Options: Sendable, Equatable {
        public var timing: Timing
        /// Where to put a symlink to the pseudo-terminal.
        public var linkPath: String?
        /// The line rate whose byte times delay status packets in real time, bit/s.
        public var baud: Int
        /// Encoder reading at each joint's zero, ticks; nil: the description's offsets, so that a
        /// description and its emulator agree without calibration.
        public var mountingTicks: [Int]?
        /// Seeds the dropped status packets.
        public var seed: UInt64
        /// Fraction of status packets never sent.
        public var dropStatus: Double
        /// Fraction of status packets sent with one bit flipped (their CRC then fails).
        public var corruptStatus: Double
        /// A USB adapter's latency timer to imitate in real time, s (0: none): an FTDI chip passes a
        /// short packet to the host only when its timer, which restarts with each transfer, runs
        /// out, so status bytes wait for the timer's next expiry (modelled as a fixed tick).
        public var latencyTimer: Double

        public init(
            timing: Timing = .realTime, linkPath: String? = nil, baud: Int = 1_000_000, mountingTicks: [Int]? = nil,
            seed: UInt64 = 0, dropStatus: Double = 0, corruptStatus: Double = 0, latencyTimer: Double = 0
        ) {
            self.timing = timing
            self.linkPath = linkPath
            self.baud = baud
            self.mountingTicks = mountingTicks
            self.seed = seed
            self.dropStatus = dropStatus
            self.corruptStatus = corruptStatus
            self.latencyTimer = latencyTimer
        }
    }

    /// One servo's registers as the host would read them, and what it drives.
    public struct ServoSnapshot: Sendable, Equatable {
        public var id: Int
        public var torqueEnable: Int
        public var operatingMode: Int
        public var goalCurrent: Int
        public var currentLimit: Int
        public var busWatchdog: Int
        public var returnDelayTime: Int
        public var homingOffset: Int
        public var hardwareError: XSeriesControlTable.HardwareError
        public var presentPosition: Int
        /// Torque the servo applies to its joint now, N·m.
        public var appliedTorque: Double
    }

    /// The servos and the simulated arm right now.
    public struct Snapshot: Sendable, Equatable {
        public var servos: [ServoSnapshot]
        /// The simulated arm's exact state.
        public var position: [Double]
        public var velocity: [Double]
        public var time: Double
        public var instructionsReceived: Int
        public var statusesSent: Int
        public var damagedPackets: Int
        public var droppedStatuses: Int
        public var corruptedStatuses: Int
    }

    public let robot: RobotDescription
    public let options: Options
    public let devicePath: String
    /// The path a host should open: the symlink if there is one, else the device side.
    public var path: String { options.linkPath ?? devicePath }

    private let engine: BusEngine
    private let logger: Logger
    private var stopped = false

    /// Opens a pseudo-terminal, builds the servos the description's bus lists and starts serving.
    public init(robot: RobotDescription, options: Options = Options(), logger: Logger = Logger(label: "armature.dynamixel-emulator")) throws {
        guard let bus = robot.bus else { throw BusEmulatorError.noBus(robot: robot.name) }
        if let model = bus.servos.first(where: { !$0.model.hasCurrentControl })?.model {
            throw BusEmulatorError.noCurrentControl(robot: robot.name, model: model)
        }
        if let ticks = options.mountingTicks, ticks.count != robot.jointCount {
            throw BusEmulatorError.mountingCount(expected: robot.jointCount, got: ticks.count)
        }
        guard options.baud > 0, (0...1).contains(options.dropStatus), (0...1).contains(options.corruptStatus),
            options.latencyTimer >= 0, options.latencyTimer <= 1
        else { throw BusEmulatorError.badOptions }
        self.robot = robot
        self.options = options
        self.logger = logger
        let terminal = try PseudoTerminal(linkPath: options.linkPath)
        devicePath = terminal.devicePath
        engine = BusEngine(robot: robot, bus: bus, options: options, terminal: terminal)
        do {
            try engine.start()
        } catch {
            terminal.close()
            throw error
        }
        logger.info("emulating \(bus.servos.count) Dynamixel servos for \(robot.name) (\(options.timing.rawValue)) on \(path)")
    }

    deinit { stop() }

    public func snapshot() -> Snapshot { engine.snapshot() }

    /// Raises hardware error bits on the servo with `id` as a real fault would: the Alert bit in every
    /// status packet from then on and, for the bits in its Shutdown mask, torque off until REBOOT.
    public func injectHardwareError(id: Int, _ error: XSeriesControlTable.HardwareError) { engine.injectHardwareError(id: id, error) }

    /// Changes the fraction of status packets dropped from the next one on.
    public func setDropStatus(_ fraction: Double) { engine.setDropStatus(fraction) }

    /// Changes the fraction of status packets damaged (one bit flipped) from the next one on.
    public func setCorruptStatus(_ fraction: Double) { engine.setCorruptStatus(fraction) }

    /// Stops serving, closes the pseudo-terminal and removes the symlink. Safe to call more than once.
    public func stop() {
        guard !stopped else { return }
        stopped = true
        engine.stop()
    }
}

/// Why the bus emulator could not start.
public enum BusEmulatorError: Error, Sendable, Equatable, CustomStringConvertible {
    case noBus(robot: String)
    case noCurrentControl(robot: String, model: DynamixelModel)
    case mountingCount(expected: Int, got: Int)
    case badOptions
    case threadFailed

    public var description: String {
        switch self {
        case .noBus(let robot):
            return "robot \(robot) has no `bus: {type: dynamixel}` section; add one (robots/README.md, robots/xm430-two-joint.yaml) "
                + "or emulate its firmware without --bus"
        case .noCurrentControl(let robot, let model):
            return "robot \(robot) uses \(model.rawValue) servos, which have no current-control mode; Armature drives "
                + "Dynamixel arms by current, so use XM430-W350 or XL330-M288 servos"
        case .mountingCount(let expected, let got):
            return "\(got) mounting offsets given for \(expected) joints; give one per joint"
        case .badOptions:
            return "the emulator's baud must be positive, its drop and corruption fractions between 0 and 1 and its latency timer 0 to 1 s"
        case .threadFailed:
            return "cannot start the emulator thread; the system is out of threads"
        }
    }
}

/// Everything the serving thread touches, behind one lock.
private final class BusEngine: @unchecked Sendable {
    typealias Table = XSeriesControlTable

    let lock = NSLock()
    let terminal: PseudoTerminal
    let plant: SimulatedArm
    let timing: BusEmulator.Timing
    let byteTime: Double
    let latencyTimer: Double
    let jointCount: Int
    let substeps: Int
    var servos: [EmulatedServo]
    var random: Xoshiro256
    var dropStatus: Double
    var corruptStatus: Double

    // Position loop of current-based position mode, per joint: gains from an upper bound on the
    // joint's inertia, slow enough for the physics timestep; the setpoint moves at Profile Velocity.
    let stiffness: [Double]
    let dampingGain: [Double]
    var setpoint: [Double]
    var torques: [Double]
    var plantState: JointState

    var decoder = PacketDecoder(direction: .instructions)
    var encoder = PacketEncoder()
    var input = [UInt8](repeating: 0, count: 1024)
    var reply: [UInt8] = []
    var outgoing: [UInt8] = []

    let startNanos = MonotonicClock.nanoseconds()
    let neverStop = StopRequest()
    /// When the emulated line is next free, `MonotonicClock.seconds()`.
    var lineFreeAt = 0.0
    var physicsSteps = 0
    var instructionsReceived = 0
    var statusesSent = 0
    var damagedPackets = 0
    var droppedStatuses = 0
    var corruptedStatuses = 0
    let service: PseudoTerminalService

    init(robot: RobotDescription, bus: DynamixelBusSettings, options: BusEmulator.Options, terminal: PseudoTerminal) {
        self.terminal = terminal
        service = PseudoTerminalService(terminal: terminal, lock: lock)
        timing = options.timing
        byteTime = 10 / Double(options.baud)
        latencyTimer = options.latencyTimer
        jointCount = robot.jointCount
        plant = options.timing == .realTime ? SimulatedArm(realTimeEmulationOf: robot) : SimulatedArm(robot: robot)
        substeps = plant.substeps
        random = Xoshiro256(seed: options.seed)
        dropStatus = options.dropStatus
        corruptStatus = options.corruptStatus
        let mounting = options.mountingTicks ?? bus.servos.map(\.offset)
        servos = bus.servos.enumerated().map { index, servo in
            EmulatedServo(id: UInt8(servo.id), settings: servo, mountingTicks: mounting[index])
        }
        let omega = min(20, 0.3 / robot.physics.timestep)
        var inertia: [Double] = []
        for i in 0..<robot.jointCount {
            var total = robot.joints[i].armature
            var reach = 0.0
            for k in i..<robot.jointCount {
                let link = robot.links[k]
                let distance = reach + link.inertial.com
                total += link.inertial.inertia + link.inertial.mass * distance * distance
                reach += link.length
            }
            inertia.append(max(total, 1e-6))
        }
        stiffness = inertia.map { omega * omega * $0 }
        dampingGain = inertia.map { 2 * omega * $0 }
        setpoint = Array(repeating: 0, count: robot.jointCount)
        torques = Array(repeating: 0, count: robot.jointCount)
        plantState = JointState(jointCount: robot.jointCount)
        reply.reserveCapacity(1024)
        outgoing.reserveCapacity(4096)
    }

    func start() throws {
        try plant.activate(state: &plantState)
        let now = MonotonicClock.nanoseconds()
        for i in servos.indices { servos[i].lastInstructionNanos = now }
        // Each wake-up (at least every millisecond): in real time the physics up to the wall clock, the
        // servos' Bus Watchdogs, then the host's packets.
        let serving = service.start(name: "armature-dynamixel-emulator") { [self] inputReady in
            if timing == .realTime { advancePhysics() }
            checkWatchdogs()
            if inputReady { serveInput() }
        }
        guard serving else { throw BusEmulatorError.threadFailed }
    }

    /// Ends the serving thread and closes the pseudo-terminal (the host sees a hang-up).
    func stop() { service.stop() }

    private func serveInput() {
        while true {
            let count = (try? input.withUnsafeMutableBytes { try terminal.readAvailable(into: $0) }) ?? 0
            guard count > 0 else { break }
            let received = MonotonicClock.nanoseconds()
            input.withUnsafeBytes { decoder.append(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
            while let packet = decoder.next() {
                outgoing.removeAll(keepingCapacity: true)
                var lineTime = 0.0
                switch packet {
                case .damaged(let id):
                    damagedPackets += 1
                    if let index = servos.firstIndex(where: { $0.id == id }) {
                        lineTime = respond(index, .crc, parameters: [])
                    }
                case .packet(let id, let instruction, _, _):
                    instructionsReceived += 1
                    feedWatchdogs(id: id, at: received)
                    lineTime = serve(id: id, instruction: instruction, parameters: decoder.parameters)
                }
                // Half duplex: a request (even one nobody answers, as a SYNC WRITE) holds the line
                // for its bytes, and the next exchange starts only when it is free.
                let start = max(Double(received) * 1e-9, lineFreeAt)
                lineFreeAt = start + lineTime
                send(at: lineFreeAt)
            }
        }
    }

    /// Carries out one instruction; status packets go to `outgoing`. Returns the time the request and
    /// its status packets take on the line, s (bytes at the baud and return delays).
    private func serve(id: UInt8, instruction: UInt8, parameters: [UInt8]) -> Double {
        let broadcast = id == Instruction.broadcastID
        let targets = broadcast ? Array(servos.indices) : servos.indices.filter { servos[$0].id == id }
        var delay = Double(parameters.count + 10) * byteTime
        guard !targets.isEmpty else { return delay }
        switch Instruction(rawValue: instruction) {
        case .ping:
            guard parameters.isEmpty else { return broadcast ? delay : delay + respond(targets[0], .dataLength, parameters: []) }
            for index in targets.sorted(by: { servos[$0].id < servos[$1].id }) {
                let model = servos[index].model.modelNumber
                delay += respond(index, .none, parameters: [UInt8(model & 0xFF), UInt8(model >> 8), 46])
            }
        case .read where !broadcast:
            guard parameters.count == 4 else { return delay + respond(targets[0], .dataLength, parameters: []) }
            let address = Int(parameters[0]) | Int(parameters[1]) << 8
            let length = Int(parameters[2]) | Int(parameters[3]) << 8
            delay += readReply(targets[0], address: address, length: length)
        case .write where !broadcast:
            guard parameters.count > 2 else { return delay + respond(targets[0], .dataLength, parameters: []) }
            let address = Int(parameters[0]) | Int(parameters[1]) << 8
            let result = writeServo(targets[0], address: address, data: parameters[2...])
            delay += respond(targets[0], result, parameters: [])
        case .write:
            let address = Int(parameters.count > 2 ? Int(parameters[0]) | Int(parameters[1]) << 8 : -1)
            if address >= 0 { for index in targets { _ = writeServo(index, address: address, data: parameters[2...]) } }
            return delay
        case .reboot:
            for index in targets {
                servos[index].resetRAM()
                updateDrive()
                if !broadcast { delay += respond(index, .none, parameters: []) }
            }
        case .syncWrite where broadcast:
            guard parameters.count >= 4 else { return delay }
            let address = Int(parameters[0]) | Int(parameters[1]) << 8
            let length = Int(parameters[2]) | Int(parameters[3]) << 8
            guard length > 0 else { return delay }
            var offset = 4
            while offset + 1 + length <= parameters.count {
                let target = parameters[offset]
                // A servo answers nothing to a SYNC WRITE, whatever went wrong with its part.
                if let index = servos.firstIndex(where: { $0.id == target }) {
                    _ = writeServo(index, address: address, data: parameters[(offset + 1)..<(offset + 1 + length)])
                }
                offset += 1 + length
            }
            let goal = Int(Table.goalCurrent.address)
            if timing == .lockstep && address <= goal && goal < address + length
                && servos.contains(where: { $0.driving && $0.operatingMode == Table.OperatingMode.current.rawValue })
            {
                stepOnePeriod()
            }
            return delay
        case .syncRead where broadcast:
            guard parameters.count >= 5 else { return delay }
            let address = Int(parameters[0]) | Int(parameters[1]) << 8
            let length = Int(parameters[2]) | Int(parameters[3]) << 8
            if timing == .lockstep
                && servos.contains(where: { $0.driving && $0.operatingMode == Table.OperatingMode.currentBasedPosition.rawValue })
            {
                stepOnePeriod()  // the host polls a move: that is its clock
            }
            for target in parameters[4...] {
                if let index = servos.firstIndex(where: { $0.id == target }) {
                    delay += readReply(index, address: address, length: length)
                }
            }
        default:
            // REG WRITE, ACTION, FACTORY RESET, CLEAR, BULK and FAST instructions are not emulated.
            if !broadcast { delay += respond(targets[0], .instruction, parameters: []) }
        }
        return delay
    }

    private func writeServo(_ index: Int, address: Int, data: ArraySlice<UInt8>) -> StatusError.Kind {
        let wasMode = servos[index].operatingMode
        let wasDriving = servos[index].driving
        let result = servos[index].write(address: address, data: data)
        guard result == .none else { return result }
        // The position loop starts from where the arm is when the servo is switched on or to the mode.
        if servos[index].operatingMode != wasMode || (!wasDriving && servos[index].driving) {
            setpoint[index] = plant.simulator.q[index]
        }
        updateDrive()
        return result
    }

    private func readReply(_ index: Int, address: Int, length: Int) -> Double {
        refreshPresentValues()
        reply.removeAll(keepingCapacity: true)
        let result = servos[index].read(address: address, length: length, into: &reply)
        return respond(index, result, parameters: result == .none ? reply : [])
    }

    /// Appends one status packet to `outgoing` (unless dropped) and returns its time on the line.
    private func respond(_ index: Int, _ kind: StatusError.Kind, parameters: [UInt8]) -> Double {
        let servo = servos[index]
        encoder.encode(
            id: servo.id, instruction: .status, error: StatusError(kind, alert: !servo.hardwareError.isEmpty).rawValue,
            parameters: parameters)
        let time = servo.returnDelay + Double(encoder.bytes.count) * byteTime
        if dropStatus > 0 && random.nextUnit() < dropStatus {
            droppedStatuses += 1
            return time
        }
        let start = outgoing.count
        outgoing.append(contentsOf: encoder.bytes)
        if corruptStatus > 0 && random.nextUnit() < corruptStatus {
            // A bit after the header, id and length, so the packet is found whole and its CRC fails.
            let index = start + 7 + Int(random.next() % UInt64(encoder.bytes.count - 7))
            outgoing[index] ^= 1 << UInt8(random.next() % 8)
            corruptedStatuses += 1
        }
        statusesSent += 1
        return time
    }

    /// Sends what `outgoing` holds, in real time once the line would have carried it (`time` in
    /// `MonotonicClock.seconds()`).
    private func send(at time: Double) {
        guard !outgoing.isEmpty else { return }
        if timing == .realTime {
            var deliver = time
            if latencyTimer > 0 {
                let start = Double(startNanos) * 1e-9
                deliver = start + ((time - start) / latencyTimer).rounded(.up) * latencyTimer
            }
            // The bus is half duplex: nothing else happens on it meanwhile, so the thread may wait.
            MonotonicClock.sleep(until: deliver, unless: neverStop)
        }
        outgoing.withUnsafeBytes { _ = terminal.writeAvailable($0) }
    }

    // MARK: Watchdog, drive and physics

    private func feedWatchdogs(id: UInt8, at nanos: UInt64) {
        for index in servos.indices where id == Instruction.broadcastID || servos[index].id == id {
            servos[index].lastInstructionNanos = nanos
        }
    }

    /// A servo with torque on that has heard nothing for its Bus Watchdog stops, and its watchdog reads −1.
    private func checkWatchdogs() {
        let now = MonotonicClock.nanoseconds()
        for index in servos.indices {
            let units = servos[index].busWatchdog
            guard units > 0, servos[index].torqueEnabled else { continue }
            let limit = UInt64(Double(units) * Table.busWatchdogUnit * 1e9)
            if now &- servos[index].lastInstructionNanos > limit {
                servos[index].store(Table.busWatchdog, -1)
                updateDrive()
            }
        }
    }

    func injectHardwareError(id: Int, _ error: Table.HardwareError) {
        lock.lock()
        defer { lock.unlock() }
        if timing == .realTime { advancePhysics() }
        for index in servos.indices where Int(servos[index].id) == id {
            servos[index].hardwareError.formUnion(error)
            if UInt8(truncatingIfNeeded: servos[index].value(Table.shutdown)) & error.rawValue != 0 {
                servos[index].store(Table.torqueEnable, 0)
            }
        }
        updateDrive()
    }

    func setDropStatus(_ fraction: Double) {
        lock.lock()
        dropStatus = fraction
        lock.unlock()
    }

    func setCorruptStatus(_ fraction: Double) {
        lock.lock()
        corruptStatus = fraction
        lock.unlock()
    }

    /// The torque each joint gets from its servo this physics step.
    private func updateDrive() {
        let q = plant.simulator.q
        let qd = plant.simulator.qd
        for index in servos.indices {
            let servo = servos[index]
            guard servo.driving else {
                torques[index] = 0
                continue
            }
            switch servo.operatingMode {
            case Table.OperatingMode.current.rawValue:
                torques[index] = servo.torque(current: servo.goalCurrent)
            case Table.OperatingMode.currentBasedPosition.rawValue:
                let limit = abs(servo.torque(current: servo.goalCurrent == 0 ? servo.currentLimit : servo.goalCurrent))
                let command = stiffness[index] * (setpoint[index] - q[index]) - dampingGain[index] * qd[index]
                torques[index] = servo.torque(current: servo.current(torque: min(limit, max(-limit, command))))
            default:
                torques[index] = 0  // velocity, position and PWM modes are not emulated: the motor idles
            }
        }
    }

    /// Moves each position-mode setpoint toward its Goal Position at Profile Velocity (0: at once).
    private func advanceSetpoints(_ seconds: Double) {
        for index in servos.indices where servos[index].operatingMode == Table.OperatingMode.currentBasedPosition.rawValue {
            let goal = servos[index].jointAngle(ticks: servos[index].value(Table.goalPosition))
            let speed = Double(servos[index].value(Table.profileVelocity)) * Table.velocityUnit
            let gap = goal - setpoint[index]
            setpoint[index] = speed == 0 ? goal : setpoint[index] + min(abs(gap), speed * seconds) * (gap < 0 ? -1 : 1)
        }
    }

    private func physicsStep() {
        advanceSetpoints(plant.simulator.timestep)
        updateDrive()
        plant.simulator.advance(torques: torques, steps: 1)
    }

    /// Lockstep: one control period of physics under the servos' drive.
    private func stepOnePeriod() {
        for _ in 0..<substeps { physicsStep() }
    }

    /// Real time: the physics up to the wall clock in whole timesteps.
    private func advancePhysics() {
        let elapsed = Double(MonotonicClock.nanoseconds() &- startNanos) * 1e-9
        let target = Int(elapsed / plant.simulator.timestep)
        if target - physicsSteps > 1000 { physicsSteps = target - 1000 }
        while physicsSteps < target {
            physicsStep()
            physicsSteps += 1
        }
    }

    /// Present Position, Velocity and Current from the arm, the Realtime Tick and Moving.
    private func refreshPresentValues() {
        if timing == .realTime { advancePhysics() }
        updateDrive()
        let q = plant.simulator.q
        let qd = plant.simulator.qd
        let millis = Int((plant.simulator.time * 1000).rounded()) % 32768
        for index in servos.indices {
            let servo = servos[index]
            servos[index].store(Table.presentPosition, servo.positionTicks(q[index]))
            servos[index].store(Table.presentVelocity, servo.velocityUnits(qd[index]))
            servos[index].store(Table.presentCurrent, servo.driving ? servo.current(torque: torques[index]) : 0)
            servos[index].store(Table.hardwareErrorStatus, Int(servo.hardwareError.rawValue))
            servos[index].store(Table.realtimeTick, millis)
            servos[index].store(Table.moving, abs(qd[index]) > Table.velocityUnit ? 1 : 0)
            servos[index].store(Table.presentInputVoltage, 120)
            servos[index].store(Table.presentTemperature, 30)
        }
    }

    func snapshot() -> BusEmulator.Snapshot {
        lock.lock()
        defer { lock.unlock() }
        refreshPresentValues()
        let simulator = plant.simulator
        return BusEmulator.Snapshot(
            servos: servos.enumerated().map { index, servo in
                BusEmulator.ServoSnapshot(
                    id: Int(servo.id), torqueEnable: servo.value(Table.torqueEnable), operatingMode: servo.operatingMode,
                    goalCurrent: servo.goalCurrent, currentLimit: servo.currentLimit, busWatchdog: servo.busWatchdog,
                    returnDelayTime: servo.value(Table.returnDelayTime), homingOffset: servo.homingOffset,
                    hardwareError: servo.hardwareError, presentPosition: servo.value(Table.presentPosition),
                    appliedTorque: torques[index])
            },
            position: simulator.q, velocity: simulator.qd, time: simulator.time, instructionsReceived: instructionsReceived,
            statusesSent: statusesSent, damagedPackets: damagedPackets, droppedStatuses: droppedStatuses,
            corruptedStatuses: corruptedStatuses)
    }
}
