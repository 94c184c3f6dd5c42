#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Nanoseconds from a clock that never jumps: the link's deadlines and the emulator's device time.
public enum MonotonicClock {
    /// Nanoseconds since an arbitrary origin (boot, typically).
    @inline(__always)
    public static func nanoseconds() -> UInt64 {
        var now = timespec()
        // CLOCK_MONOTONIC does not follow wall-clock adjustments, so a deadline cannot move.
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
    }

    /// Seconds since an arbitrary origin.
    @inline(__always)
    public static func seconds() -> Double { Double(nanoseconds()) * 1e-9 }
}
