#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The monotonic clock the control loop schedules on, in seconds, and absolute-deadline sleep.
public enum MonotonicClock {
    public static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    /// Sleeps until the absolute monotonic time `deadline` (no drift from relative sleeps).
    public static func sleep(until deadline: Double) {
        #if canImport(Glibc)
        var target = timespec(tv_sec: Int(deadline), tv_nsec: Int((deadline - Double(Int(deadline))) * 1e9))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &target, nil) == EINTR {}
        #else
        let remaining = deadline - now()
        if remaining > 0 { usleep(useconds_t(remaining * 1e6)) }
        #endif
    }
}
