import Yams

/// Writes new servo offsets into a description's text, changing nothing else (comments, order and
/// layout stay as the user wrote them): each `bus.servos[i].offset` value is replaced where it
/// stands, or added to the servo's mapping when it has none. `armature calibrate` uses it.
public enum ServoOffsetEditor {
    /// `text` with `offsets` (one per servo, in order) in its `bus.servos`; `file` names it in errors.
    public static func setting(offsets: [Int], in text: String, file: String) throws(DescriptionError) -> String {
        func fail(_ message: String) -> DescriptionError {
            DescriptionError(problems: [DescriptionProblem(file: file, line: nil, column: nil, field: "bus.servos", kind: .invalid(message))])
        }
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch { throw fail("cannot be read as YAML: \(error)") }
        guard let servos = root?.mapping?["bus"]?.mapping?["servos"]?.sequence, servos.count == offsets.count else {
            throw fail("needs one servo per offset (\(offsets.count)); validate the description first")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Edits go from the end of the file backwards so that earlier positions stay valid.
        var edits: [(line: Int, column: Int, remove: Int, insert: String)] = []
        for (servo, offset) in zip(servos, offsets) {
            guard let mapping = servo.mapping, let start = servo.mark else { throw fail("each servo must be a mapping") }
            if let value = mapping["offset"], let mark = value.mark, let scalar = value.scalar {
                edits.append((mark.line - 1, mark.column - 1, scalar.string.count, "\(offset)"))
            } else if isFlow(lines, start) {
                // `{id: 1, ...}`: before the closing brace on the line where the mapping starts.
                let line = lines[start.line - 1]
                let from = line.index(line.startIndex, offsetBy: start.column - 1)
                guard let close = line[from...].firstIndex(of: "}") else {
                    throw fail("add `offset: 0` to each servo (a flow mapping over several lines is not edited)")
                }
                edits.append((start.line - 1, line.distance(from: line.startIndex, to: close), 0, ", offset: \(offset)"))
            } else {
                // A block mapping: a new line at its first key's indentation, after that key's line.
                guard let first = mapping.keys.first?.mark else { throw fail("each servo must be a mapping") }
                let indent = String(repeating: " ", count: first.column - 1)
                edits.append((first.line, 0, -1, indent + "offset: \(offset)"))
            }
        }
        for edit in edits.sorted(by: { ($0.line, $0.column) > ($1.line, $1.column) }) {
            if edit.remove < 0 {
                lines.insert(edit.insert, at: edit.line)
                continue
            }
            var line = lines[edit.line]
            let from = line.index(line.startIndex, offsetBy: edit.column)
            let to = line.index(from, offsetBy: edit.remove)
            line.replaceSubrange(from..<to, with: edit.insert)
            lines[edit.line] = line
        }
        return lines.joined(separator: "\n")
    }

    /// Whether the mapping that starts at `mark` is written `{...}` (Yams composes both styles alike).
    private static func isFlow(_ lines: [String], _ mark: Mark) -> Bool {
        let line = Array(lines[mark.line - 1])
        return mark.column - 1 < line.count && line[mark.column - 1] == "{"
    }
}
