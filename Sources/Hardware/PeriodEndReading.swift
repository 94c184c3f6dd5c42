import MonotonicTime

/// When a real-time arm reads the state a control period ends in.
///
/// `ArmBackend.step` means the same on every backend: the torque acts for one control period and
/// the state returned is the state that period ends in. A simulator integrates the period; a
/// lockstep device advances its physics one period per command. A real arm answers the command at
/// once, with the state it was in *before* the torque acted: used as the next observation, that
/// state is one period old when the next action is chosen, the action's effect shows up one
/// transition late, and a learner sees a plant it cannot predict (on the reacher, SAC that solves
/// in 20 000 steps learned nothing in 30 000). So a real-time backend waits for the period to end
/// and reads the arm again, as ros2_control's read → update → write cycle reads at the start of
/// each cycle.
///
/// The reading is taken `readAhead` before the period's end, so that it is back before the loop's
/// next deadline and the next command leaves on time; the state the action is chosen from is then
/// `readAhead` plus the action's compute old (3 ms at 50 Hz), instead of a whole period. Readings stay on the
/// absolute grid that the first command after a `restart` sets — the loop's deadlines up to that
/// command's lateness — so a late command does not push later readings back with it. A command
/// that comes after its reading time (the loop overran, or a new episode began without
/// `restart`) starts the grid again from itself.
public struct PeriodEndReading: Sendable {
    /// Control period, s.
    public let period: Double
    /// How long before the period's end the state is read, s: 15 % of the period, at least 1.5 ms,
    /// at most half the period. The grid starts at a command, which leaves a loop's deadline after
    /// its wake-up and the action's compute (0.3–0.4 ms in a real-time train), so the reading has
    /// the rest for its round trip: at 50 Hz with a tenth (2 ms), the 1.7 ms round trips of a busy
    /// machine made 1.4 % of cycles overrun in a 60 000-step real-time train.
    public let readAhead: Double
    private var nextReading: Double?

    public init(period: Double) {
        self.period = period
        readAhead = min(period / 2, max(0.0015, period * 0.15))
    }

    /// A new run of steps (activation, a move, a read between episodes): the next command sets the grid.
    public mutating func restart() { nextReading = nil }

    /// When to read the state for a command that went out at `commandTime`.
    public mutating func readingTime(commandedAt commandTime: Double) -> Double {
        let reading: Double
        if let next = nextReading, next > commandTime, next - commandTime <= period {
            reading = next
        } else {
            reading = commandTime + period - readAhead
        }
        nextReading = reading + period
        return reading
    }

    /// Sleeps until the reading for a command sent at `commandTime`; returns the seconds slept.
    /// Under a period, so no stop request wakes it: a stop is seen at the loop's next deadline, and
    /// an e-stop goes to the device directly.
    public mutating func waitForReading(commandedAt commandTime: Double) -> Double {
        let reading = readingTime(commandedAt: commandTime)
        let started = MonotonicClock.seconds()
        MonotonicClock.sleep(until: reading, unless: StopRequest())
        return MonotonicClock.seconds() - started
    }
}
