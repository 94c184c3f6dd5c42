import Dispatch

/// How a network spreads one forward or backward pass over threads.
///
/// OpenBLAS's own threading splits each 256×256 product finely and synchronises often; for DDPG's
/// small matrices two coarse halves on two cores scale better: forward passes split the batch,
/// backward passes compute the weight gradient and the input gradient side by side. With
/// `.twoThreads` set OpenBLAS to one thread (`setMatrixThreads(1)`), or the two compete.
public enum Parallelism: Sendable, Equatable {
    case serial
    case twoThreads

    /// Runs `first` and `second`, concurrently when two threads are allowed.
    @inline(__always)
    func pair(_ first: () -> Void, _ second: () -> Void) {
        switch self {
        case .serial:
            first()
            second()
        case .twoThreads:
            withoutActuallyEscaping(first) { first in
                withoutActuallyEscaping(second) { second in
                    let jobs = UncheckedPair(first: first, second: second)
                    DispatchQueue.concurrentPerform(iterations: 2) { index in
                        if index == 0 { jobs.first() } else { jobs.second() }
                    }
                }
            }
        }
    }
}

/// Two closures handed to worker threads; the caller guarantees they touch disjoint memory.
private struct UncheckedPair: @unchecked Sendable {
    let first: () -> Void
    let second: () -> Void
}
