import ArmDynamics
import FlightRecorder
import FlyingFox
import FlyingSocks
import Foundation
import MonotonicTime
import RobotModel
import Synchronization

/// `--live HOST:PORT`: an HTTP server (FlyingFox, on Swift concurrency's threads, never the loop's)
/// that serves the one embedded page (`LivePageHTML`) at `/`, pushes the `LiveTap`'s samples as JSON
/// text over the WebSocket at `/live`, and takes the page's e-stop — a WebSocket message
/// `{"type":"estop","token":…}` or `POST /estop?token=…` — by requesting the run's `StopRequest`, so the
/// run stops the way Ctrl-C stops it: torque off (and, on the serial backend, the command sends ESTOP).
///
/// Bound to loopback no token is needed. Bound to any other address the server draws a random token,
/// and the page, the WebSocket and every action refuse a request without it (403).
public final class LiveServer: Sendable {
    public let address: LiveAddress
    /// Required of every request when not on loopback; nil on loopback.
    public let token: String?
    private let stop: StopRequest
    private let ring: SampleRing
    private let jointCount: Int
    /// How long the pump sleeps between drains with a page open: one drain per page update (the tap
    /// publishes at most `rateHz` samples a second), so a sample waits at most one update for its page.
    private let drainInterval: Double
    private let arm: PlanarArm
    private let hello: String
    private let server: HTTPServer
    private let clients = Mutex<[UUID: AsyncStream<WSMessage>.Continuation]>([:])
    private let estopPressed = Atomic<Bool>(false)
    /// When the first e-stop arrived, `MonotonicClock.nanoseconds()`; 0 before.
    private let estopArrival = Atomic<UInt64>(0)
    private let finished = Atomic<Bool>(false)
    private let tasks = Mutex<[Task<Void, Never>]>([])
    private let port = Mutex<UInt16>(0)

    public init(address: LiveAddress, robot: RobotDescription, controlPeriod: Double, tap: LiveTap, stop: StopRequest) throws {
        self.address = address
        self.stop = stop
        ring = tap.ring
        jointCount = tap.jointCount
        drainInterval = 1 / tap.rateHz
        token = address.isLoopback ? nil : Self.randomToken()
        arm = PlanarArm(robot)
        let names = robot.jointNames.map { "\"\(Self.escape($0))\"" }.joined(separator: ",")
        let lengths = arm.lengths.map { "\($0)" }.joined(separator: ",")
        hello = #"{"type":"hello","robot":"\#(Self.escape(robot.name))","joints":[\#(names)],"lengths":[\#(lengths)],"#
            + #""period":\#(controlPeriod),"decimation":\#(tap.decimation),"vertical":\#(robot.plane == .vertical),"#
            + #""guard_names":[\#(LiveSample.guardNames.map { "\"\($0)\"" }.joined(separator: ","))]}"#
        let socketAddress: any SocketAddress
        do {
            switch address.family {
            case .ip4: socketAddress = try sockaddr_in.inet(ip4: address.host, port: address.port)
            case .ip6: socketAddress = try sockaddr_in6.inet6(ip6: address.host, port: address.port)
            }
        } catch {
            throw LiveError("--live \(address): not an address to listen on (\(error))")
        }
        server = HTTPServer(config: .init(address: socketAddress, timeout: 3600, logger: .disabled))
    }

    /// Whether the page's e-stop was pressed (the run then stops; the command sends ESTOP where the link has one).
    public var emergencyStopPressed: Bool { estopPressed.load(ordering: .acquiring) }

    /// When the first e-stop request arrived (`MonotonicClock.seconds()`), nil before: the run measures
    /// from it how long the arm took to go torque-off.
    public var emergencyStopArrival: Double? {
        let nanoseconds = estopArrival.load(ordering: .acquiring)
        return nanoseconds == 0 ? nil : Double(nanoseconds) * 1e-9
    }

    /// The page's address to print at start-up, with the token where one is needed.
    public var url: String {
        let host = address.family == .ip6 ? "[\(address.host)]" : address.host
        return "http://\(host):\(port.withLock { $0 })/" + (token.map { "?token=\($0)" } ?? "")
    }

