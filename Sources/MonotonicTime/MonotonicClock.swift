#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one clock for deadlines: CLOCK_MONOTONIC never follows wall-clock adjustments, so a
/// deadline cannot move. Used by the serial link's timeouts, the emulator's device time, the
/// deploy loop and real-time training.
public enum MonotonicClock {
    /// Nanoseconds since an arbitrary origin (boot, typically).
    @inline(__always)
    public static func nanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
    }

    /// Seconds since an arbitrary origin.
    @inline(__always)
    public static func seconds() -> Double { Double(nanoseconds()) * 1e-9 }

    /// Sleeps until the absolute time `deadline` (in `seconds()`): no drift from relative sleeps.
    public static func sleep(until deadline: Double) {
        #if canImport(Glibc)
        let whole = deadline.rounded(.down)
        var target = timespec(tv_sec: Int(whole), tv_nsec: Int((deadline - whole) * 1e9))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &target, nil) == EINTR {}
        #else
        let remaining = deadline - seconds()
        if remaining > 0 { usleep(useconds_t(remaining * 1e6)) }
        #endif
    }
}
