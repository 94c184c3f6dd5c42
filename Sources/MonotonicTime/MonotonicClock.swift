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

    /// The longest a sleep goes without looking at its stop request: the most a stop waits.
    public static let stopLatency = 0.002

    /// Sleeps until the absolute time `deadline` (in `seconds()`; no drift from relative sleeps)
    /// unless `stop` is requested first. Returns true at the deadline, false as soon as a stop is
    /// requested, within `stopLatency` however far away the deadline is (a 0.01 Hz loop sleeps 100 s).
    /// Long waits are slept in bounded slices that look at the request; the last slice ends at the
    /// deadline itself, so waking is as precise as one absolute sleep.
    @discardableResult
    public static func sleep(until deadline: Double, unless stop: StopRequest) -> Bool {
        while !stop.isRequested {
            let now = seconds()
            if now >= deadline { return true }
            let wake = min(deadline, now + stopLatency)
            sleep(until: wake)
            if wake == deadline { return true }
        }
        return false
    }

    /// One absolute sleep; callers go through `sleep(until:unless:)` so that every wait can be stopped.
    private static func sleep(until deadline: Double) {
        #if canImport(Glibc)
        let whole = deadline.rounded(.down)
        var target = timespec(tv_sec: Int(whole), tv_nsec: Int((deadline - whole) * 1e9))
        // Not SystemCall.retryingInterrupts: clock_nanosleep returns its error rather than setting errno,
        // and an absolute deadline makes the repeat exact.
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &target, nil) == EINTR {}
        #else
        let remaining = deadline - seconds()
        if remaining > 0 { usleep(useconds_t(remaining * 1e6)) }
        #endif
    }
}
