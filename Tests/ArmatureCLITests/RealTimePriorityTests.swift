import Foundation
import TestSupport
import XCTest

/// `--realtime-priority`: a priority SCHED_FIFO does not have, or one asked of a loop that never waits,
/// is refused before anything runs; one the OS refuses (no CAP_SYS_NICE, RLIMIT_RTPRIO 0: an ordinary
/// user, a container) leaves the run going at normal priority after one warning, and the summary says
/// why; one the OS grants puts the loop's thread alone under SCHED_FIFO — the live page's server and the
/// recording's writer stay at normal priority.
final class RealTimePriorityTests: XCTestCase {
    private func temporaryDirectory() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("armature-realtime-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        return directory.path
    }

    func testAPriorityOutsideSCHED_FIFOsRangeOrForALoopThatNeverWaitsIsRefused() throws {
        // Checked before the policy is read: no policy needed.
        let run = ["run", "--sim", "--policy", "absent.safetensors", "--duration", "1"]
        for value in ["100", "-1"] {
            assertUsageError(
                try CommandRunner.armature(run + ["--realtime-priority=\(value)"]),
                mentions: "--realtime-priority is a SCHED_FIFO priority from 1 to 99, or 0 for normal priority (got \(value))")
        }
        assertUsageError(
            try CommandRunner.armature(run + ["--realtime-priority", "10", "--as-fast-as-possible"]),
            mentions: "--as-fast-as-possible never waits")
        assertUsageError(
            try CommandRunner.armature(["train", "--steps", "10", "--out", try temporaryDirectory() + "/run", "--realtime-priority", "10"]),
            mentions: "only with --port and without --lockstep")
    }

    func testARunTheOSRefusesRealTimeGoesOnAtNormalPriorityAfterOneWarning() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit"),
            geteuid() != 0 || FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")
        else { throw XCTSkip("util-linux's prlimit (and, as root, setpriv) are needed to take the real-time privileges away") }
        let policy = try CommandRunner.tinyPolicy(in: try temporaryDirectory())
        // Asked for, and --live's default: each refused, one warning, the run completes.
        for (extra, priority) in [(["--realtime-priority", "80"], 80), (["--live", "127.0.0.1:0"], 50)] {
            let result = try CommandRunner.armature(
                ["run", "--sim", "--policy", policy, "--duration", "0.3"] + extra, withoutRealTimePrivileges: true)
            XCTAssertEqual(result.status, 0, result.stderr)
            let warnings = result.stderr.split(separator: "\n").filter { $0.hasPrefix("warning: ") }
            XCTAssertEqual(warnings.count, 1, result.stderr)
            XCTAssertTrue(
                warnings.first?.contains("loop thread: normal priority (SCHED_FIFO \(priority) refused: Operation not permitted") ?? false,
                result.stderr)
            XCTAssertTrue(warnings.first?.contains("memory not locked (RLIMIT_MEMLOCK is 8 MiB and no CAP_IPC_LOCK") ?? false, result.stderr)
            XCTAssertTrue(result.stdout.contains("loop thread: normal priority (SCHED_FIFO \(priority) refused"), result.stdout)
            XCTAssertTrue(result.stdout.contains("stop: completed; torque off"), result.stdout)
        }
    }

    #if os(Linux)
    func testAGrantedPriorityPutsTheLoopsThreadAloneUnderSCHED_FIFO() throws {
        let directory = try temporaryDirectory()
        let policy = try CommandRunner.tinyPolicy(in: directory)
        let run = try RunningCommand([
            "run", "--sim", "--policy", policy, "--duration", "600", "--live", "127.0.0.1:0", "--record", directory + "/run.mcap",
            "--realtime-priority", "10",
        ])
        XCTAssertTrue(run.waitForOutput(containing: "running", timeout: 30), run.standardError)
        let pid = run.process.processIdentifier
        /// Every thread's scheduling policy (field 41 of its stat), by thread id.
        func policies() -> [Int32: Int32] {
            var result: [Int32: Int32] = [:]
            for task in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? [] {
                guard let stat = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/stat", encoding: .utf8),
                    let close = stat.lastIndex(of: ")")
                else { continue }
                result[Int32(task)!] = Int32(stat[stat.index(after: close)...].split(separator: " ")[38])!
            }
            return result
        }
        // The loop takes its priority just after printing "running"; a refused one never shows.
        var seen = policies()
        let deadline = Date().addingTimeInterval(10)
        while !seen.values.contains(SCHED_FIFO) && Date() < deadline {
            usleep(10_000)
            seen = policies()
        }
        run.send(SIGTERM)
        XCTAssertTrue(run.waitForExit(timeout: 20))
        XCTAssertEqual(run.process.terminationStatus, 0, run.standardError)
        guard run.standardOutput.contains("loop thread: SCHED_FIFO 10") else {
            throw XCTSkip("the OS refused SCHED_FIFO here: \(run.standardError)")
        }
        XCTAssertEqual(seen[pid], SCHED_FIFO, "the command's thread runs the loop: \(seen)")
        XCTAssertGreaterThan(seen.count, 2, "the server's and the writer's threads exist: \(seen)")
        XCTAssertEqual(seen.filter { $0.key != pid && $0.value != SCHED_OTHER }, [:], "every other thread at normal priority")
        XCTAssertFalse(run.standardError.contains("refused"), run.standardError)
    }
    #endif
}
