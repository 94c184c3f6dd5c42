import CArmProto
import DeterministicRandom
import FirmwareLink
import Foundation
import Logging
import RobotModel
import MonotonicTime

/// The firmware's own device state machine (firmware-protocol/src) on a pseudo-terminal, with a
/// `SimulatedArm` for motors and sensors: an arm to talk to over the wire when there is none.
///
/// Lockstep timing advances the physics exactly one control period per applied TORQUE, inside the
/// board's set-torques call, so the STATE reply carries the state after the step and `SerialArm`
/// steps exactly as `SimulatedArm` does (up to the wire's float32 readings). The device clock is the
/// simulated time, but the watchdog runs on the wall clock (PROTOCOL.md 8.2): simulated time stands
/// still exactly when the host stops, so it could never trip. Real-time timing lets the physics
/// follow the wall clock in whole physics timesteps of at most 1 ms (`SimulatedArm(realTimeEmulationOf:)`)
/// under the latest torque. Both poll the watchdog and e-stop at 1 kHz like the reference firmware. HOME outside a joint's position range is refused.
/// MOVE (protocol 1.3) runs the device's own position controller: in real time at every poll, in
/// lockstep after every physics step of the period a MOVE steps, so the torque is updated at the
/// physics rate as a real device's would be at its control rate. GOAL (protocol 1.4) runs the
/// device's own actor when the emulator is given one (`DeviceActor`, the same C kernel a real
/// board runs): in lockstep one control period per GOAL, in real time at the actor's period.
public final class DeviceEmulator {
    /// How simulated time relates to the wall clock.
    public enum Timing: String, Sendable, Equatable {
        /// One control period of physics per applied TORQUE; the device clock is the simulated time,
        /// the watchdog's the wall clock.
        case lockstep
        /// Physics follows the wall clock; the watchdog runs.
        case realTime
    }

    /// Line faults injected into the frames the device sends (seeded, so runs repeat).
    public struct Impairments: Sendable, Equatable {
        /// Fraction of frames preceded by a burst of random bytes ending in a delimiter (a garbage frame).
        public var noise: Double
        /// Fraction of frames preceded by a copy of themselves with one bit flipped (a damaged frame).
        public var corruption: Double
        /// Fraction of frames never sent.
        public var drop: Double

        public init(noise: Double = 0, corruption: Double = 0, drop: Double = 0) {
            self.noise = noise
            self.corruption = corruption
            self.drop = drop
        }

        public static let none = Impairments()
    }

    /// How the emulator runs.
    public struct Options: Sendable, Equatable {
        public var timing: Timing
        /// Where to put a symlink to the pseudo-terminal (a stable name for the robot's `serial.port`).
        public var linkPath: String?
        /// Seeds the impairments.
        public var seed: UInt64
        public var impairments: Impairments
        /// The device's torque watchdog, s.
        public var watchdogPeriod: Double

        public init(
            timing: Timing = .realTime, linkPath: String? = nil, seed: UInt64 = 0, impairments: Impairments = .none,
            watchdogPeriod: Double = 0.1
        ) {
            self.timing = timing
            self.linkPath = linkPath
            self.seed = seed
            self.impairments = impairments
            self.watchdogPeriod = watchdogPeriod
        }
    }

    /// What the emulated device and its arm are doing right now.
    public struct Snapshot: Sendable, Equatable {
        public var status: DeviceStatus
        public var fault: FaultCode
        public var appliedSequence: UInt32
        /// Torque the device commands to the simulated motors, N·m.
        public var appliedTorque: [Double]
        /// The simulated arm's exact state (not rounded to float32 as on the wire).
        public var position: [Double]
        public var velocity: [Double]
        /// Device clock, s.
        public var deviceTime: Double
        /// When the watchdog was last fed (an applied TORQUE or ENABLE), s, on the watchdog's clock:
        /// the device clock in real time, the wall clock since the emulator started in lockstep.
        public var lastFeedTime: Double
        /// Device time the torque was last zeroed by a disable or a fault, s; nil if never since start.
        public var torqueZeroedTime: Double?
        /// HOMEs the device carried out (re-zeroings of a real arm's encoders).
        public var homes: Int
        /// The device's own counters (what GET_STATS reports).
        public var counters: DeviceCounters
        /// Impairments injected so far.
        public var noiseBursts: Int
        public var corruptedCopies: Int
        public var droppedFrames: Int
    }

