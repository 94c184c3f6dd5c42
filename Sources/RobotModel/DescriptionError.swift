/// One thing wrong with a robot description, with where it is and what to do about it.
public struct DescriptionProblem: Sendable, Equatable, CustomStringConvertible {
    /// What is wrong.
    public enum Kind: Sendable, Equatable {
        case unreadable(reason: String)
        case tooLarge(bytes: Int, limit: Int)
        case notText
        case syntax(String)
        case tooDeeplyNested(limit: Int)
        case wrongType(expected: String, found: String)
        case unknownKey(String, suggestion: String?)
        case missing(String)
        case notFinite(String)
        case notPositive(Double)
        case negative(Double)
        case emptyRange(low: Double, high: Double)
        /// Finite but outside what the simulator, the wire and a real arm can hold.
        case outOfRange(Double, bound: String)
        case badChoice(String, choices: [String], suggestion: String?)
        case noJoints
        case countMismatch(joints: Int, links: Int)
        case duplicateName(String)
        case conflicting(String, String)
        case invalid(String)
    }

    /// Path of the file as the user gave it.
    public var file: String
    /// 1-based line and column, when the problem has a place in the file.
    public var line: Int?
    public var column: Int?
    /// Field path such as `joints[1].torque.low`; empty for the whole file.
    public var field: String
    public var kind: Kind

    public init(file: String, line: Int?, column: Int?, field: String, kind: Kind) {
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.kind = kind
    }

    public var description: String {
        var place = file
        if let line { place += ":\(line)" }
        if let column { place += ":\(column)" }
        let subject = field.isEmpty ? "" : "\(field): "
        return "\(place): \(subject)\(message)"
    }

    /// The problem and the fix, without the place.
    public var message: String {
        switch kind {
        case .unreadable(let reason):
            return "cannot read the file: \(reason)"
        case .tooLarge(let bytes, let limit):
            return "file is \(bytes) bytes; a robot description is at most \(limit) bytes — is this the right file?"
        case .notText:
            return "file is not UTF-8 text; a robot description is a YAML text file"
        case .syntax(let text):
            return "YAML syntax error: \(text)"
        case .tooDeeplyNested(let limit):
            return "nesting deeper than \(limit) levels; a robot description needs only a few"
        case .wrongType(let expected, let found):
            return "expected \(expected), found \(found)"
        case .unknownKey(let key, let suggestion):
            if let suggestion { return "unknown key '\(key)'; did you mean '\(suggestion)'?" }
            return "unknown key '\(key)'; see robots/README.md for the schema"
        case .missing(let key):
            return "missing required field '\(key)'"
        case .notFinite(let text):
            return "'\(text)' is not a finite number"
        case .notPositive(let value):
            return "must be greater than zero (got \(value))"
        case .negative(let value):
            return "must not be negative (got \(value))"
        case .emptyRange(let low, let high):
            return "low (\(low)) must be less than high (\(high))"
        case .outOfRange(let value, let bound):
            return "\(value) is out of range: \(bound)"
        case .badChoice(let value, let choices, let suggestion):
            let list = choices.joined(separator: ", ")
            if let suggestion { return "'\(value)' is not one of \(list); did you mean '\(suggestion)'?" }
            return "'\(value)' is not one of \(list)"
        case .noJoints:
            return "the arm has no joints; list at least one under 'joints'"
        case .countMismatch(let joints, let links):
            return "\(joints) joints but \(links) links; each joint moves exactly one link, so the counts must agree"
        case .duplicateName(let name):
            return "name '\(name)' is used twice; names must be unique"
        case .conflicting(let a, let b):
            return "give either '\(a)' or '\(b)', not both"
        case .invalid(let text):
            return text
        }
    }
}

/// A robot description that could not be loaded, with every problem found.
public struct DescriptionError: Error, Sendable, CustomStringConvertible {
    public var problems: [DescriptionProblem]

    public init(problems: [DescriptionProblem]) { self.problems = problems }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
