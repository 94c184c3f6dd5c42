import Dynamixel
import Hardware
import FirmwareLink
import Foundation
import MonotonicTime

/// The report lines `run` and `train` print about how a paced loop went: one wording for the
/// same figures wherever they appear, so that runs compare line by line.
enum Reports {
    /// How the loop kept its schedule: period, jitter, overruns, and the work each cycle took.
    static func loop(_ t: LoopTiming) -> [String] {
        [
            String(
                format: "loop: %d cycles, period mean %.3f ms (target %.3f), jitter p99 %.3f ms, max %.3f ms, overruns %d (%.2f%%)",
                t.cycles, t.actualPeriod.mean * 1e3, t.period * 1e3, t.jitter.percentile(0.99) * 1e3, t.jitter.maximum * 1e3,
                t.overruns, t.overrunFraction * 100),
            String(
                format: "work per cycle: p50 %.1f µs, p99 %.1f µs, max %.1f µs", t.work.percentile(0.5) * 1e6,
                t.work.percentile(0.99) * 1e6, t.work.maximum * 1e6),
        ]
    }

    /// The serial link: round trips, frames, damage, and every lost reply (those ridden through
    /// too), so that a noisy line shows before it stops a run.
    static func link(_ link: LinkStatistics) -> String {
        String(
            format: "link: round trip p50 %.3f ms, p99 %.3f ms, max %.3f ms; %d frames out, %d in, %d CRC errors, "
                + "%d lost replies (at most %d in a row), %d late",
            (link.roundTripP50 ?? 0) * 1e3, (link.roundTripP99 ?? 0) * 1e3, (link.roundTripMax ?? 0) * 1e3, link.framesSent,
            link.framesReceived, link.crcErrors, link.lostReplies, link.mostLostRepliesInARow, link.lateReplies)
            + "; requests " + requests(link)
    }

    /// Requests sent by type, largest first (`TORQUE 500, MOVE 32, ...`): what the host asked of the
    /// device, HOME among them only if someone re-zeroed the arm on purpose.
    static func requests(_ link: LinkStatistics) -> String {
        let sorted = link.requests.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key.rawValue < $1.key.rawValue }
        return sorted.isEmpty ? "none" : sorted.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }

    /// The Dynamixel bus: requests, status packets, and every lost one (those read again too).
    static func bus(_ arm: DynamixelArm) -> String {
        let s = arm.statistics
        let t = arm.stepRoundTrips
        return String(
            format: "bus: step (SYNC WRITE + SYNC READ) p50 %.3f ms, p99 %.3f ms, max %.3f ms; ", t.percentile(0.5) * 1e3,
            t.percentile(0.99) * 1e3, t.maximum * 1e3)
            + "\(s.requests) requests, \(s.statuses) status packets, \(s.damagedStatuses) damaged, "
            + "\(arm.lostStatuses) lost status packets (at most \(arm.mostLostInARow) in a row)"
    }

    /// What the safety guard changed, and the actuation filters.
    static func guardInterventions(_ i: SafetyGuard.Interventions) -> String {
        "guard interventions: effort \(i.effortClamps), position \(i.positionCuts), velocity \(i.velocityCuts), "
            + "non-finite \(i.nonFiniteRejections), wrong size \(i.wrongSizeRejections); "
            + "smoothed commands \(i.smoothedCommands), rate-limited torques \(i.rateLimitedTorques)"
    }
}