    public let robot: RobotDescription
    public let options: Options
    /// The pseudo-terminal's device side (`/dev/pts/N`).
    public let devicePath: String
    /// The symlink to it, if one was asked for.
    public var linkPath: String? { options.linkPath }
    /// The path a host should open: the symlink if there is one, else the device side.
    public var path: String { options.linkPath ?? devicePath }

    private let engine: EmulatorEngine
    private let logger: Logger
    private var stopped = false

    /// Opens a pseudo-terminal (and the symlink), builds the device for `robot` and starts serving
    /// on a background thread. Call `stop()` to end it; the host then sees the line hang up.
    /// With `actor`, the device holds it (capability ACTOR) and GOAL runs it; it must be made for
    /// `robot` (its joint count), else the emulator refuses to start.
    public init(
        robot: RobotDescription, options: Options = Options(), actor: DeviceActor? = nil,
        logger: Logger = Logger(label: "armature.emulator")
    ) throws {
        guard (1...Int(ARMPROTO_MAX_JOINTS)).contains(robot.jointCount) else {
            throw DeviceEmulatorError.unsupportedJointCount(robot: robot.name, count: robot.jointCount)
        }
        guard options.watchdogPeriod > 0, options.watchdogPeriod * 1e6 < Double(UInt32.max) else {
            throw DeviceEmulatorError.invalidWatchdog(seconds: options.watchdogPeriod)
        }
        self.robot = robot
        self.options = options
        self.logger = logger
        let terminal = try PseudoTerminal(linkPath: options.linkPath)
        devicePath = terminal.devicePath
        engine = EmulatorEngine(robot: robot, options: options, terminal: terminal, actor: actor)
        do {
            try engine.start()
        } catch {
            terminal.close()
            throw error
        }
        logger.info("emulating \(robot.name) (\(robot.jointCount) joints, \(options.timing.rawValue)) on \(path)")
    }

    deinit { stop() }

    /// A consistent picture of the device and the simulated arm.
    public func snapshot() -> Snapshot { engine.snapshot() }

    /// Changes the line faults from the next frame on (for tests that break the line mid-session).
    public func setImpairments(_ impairments: Impairments) { engine.setImpairments(impairments) }

    /// Stops serving, closes the pseudo-terminal and removes the symlink. Safe to call more than once.
    public func stop() {
        guard !stopped else { return }
        stopped = true
        engine.stop()
        logger.info("emulator on \(path) stopped")
    }
}

/// Why the emulator could not start.
public enum DeviceEmulatorError: Error, Sendable, Equatable, CustomStringConvertible {
    case unsupportedJointCount(robot: String, count: Int)
    case invalidWatchdog(seconds: Double)
    case deviceInitFailed(code: Int32)
    case actorRefused(code: Int32)
    case threadFailed

    public var description: String {
        switch self {
        case .unsupportedJointCount(let robot, let count):
            return "robot \(robot) has \(count) joints; the wire protocol carries 1 to 16, so it cannot be emulated"
        case .invalidWatchdog(let seconds):
            return "watchdog period \(seconds) s is not usable; give a positive period below an hour"
        case .deviceInitFailed(let code):
            return "the device state machine refused its configuration (code \(code)); this is a bug in the emulator"
        case .actorRefused(let code):
            return "the device refused the actor (code \(code)): it was made for an arm of another joint count"
        case .threadFailed:
            return "cannot start the emulator thread; the system is out of threads"
        }
    }
}

