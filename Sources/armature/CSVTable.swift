import FileAccess
import Foundation

/// A numeric CSV read one row at a time, in bounded memory whatever its length: a header of column
/// names, then rows of finite numbers. Errors name the file, the line and the column.
final class CSVReader {
    let path: String
    let columns: [String]
    private let lines: RegularFile.Lines

    /// Opens `path` and reads its header, which must be exactly `expectedColumns` (in order) when given.
    init(path: String, expectedColumns: [String]? = nil) throws {
        self.path = path
        do { lines = try RegularFile.Lines(path: path) } catch { throw UserFacingError(error.description) }
        guard let header = try Self.text(lines, path: path) else { throw UserFacingError("\(path): empty file; expected a header line") }
        columns = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if let expectedColumns, columns != expectedColumns {
            throw UserFacingError(
                "\(path):1: header is '\(columns.joined(separator: ","))' but this robot needs '\(expectedColumns.joined(separator: ","))'")
        }
    }

    /// The share of the file read so far, 0 to 1.
    var progress: Double { lines.size > 0 ? Double(lines.bytesRead) / Double(lines.size) : 1 }

    /// The next row into `row` (resized to the column count); false at the end. Blank lines at the end are skipped.
    func next(into row: inout [Double]) throws -> Bool {
        while let line = try Self.text(lines, path: path) {
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            let number = lines.lineNumber
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            guard cells.count == columns.count else {
                throw UserFacingError("\(path):\(number): \(cells.count) values but the header has \(columns.count)")
            }
            if row.count != columns.count { row = Array(repeating: 0, count: columns.count) }
            for (column, cell) in cells.enumerated() {
                let trimmed = cell.trimmingCharacters(in: .whitespaces)
                guard let value = Double(trimmed), value.isFinite else {
                    throw UserFacingError("\(path):\(number): column \(columns[column]): '\(trimmed)' is not a finite number")
                }
                row[column] = value
            }
            return true
        }
        return false
    }

    private static func text(_ lines: RegularFile.Lines, path: String) throws -> String? {
        let bytes: [UInt8]?
        do { bytes = try lines.next() } catch { throw UserFacingError(error.description) }
        guard let bytes else { return nil }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw UserFacingError("\(path):\(lines.lineNumber): not UTF-8 text; expected a CSV file")
        }
        return text
    }
}

/// A numeric CSV written row by row and put in place whole when `commit` is called (an atomic
/// replacement: until then, and after an error, the old file stays). Values print to full precision.
final class CSVWriter {
    private let writer: AtomicFile.Writer
    private var pending: [UInt8] = []

    init(path: String, columns: [String]) throws {
        do { writer = try AtomicFile.Writer(path: path) } catch { throw UserFacingError(error.description) }
        pending.append(contentsOf: (columns.joined(separator: ",") + "\n").utf8)
    }

    func append(_ row: [Double]) throws {
        let text = row.map { $0 == $0.rounded() && abs($0) < 1e15 ? String(Int($0)) : String(format: "%.12g", $0) }
        pending.append(contentsOf: (text.joined(separator: ",") + "\n").utf8)
        if pending.count >= 1 << 16 { try flush() }
    }

    func commit() throws {
        try flush()
        do { try writer.commit() } catch { throw UserFacingError(error.description) }
    }

    private func flush() throws {
        do { try writer.append(pending) } catch { throw UserFacingError(error.description) }
        pending.removeAll(keepingCapacity: true)
    }
}
