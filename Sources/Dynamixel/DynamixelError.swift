/// What went wrong talking to Dynamixel servos, with what to do about it.
public enum DynamixelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No status packet within the timeout.
    case noStatus(port: String, id: UInt8, instruction: Instruction, timeout: Double)
    /// A status packet whose error field says the instruction was not carried out.
    case statusError(port: String, id: UInt8, instruction: Instruction, field: ControlTableField?, error: StatusError)

    public var description: String {
        switch self {
        case .noStatus(let port, let id, let instruction, let timeout):
            return "servo \(id) on \(port) did not answer \(instruction) within \(Int((timeout * 1000).rounded())) ms; check that it is "
                + "powered and wired, that its id and baud rate match the description (`armature ports`, DYNAMIXEL Wizard), "
                + "and that its Return Delay Time is short"
        case .statusError(let port, let id, let instruction, let field, let error):
            let target = field.map { " of \($0)" } ?? ""
            return "servo \(id) on \(port) refused \(instruction)\(target): \(error)"
        }
    }
}
