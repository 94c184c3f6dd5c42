import ArgumentParser

/// The one way commands check numeric options: finite, and inside what the code can represent
/// and what makes sense for an arm, with the bound in the message. Swift traps on overflow, so an
/// unbounded count or duration would end a run with a crash instead of an error.
enum OptionBounds {
    /// A count: episodes, steps, rounds.
    static func require(_ option: String, _ value: Int, in range: ClosedRange<Int>) throws {
        guard range.contains(value) else {
            throw ValidationError("\(option) must be from \(range.lowerBound) to \(range.upperBound) (got \(value))")
        }
    }

    /// A quantity: finite, above `lower` (or at least it when `inclusive`), at most `upper`.
    static func require(_ option: String, _ value: Double, above lower: Double, inclusive: Bool = false, upTo upper: Double, unit: String) throws {
        let inRange = value.isFinite && value <= upper && (inclusive ? value >= lower : value > lower)
        guard inRange else {
            let low = inclusive ? "at least \(format(lower))" : "more than \(format(lower))"
            throw ValidationError("\(option) must be \(low) and at most \(format(upper)) \(unit) (got \(value))")
        }
    }

    /// Longest `--duration` and episode count a run accepts: a year of control, a billion episodes.
    static let longestRun = 365 * 24 * 3600.0
    static let mostEpisodes = 1_000_000_000

    private static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }
}