/// Everything the background thread touches, guarded by one lock; the board callbacks find it
/// through the device's context pointer and run with the lock already held.
private final class EmulatorEngine: @unchecked Sendable {
    let lock = NSLock()
    let device: UnsafeMutablePointer<armproto_device>
    let terminal: PseudoTerminal
    let plant: SimulatedArm
    let timing: DeviceEmulator.Timing
    var impairments: DeviceEmulator.Impairments
    let watchdogMicros: UInt32
    let limits: [Float]
    let ranges: [(low: Float, high: Float)]
    let jointCount: Int
    let physicsTimestep: Double
    var random: Xoshiro256

    // Sized once: serving a request does not allocate.
    var plantState: JointState
    var applied: [Double]
    var homePosition: [Double]
    var homeVelocity: [Double]
    var input = [UInt8](repeating: 0, count: 512)
    var scratch = [UInt8](repeating: 0, count: Int(ARMPROTO_MAX_FRAME) + 32)

    let startNanos = MonotonicClock.nanoseconds()
    var physicsSteps = 0
    /// Inside a lockstep period's physics steps: a torque the MOVE controller sets there holds for
    /// the next step instead of starting a period of its own.
    var steppingPeriod = false
    var homes = 0
    var torqueZeroedMicros: UInt64?
    var noiseBursts = 0
    var corruptedCopies = 0
    var droppedFrames = 0
    let service: PseudoTerminalService
    /// The board's actor, kept alive as long as the device points at it.
    let actor: DeviceActor?

    init(robot: RobotDescription, options: DeviceEmulator.Options, terminal: PseudoTerminal, actor: DeviceActor?) {
        self.terminal = terminal
        self.actor = actor
        service = PseudoTerminalService(terminal: terminal, lock: lock)
        timing = options.timing
        impairments = options.impairments
        watchdogMicros = UInt32((options.watchdogPeriod * 1e6).rounded())
        jointCount = robot.jointCount
        limits = deviceTorqueLimits(robot).map(Float.init)
        // HOME cannot claim a pose the arm cannot be in; a continuous joint has no range.
        ranges = robot.joints.map { joint in
            joint.position.map { (Float($0.low), Float($0.high)) } ?? (-Float.infinity, Float.infinity)
        }
        random = Xoshiro256(seed: options.seed)
        plant = options.timing == .realTime ? SimulatedArm(realTimeEmulationOf: robot) : SimulatedArm(robot: robot)
        physicsTimestep = plant.simulator.timestep
        plantState = JointState(jointCount: robot.jointCount)
        applied = Array(repeating: 0, count: robot.jointCount)
        homePosition = Array(repeating: 0, count: robot.jointCount)
        homeVelocity = Array(repeating: 0, count: robot.jointCount)
        device = .allocate(capacity: 1)
        device.initialize(to: armproto_device())
    }

    deinit {
        device.deinitialize(count: 1)
        device.deallocate()
    }

    static func from(_ context: UnsafeMutableRawPointer?) -> EmulatorEngine {
        Unmanaged<EmulatorEngine>.fromOpaque(context!).takeUnretainedValue()
    }

