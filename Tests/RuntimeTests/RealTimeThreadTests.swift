import Foundation
import MonotonicTime
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// `RealTimeThread`: the calling thread alone goes under SCHED_FIFO — every other thread of the
/// process stays as it was, and a thread it starts begins at normal priority (SCHED_RESET_ON_FORK)
/// rather than inheriting the loop's — and leaving puts it back. Where the OS refuses, the refusal is
/// reported and nothing changes: `RealTimePriorityTests` runs `armature` without CAP_SYS_NICE for that.
final class RealTimeThreadTests: XCTestCase {
    #if os(Linux)
    /// Each thread's scheduling policy (field 41 of /proc/self/task/TID/stat), by thread id.
    private func policies() throws -> [Int32: Int32] {
        var result: [Int32: Int32] = [:]
        for task in try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task") {
            guard let stat = try? String(contentsOfFile: "/proc/self/task/\(task)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }  // a thread that ended meanwhile
            // After the command name, "state" is field 3; policy is field 41.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            result[Int32(task)!] = Int32(fields[38])!
        }
        return result
    }

    func testOnlyTheCallingThreadRunsUnderSCHED_FIFOAndThreadsItStartsBeginAtNormalPriority() throws {
        let resetOnFork: Int32 = 0x4000_0000
        XCTAssertEqual(sched_getscheduler(0), SCHED_OTHER, "the test starts at normal priority")
        // Memory stays unlocked: the test process is not the one to lock.
        let entered = RealTimeThread.enter(priority: 10, lockingMemory: false)
        defer { entered.leave() }
        guard entered.priority == 10 else {
            throw XCTSkip("the OS refused SCHED_FIFO here (\(entered)); RealTimePriorityTests covers the refusal")
        }
        XCTAssertEqual(entered.description, "SCHED_FIFO 10")
        XCTAssertEqual(sched_getscheduler(0), SCHED_FIFO | resetOnFork)

        // A thread started from the real-time one, with default attributes (its scheduling inherited).
        final class Seen: @unchecked Sendable { var policy: Int32 = -1 }
        let seen = Seen()
        var child = pthread_t()
        let context = Unmanaged.passRetained(seen).toOpaque()
        XCTAssertEqual(
            pthread_create(
                &child, nil,
                { context in
                    let seen = Unmanaged<Seen>.fromOpaque(context!).takeRetainedValue()
                    seen.policy = sched_getscheduler(0)
                    return nil
                }, context), 0)
        pthread_join(child, nil)
        XCTAssertEqual(seen.policy, SCHED_OTHER, "a thread the loop starts (the learner, a worker) is not real-time")

        // /proc/thread-self is "PID/task/TID" for the calling thread (Glibc does not export gettid).
        let me = try XCTUnwrap(Int32(URL(fileURLWithPath: FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self")).lastPathComponent))
        let all = try policies()
        XCTAssertEqual(all[me], SCHED_FIFO)
        XCTAssertEqual(all.filter { $0.key != me && $0.value != SCHED_OTHER }, [:], "no other thread changed")

        entered.leave()
        XCTAssertEqual(sched_getscheduler(0), SCHED_OTHER, "leaving puts the thread back")
    }

    /// Locked memory is locked as it is touched, never filled all at once: with plain MCL_FUTURE a
    /// mapping another thread makes (the learner's BLAS buffers) is filled while the process's memory
    /// map is held, and the loop thread waited past the device's watchdog behind it.
    func testMemoryMappedAfterLockingIsNotFilledAtOnce() throws {
        let entered = RealTimeThread.enter(priority: 10, lockingMemory: true)
        defer { entered.leave() }
        guard entered.memoryLocked else {
            throw XCTSkip("the OS refused to lock memory here (\(entered.memoryRefusal ?? "unknown")); nothing to check")
        }
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let pages = 16_384  // 64 MiB of 4 KiB pages
        let length = pages * pageSize
        let region = try XCTUnwrap(mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
        XCTAssertNotEqual(region, MAP_FAILED)
        defer { munmap(region, length) }
        var resident = [UInt8](repeating: 0, count: pages)
        func residentPages() -> Int {
            XCTAssertEqual(mincore(region, length, &resident), 0)
            return resident.filter { $0 & 1 != 0 }.count
        }
        XCTAssertEqual(residentPages(), 0, "a new mapping is not filled when it is made")
        region.storeBytes(of: 1, toByteOffset: 0, as: UInt8.self)
        region.storeBytes(of: 1, toByteOffset: 10 * pageSize, as: UInt8.self)
        XCTAssertEqual(residentPages(), 2, "pages come in as they are touched")
    }
    #endif
}
