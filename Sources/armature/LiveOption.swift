import Hardware
import LivePage
import MonotonicTime
import RobotModel
import Tasks

/// `--live HOST:PORT`, the same for every command that runs the arm: the page's tap (handed to the
/// environment as an observer and to the loop's `onCycle`) and its server.
struct LiveView {
    static let help =
        "Serve a live page at HOST:PORT (127.0.0.1:8080; port 0 picks a free one): the arm, torque and loop-timing charts, the guard's interventions and an e-stop that stops the run with torque off (ESTOP on the serial link). Any address but loopback needs the token printed at start-up."

    let tap: LiveTap
    let server: LiveServer

    /// Starts the server before the arm moves (a port taken stops the command here) and prints its address.
    static func open(_ address: String?, robot: RobotDescription, period: Double, stop: StopRequest) throws -> LiveView? {
        guard let address else { return nil }
        do {
            let parsed = try LiveAddress(parsing: address)
            let tap = LiveTap(robot: robot, controlPeriod: period)
            let server = try LiveServer(address: parsed, robot: robot, controlPeriod: period, tap: tap, stop: stop)
            try server.start()
            print("live page: \(server.url)")
            if server.token != nil {
                print("live page: bound to \(parsed), not loopback: the page, its WebSocket and the e-stop require the token above")
            }
            return LiveView(tap: tap, server: server)
        } catch let error as LiveError {
            throw UserFacingError(error.description)
        }
    }

    /// After the loop returned and the arm was deactivated at `torqueOff` (`MonotonicClock.seconds()`): a
    /// pressed e-stop latches the device's ESTOP where the link has one, and says how long after its
    /// request arrived the torque went off; then every page is told how the run ended.
    func finish(reason: String, backend: any ArmBackend, torqueOff: Double) {
        if server.emergencyStopPressed {
            let delay = server.emergencyStopArrival.map { String(format: " %.1f ms after the page's request arrived", (torqueOff - $0) * 1e3) } ?? ""
            if let serial = backend as? SerialArm {
                do {
                    try serial.link.emergencyStop()
                    print("e-stop pressed on the live page: ESTOP sent, the device's emergency stop is latched; torque off (DISABLE acknowledged\(delay))")
                } catch {
                    printWarning("e-stop pressed on the live page: torque is off (DISABLE acknowledged\(delay)) but ESTOP failed: \(error)")
                }
            } else {
                print("e-stop pressed on the live page: torque off\(delay)")
            }
        }
        if tap.dropped > 0 { print("live page: \(tap.dropped) samples dropped (the page's server fell behind; the loop did not wait)") }
        server.finish(reason: reason, dropped: tap.dropped)
    }
}

/// Several observers of one environment (a recording and a live page), called in order.
final class ReachObservers: ReachObserver {
    let observers: [any ReachObserver]

    /// The one observer when there is one, nil when none.
    static func combine(_ observers: [(any ReachObserver)?]) -> (any ReachObserver)? {
        let present = observers.compactMap { $0 }
        return present.count <= 1 ? present.first : ReachObservers(present)
    }

    private init(_ observers: [any ReachObserver]) { self.observers = observers }

    func episodeStarted(_ environment: ReachEnvironment) { for observer in observers { observer.episodeStarted(environment) } }

    func stepped(_ environment: ReachEnvironment, action: [Double], outcome: StepOutcome) {
        for observer in observers { observer.stepped(environment, action: action, outcome: outcome) }
    }
}