    func start() throws {
        try plant.activate(state: &plantState)
        var board = armproto_board()
        board.ctx = Unmanaged.passUnretained(self).toOpaque()
        board.now_us = { EmulatorEngine.from($0).nowMicros() }
        board.set_torques = { context, tau, n in EmulatorEngine.from(context).setTorques(tau, Int(n)) }
        board.read_joints = { context, q, qd, tau, n in EmulatorEngine.from(context).readJoints(q, qd, tau, Int(n)) }
        board.write = { context, bytes, count in EmulatorEngine.from(context).send(bytes, count) }
        board.home_velocity = { context, q, qd, n in EmulatorEngine.from(context).home(q, qd, Int(n)) }
        if timing == .lockstep {
            board.watchdog_now_us = { EmulatorEngine.from($0).wallMicros() }
        }
        var config = armproto_device_config()
        armproto_device_config_default(&config, UInt8(jointCount))
        config.watchdog_us = watchdogMicros
        config.lockstep_clock = timing == .lockstep ? 1 : 0
        config.firmware_id = 0x454D_5241  // "ARME" little-endian: the Armature emulator
        config.firmware_version = UInt32(ARMPROTO_VERSION_MAJOR) << 16 | UInt32(ARMPROTO_VERSION_MINOR) << 8
        for (j, limit) in limits.enumerated() { _ = armproto_device_config_set_limit(&config, UInt8(j), limit) }
        for (j, range) in ranges.enumerated() { _ = armproto_device_config_set_range(&config, UInt8(j), range.low, range.high) }
        let code = armproto_device_init(device, &board, &config)
        guard code == 0 else { throw DeviceEmulatorError.deviceInitFailed(code: code) }
        if let actor {
            let code = armproto_device_set_actor(device, actor.pointer)
            guard code == 0 else { throw DeviceEmulatorError.actorRefused(code: code) }
        }

        // Each wake-up: the host's bytes, then (in real time) the physics up to the wall clock, then the
        // device's own poll, which runs the watchdog and e-stop at the service's 1 kHz as the reference
        // firmware does. Lockstep physics waits for the next TORQUE; its watchdog does not.
        let serving = service.start(name: "armature-emulator") { [self] inputReady in
            if inputReady { serveInput() }
            if timing == .realTime { advancePhysics() }
            armproto_device_poll(device)
        }
        guard serving else { throw DeviceEmulatorError.threadFailed }
    }

    /// Ends the serving thread and closes the pseudo-terminal (the host sees a hang-up).
    func stop() { service.stop() }

    /// Feeds what the host sent to the device; replies go out through `send`.
    private func serveInput() {
        while true {
            let count = (try? input.withUnsafeMutableBytes { try terminal.readAvailable(into: $0) }) ?? 0
            guard count > 0 else { return }
            input.withUnsafeBufferPointer { armproto_device_receive(device, $0.baseAddress, count) }
        }
    }

    // MARK: Board callbacks (lock held)

    /// Real time since the emulator started: the lockstep watchdog's clock.
    func wallMicros() -> UInt64 { (MonotonicClock.nanoseconds() &- startNanos) / 1000 }

    func nowMicros() -> UInt64 {
        switch timing {
        case .lockstep: return UInt64((plant.simulator.time * 1e6).rounded())
        case .realTime: return wallMicros()
        }
    }

    func setTorques(_ tau: UnsafePointer<Float>?, _ n: Int) -> Int32 {
        guard let tau else { return 1 }
        // The device calls this for an applied TORQUE while enabled, and for every stop (disable,
        // fault, e-stop) after clearing `enabled`: that is how the two are told apart.
        let applying = device.pointee.enabled != 0
        if timing == .realTime { advancePhysics() }
        for i in 0..<min(n, jointCount) { applied[i] = Double(tau[i]) }
        // To the motors through the description's reality gap, as every simulated command goes.
        plant.issue(applied)
        if !applying { torqueZeroedMicros = nowMicros() }
        if timing == .lockstep && applying && !steppingPeriod {
            // Inside the request, so the STATE that follows reports the state after this period. A
            // move's controller runs after every physics step (nothing happens there for a TORQUE).
            steppingPeriod = true
            defer { steppingPeriod = false }
            for _ in 0..<plant.substeps {
                plant.physicsStep()
                armproto_device_control(device)
            }
            do { try plant.checkFinite() } catch { return 2 }
        }
        return 0
    }

    func readJoints(_ q: UnsafeMutablePointer<Float>?, _ qd: UnsafeMutablePointer<Float>?, _ tau: UnsafeMutablePointer<Float>?, _ n: Int) -> Int32 {
        guard let q, let qd, let tau else { return 1 }
        if timing == .realTime { advancePhysics() }
        plant.measure(into: &plantState)
        for i in 0..<min(n, jointCount) {
            q[i] = Float(plantState.position[i])
            qd[i] = Float(plantState.velocity[i])
            tau[i] = Float(plantState.torque[i])
        }
        return 0
    }

