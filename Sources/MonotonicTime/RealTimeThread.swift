#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The loop thread under a real-time scheduling policy, as ros2_control runs its controller manager:
/// the thread that paces an arm (`PeriodicSchedule`) asks for SCHED_FIFO, so that when its deadline
/// comes no thread at normal priority on the same cores — a live page's server and browser, the
/// recording's writer, the learner, a compile — runs instead of it, and the process's memory is locked
/// so that no page fault stalls a cycle. (What is left is the kernel's own: on a kernel without full
/// preemption, another task's system call runs to its next preemption point first.) Only the calling thread's policy changes (pthread_setschedparam on that thread, never
/// sched_setscheduler on the process), and with SCHED_RESET_ON_FORK, so every thread it starts (the
/// learner, Swift concurrency's and Dispatch's workers) starts at normal priority instead of inheriting it.
///
/// The OS may refuse: without CAP_SYS_NICE a priority above RLIMIT_RTPRIO is EPERM (an ordinary user,
/// a container without --cap-add=SYS_NICE). Nothing then changes and `refusal` says why; the caller
/// decides how loudly to say so. `leave()` puts the thread (and the memory) back as they were.
public struct RealTimeThread: Sendable, CustomStringConvertible {
    /// SCHED_FIFO's priorities on Linux (sched_get_priority_min/max).
    public static let priorities = 1...99

    /// The SCHED_FIFO priority asked for.
    public let requested: Int
    /// The SCHED_FIFO priority the thread runs at; nil when refused (it runs as before).
    public let priority: Int?
    /// Why the priority was refused (nil when granted).
    public let refusal: String?
    /// Whether the process's memory is locked: every page touched, before or after, stays in memory.
    public let memoryLocked: Bool
    /// Why memory was not locked (nil when locked, or when locking was not asked for).
    public let memoryRefusal: String?

    private let previousPolicy: Int32
    private let previousPriority: Int32

    /// Puts the calling thread under SCHED_FIFO at `priority` (1–99) and, with `lockingMemory`, locks
    /// the process's memory (mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)). Never fails: what the OS refused is
    /// reported, and the thread stays as it was.
    public static func enter(priority: Int, lockingMemory: Bool = true) -> RealTimeThread {
        precondition(priorities.contains(priority), "a SCHED_FIFO priority is 1 to 99")
        let memory = lockingMemory ? lockMemory() : (locked: false, refusal: nil)
        let thread = pthread_self()
        var previous = sched_param()
        var previousPolicy: Int32 = 0
        _ = pthread_getschedparam(thread, &previousPolicy, &previous)
        var parameters = sched_param()
        parameters.sched_priority = Int32(priority)
        let result = pthread_setschedparam(thread, fifoResettingOnFork, &parameters)
        return RealTimeThread(
            requested: priority, priority: result == 0 ? priority : nil, refusal: result == 0 ? nil : refusalText(result, priority: priority),
            memoryLocked: memory.locked, memoryRefusal: memory.refusal,
            previousPolicy: previousPolicy & ~resetOnFork, previousPriority: previous.sched_priority)
    }

    /// Puts the thread back under the policy it had and unlocks the memory this locked. Call it on the
    /// thread that entered, once the loop is over (the command's own work after it needs no real-time policy).
    public func leave() {
        if priority != nil {
            var parameters = sched_param()
            parameters.sched_priority = previousPriority
            _ = pthread_setschedparam(pthread_self(), previousPolicy, &parameters)
        }
        if memoryLocked { _ = munlockall() }
    }

    /// "SCHED_FIFO 80, memory locked", or what was refused and why.
    public var description: String {
        let scheduling = priority.map { "SCHED_FIFO \($0)" } ?? "normal priority (SCHED_FIFO \(requested) refused: \(refusal ?? "?"))"
        let memory = memoryLocked ? "memory locked" : memoryRefusal.map { "memory not locked (\($0))" }
        return ([scheduling] + (memory.map { [$0] } ?? [])).joined(separator: ", ")
    }

