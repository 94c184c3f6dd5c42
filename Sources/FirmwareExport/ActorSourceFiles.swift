import FileAccess
import Foundation
import Policy
import RobotModel
import Tasks

/// What `armature export-firmware --policy FILE` adds to the board's sources: the actor header
/// (`ActorCSource`) as `<directory>/armature_actor.h`, written atomically. The policy is loaded and
/// checked against the robot as deployment does (layout, observation size, joint names); a policy
/// that does not fit, or one the kernel cannot run, is refused with what to do. Returns the paths
/// written and the load's warnings (a description changed since training).
public func writeActorSources(policyPath: String, robot: RobotDescription, to directory: String) throws -> (files: [String], warnings: [String]) {
    // The layout the robot's task builds; the policy's own (with or without the previous action)
    // when it is one of the two for this arm.
    let plain = ObservationLayout.forPlanarArm(joints: robot.jointCount)
    let withPrevious = ObservationLayout.forPlanarArm(joints: robot.jointCount, previousAction: true)
    let (peek, _) = try ActorPolicy.load(path: policyPath, expecting: nil)
    let layoutName = peek.metadata.observationLayout == withPrevious.rawValue ? withPrevious.rawValue : plain.rawValue
    let layout = ObservationLayout(rawValue: layoutName)!
    let expectation = PolicyExpectation(
        observationLayout: layoutName, observationSize: layout.size(joints: robot.jointCount), jointNames: robot.jointNames,
        robotName: robot.name, robotFingerprint: robot.fingerprint)
    let (policy, warnings) = try ActorPolicy.load(path: policyPath, expecting: expectation)
    let source = try ActorCSource(policy: policy, robot: robot, origin: URL(fileURLWithPath: policyPath).lastPathComponent)
    let path = URL(fileURLWithPath: directory).appendingPathComponent("\(source.name).h").path
    try AtomicFile.write(Array(source.header.utf8), to: path)
    return ([path], warnings)
}
