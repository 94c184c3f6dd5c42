import XCTest

@testable import Hardware

/// When a real-time arm reads the state its control period ends in.
final class PeriodEndReadingTests: XCTestCase {
    func testTheReadingComesATenthOfAPeriodBeforeTheEndWithinItsBounds() {
        XCTAssertEqual(PeriodEndReading(period: 0.02).readAhead, 0.002, accuracy: 1e-12)
        // At least a millisecond (a loaded USB round trip), at most half the period.
        XCTAssertEqual(PeriodEndReading(period: 0.005).readAhead, 0.001, accuracy: 1e-12)
        XCTAssertEqual(PeriodEndReading(period: 0.001).readAhead, 0.0005, accuracy: 1e-12)
        XCTAssertEqual(PeriodEndReading(period: 1).readAhead, 0.1, accuracy: 1e-12)
    }

    func testReadingsStayOnTheFirstCommandsGridWhenLaterCommandsAreLate() {
        var reading = PeriodEndReading(period: 0.02)
        XCTAssertEqual(reading.readingTime(commandedAt: 10.000), 10.018, accuracy: 1e-9)
        // The loop woke 0.3 ms late and took 0.2 ms to act: the reading does not slip with it.
        XCTAssertEqual(reading.readingTime(commandedAt: 10.0205), 10.038, accuracy: 1e-9)
        XCTAssertEqual(reading.readingTime(commandedAt: 10.0401), 10.058, accuracy: 1e-9)
    }

    func testACommandAfterItsReadingTimeStartsTheGridAgain() {
        var reading = PeriodEndReading(period: 0.02)
        _ = reading.readingTime(commandedAt: 10.000)
        // An overrun: the next command comes after the reading it should have preceded.
        XCTAssertEqual(reading.readingTime(commandedAt: 10.045), 10.063, accuracy: 1e-9)
        XCTAssertEqual(reading.readingTime(commandedAt: 10.0651), 10.083, accuracy: 1e-9)
    }

    func testRestartLetsTheNextCommandSetTheGrid() {
        var reading = PeriodEndReading(period: 0.02)
        _ = reading.readingTime(commandedAt: 10.000)
        // A new episode began 5 ms later (a quick read of where the arm is): without the restart the
        // old grid would read 13 ms after this command instead of 18.
        reading.restart()
        XCTAssertEqual(reading.readingTime(commandedAt: 10.025), 10.043, accuracy: 1e-9)
    }
}
