import XCTest

@testable import Hardware

/// When a real-time arm reads the state its control period ends in.
final class PeriodEndReadingTests: XCTestCase {
    func testTheReadingComesFifteenPercentOfAPeriodBeforeTheEndWithinItsBounds() {
        XCTAssertEqual(PeriodEndReading(period: 0.02).readAhead, 0.003, accuracy: 1e-12)
        // At least 1.5 ms (a loaded round trip and the action's compute), at most half the period.
        XCTAssertEqual(PeriodEndReading(period: 0.005).readAhead, 0.0015, accuracy: 1e-12)
        XCTAssertEqual(PeriodEndReading(period: 0.002).readAhead, 0.001, accuracy: 1e-12)
        XCTAssertEqual(PeriodEndReading(period: 1).readAhead, 0.15, accuracy: 1e-12)
    }

    func testReadingsStayOnTheFirstCommandsGridWhenLaterCommandsAreLate() {
        var reading = PeriodEndReading(period: 0.02)
        XCTAssertEqual(reading.readingTime(commandedAt: 10.000), 10.017, accuracy: 1e-9)
        // The loop woke 0.3 ms late and took 0.2 ms to act: the reading does not slip with it.
        XCTAssertEqual(reading.readingTime(commandedAt: 10.0205), 10.037, accuracy: 1e-9)
        XCTAssertEqual(reading.readingTime(commandedAt: 10.0401), 10.057, accuracy: 1e-9)
    }

    func testACommandAfterItsReadingTimeStartsTheGridAgain() {
        var reading = PeriodEndReading(period: 0.02)
        _ = reading.readingTime(commandedAt: 10.000)
        // An overrun: the next command comes after the reading it should have preceded.
        XCTAssertEqual(reading.readingTime(commandedAt: 10.045), 10.062, accuracy: 1e-9)
        XCTAssertEqual(reading.readingTime(commandedAt: 10.0651), 10.082, accuracy: 1e-9)
    }

    func testRestartLetsTheNextCommandSetTheGrid() {
        var reading = PeriodEndReading(period: 0.02)
        _ = reading.readingTime(commandedAt: 10.000)
        // A new episode began 5 ms later (a quick read of where the arm is): without the restart the
        // old grid would read 12 ms after this command instead of 17.
        reading.restart()
        XCTAssertEqual(reading.readingTime(commandedAt: 10.025), 10.042, accuracy: 1e-9)
    }
}