    /// Starts listening and pumping samples; returns once the socket listens (a port taken throws).
    public func start() throws {
        let routes = server
        let authorized: @Sendable (HTTPRequest) -> Bool = { [token] request in
            guard let token else { return true }
            return Self.constantTimeEqual(request.query["token"] ?? "", token)
        }
        let page = Data(LivePageHTML.text.utf8)
        let socket = WebSocketHTTPHandler(handler: MessageFrameWSHandler(handler: Connection(server: self)))
        let setup = Task {
            await routes.appendRoute("GET /", handler: { request in
                guard authorized(request) else { return Self.forbidden }
                return HTTPResponse(
                    statusCode: .ok, headers: [.contentType: "text/html; charset=utf-8", HTTPHeader("Cache-Control"): "no-store"], body: page)
            })
            await routes.appendRoute("GET /live", handler: { request in
                guard authorized(request) else { return Self.forbidden }
                return try await socket.handleRequest(request)
            })
            await routes.appendRoute("POST /estop", handler: { [weak self] request in
                guard authorized(request) else { return Self.forbidden }
                self?.pressEmergencyStop()
                return HTTPResponse(statusCode: .ok, headers: [.contentType: "application/json"], body: Data(#"{"type":"estop","accepted":true}"#.utf8))
            })
        }
        let listening = Task { () -> Result<UInt16, any Error> in
            await setup.value
            let run = Task { try await routes.run() }
            do {
                try await routes.waitUntilListening(timeout: 5)
            } catch {
                run.cancel()
                if case .failure(let failure) = await run.result { return .failure(failure) }
                return .failure(error)
            }
            switch await routes.listeningAddress {
            case .ip4(_, let port), .ip6(_, let port): return .success(port)
            default: return .success(0)
            }
        }
        let result = Self.wait(for: listening)
        switch result {
        case .success(let bound): port.withLock { $0 = bound }
        case .failure(let error): throw LiveError("--live \(address): cannot listen (\(error))")
        }
        // Every wake-up of the pump is a few thread switches on the loop's cores: measured, they, not the
        // JSON, were the server's cost (BENCHMARKS.md). So it wakes once per page update, and with no page
        // open only often enough to free the ring's rows (256 of them last the tap over 7 s).
        let pump = Task.detached { [weak self, drainInterval] in
            while !Task.isCancelled {
                guard let self else { return }
                self.drain()
                let pageOpen = !self.clients.withLock { $0.isEmpty }
                try? await Task.sleep(nanoseconds: UInt64((pageOpen ? drainInterval : Self.idleDrainInterval) * 1e9))
            }
        }
        tasks.withLock { $0.append(pump) }
    }

    /// Sends what is queued, tells every page how the run ended, closes the sockets and stops the server.
    public func finish(reason: String, dropped: Int) {
        guard !finished.exchange(true, ordering: .acquiringAndReleasing) else { return }
        for task in tasks.withLock({ $0 }) { task.cancel() }
        drain()
        broadcast(#"{"type":"stopped","reason":"\#(Self.escape(reason))","torque":"off","estop":\#(emergencyStopPressed),"dropped":\#(dropped)}"#)
        let continuations = clients.withLock { clients in
            defer { clients.removeAll() }
            return Array(clients.values)
        }
        for continuation in continuations {
            continuation.yield(.close(.normalClosure))
            continuation.finish()
        }
        let server = self.server
        _ = Self.wait(for: Task { () -> Result<Void, any Error> in
            try? await Task.sleep(nanoseconds: 100_000_000)  // the last frames leave
            await server.stop(timeout: 1)
            return .success(())
        })
    }

    // MARK: Server side

    func pressEmergencyStop() {
        _ = estopArrival.compareExchange(expected: 0, desired: MonotonicClock.nanoseconds(), ordering: .acquiringAndReleasing)
        estopPressed.store(true, ordering: .releasing)
        stop.request()
    }

    func authorizes(_ candidate: String?) -> Bool {
        guard let token else { return true }
        return Self.constantTimeEqual(candidate ?? "", token)
    }

    func connect() -> (UUID, AsyncStream<WSMessage>) {
        let id = UUID()
        let (stream, continuation) = AsyncStream<WSMessage>.makeStream(bufferingPolicy: .bufferingNewest(64))
        continuation.yield(.text(hello))
        if finished.load(ordering: .acquiring) {
            continuation.yield(.text(#"{"type":"stopped","reason":"finished","torque":"off"}"#))
            continuation.finish()
        } else {
            clients.withLock { $0[id] = continuation }
        }
        return (id, stream)
    }

    func disconnect(_ id: UUID) {
        _ = clients.withLock { $0.removeValue(forKey: id) }
    }

    func send(_ text: String, to id: UUID) {
        _ = clients.withLock { $0[id] }?.yield(.text(text))
    }

    /// Turns every queued row into a message for every page (forward kinematics here, not on the loop).
    private func drain() {
        while let row = ring.peek() {
            // With no page open the rows are only freed: no forward kinematics, no JSON.
            let message = clients.withLock { $0.isEmpty } ? nil : stateMessage(row)
            ring.release()
            if let message { broadcast(message) }
        }
    }

    private func broadcast(_ text: String) {
        let continuations = clients.withLock { Array($0.values) }
        for continuation in continuations { continuation.yield(.text(text)) }
    }

    private func stateMessage(_ row: UnsafeMutablePointer<Double>) -> String {
        let n = jointCount
        func vector(_ index: Int) -> [Double] { (0..<n).map { row[LiveSample.vectors + index * n + $0] } }
        func list(_ values: [Double]) -> String { values.map(Self.number).joined(separator: ",") }
        let q = vector(0)
        let points = arm.jointPositions(q: q).map { "[\(Self.number($0.x)),\(Self.number($0.y))]" }.joined(separator: ",")
        let guardCounts = (0..<7).map { String(Int(row[LiveSample.guardCounts + $0])) }.joined(separator: ",")
        var text = #"{"type":"state","t":\#(Self.number(row[LiveSample.time])),"episode":\#(Int(row[LiveSample.episode])),"#
        text += #""step":\#(Int(row[LiveSample.step])),"q":[\#(list(q))],"qd":[\#(list(vector(1)))],"tau_measured":[\#(list(vector(2)))],"#
        text += #""tau":[\#(list(vector(3)))],"points":[\#(points)],"goal":[\#(Self.number(row[LiveSample.goalX])),\#(Self.number(row[LiveSample.goalY]))],"#
        text += #""reward":\#(Self.number(row[LiveSample.reward])),"distance":\#(Self.number(row[LiveSample.distance])),"#
        text += #""jitter":\#(Self.number(row[LiveSample.jitter])),"work":\#(Self.number(row[LiveSample.work])),"#
        text += #""period":\#(Self.number(row[LiveSample.period])),"overruns":\#(Int(row[LiveSample.overruns])),"#
        text += #""cycles":\#(Int(row[LiveSample.cycles])),"dropped":\#(Int(row[LiveSample.dropped])),"guard":[\#(guardCounts)]}"#
        return text
    }

    // MARK: Helpers

    /// How long the pump sleeps between drains with no page open, s.
    static let idleDrainInterval = 0.25

    private static let forbidden = HTTPResponse(
        statusCode: .forbidden, headers: [.contentType: "text/plain"],
        body: Data("the live page is bound to a non-loopback address: give the token printed at start-up (?token=…)\n".utf8))

    /// JSON has no NaN or infinity: those go as null.
    static func number(_ value: Double) -> String { value.isFinite ? "\(value)" : "null" }

    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<x.count { difference |= x[i] ^ y[i] }
        return difference == 0
    }

    /// Blocks the calling (command's) thread until `task` ends; the task runs on Swift concurrency's threads.
    private static func wait<T: Sendable>(for task: Task<T, Never>) -> T {
        let box = Mutex<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let value = await task.value
            box.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        return box.withLock { $0! }
    }
}

/// One page's WebSocket: the state stream out, its e-stop in.
private struct Connection: WSMessageHandler {
    let server: LiveServer

    func makeMessages(for client: AsyncStream<WSMessage>) async throws -> AsyncStream<WSMessage> {
        let (id, outgoing) = server.connect()
        let server = self.server
        Task {
            for await message in client {
                guard case .text(let text) = message else { continue }
                guard let request = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                    let type = request["type"] as? String
                else { continue }
                switch type {
                case "estop":
                    if server.authorizes(request["token"] as? String) {
                        server.pressEmergencyStop()
                        server.send(#"{"type":"estop","accepted":true}"#, to: id)
                    } else {
                        server.send(#"{"type":"estop","accepted":false,"error":"token required"}"#, to: id)
                    }
                default:
                    server.send(#"{"type":"error","error":"unknown action"}"#, to: id)
                }
            }
            server.disconnect(id)
        }
        return outgoing
    }
}

/// `--live`'s HOST:PORT.
public struct LiveAddress: Sendable, CustomStringConvertible {
    public enum Family: Sendable { case ip4, ip6 }
    public var host: String
    public var port: UInt16
    public var family: Family

    /// `127.0.0.1:8080`, `0.0.0.0:8080`, `[::1]:8080`, `localhost:8080`.
    public init(parsing text: String) throws {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw LiveError("--live \(text): give HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080")
            }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
            family = .ip6
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                throw LiveError("--live \(text): give HOST:PORT, e.g. 127.0.0.1:8080")
            }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            family = .ip4
        }
        guard let port = UInt16(portText) else { throw LiveError("--live \(text): the port must be 0 to 65535") }
        self.host = host == "localhost" ? "127.0.0.1" : String(host)
        self.port = port
        if family == .ip4 {
            let parts = self.host.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 4, parts.allSatisfy({ UInt8($0) != nil }) else {
                throw LiveError("--live \(text): \(host) is not an IPv4 address (or localhost, or [IPv6])")
            }
        }
    }

    /// Only the machine itself can reach it: 127.0.0.0/8 or ::1.
    public var isLoopback: Bool {
        switch family {
        case .ip4: return host.hasPrefix("127.")
        case .ip6: return host == "::1"
        }
    }

    public var description: String { family == .ip6 ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

public struct LiveError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
