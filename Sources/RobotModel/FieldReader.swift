import Foundation
import Yams

/// Collects problems while a description is read, so that every error is reported at once.
final class ProblemLog {
    let file: String
    private(set) var problems: [DescriptionProblem] = []

    init(file: String) { self.file = file }

    func report(_ kind: DescriptionProblem.Kind, at node: Node?, field: String) {
        let mark = node?.mark
        problems.append(DescriptionProblem(file: file, line: mark?.line, column: mark?.column, field: field, kind: kind))
    }
}

/// Human name of a YAML node's kind, for "expected X, found Y" messages.
func kindName(_ node: Node) -> String {
    switch node {
    case .scalar(let scalar):
        if scalar.string.isEmpty || scalar.string == "~" || scalar.string == "null" { return "nothing (null)" }
        return "'\(scalar.string.prefix(40))'"
    case .mapping: return "a mapping"
    case .sequence: return "a list"
    case .alias: return "an alias"
    }
}

/// Typed access to the keys of one YAML mapping, reporting unknown, missing and malformed fields.
struct MappingReader {
    let node: Node
    let mapping: Node.Mapping
    let path: String
    let log: ProblemLog

    /// Reads `node` as a mapping whose keys must come from `allowed`; nil (with a problem logged) if it is not one.
    init?(_ node: Node, path: String, allowed: [String], log: ProblemLog) {
        guard case .mapping(let mapping) = node else {
            log.report(.wrongType(expected: "a mapping of fields", found: kindName(node)), at: node, field: path)
            return nil
        }
        self.node = node
        self.mapping = mapping
        self.path = path
        self.log = log
        for (key, _) in mapping {
            guard case .scalar(let scalar) = key else {
                log.report(.wrongType(expected: "a field name", found: kindName(key)), at: key, field: path)
                continue
            }
            if !allowed.contains(scalar.string) {
                let suggestion = closestMatch(to: scalar.string, among: allowed)
                log.report(.unknownKey(scalar.string, suggestion: suggestion), at: key, field: child(scalar.string))
            }
        }
    }

    func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func has(_ key: String) -> Bool { value(key) != nil }

    func value(_ key: String) -> Node? {
        for (k, v) in mapping {
            if case .scalar(let scalar) = k, scalar.string == key { return v }
        }
        return nil
    }

    /// The node under `key`, or nil after logging it missing when `required`.
    func node(_ key: String, required: Bool) -> Node? {
        if let found = value(key) { return found }
        if required { log.report(.missing(key), at: node, field: child(key)) }
        return nil
    }

    func string(_ key: String, required: Bool = true) -> String? {
        guard let found = node(key, required: required) else { return nil }
        guard case .scalar(let scalar) = found, !isNull(scalar) else {
            log.report(.wrongType(expected: "text", found: kindName(found)), at: found, field: child(key))
            return nil
        }
        return scalar.string
    }

    func number(_ key: String, required: Bool = true) -> Double? {
        guard let found = node(key, required: required) else { return nil }
        return readNumber(found, field: child(key), log: log)
    }

    /// A number that must be > 0 and within `bound`.
    func positive(_ key: String, required: Bool = true, within bound: Bound) -> Double? {
        guard let value = number(key, required: required) else { return nil }
        if value <= 0 {
            log.report(.notPositive(value), at: self.node(key, required: false), field: child(key))
            return nil
        }
        return bound.check(value, at: self.node(key, required: false), field: child(key), log: log)
    }

    /// A number that must be ≥ 0 and within `bound`, `fallback` when absent.
    func nonNegative(_ key: String, default fallback: Double, within bound: Bound) -> Double? {
        guard let value = number(key, required: false) else { return has(key) ? nil : fallback }
        if value < 0 {
            log.report(.negative(value), at: self.node(key, required: false), field: child(key))
            return nil
        }
        return bound.check(value, at: self.node(key, required: false), field: child(key), log: log)
    }

    /// A number within `bound`.
    func number(_ key: String, required: Bool = true, within bound: Bound) -> Double? {
        guard let value = number(key, required: required) else { return nil }
        return bound.check(value, at: self.node(key, required: false), field: child(key), log: log)
    }

