import Foundation

/// What `scripts/check-recording.py` read from a flight recording with the `mcap` package's readers,
/// every message validated against its channel's JSON Schema.
public struct RecordingCheck: Decodable {
    public struct Episode: Decodable, Equatable {
        public var episode: Int
        public var steps: Int
        public var `return`: Double
        public var finalDistance: Double
    }

    public struct RecorderStatus: Decodable {
        public var samples: Int
        public var droppedSamples: Int
    }

    /// Messages per topic.
    public var topics: [String: Int]
    /// The `/episode` end events in order.
    public var episodes: [Episode]
    /// Sum of `/reach` rewards per episode number.
    public var rewardSums: [String: Double]
    /// Largest difference between the fingertip drawn in `/arm` and the one in `/reach`, m.
    public var tipMismatch: Double
    public var recorder: RecorderStatus?
    public var schemas: [String]
    /// Each kind of guard intervention summed over the `/guard` messages (snake_case keys as in the schema).
    public var guardTotals: [String: Int]
    /// `/guard` messages with no intervention whose sent torque differs from the requested one (should be 0).
    public var guardMismatches: Int
    /// The plant drawn for each episode, by episode number, from the `/episode` starts (domain randomization).
    public var plants: [String: [String: Double]]
    /// The distinct intervals between consecutive `/joint_state` log times, ns (the ten smallest).
    public var jointStateIntervals: [UInt64]
    /// The chunks' compressions ("zstd", "" for none; seeking reader only).
    public var compressions: [String]?
    /// The `armature` metadata record (seeking reader only).
    public var metadata: [String: String]?
    public var chunks: Int
    /// The footer was read: the recording was closed.
    public var complete: Bool
    /// The file ends inside a record (a write cut short).
    public var tornTail: Bool

    /// Reads `path` with the seeking reader (summary, indexes, CRCs) and the streaming one, or with the
    /// streaming reader alone for a file cut short (`streaming`). Throws with the script's error when a
    /// check fails; fails the test with the install hint when the packages are missing.
    public static func read(_ path: String, streaming: Bool = false) throws -> RecordingCheck {
        do {
            _ = try Python.run(["-c", "import mcap, jsonschema"])
        } catch {
            throw Python.Failure(description: "reading recordings needs the mcap and jsonschema packages (\(Python.installHint)): \(error)")
        }
        let output = try Python.run([RepositoryFiles.path("scripts/check-recording.py"), path] + (streaming ? ["--streaming"] : []))
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(RecordingCheck.self, from: Data(output.utf8))
    }
}
