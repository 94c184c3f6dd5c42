import Foundation
import RobotModel

/// Paths to files checked into the repository, independent of the working directory.
public enum RepositoryFiles {
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    public static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    /// A description from `robots/`.
    public static func robot(_ name: String) throws -> RobotDescription {
        try RobotDescription.load(path: path("robots/\(name).yaml"))
    }

    /// A numeric CSV in the repository with a header row, as columns by name.
    public static func csv(_ relative: String) throws -> [String: [Double]] {
        try csv(absolutePath: path(relative))
    }

    /// A numeric CSV anywhere with a header row, as columns by name.
    public static func csv(absolutePath: String) throws -> [String: [Double]] {
        let text = try String(contentsOfFile: absolutePath, encoding: .utf8)
        let lines = text.split(whereSeparator: \.isNewline)
        let header = lines[0].split(separator: ",").map(String.init)
        var columns = [String: [Double]]()
        for name in header { columns[name] = [] }
        for line in lines.dropFirst() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            for (name, cell) in zip(header, cells) { columns[name]!.append(Double(cell) ?? .nan) }
        }
        return columns
    }
}
