import Foundation
import TestSupport
import XCTest

/// `run --live`: a client speaking the page's protocol (scripts/live-client.py, the `websockets` package)
/// receives joint states that are the run's own (the same episode, step and angles as its recording, the
/// drawn points their forward kinematics), presses the e-stop the way the page does and sees the run stop
/// with torque off; bound to a non-loopback address, a request without the printed token is refused.
final class LivePageTests: XCTestCase {
    private func temporaryDirectory() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("armature-live-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        return directory.path
    }

    private func requireWebSockets() throws {
        do { _ = try Python.run(["-c", "import websockets, mcap"]) } catch {
            // The test command installs it: missing, it is a broken setup to fix, not a test to skip.
            throw Python.Failure(description: "the live page's client needs the websockets package (\(Python.installHint)): \(error)")
        }
    }

    /// The page's address as printed at start-up.
    private func pageURL(_ run: RunningCommand) throws -> String {
        XCTAssertTrue(run.waitForOutput(containing: "running", timeout: 30), run.standardError)
        let line = try XCTUnwrap(run.standardOutputSoFar.split(separator: "\n").first { $0.hasPrefix("live page: http://") })
        return String(line.dropFirst("live page: ".count))
    }

    private func json(_ text: String) throws -> [String: Any] {
        let last = try XCTUnwrap(text.split(separator: "\n").last, text)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any], text)
    }

    func testTheEStopStopsARunWhoseStatesThePageShows() throws {
        try requireWebSockets()
        let directory = try temporaryDirectory()
        let policy = try CommandRunner.tinyPolicy(in: directory)
        let recording = directory + "/run.mcap"
        let run = try RunningCommand([
            "run", "--sim", "--policy", policy, "--duration", "600", "--live", "127.0.0.1:0", "--record", recording,
        ])
        let url = try pageURL(run)
        XCTAssertFalse(url.contains("token="), "loopback needs no token: \(url)")
        let page = try Data(contentsOf: XCTUnwrap(URL(string: url)))
        XCTAssertTrue(String(decoding: page, as: UTF8.self).contains("E-STOP"), "the page is served")

        let seen = directory + "/seen.json"
        let watched = try json(Python.run([RepositoryFiles.path("scripts/live-client.py"), "watch", url, seen, "--states", "40", "--estop"]))
        XCTAssertTrue(run.waitForExit(timeout: 20), "the e-stop must end a 600 s run")
        XCTAssertEqual(run.process.terminationReason, .exit)
        XCTAssertEqual(run.process.terminationStatus, 0, run.standardError)
        let output = run.standardOutput
        XCTAssertTrue(output.contains("e-stop pressed on the live page: torque off"), output)
        XCTAssertTrue(output.contains("stop: stopped on request; torque off"), output)

        XCTAssertEqual(watched["states"] as? Int, 40, "\(watched)")
        XCTAssertLessThan(try XCTUnwrap(watched["fk_error"] as? Double), 1e-9, "the drawn points are the angles' forward kinematics")
        XCTAssertEqual((watched["estop"] as? [String: Any])?["accepted"] as? Bool, true, "\(watched)")
        let stopped = try XCTUnwrap(watched["stopped"] as? [String: Any], "the page is told the run stopped: \(watched)")
        XCTAssertEqual(stopped["torque"] as? String, "off")
        XCTAssertEqual(stopped["estop"] as? Bool, true)
        XCTAssertEqual(stopped["reason"] as? String, "stopped on request")

        let compared = try json(Python.run([RepositoryFiles.path("scripts/live-client.py"), "compare", seen, recording]))
        XCTAssertGreaterThan(try XCTUnwrap(compared["matched"] as? Int), 30, "\(compared)")
        XCTAssertEqual(try XCTUnwrap(compared["worst_difference"] as? Double), 0, accuracy: 1e-12, "the page shows the recorded angles")
    }

    func testANonLoopbackPageRefusesTheEStopWithoutItsToken() throws {
        try requireWebSockets()
        let directory = try temporaryDirectory()
        let policy = try CommandRunner.tinyPolicy(in: directory)
        // Bound to every address; the test's requests still go to 127.0.0.1 only.
        let run = try RunningCommand(["run", "--sim", "--policy", policy, "--duration", "600", "--live", "0.0.0.0:0"])
        let printed = try pageURL(run)
        let token = try XCTUnwrap(URLComponents(string: printed)?.queryItems?.first { $0.name == "token" }?.value, printed)
        XCTAssertEqual(token.count, 32)
        let port = try XCTUnwrap(URLComponents(string: printed)?.port)
        let base = "http://127.0.0.1:\(port)"

        func status(_ method: String, _ path: String) throws -> Int {
            let code = try Python.run([
                "-c",
                """
                import sys, urllib.request, urllib.error
                try:
                    print(urllib.request.urlopen(urllib.request.Request(sys.argv[1], method=sys.argv[2]), timeout=10).status)
                except urllib.error.HTTPError as e:
                    print(e.code)
                """,
                base + path, method,
            ])
            return try XCTUnwrap(Int(code.trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        XCTAssertEqual(try status("POST", "/estop"), 403, "no token")
        XCTAssertEqual(try status("POST", "/estop?token=0123"), 403, "a wrong token")
        XCTAssertEqual(try status("GET", "/"), 403, "the page itself needs the token")
        // The WebSocket without the token: the upgrade is refused.
        let refused = try Python.run([
            "-c",
            """
            import sys
            from websockets.sync.client import connect
            try:
                connect(sys.argv[1], open_timeout=10); print("connected")
            except Exception as e:
                print("refused", e)
            """,
            "ws://127.0.0.1:\(port)/live",
        ])
        XCTAssertTrue(refused.hasPrefix("refused"), refused)
        XCTAssertTrue(run.process.isRunning, "nothing refused may stop the run")
        XCTAssertFalse(run.standardOutputSoFar.contains("e-stop pressed"))

        XCTAssertEqual(try status("GET", "/?token=\(token)"), 200)
        XCTAssertEqual(try status("POST", "/estop?token=\(token)"), 200)
        XCTAssertTrue(run.waitForExit(timeout: 20), "the e-stop with the token ends the run")
        XCTAssertEqual(run.process.terminationStatus, 0, run.standardError)
        XCTAssertTrue(run.standardOutput.contains("e-stop pressed on the live page: torque off"), run.standardOutput)
        XCTAssertTrue(run.standardOutput.contains("stop: stopped on request; torque off"), run.standardOutput)
    }

    func testTrainingStopsAtTheLivePagesEStop() throws {
        try requireWebSockets()
        let directory = try temporaryDirectory()
        let train = try RunningCommand([
            "train", "--steps", "10000000", "--hidden", "8,8", "--batch-size", "8", "--learning-starts", "100", "--checkpoint-every", "0",
            "--out", directory + "/run", "--live", "127.0.0.1:0",
        ])
        XCTAssertTrue(train.waitForOutput(containing: "training DDPG on", timeout: 30), train.standardError)
        let line = try XCTUnwrap(train.standardOutputSoFar.split(separator: "\n").first { $0.hasPrefix("live page: http://") })
        let url = String(line.dropFirst("live page: ".count))
        let watched = try json(Python.run([RepositoryFiles.path("scripts/live-client.py"), "watch", url, directory + "/seen.json", "--states", "10", "--estop"]))
        XCTAssertEqual(watched["states"] as? Int, 10, "\(watched)")
        XCTAssertLessThan(try XCTUnwrap(watched["fk_error"] as? Double), 1e-9)
        XCTAssertEqual((watched["stopped"] as? [String: Any])?["torque"] as? String, "off", "\(watched)")
        XCTAssertTrue(train.waitForExit(timeout: 30), "training stops at the next episode boundary")
        XCTAssertEqual(train.process.terminationStatus, 0, train.standardError)
        XCTAssertTrue(train.standardOutput.contains("e-stop pressed on the live page: torque off"), train.standardOutput)
        XCTAssertTrue(train.standardOutput.contains("stopped on request at step"), train.standardOutput)
    }
}
