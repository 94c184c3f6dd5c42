import XCTest

/// A user error is one or more `error:` lines and exit status 1, never a crash or a trap.
public func assertUserError(_ result: CommandRunner.Result, mentions: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(result.status, 1, result.stderr, file: file, line: line)
    // Long work may print progress lines first (stderr, after a few quiet seconds); the error is a line of its own.
    let errorLines = result.stderr.split(separator: "\n").drop { !$0.hasPrefix("error: ") }
    XCTAssertFalse(errorLines.isEmpty, "no 'error: ' line in: \(result.stderr)", file: file, line: line)
    XCTAssertTrue(errorLines.joined(separator: "\n").contains(mentions), "expected '\(mentions)' in: \(result.stderr)", file: file, line: line)
    XCTAssertFalse(result.stderr.contains("Fatal error"), file: file, line: line)
    XCTAssertFalse(result.stderr.contains("Stack dump"), file: file, line: line)
}

/// An option refused by a command's validation: ArgumentParser's `Error:` line with the usage,
/// exit status 1, and no crash.
public func assertUsageError(_ result: CommandRunner.Result, mentions: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(result.status, 1, result.stderr, file: file, line: line)
    XCTAssertTrue(result.stderr.hasPrefix("Error: "), result.stderr, file: file, line: line)
    XCTAssertTrue(result.stderr.contains(mentions), "expected '\(mentions)' in: \(result.stderr)", file: file, line: line)
    XCTAssertFalse(result.stderr.contains("Fatal error"), file: file, line: line)
}
