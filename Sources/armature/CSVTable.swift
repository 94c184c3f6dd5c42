import FileAccess
import Foundation

/// A numeric CSV file: a header of column names and rows of finite numbers.
struct CSVTable {
    var columns: [String]
    var rows: [[Double]]

    /// Reads `path`, requiring exactly `expectedColumns` (in order) when given; errors name file, line and column.
    static func read(path: String, expectedColumns: [String]? = nil) throws -> CSVTable {
        let bytes: [UInt8]
        do { bytes = try RegularFile.read(path) } catch { throw UserFacingError(error.description) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw UserFacingError("\(path): not UTF-8 text; expected a CSV file")
        }
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        while let last = lines.last, last.trimmingCharacters(in: .whitespaces).isEmpty { lines.removeLast() }
        guard let headerLine = lines.first else { throw UserFacingError("\(path): empty file; expected a header line") }
        let columns = headerLine.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if let expectedColumns, columns != expectedColumns {
            throw UserFacingError(
                "\(path):1: header is '\(columns.joined(separator: ","))' but this robot needs '\(expectedColumns.joined(separator: ","))'")
        }
        var rows: [[Double]] = []
        for (index, line) in lines.enumerated().dropFirst() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            guard cells.count == columns.count else {
                throw UserFacingError("\(path):\(index + 1): \(cells.count) values but the header has \(columns.count)")
            }
            var row: [Double] = []
            for (column, cell) in cells.enumerated() {
                let trimmed = cell.trimmingCharacters(in: .whitespaces)
                guard let value = Double(trimmed), value.isFinite else {
                    throw UserFacingError("\(path):\(index + 1): column \(columns[column]): '\(trimmed)' is not a finite number")
                }
                row.append(value)
            }
            rows.append(row)
        }
        return CSVTable(columns: columns, rows: rows)
    }

    /// Writes the table with values printed to full double precision.
    func write(path: String) throws {
        var text = columns.joined(separator: ",") + "\n"
        for row in rows {
            text += row.map { $0 == $0.rounded() && abs($0) < 1e15 ? String(Int($0)) : String(format: "%.12g", $0) }
                .joined(separator: ",") + "\n"
        }
        do { try AtomicFile.write(Array(text.utf8), to: path) } catch { throw UserFacingError(error.description) }
    }
}
