import Foundation
import Synchronization

/// One of `count` equal parts of some rows, for splitting elementwise work (Adam, Polyak averaging)
/// over threads. Matrix products cut their batch rows by a measured `RowSplit` instead.
public struct Slice: Sendable, Equatable {
    public let index: Int
    public let count: Int

    public static let whole = Slice(index: 0, count: 1)

    public init(index: Int, count: Int) {
        precondition(count >= 1 && (0..<count).contains(index), "slice \(index) of \(count)")
        self.index = index
        self.count = count
    }

    /// This slice's share of `0..<total`; the slices of a count tile it without gaps or overlaps.
    /// Inner boundaries fall on multiples of 16 rows (16 floats or more, a 64-byte cache line), so
    /// the two threads' parts of a tensor do not keep writing one shared line. Elementwise work
    /// gives the same bits however it is cut.
    public func rows(of total: Int) -> Range<Int> { boundary(index, total)..<boundary(index + 1, total) }

    private func boundary(_ i: Int, _ total: Int) -> Int {
        if i == count { return total }
        return min(total, (total * i / count + Slice.alignment / 2) / Slice.alignment * Slice.alignment)
    }

    private static let alignment = 16
}

/// How a learner spreads one update over threads.
///
/// OpenBLAS's own threading splits each 256×256 product finely and synchronises often; for DDPG's
/// small matrices two coarse jobs on two cores scale better. The caller cuts its work into stages
/// of two independent jobs — two whole products (`pair`), two parts of a batch's rows at a
/// measured exact cut (`forEachRows`), or two halves of a parameter list (`forEachSlice`). With
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

    /// Runs `body` once with `.whole` (serial), or on both threads with the two halves, and waits.
    @inline(__always)
    public func forEachSlice(_ body: (Slice) -> Void) {
        switch self {
        case .serial: body(.whole)
        case .twoThreads: pair({ body(Slice(index: 0, count: 2)) }, { body(Slice(index: 1, count: 2)) })
        }
    }

    /// Runs `body` on `split`'s two row ranges side by side, or once on `0..<total` when serial,
    /// when `total` is not the measured batch, or when no cut is exact.
    @inline(__always)
    public func forEachRows(_ total: Int, split: RowSplit?, _ body: (Range<Int>) -> Void) {
        guard isParallel, let (first, second) = split?.halves(of: total) else { return body(0..<total) }
        pair({ body(first) }, { body(second) })
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
/// microsecond: it spins briefly for the next job (an update is a burst of a few hand-offs) and
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
