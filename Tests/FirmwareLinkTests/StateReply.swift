import FirmwareLink

/// A STATE as the link tests read it: the joint values and the rest of the reply side by side.
struct StateReply: JointReadings {
    var position: [Double]
    var velocity: [Double]
    var torque: [Double]
    var time = 0.0
    var report = DeviceReport()

    init(jointCount: Int) {
        position = Array(repeating: 0, count: jointCount)
        velocity = position
        torque = position
    }

    var sequence: UInt32 { report.sequence }
    var appliedSequence: UInt32 { report.appliedSequence }
    var timeMicros: UInt64 { report.timeMicros }
    var status: DeviceStatus { report.status }
    var result: ResultCode { report.result }
    var fault: FaultCode { report.fault }
    var lostTorque: UInt32? { report.lostTorque }
}

extension FirmwareLink {
    func torque(_ torques: [Double], state: inout StateReply) throws {
        var report = state.report
        defer { state.report = report }
        try torque(torques, joints: &state, report: &report)
    }

    func heartbeat(state: inout StateReply) throws {
        var report = state.report
        defer { state.report = report }
        try heartbeat(joints: &state, report: &report)
    }

    func move(_ command: MoveCommand, state: inout StateReply) throws {
        var report = state.report
        defer { state.report = report }
        try move(command, joints: &state, report: &report)
    }
}
