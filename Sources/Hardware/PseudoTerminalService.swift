import Dispatch
import FirmwareLink
import Foundation

/// The background thread an emulator serves its pseudo-terminal on. The firmware emulator
/// (`DeviceEmulator`) and the Dynamixel bus emulator (`BusEmulator`) had the same wake pipe, thread
/// and stop handshake written out twice; they share this one so that both wake, serve and stop alike,
/// and a fix to the handshake reaches both.
///
/// The thread wakes when the host has sent bytes and otherwise at least every millisecond: the
/// emulators' watchdogs run on the wall clock (a real device polls its watchdog at 1 kHz) and must be
/// checked even while the host is silent, which is exactly when they matter; so must real-time physics.
/// Lockstep physics does not step on these wake-ups (it steps inside the host's requests), so waking
/// changes nothing a lockstep host sees. Each wake-up runs the emulator's `serve` with `lock` held, so
/// whatever else takes the lock (snapshots, injected faults) never sees a request half served.
///
/// `stop()` sets the request under the lock, so the thread sees it at its next wake-up and never in
/// the middle of one; writes a byte to the wake pipe so the thread need not wait out its poll; waits
/// for the thread to end, and only then closes the pipe and the terminal, so nothing is closed under
/// a thread still using it. The host then sees the line hang up.
public final class PseudoTerminalService: @unchecked Sendable {
    /// The pseudo-terminal served; closed by `stop()`.
    public let terminal: PseudoTerminal
    /// Held by the thread while it serves a wake-up; take it to read or change what `serve` touches.
    public let lock: NSLock
    /// The longest the thread sleeps between wake-ups, ms.
    public static let pollMilliseconds: Int32 = 1

    // `stopRequested` is guarded by `lock`; the rest belongs to whoever calls `start` and `stop`.
    private var stopRequested = false
    private var wakeRead: Int32 = -1
    private var wakeWrite: Int32 = -1
    private let finished = DispatchSemaphore(value: 0)
    private var running = false

    public init(terminal: PseudoTerminal, lock: NSLock) {
        self.terminal = terminal
        self.lock = lock
    }

    /// Starts the thread, named `name` (what a debugger or `top -H` shows). At each wake-up it calls
    /// `serve` with `lock` held; `inputReady` says whether the host has sent bytes to read. Returns
    /// false, having started nothing, when the wake pipe cannot be made (the process is out of files).
    public func start(name: String, serve: @escaping @Sendable (_ inputReady: Bool) -> Void) -> Bool {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return false }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        _ = fcntl(wakeWrite, F_SETFL, O_NONBLOCK)
        let thread = Thread { [self] in run(serve) }
        thread.name = name
        running = true
        thread.start()
        return true
    }

    /// Ends the thread (if it was started) and closes the terminal. Safe to call more than once.
    public func stop() {
        guard running else {
            terminal.close()
            return
        }
        lock.lock()
        stopRequested = true
        lock.unlock()
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
        finished.wait()
        running = false
        close(wakeRead)
        close(wakeWrite)
        terminal.close()
    }

    private func run(_ serve: (_ inputReady: Bool) -> Void) {
        var fds = [
            pollfd(fd: terminal.controllerDescriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            fds[0].revents = 0
            fds[1].revents = 0
            _ = poll(&fds, 2, Self.pollMilliseconds)
            lock.lock()
            if stopRequested {
                lock.unlock()
                break
            }
            serve(fds[0].revents & Int16(POLLIN) != 0)
            lock.unlock()
        }
        finished.signal()
    }
}
