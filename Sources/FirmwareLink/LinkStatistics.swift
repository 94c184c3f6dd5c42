/// What the host saw on its link: frames, damaged frames, lost and late replies and round-trip times.
public struct LinkStatistics: Sendable, Equatable, CustomStringConvertible {
    /// Frames written, requests and the best-effort DISABLEs after a fault included.
    public var framesSent = 0
    /// Frames received intact (valid CRC), any type.
    public var framesReceived = 0
    /// Frames dropped for a CRC mismatch.
    public var crcErrors = 0
    /// Frames dropped for anything else: COBS stuffing, too short, too long, unknown type, bad length.
    public var decodeErrors = 0
    /// Requests whose reply did not arrive in time, every one: those ridden through and the one that
    /// reached the limit in a row and faulted the link.
    public var lostReplies = 0
    /// The longest run of lost replies in a row.
    public var mostLostRepliesInARow = 0
    /// Intact replies that matched no outstanding request (late after a timeout, or stray), discarded.
    public var lateReplies = 0
    /// FAULT events the device sent.
    public var faultEvents = 0
    /// Replies matched to their request: the samples behind the round-trip times.
    public var roundTrips = 0
    /// Median request-to-reply time over the most recent samples, s; nil before the first reply.
    public var roundTripP50: Double?
    /// 99th percentile of the same, s.
    public var roundTripP99: Double?
    /// Largest of the same, s.
    public var roundTripMax: Double?
    /// Requests written, by type (a request sent again after a lost reply counts again): what the
    /// host asked of the device, e.g. that no episode start sent HOME.
    public var requests: [MessageType: Int] = [:]

    public init() {}

    public var description: String {
        func ms(_ seconds: Double?) -> String {
            guard let seconds else { return "-" }
            let value = (seconds * 1e5).rounded() / 100
            return "\(value) ms"
        }
        return "sent \(framesSent), received \(framesReceived), crc errors \(crcErrors), decode errors \(decodeErrors), "
            + "lost replies \(lostReplies) (at most \(mostLostRepliesInARow) in a row), late replies \(lateReplies), faults \(faultEvents), "
            + "round trip p50 \(ms(roundTripP50)) p99 \(ms(roundTripP99)) max \(ms(roundTripMax))"
    }
}

/// The most recent round-trip times in a buffer sized once, so recording one costs no allocation.
struct RoundTripRing {
    private var samples: [UInt64]
    private var next = 0
    private(set) var total = 0

    init(capacity: Int) { samples = [UInt64](repeating: 0, count: capacity) }

    mutating func record(nanoseconds: UInt64) {
        samples[next] = nanoseconds
        next = (next + 1) % samples.count
        total += 1
    }

    /// Nearest-rank percentiles of the samples held, s.
    func percentiles() -> (p50: Double, p99: Double, max: Double)? {
        let count = min(total, samples.count)
        guard count > 0 else { return nil }
        let sorted = samples[..<count].sorted()
        func rank(_ p: Double) -> Double {
            let index = max(0, min(count - 1, Int((p * Double(count)).rounded(.up)) - 1))
            return Double(sorted[index]) * 1e-9
        }
        return (rank(0.5), rank(0.99), Double(sorted[count - 1]) * 1e-9)
    }
}
