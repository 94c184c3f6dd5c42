/// Why an actor cannot be written for the device; says what to do.
public enum ActorExportError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownLayout(String)
    case layoutDoesNotFit(layout: String, joints: Int)
    case observationSize(policy: Int, layout: String, expected: Int)
    case actionSize(policy: Int, joints: Int)
    case jointNames(policy: [String], robot: [String])
    case tooLarge(what: String, value: Int, limit: Int)
    case notPlain
    case nonFinite(tensor: String, index: Int)
    case actuationFilters(robot: String)
    case badName(String)

    public var description: String {
        switch self {
        case .unknownLayout(let layout):
            return "the policy observes '\(layout)', which the device cannot build (it builds: \(ActorCSource.supportedLayouts.joined(separator: ", ")))"
        case .layoutDoesNotFit(let layout, let joints):
            return "the policy's observation layout '\(layout)' is not defined for an arm of \(joints) joints; use the description it was trained with"
        case .observationSize(let policy, let layout, let expected):
            return "the policy takes \(policy) observation values but '\(layout)' has \(expected) for this robot; use the description it was trained with"
        case .actionSize(let policy, let joints):
            return "the policy gives \(policy) actions but the robot has \(joints) joints; use the description it was trained with"
        case .jointNames(let policy, let robot):
            return "the policy was trained for joints \(policy) but the robot has \(robot); use the description it was trained with"
        case .tooLarge(let what, let value, let limit):
            return "the policy's \(what) is \(value), above the device kernel's \(limit) (ARMPROTO_ACTOR_* in armproto_actor.h)"
        case .notPlain:
            return "the policy has dropout or layer normalization between its layers; the device runs plain dense layers only"
        case .nonFinite(let tensor, let index):
            return "tensor '\(tensor)' holds a non-finite value at index \(index); the policy diverged and cannot drive an arm"
        case .actuationFilters(let robot):
            return "robot '\(robot)' has an actuation section (action low-pass or torque-rate limit), which the on-device actor does not apply yet; the device would drive the arm differently from the host"
        case .badName(let name):
            return "'\(name)' is not usable as a C identifier prefix (letters, digits and underscores, not starting with a digit)"
        }
    }
}
