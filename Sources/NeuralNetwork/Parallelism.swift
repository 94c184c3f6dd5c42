import Foundation
import Synchronization

/// How a network spreads one forward or backward pass over threads.
///
/// OpenBLAS's own threading splits each 256×256 product finely and synchronises often; for DDPG's
/// small matrices two coarse halves on two cores scale better: forward passes split the batch,
/// backward passes compute the weight gradient and the input gradient side by side. With
/// `.twoThreads` set OpenBLAS to one thread (`setMatrixThreads(1)`), or the two compete.
public enum Parallelism: Sendable, Equatable {
    case serial
    /// The caller's thread plus this helper thread.
    case twoThreads(HelperThread)

    /// Whether a second thread is available.
    public var isParallel: Bool {
        if case .twoThreads = self { return true }
        return false
    }

    /// Runs `first` on the calling thread and `second` on the helper, and waits for both.
    @inline(__always)
    public func pair(_ first: () -> Void, _ second: () -> Void) {
        switch self {
        case .serial:
            first()
            second()
        case .twoThreads(let helper):
            withoutActuallyEscaping(second) { second in
                helper.start(second)
                first()
                helper.wait()
            }
        }
    }
}

/// A thread that runs one job at a time for `Parallelism.pair`, with hand-offs in well under a
/// microsecond: it spins briefly for the next job (updates come in bursts of ~25 hand-offs) and
/// parks on a condition variable when idle so it costs nothing between bursts.
public final class HelperThread: @unchecked Sendable, Equatable {
    private let posted = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    private let parked = Atomic<Bool>(false)
    private let condition = NSCondition()
    private var job: (() -> Void)?
    private var stopping = false

    public init() {
        // The thread keeps its helper alive until `stop()`.
        let thread = Thread { self.loop() }
        thread.name = "armature-helper"
        thread.start()
    }

    public static func == (a: HelperThread, b: HelperThread) -> Bool { a === b }

    /// Stops the thread after its current job; call once when done with it.
    public func stop() {
        condition.lock()
        stopping = true
        posted.add(1, ordering: .sequentiallyConsistent)
        condition.signal()
        condition.unlock()
    }

    func start(_ work: @escaping () -> Void) {
        job = work
        // Sequentially consistent on both sides of the park handshake: the worker stores `parked`
        // then reads `posted`, we store `posted` then read `parked`; weaker orderings let both
        // reads see the old values (store→load reordering) and the wake-up is lost.
        posted.add(1, ordering: .sequentiallyConsistent)
        if parked.load(ordering: .sequentiallyConsistent) {
            condition.lock()
            condition.signal()
            condition.unlock()
        }
    }

    func wait() {
        let target = posted.load(ordering: .relaxed)
        while finished.load(ordering: .acquiring) != target {}
        job = nil
    }

    private func loop() {
        var seen = 0
        while true {
            var spins = 0
            while posted.load(ordering: .acquiring) == seen {
                spins += 1
                if spins > 200_000 {
                    condition.lock()
                    parked.store(true, ordering: .sequentiallyConsistent)
                    while posted.load(ordering: .sequentiallyConsistent) == seen { condition.wait() }
                    parked.store(false, ordering: .sequentiallyConsistent)
                    condition.unlock()
                }
            }
            seen = posted.load(ordering: .acquiring)
            if stopping { return }
            job?()
            finished.store(seen, ordering: .releasing)
        }
    }
}