    func integer(_ key: String, required: Bool = true) -> Int? {
        guard let found = node(key, required: required) else { return nil }
        guard case .scalar(let scalar) = found, let value = Int(scalar.string) else {
            log.report(.wrongType(expected: "a whole number", found: kindName(found)), at: found, field: child(key))
            return nil
        }
        return value
    }

    func choice<T: RawRepresentable & CaseIterable>(_ key: String, as type: T.Type, default fallback: T) -> T?
    where T.RawValue == String {
        guard let text = string(key, required: false) else { return has(key) ? nil : fallback }
        if let value = T(rawValue: text) { return value }
        let choices = T.allCases.map(\.rawValue)
        log.report(
            .badChoice(text, choices: choices, suggestion: closestMatch(to: text, among: choices)),
            at: self.node(key, required: false), field: child(key))
        return nil
    }

    /// The elements of a list under `key` with their field paths.
    func list(_ key: String, required: Bool = true) -> [(node: Node, path: String)]? {
        guard let found = node(key, required: required) else { return nil }
        guard case .sequence(let sequence) = found else {
            log.report(.wrongType(expected: "a list", found: kindName(found)), at: found, field: child(key))
            return nil
        }
        return sequence.enumerated().map { ($0.element, "\(child(key))[\($0.offset)]") }
    }

    /// A `{low, high}` mapping with numbers within `bound` (in the field's own unit, before
    /// `scale`) and low < high.
    func limits(_ key: String, required: Bool = true, scale: Double = 1, within bound: Bound) -> Limits? {
        guard let found = node(key, required: required) else { return nil }
        guard let reader = MappingReader(found, path: child(key), allowed: ["low", "high"], log: log) else {
            return nil
        }
        guard let low = reader.number("low", within: bound), let high = reader.number("high", within: bound) else { return nil }
        guard low < high else {
            log.report(.emptyRange(low: low, high: high), at: found, field: child(key))
            return nil
        }
        return Limits(low: low * scale, high: high * scale)
    }
}

/// The range a numeric field may take: what a real arm can physically have, with room to spare,
/// and what the simulator's arithmetic and the float32 wire can carry without overflowing. A value
/// past it is a typo (a missing minus sign in an exponent) rather than a robot.
struct Bound {
    let lowest: Double
    let highest: Double
    let unit: String

    init(_ lowest: Double, _ highest: Double, _ unit: String) {
        self.lowest = lowest
        self.highest = highest
        self.unit = unit
    }

    /// ±`magnitude`.
    static func magnitude(_ magnitude: Double, _ unit: String) -> Bound { Bound(-magnitude, magnitude, unit) }

    func check(_ value: Double, at node: Node?, field: String, log: ProblemLog) -> Double? {
        guard value < lowest || value > highest else { return value }
        let unitText = unit.isEmpty ? "" : " \(unit)"
        log.report(.outOfRange(value, bound: "allowed from \(format(lowest)) to \(format(highest))\(unitText)"), at: node, field: field)
        return nil
    }

    private func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e7 ? String(Int(value)) : "\(value)"
    }
}

private func isNull(_ scalar: Node.Scalar) -> Bool {
    scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
}

/// Reads a finite number from a plain or quoted scalar; YAML spellings of infinity and NaN are rejected.
func readNumber(_ node: Node, field: String, log: ProblemLog) -> Double? {
    guard case .scalar(let scalar) = node, !isNull(scalar) else {
        log.report(.wrongType(expected: "a number", found: kindName(node)), at: node, field: field)
        return nil
    }
    let text = scalar.string.trimmingCharacters(in: .whitespaces)
    let lowered = text.lowercased()
    if [".inf", "+.inf", "-.inf", ".nan", "inf", "-inf", "+inf", "nan", "infinity", "-infinity"].contains(lowered) {
        log.report(.notFinite(text), at: node, field: field)
        return nil
    }
    guard let value = Double(text) else {
        log.report(.wrongType(expected: "a number", found: kindName(node)), at: node, field: field)
        return nil
    }
    guard value.isFinite else {
        log.report(.notFinite(text), at: node, field: field)
        return nil
    }
    return value
}
