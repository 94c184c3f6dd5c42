import FileAccess
import Foundation
import Policy
import RobotModel
import Tasks

/// Loads a policy file and checks it for the device: against the robot as deployment does
/// (layout, observation size, joint names; a changed description is a warning), then against the
/// kernel (`ExportedActor`). What `export-firmware --policy` and `run --on-device` both start from.
public func loadDeviceActor(policyPath: String, robot: RobotDescription) throws -> (actor: ExportedActor, warnings: [String]) {
    // The layout the robot's task builds: the policy's own when it is one of the two for this arm
    // (with or without the previous action), else the plain one (and the load names the mismatch).
    let plain = ObservationLayout.forPlanarArm(joints: robot.jointCount)
    let withPrevious = ObservationLayout.forPlanarArm(joints: robot.jointCount, previousAction: true)
    let (peek, _) = try ActorPolicy.load(path: policyPath, expecting: nil)
    let layout = peek.metadata.observationLayout == withPrevious.rawValue ? withPrevious : plain
    let expectation = PolicyExpectation(
        observationLayout: layout.rawValue, observationSize: layout.size(joints: robot.jointCount), jointNames: robot.jointNames,
        robotName: robot.name, robotFingerprint: robot.fingerprint)
    let (policy, warnings) = try ActorPolicy.load(path: policyPath, expecting: expectation)
    return (try ExportedActor(policy: policy, robot: robot), warnings)
}

/// What `armature export-firmware --policy FILE` adds to the board's sources: the actor header
/// (`ActorCSource`) as `<directory>/armature_actor.h`, written atomically. A policy that does not
/// fit the robot, or one the kernel cannot run, is refused with what to do. Returns the paths
/// written and the load's warnings (a description changed since training).
public func writeActorSources(policyPath: String, robot: RobotDescription, to directory: String) throws -> (files: [String], warnings: [String]) {
    let (actor, warnings) = try loadDeviceActor(policyPath: policyPath, robot: robot)
    let source = try ActorCSource(actor, origin: URL(fileURLWithPath: policyPath).lastPathComponent)
    let path = URL(fileURLWithPath: directory).appendingPathComponent("\(source.name).h").path
    try AtomicFile.write(Array(source.header.utf8), to: path)
    return ([path], warnings)
}
