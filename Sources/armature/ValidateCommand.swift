import ArgumentParser
import Foundation
import RobotModel

/// `armature validate`: check robot descriptions and list every problem.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check robot descriptions; list every problem with file, line and field, exit 1 if any.",
        discussion: "Checks types, units, ranges (low < high), positive masses and lengths, and unknown keys (with a suggestion)."
    )

    @Argument(help: "One or more robot descriptions (YAML).")
    var robots: [String]

    func run() throws {
        var failures = 0
        for path in robots {
            do {
                let robot = try RobotDescription.load(path: path)
                print("\(path): ok (\(robot.name), \(robot.jointCount) joints)")
            } catch {
                failures += 1
                for problem in error.problems { printError(problem.description) }
            }
        }
        if failures > 0 {
            throw UserFacingError("\(failures) of \(robots.count) description\(robots.count == 1 ? "" : "s") invalid")
        }
    }
}
