import ArgumentParser
import MonotonicTime

/// `--realtime-priority N`, the same for every command whose loop paces an arm in real time (`run`,
/// `train --port` without --lockstep): the loop's own thread under SCHED_FIFO with the process's memory
/// locked (`RealTimeThread`), everything else — the live page's server, the recording's writer, the
/// learner — at normal priority. Asked for and refused by the OS, the run goes on as before with one
/// warning; the summary says how the loop thread ran either way.
enum RealTimeOption {
    static let help = ArgumentHelp(
        "SCHED_FIFO priority (1 to 99) for the control loop's thread alone, with the process's memory locked; 0: normal priority. "
            + "Default: \(withLive) with --live (the page's server and browser then share the cores with the loop), else 0. "
            + "Where the OS refuses (no CAP_SYS_NICE and RLIMIT_RTPRIO below it, as for an ordinary user or in a container) "
            + "the loop runs at normal priority after one warning.",
        valueName: "n")

    /// What `--live` asks for when the option is not given: ros2_control's default for its controller manager.
    static let withLive = 50

    /// Refuses a priority SCHED_FIFO does not have, and one given where no loop paces to the wall clock.
    static func validate(_ value: Int?, pacedLoop: Bool, unpacedReason: String) throws {
        guard let value else { return }
        guard value == 0 || RealTimeThread.priorities.contains(value) else {
            throw ValidationError("--realtime-priority is a SCHED_FIFO priority from 1 to 99, or 0 for normal priority (got \(value))")
        }
        if value > 0 && !pacedLoop {
            throw ValidationError("--realtime-priority is for a loop paced to the wall clock; \(unpacedReason)")
        }
    }

    /// The priority to ask for: the option's, else `withLive` with a live page, else none (0).
    static func priority(_ value: Int?, live: Bool, pacedLoop: Bool) -> Int {
        guard pacedLoop else { return 0 }
        return value ?? (live ? withLive : 0)
    }

    /// Call on the loop's thread just before the loop: nil at priority 0; prints one warning when the OS refused.
    static func enter(priority: Int) -> RealTimeThread? {
        guard priority > 0 else { return nil }
        let thread = RealTimeThread.enter(priority: priority)
        if thread.priority == nil || thread.memoryRefusal != nil { printWarning("loop thread: \(thread)") }
        return thread
    }

    /// The summary's line: how the loop's thread ran.
    static func report(_ thread: RealTimeThread?) -> String {
        "loop thread: " + (thread.map(\.description) ?? "normal priority")
    }
}