    // MARK: System calls

    /// sched.h's SCHED_RESET_ON_FORK (Linux): threads and processes this thread creates start under
    /// SCHED_OTHER. Not exported to Swift; pthread_setschedparam passes it through to the kernel.
    private static let resetOnFork: Int32 = 0x4000_0000

    private static var fifoResettingOnFork: Int32 {
        #if os(Linux)
        SCHED_FIFO | resetOnFork
        #else
        SCHED_FIFO
        #endif
    }

    private static func refusalText(_ code: Int32, priority: Int) -> String {
        let text = String(cString: strerror(code))
        guard code == EPERM else { return text }
        #if os(Linux)
        var limit = rlimit()
        let rtprio = getrlimit(__rlimit_resource_t(__RLIMIT_RTPRIO.rawValue), &limit) == 0 ? limitText(limit.rlim_cur) : "?"
        return "\(text): it takes CAP_SYS_NICE or an RLIMIT_RTPRIO of at least \(priority), which is \(rtprio) here "
            + "(`ulimit -r \(priority)`, rtprio in /etc/security/limits.conf, or a container's --cap-add=SYS_NICE)"
        #else
        return text
        #endif
    }

    /// mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) where it cannot backfire: with MCL_FUTURE every later
    /// allocation counts against RLIMIT_MEMLOCK, so under a finite limit without CAP_IPC_LOCK one
    /// could fail mid-run. Locked only when the limit is unlimited or the process holds CAP_IPC_LOCK.
    private static func lockMemory() -> (locked: Bool, refusal: String?) {
        #if os(Linux)
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(__RLIMIT_MEMLOCK.rawValue), &limit) == 0 else {
            return (false, String(cString: strerror(errno)))
        }
        guard limit.rlim_cur == unlimited || holdsCapability(14) else {  // CAP_IPC_LOCK
            return (false, "RLIMIT_MEMLOCK is \(limitText(limit.rlim_cur)) and no CAP_IPC_LOCK: `ulimit -l unlimited`")
        }
        guard mlockall(MCL_CURRENT | MCL_FUTURE | onFault) == 0 else { return (false, String(cString: strerror(errno))) }
        return (true, nil)
        #else
        return (false, "not on this OS")
        #endif
    }

    /// MCL_ONFAULT (Linux 4.4): pages are locked as they are first touched instead of all at once.
    /// Without it MCL_FUTURE fills every new mapping when it is made, holding the process's memory
    /// map lock: the learner's first update (OpenBLAS maps tens of MiB of buffers) then stalled the
    /// loop thread past the device's 100 ms watchdog on every resumed real-time run.
    static let onFault: Int32 = 4

    /// RLIM_INFINITY, ((rlim_t) -1), which Swift does not import.
    private static let unlimited = rlim_t.max

    private static func limitText(_ value: rlim_t) -> String {
        if value == unlimited { return "unlimited" }
        return value >= 1 << 20 && value % (1 << 20) == 0 ? "\(value >> 20) MiB" : value >= 1024 ? "\(value >> 10) KiB" : "\(value)"
    }

    /// Whether capability `number` is in the process's effective set (/proc/self/status, CapEff).
    private static func holdsCapability(_ number: Int) -> Bool {
        guard let file = fopen("/proc/self/status", "r") else { return false }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard text.hasPrefix("CapEff:") else { continue }
            let mask = UInt64(String(text.dropFirst("CapEff:".count).filter(\.isHexDigit)), radix: 16) ?? 0
            return mask & (1 << UInt64(number)) != 0
        }
        return false
    }

    private init(
        requested: Int, priority: Int?, refusal: String?, memoryLocked: Bool, memoryRefusal: String?, previousPolicy: Int32, previousPriority: Int32
    ) {
        self.requested = requested
        self.priority = priority
        self.refusal = refusal
        self.memoryLocked = memoryLocked
        self.memoryRefusal = memoryRefusal
        self.previousPolicy = previousPolicy
        self.previousPriority = previousPriority
    }
}
