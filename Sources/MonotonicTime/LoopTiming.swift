/// Records per-cycle durations into a buffer sized once, and summarizes them (mean, percentiles, max).
public struct DurationSamples: Sendable {
    private var samples: [Double]
    private var count = 0
    private var total = 0.0
    private var largest = 0.0
    /// Samples seen, including any beyond the buffer's capacity (those count in mean and max only).
    public private(set) var seen = 0
    /// The most recent sample (0 before the first): what a flight recorder logs per cycle.
    public private(set) var latest = 0.0

    public init(capacity: Int) { samples = Array(repeating: 0, count: max(1, capacity)) }

    public mutating func record(_ seconds: Double) {
        if count < samples.count {
            samples[count] = seconds
            count += 1
        }
        seen += 1
        latest = seconds
        total += seconds
        largest = max(largest, seconds)
    }

    public var mean: Double { seen == 0 ? 0 : total / Double(seen) }
    public var maximum: Double { largest }

    /// The q-quantile (0…1) of the buffered samples, nearest-rank.
    public func percentile(_ q: Double) -> Double {
        guard count > 0 else { return 0 }
        let sorted = samples[0..<count].sorted()
        return sorted[min(count - 1, max(0, Int((q * Double(count)).rounded(.up)) - 1))]
    }
}

/// How well a fixed-rate loop kept its schedule.
public struct LoopTiming: Sendable {
    /// The requested control period, s.
    public var period: Double
    /// Time between consecutive wake-ups, s.
    public var actualPeriod: DurationSamples
    /// Lateness of each wake-up after its deadline, s (≥ 0).
    public var jitter: DurationSamples
    /// Work per cycle (act, guard, write, read), s.
    public var work: DurationSamples
    /// Cycles whose work ran past the next deadline.
    public var overruns = 0

    public init(period: Double, capacity: Int) {
        self.period = period
        actualPeriod = DurationSamples(capacity: capacity)
        jitter = DurationSamples(capacity: capacity)
        work = DurationSamples(capacity: capacity)
    }

    public var cycles: Int { work.seen }
    /// Fraction of cycles that overran.
    public var overrunFraction: Double { cycles == 0 ? 0 : Double(overruns) / Double(cycles) }
}
