import ArgumentParser
import Dispatch
import Dynamixel
import FirmwareLink
import FlightRecorder
import Foundation
import Hardware
import Logging
import MonotonicTime
import RobotModel

/// `armature emulate`: the firmware's device state machine on a pseudo-terminal, with the simulator as the arm.
struct Emulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Emulate the arm's firmware (or its Dynamixel servos, --bus dynamixel) on a pseudo-terminal.",
        discussion: """
            Runs the firmware's own protocol code (firmware-protocol/src) with the simulated arm as its motors and sensors, on a pseudo-terminal that a host opens like a serial port. Prints the pseudo-terminal's path; with --link, also makes a symlink there, so that a robot description can name a stable port (serial: {port: /tmp/arm}). Runs until Ctrl-C, SIGTERM or SIGHUP, then removes the symlink if it still points to this emulator. An existing symlink at --link is replaced when it is stale (its emulator is gone); a file there, a symlink to anything but a pseudo-terminal, or one another running emulator serves, is refused.

            By default the physics follows the wall clock and the torque watchdog runs, as on the real arm. With --lockstep every torque command advances the physics exactly one control period, so an episode through the emulator matches the simulator step for step; the torque watchdog still runs on the wall clock (a host that stops sending torques for --watchdog-ms while enabled trips it, as on the real arm).

            With --bus dynamixel the pseudo-terminal is instead a Dynamixel Protocol 2.0 bus with one X-series servo per joint, as the description's `bus:` section lists them (ids, models, torque constants, directions, offsets): PING, READ, WRITE, SYNC READ, SYNC WRITE and REBOOT, status packets with their error numbers, Goal Current × torque constant as each joint's torque, and each servo's Bus Watchdog (which the host sets). In real time each status packet waits for its bytes' time on the line at --baud (default the description's) plus the servo's Return Delay Time; with --lockstep a SYNC WRITE of Goal Current advances one control period. --drop drops status packets, --corrupt flips a bit in them.

            Examples:
              armature emulate --robot robots/reacher.yaml --link /tmp/arm
              armature emulate --robot robots/xm430-two-joint.yaml --bus dynamixel --link /tmp/dxl
              armature emulate --robot robots/reacher.yaml --link /tmp/arm --lockstep
              armature emulate --robot robots/reacher.yaml --drop 0.01 --seed 7
            """
    )

    @Option(help: "Robot description (YAML) of the arm to emulate, e.g. robots/reacher.yaml.")
    var robot: String

    @Option(help: "What to emulate: armature (the Armature firmware, default) or dynamixel (the description's Dynamixel servo bus).")
    var bus: EmulatedBus = .armature

    @Option(help: "With --bus dynamixel: the line rate whose byte times delay status packets in real time, bit/s (default the description's bus baud).")
    var baud: Int?

    @Option(name: .customLong("latency-timer-ms"), help: "With --bus dynamixel, in real time: imitate a USB adapter's latency timer (an FTDI's is 16 ms by default), ms.")
    var latencyTimerMilliseconds: Double?

    @Option(help: "Also make a symlink at this path to the pseudo-terminal (a stale symlink is replaced; a file, or a live emulator's link, is refused).")
    var link: String?

    @Flag(help: "Advance the physics one control period per torque command instead of following the wall clock.")
    var lockstep = false

    @Option(help: "Seed of the injected line faults (--noise, --corrupt, --drop).")
    var seed: UInt64 = 0

    @Option(help: "Fraction of the device's frames preceded by a burst of line noise (0 to 1).")
    var noise: Double = 0

    @Option(help: "Fraction of the device's frames preceded by a damaged copy of themselves (0 to 1).")
    var corrupt: Double = 0

    @Option(help: "Fraction of the device's frames never sent, to exercise the host's handling of lost replies (0 to 1).")
    var drop: Double = 0

    @Option(name: .customLong("watchdog-ms"), help: "The Armature firmware's torque watchdog, ms (default 100; Dynamixel servos take theirs from the host).")
    var watchdogOption: Double?

    var watchdogMilliseconds: Double { watchdogOption ?? 100 }

    @Option(help: ArgumentHelp("Record the emulated arm (its exact state and the torque the device applies, sampled at the control rate) into this MCAP file; written as it runs, so a crash keeps every complete chunk.", valueName: "file.mcap"))
    var record: String?

    func validate() throws {
        for (name, value) in [("--noise", noise), ("--corrupt", corrupt), ("--drop", drop)] where !(value >= 0 && value <= 1) {
            throw ValidationError("\(name) is a fraction of frames: give a number from 0 to 1, not \(value)")
        }
        try OptionBounds.require("--watchdog-ms", watchdogMilliseconds, above: 0, upTo: 60_000, unit: "ms")
        if bus == .dynamixel {
            if noise != 0 {
                throw ValidationError("--noise puts bursts between the Armature firmware's frames; with --bus dynamixel use --drop or --corrupt")
            }
            if watchdogOption != nil {
                throw ValidationError("Dynamixel servos get their Bus Watchdog from the host (the description's bus.watchdog_ms); drop --watchdog-ms")
            }
            if let baud { try OptionBounds.require("--baud", baud, in: 1...100_000_000) }
            if let latencyTimerMilliseconds {
                try OptionBounds.require("--latency-timer-ms", latencyTimerMilliseconds, above: 0, inclusive: true, upTo: 1000, unit: "ms")
                if lockstep { throw ValidationError("--latency-timer-ms is about real time; drop --lockstep") }
            }
        } else if latencyTimerMilliseconds != nil {
            throw ValidationError("--latency-timer-ms imitates a Dynamixel adapter; give --bus dynamixel too")
        } else if baud != nil {
            throw ValidationError("--baud is the emulated Dynamixel bus's rate; give --bus dynamixel too (a pseudo-terminal has no rate of its own)")
        }
    }

    func run() throws {
        let description = try loadRobot(robot)
        if bus == .dynamixel { return try runDynamixel(description) }
        // Handlers are in place before the path is announced, so a script may stop us at once.
        let signals = StopSignals()
        var logger = Logger(label: "armature.emulator")
        logger.logLevel = .warning
        let options = DeviceEmulator.Options(
            timing: lockstep ? .lockstep : .realTime, linkPath: link, seed: seed,
            impairments: .init(noise: noise, corruption: corrupt, drop: drop), watchdogPeriod: watchdogMilliseconds / 1000)
        let emulator: DeviceEmulator
        do {
            emulator = try DeviceEmulator(robot: description, options: options, logger: logger)
        } catch {
            throw UserFacingError(String(describing: error))
        }
        // Opened once the emulator runs, so an emulator that cannot start leaves no recording behind.
        let recorder: FlightRecorder?
        do {
            recorder = try Recording.open(record, robot: description, pacing: .realTime)
        } catch {
            emulator.stop()
            throw error
        }
        serve(
            "emulating \(description.name) (\(description.jointCount) joints, \(lockstep ? "lockstep" : "real time"), "
                + "watchdog \(format(watchdogMilliseconds)) ms)",
            on: emulator.devicePath, signals: signals, recorder: recorder, period: description.control.period,
            read: {
                let snapshot = emulator.snapshot()
                let state = JointState(
                    position: snapshot.position, velocity: snapshot.velocity, torque: snapshot.appliedTorque, time: snapshot.deviceTime)
                return (state, snapshot.appliedTorque)
            },
            stop: emulator.stop,
            served: {
                let snapshot = emulator.snapshot()
                return "\(snapshot.counters.rxFrames) frames received, \(snapshot.counters.txFrames) sent"
            })
    }

    /// What both emulators do once started, so that the firmware and the Dynamixel bus announce, record,
    /// stop and report alike: prints `headline` with the path a host opens (and the link), runs until a stop
    /// signal (sampling the arm into `recorder` meanwhile, if there is one, through `read`: its exact state
    /// and the torques applied), then stops the emulator with `stop`, closes the recording and prints
    /// `served`: what the emulator's counters say it served.
    private func serve(
        _ headline: String, on devicePath: String, signals: StopSignals, recorder: FlightRecorder?, period: Double,
        read: () -> (JointState, [Double]), stop: () -> Void, served: () -> String
    ) {
        var lines = ["\(headline) on \(devicePath)"]
        if let link { lines.append("link: \(link) -> \(devicePath)") }
        lines.append("press Ctrl-C to stop")
        print(lines.joined(separator: "\n"))
        // Now: a script waiting for the path must see it, not at exit.
        signals.flushOutput()
        if let recorder {
            sample(into: recorder, every: period, until: signals.stop, read: read)
        } else {
            signals.wait()
        }
        stop()
        Recording.close(recorder)
        print("stopped: \(served())")
        signals.flushOutput()
        signals.reportLostOutput()
    }

    /// Samples the emulated arm (`read`: its exact state and the torques applied) once per control period,
    /// on absolute deadlines, until a stop is requested.
    private func sample(
        into recorder: FlightRecorder, every period: Double, until stop: StopRequest, read: () -> (JointState, [Double])
    ) {
        var deadline = MonotonicClock.seconds()
        while MonotonicClock.sleep(until: deadline, unless: stop) {
            let (state, applied) = read()
            recorder.record(deviceState: state, appliedTorque: applied)
            deadline = max(deadline + period, MonotonicClock.seconds())
        }
    }

    /// The description's servos on a pseudo-terminal until a stop signal.
    private func runDynamixel(_ description: RobotDescription) throws {
        guard let settings = description.bus else {
            throw UserFacingError(BusEmulatorError.noBus(robot: description.name).description)
        }
        let signals = StopSignals()
        var logger = Logger(label: "armature.dynamixel-emulator")
        logger.logLevel = .warning
        let options = BusEmulator.Options(
            timing: lockstep ? .lockstep : .realTime, linkPath: link, baud: baud ?? settings.baud, seed: seed, dropStatus: drop,
            corruptStatus: corrupt, latencyTimer: (latencyTimerMilliseconds ?? 0) / 1000)
        let emulator: BusEmulator
        do {
            emulator = try BusEmulator(robot: description, options: options, logger: logger)
        } catch {
            throw UserFacingError(String(describing: error))
        }
        let recorder: FlightRecorder?
        do {
            recorder = try Recording.open(record, robot: description, pacing: .realTime)
        } catch {
            emulator.stop()
            throw error
        }
        let ids = settings.servos.map { "\($0.id) (\($0.model.rawValue))" }.joined(separator: ", ")
        serve(
            "emulating Dynamixel servos \(ids) of \(description.name) (\(lockstep ? "lockstep" : "real time"), \(options.baud) bit/s)",
            on: emulator.devicePath, signals: signals, recorder: recorder, period: description.control.period,
            read: {
                let snapshot = emulator.snapshot()
                // Each servo's torque as it applies it (Goal Current × torque constant, zero with torque off).
                let applied = snapshot.servos.map(\.appliedTorque)
                return (JointState(position: snapshot.position, velocity: snapshot.velocity, torque: applied, time: snapshot.time), applied)
            },
            stop: emulator.stop,
            served: {
                let snapshot = emulator.snapshot()
                return "\(snapshot.instructionsReceived) instruction packets received, \(snapshot.statusesSent) status packets sent"
            })
    }
}

/// What `armature emulate` presents on its pseudo-terminal.
enum EmulatedBus: String, ExpressibleByArgument, CaseIterable {
    case armature, dynamixel
}