    func home(_ q: UnsafePointer<Float>?, _ qd: UnsafePointer<Float>?, _ n: Int) -> Int32 {
        guard let q, let qd, n == jointCount else { return 1 }
        for i in 0..<n {
            homePosition[i] = Double(q[i])
            homeVelocity[i] = Double(qd[i])
        }
        do { try plant.place(position: homePosition, velocity: homeVelocity, state: &plantState) } catch { return 2 }
        homes += 1
        return 0
    }

    func send(_ bytes: UnsafePointer<UInt8>?, _ count: Int) {
        guard let bytes, count > 0 else { return }
        if impairments.drop > 0 && random.nextUnit() < impairments.drop {
            droppedFrames += 1
            return
        }
        if impairments.noise > 0 && random.nextUnit() < impairments.noise {
            let length = 1 + Int(random.next() % 24)
            for i in 0..<length { scratch[i] = UInt8(truncatingIfNeeded: random.next()) }
            // The delimiter keeps the garbage out of the real frame that follows.
            scratch[length] = 0
            scratch.withUnsafeBytes { _ = terminal.writeAvailable(UnsafeRawBufferPointer(rebasing: $0[...length])) }
            noiseBursts += 1
        }
        if impairments.corruption > 0 && random.nextUnit() < impairments.corruption && count > 1 {
            for i in 0..<count { scratch[i] = bytes[i] }
            let index = Int(random.next() % UInt64(count - 1))
            var flipped = scratch[index] ^ (1 << UInt8(random.next() % 8))
            // A flip to 0x00 would split the frame rather than damage it; flip another bit instead.
            if flipped == 0 { flipped = scratch[index] ^ (scratch[index] == 0x01 ? 0x02 : 0x01) }
            scratch[index] = flipped
            scratch.withUnsafeBytes { _ = terminal.writeAvailable(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
            corruptedCopies += 1
        }
        _ = terminal.writeAvailable(UnsafeRawBufferPointer(start: bytes, count: count))
    }

    /// Brings the physics up to the wall clock in whole timesteps under the torque in force.
    private func advancePhysics() {
        let elapsed = Double(MonotonicClock.nanoseconds() &- startNanos) * 1e-9
        let target = Int(elapsed / physicsTimestep)
        // After a long stall (a suspended process) jump rather than replay minutes of physics at once.
        if target - physicsSteps > 1000 { physicsSteps = target - 1000 }
        while physicsSteps < target {
            plant.physicsStep()
            physicsSteps += 1
        }
    }

    func setImpairments(_ value: DeviceEmulator.Impairments) {
        lock.lock()
        impairments = value
        lock.unlock()
    }

    func snapshot() -> DeviceEmulator.Snapshot {
        lock.lock()
        defer { lock.unlock() }
        if timing == .realTime { advancePhysics() }
        var state = device.pointee
        let simulator = plant.simulator
        return DeviceEmulator.Snapshot(
            status: DeviceStatus(rawValue: armproto_device_status(device)), fault: FaultCode(rawValue: state.fault),
            appliedSequence: state.applied_seq,
            appliedTorque: withUnsafeBytes(of: &state.tau_out) { Array($0.bindMemory(to: Float.self)[..<jointCount]).map(Double.init) },
            position: simulator.q, velocity: simulator.qd, deviceTime: Double(nowMicros()) * 1e-6,
            lastFeedTime: Double(state.last_command_us) * 1e-6, torqueZeroedTime: torqueZeroedMicros.map { Double($0) * 1e-6 },
            homes: homes,
            counters: DeviceCounters(state.rx.stats), noiseBursts: noiseBursts, corruptedCopies: corruptedCopies,
            droppedFrames: droppedFrames)
    }
}
