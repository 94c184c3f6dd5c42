import FileAccess
import Foundation
import Yams

extension RobotDescription {
    /// Largest file the loader reads; real descriptions are a few kilobytes.
    public static let maximumFileSize = 1 << 20
    /// Deepest nesting the loader accepts; the schema needs five levels.
    public static let maximumNesting = 64

    /// Loads and validates the description at `path`, reporting every problem found.
    public static func load(path: String) throws(DescriptionError) -> RobotDescription {
        try parse(data: readYAMLFile(path), file: path)
    }

    /// Parses and validates description bytes; `file` names them in errors.
    public static func parse(data: Data, file: String) throws(DescriptionError) -> RobotDescription {
        try readYAML(data: data, file: file) { $0.read($1) }
    }
}

/// The bytes of a YAML file the loader may read: regular, and no larger than a description may be.
func readYAMLFile(_ path: String) throws(DescriptionError) -> Data {
    do {
        // The size is checked before a byte is read: a multi-gigabyte file given by mistake is refused at once.
        return Data(try RegularFile.read(path, limit: RobotDescription.maximumFileSize))
    } catch {
        let kind: DescriptionProblem.Kind
        if case .tooLarge(let size, let limit) = error.problem { kind = .tooLarge(bytes: size, limit: limit) } else { kind = .unreadable(reason: error.message) }
        throw DescriptionError(problems: [DescriptionProblem(file: path, line: nil, column: nil, field: "", kind: kind)])
    }
}

/// Composes YAML bytes and reads them with `read`, every problem logged with file, line and field:
/// the one way robot descriptions and the files beside them (perturbation grids) are read.
func readYAML<T>(data: Data, file: String, _ read: (DescriptionReader, Node) -> T?) throws(DescriptionError) -> T {
    let maximumFileSize = RobotDescription.maximumFileSize
    let maximumNesting = RobotDescription.maximumNesting
    func fail(_ kind: DescriptionProblem.Kind, line: Int? = nil) -> DescriptionError {
        DescriptionError(problems: [DescriptionProblem(file: file, line: line, column: nil, field: "", kind: kind)])
    }
    guard data.count <= maximumFileSize else { throw fail(.tooLarge(bytes: data.count, limit: maximumFileSize)) }
    guard let text = String(data: data, encoding: .utf8), !text.unicodeScalars.contains(where: isControl) else {
        throw fail(.notText)
    }
    if let line = lineExceedingNesting(text, limit: maximumNesting) {
        throw fail(.tooDeeplyNested(limit: maximumNesting), line: line)
    }
    let root: Node?
    do {
        root = try Yams.compose(yaml: text)
    } catch let error as YamlError {
        throw DescriptionError(problems: [syntaxProblem(error, file: file)])
    } catch {
        throw fail(.syntax(String(describing: error)))
    }
    guard let root else { throw fail(.invalid("file is empty; see robots/README.md for the schema")) }
    let log = ProblemLog(file: file)
    let value = read(DescriptionReader(log: log), root)
    if let value, log.problems.isEmpty { return value }
    throw DescriptionError(problems: log.problems)
}

/// C0 controls other than tab, newline and carriage return mark binary data, not YAML.
private func isControl(_ scalar: Unicode.Scalar) -> Bool {
    (scalar.value < 0x20 && scalar != "\t" && scalar != "\n" && scalar != "\r") || scalar.value == 0x7F
}

/// The first line whose nesting could exceed `limit`, by a conservative count that needs no parse:
/// open flow brackets, indentation and block indicators. Guards the recursive composer against
/// stack exhaustion on hostile input.
private func lineExceedingNesting(_ text: String, limit: Int) -> Int? {
    var flowDepth = 0
    var lineNumber = 1
    var indentation = 0
    var indicators = 0
    var atLineStart = true
    var quote: Character?
    for character in text {
        if character == "\n" {
            lineNumber += 1
            indentation = 0
            indicators = 0
            atLineStart = true
            continue
        }
        if let open = quote {
            if character == open { quote = nil }
            continue
        }
        if atLineStart && character == " " {
            indentation += 1
            continue
        }
        atLineStart = false
        switch character {
        case "\"", "'": quote = character
        case "[", "{": flowDepth += 1
        case "]", "}": flowDepth = max(0, flowDepth - 1)
        case "-", ":", "?": indicators += 1
        default: break
        }
        if flowDepth + indentation / 2 + indicators > limit { return lineNumber }
    }
    return nil
}

private func syntaxProblem(_ error: YamlError, file: String) -> DescriptionProblem {
    switch error {
    case .scanner(let context, let problem, let mark, _),
        .parser(let context, let problem, let mark, _),
        .composer(let context, let problem, let mark, _):
        let text = [context?.text, problem].compactMap { $0 }.joined(separator: ": ")
        return DescriptionProblem(file: file, line: mark.line, column: mark.column, field: "", kind: .syntax(text))
    case .duplicatedKeysInMapping(let duplicates, let context):
        return DescriptionProblem(
            file: file, line: context.mark.line, column: context.mark.column, field: "",
            kind: .syntax("duplicate keys \(duplicates.joined(separator: ", ")); each field may appear once"))
    case .reader(let problem, _, _, _):
        return DescriptionProblem(file: file, line: nil, column: nil, field: "", kind: .syntax(problem))
    default:
        return DescriptionProblem(file: file, line: nil, column: nil, field: "", kind: .syntax("\(error)"))
    }
}
