/// The one fixed-rate schedule every loop that paces an arm runs on — deployment, evaluation on
/// hardware, real-time training: absolute deadlines on the monotonic clock (lateness never
/// accumulates), a wait that a stop request wakes, late cycles that skip their missed deadlines
/// rather than burst to catch up, and the timing statistics of all of it.
public struct PeriodicSchedule: Sendable {
    /// What ended a wait.
    public enum Wake: Sendable, Equatable {
        /// The next cycle's deadline came: do its work, then `finishCycle()`.
        case tick
        /// The run's end came before the next deadline.
        case ended
        /// A stop was requested while waiting.
        case stopped
    }

    public let period: Double
    /// When false nothing sleeps (simulation, lockstep emulation): cycles run back to back and
    /// only their work is timed.
    public let realTime: Bool
    public private(set) var timing: LoopTiming
    private var deadline = 0.0
    private var lastWake: Double?
    private var wake = 0.0

    public init(period: Double, realTime: Bool, expectedCycles: Int) {
        self.period = period
        self.realTime = realTime
        timing = LoopTiming(period: period, capacity: min(max(expectedCycles, 0) + 16, 4_000_000))
    }

    /// Starts the deadlines from now: after a reset (homing a real arm takes as long as it takes)
    /// and at the beginning.
    public mutating func restart() {
        deadline = MonotonicClock.seconds()
        lastWake = nil
    }

    /// Waits for the next deadline, or for `end` when that comes first, unless `stop` is requested.
    /// A deadline that lands on `end` up to the rounding of summed periods still ticks, so a 1 s
    /// run at 50 Hz has its 50 cycles.
    public mutating func waitForNextCycle(until end: Double = .infinity, unless stop: StopRequest) -> Wake {
        deadline += period
        if realTime {
            let beforeTheEnd = deadline <= end + period * 1e-6
            guard MonotonicClock.sleep(until: beforeTheEnd ? deadline : end, unless: stop) else { return .stopped }
            if !beforeTheEnd { return .ended }
        } else if stop.isRequested {
            return .stopped
        }
        wake = MonotonicClock.seconds()
        if realTime { timing.jitter.record(max(0, wake - deadline)) }
        if let lastWake { timing.actualPeriod.record(wake - lastWake) }
        lastWake = wake
        return .tick
    }

    /// Records the cycle's work, less `idle` seconds it spent waiting (a real-time arm waiting for
    /// its period to end before reading); a cycle that ran past the next deadline is an overrun.
    public mutating func finishCycle(idle: Double = 0) {
        let finished = MonotonicClock.seconds()
        timing.work.record(max(0, finished - wake - idle))
        if realTime && finished > deadline + period {
            timing.overruns += 1
            // Skip the missed deadlines instead of bursting to catch up.
            deadline = finished - period
        }
    }
}
