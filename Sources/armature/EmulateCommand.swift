import ArgumentParser
import Dispatch
import FirmwareLink
import FlightRecorder
import Foundation
import Hardware
import Logging
import MonotonicTime

/// `armature emulate`: the firmware's device state machine on a pseudo-terminal, with the simulator as the arm.
struct Emulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Emulate the arm's firmware on a pseudo-terminal.",
        discussion: """
            Runs the firmware's own protocol code (firmware-protocol/src) with the simulated arm as its motors and sensors, on a pseudo-terminal that a host opens like a serial port. Prints the pseudo-terminal's path; with --link, also makes a symlink there, so that a robot description can name a stable port (serial: {port: /tmp/arm}). Runs until Ctrl-C, SIGTERM or SIGHUP, then removes the symlink if it still points to this emulator. An existing symlink at --link is replaced when it is stale (its emulator is gone); a file there, a symlink to anything but a pseudo-terminal, or one another running emulator serves, is refused.

            By default the physics follows the wall clock and the torque watchdog runs, as on the real arm. With --lockstep every torque command advances the physics exactly one control period, so an episode through the emulator matches the simulator step for step; the torque watchdog still runs on the wall clock (a host that stops sending torques for --watchdog-ms while enabled trips it, as on the real arm).

            Examples:
              armature emulate --robot robots/reacher.yaml --link /tmp/arm
              armature emulate --robot robots/reacher.yaml --link /tmp/arm --lockstep
              armature emulate --robot robots/reacher.yaml --drop 0.01 --seed 7
            """
    )

    @Option(help: "Robot description (YAML) of the arm to emulate, e.g. robots/reacher.yaml.")
    var robot: String

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

    @Option(name: .customLong("watchdog-ms"), help: "The device's torque watchdog, ms.")
    var watchdogMilliseconds: Double = 100

    @Option(help: ArgumentHelp("Record the emulated arm (its exact state and the torque the device applies, sampled at the control rate) into this MCAP file; written as it runs, so a crash keeps every complete chunk.", valueName: "file.mcap"))
    var record: String?

    func validate() throws {
        for (name, value) in [("--noise", noise), ("--corrupt", corrupt), ("--drop", drop)] where !(value >= 0 && value <= 1) {
            throw ValidationError("\(name) is a fraction of frames: give a number from 0 to 1, not \(value)")
        }
        try OptionBounds.require("--watchdog-ms", watchdogMilliseconds, above: 0, upTo: 60_000, unit: "ms")
    }

    func run() throws {
        let description = try loadRobot(robot)
        let recorder = try Recording.open(record, robot: description, pacing: .realTime)
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
        var lines = [
            "emulating \(description.name) (\(description.jointCount) joints, \(lockstep ? "lockstep" : "real time"), "
                + "watchdog \(format(watchdogMilliseconds)) ms) on \(emulator.devicePath)"
        ]
        if let link { lines.append("link: \(link) -> \(emulator.devicePath)") }
        lines.append("press Ctrl-C to stop")
        print(lines.joined(separator: "\n"))
        // Now: a script waiting for the path must see it, not at exit.
        signals.flushOutput()
        if let recorder {
            sample(emulator, into: recorder, every: description.control.period, until: signals.stop)
        } else {
            signals.wait()
        }
        emulator.stop()
        Recording.close(recorder)
        let snapshot = emulator.snapshot()
        print("stopped: \(snapshot.counters.rxFrames) frames received, \(snapshot.counters.txFrames) sent")
        signals.flushOutput()
        signals.reportLostOutput()
    }

    /// Samples the device's arm once per control period, on absolute deadlines, until a stop is requested.
    private func sample(_ emulator: DeviceEmulator, into recorder: FlightRecorder, every period: Double, until stop: StopRequest) {
        var deadline = MonotonicClock.seconds()
        while MonotonicClock.sleep(until: deadline, unless: stop) {
            let snapshot = emulator.snapshot()
            let state = JointState(
                position: snapshot.position, velocity: snapshot.velocity, torque: snapshot.appliedTorque, time: snapshot.deviceTime)
            recorder.record(deviceState: state, appliedTorque: snapshot.appliedTorque)
            deadline = max(deadline + period, MonotonicClock.seconds())
        }
    }
}
