#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import SystemCall
import XCTest

final class SystemCallTests: XCTestCase {
    func testACallInterruptedBySignalsIsMadeAgainUntilItCompletes() {
        var calls = 0
        let result = retryingInterrupts { () -> Int in
            calls += 1
            guard calls == 3 else {
                errno = EINTR
                return -1
            }
            return 5
        }
        XCTAssertEqual(result.value, 5)
        XCTAssertEqual(result.errno, 0)
        XCTAssertEqual(calls, 3)
    }

    func testAFailureOtherThanAnInterruptionIsReturnedWithItsErrno() {
        var calls = 0
        let result = retryingInterrupts { () -> Int in
            calls += 1
            return systemRead(-1, nil, 0)
        }
        XCTAssertEqual(result.value, -1)
        XCTAssertEqual(result.errno, EBADF)
        XCTAssertEqual(calls, 1)
        XCTAssertEqual(errnoDescription(EBADF), String(cString: strerror(EBADF)))
    }
}
