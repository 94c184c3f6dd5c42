import RobotModel

/// The channels of a recording: one topic each, JSON messages described by a JSON Schema (MCAP's
/// `jsonschema` schema encoding). Armature's own records are strict (every field named, required ones
/// listed, nothing else allowed, per-joint arrays exactly one value per joint), so that a reader can
/// check every message; the arm's picture uses Foxglove's well-known `foxglove.SceneUpdate`, which its
/// 3D panel draws without a plugin. Times inside messages are seconds; MCAP's log times are nanoseconds.
enum RecordingChannel: UInt16, CaseIterable {
    case jointState, command, guardReport, reach, episode, loopTiming, link, arm, recorder

    var topic: String {
        switch self {
        case .jointState: return "/joint_state"
        case .command: return "/command"
        case .guardReport: return "/guard"
        case .reach: return "/reach"
        case .episode: return "/episode"
        case .loopTiming: return "/loop_timing"
        case .link: return "/link"
        case .arm: return "/arm"
        case .recorder: return "/recorder"
        }
    }

    var schemaName: String {
        switch self {
        case .jointState: return "armature.JointState"
        case .command: return "armature.Command"
        case .guardReport: return "armature.GuardReport"
        case .reach: return "armature.ReachStep"
        case .episode: return "armature.EpisodeEvent"
        case .loopTiming: return "armature.LoopTiming"
        case .link: return "armature.LinkStatistics"
        case .arm: return "foxglove.SceneUpdate"
        case .recorder: return "armature.RecorderStatus"
        }
    }

    /// The JSON Schema text for an arm of `joints` joints.
    func schema(joints: Int) -> String {
        let s = SchemaText(joints: joints)
        switch self {
        case .jointState:
            return s.object(
                schemaName, "The arm's state after a step: what the backend measured.",
                [
                    ("episode", s.episode), ("step", s.step),
                    ("time", #"{"type":"number","description":"Backend clock, s"}"#),
                    ("position", s.perJoint("Joint angles, rad")), ("velocity", s.perJoint("Joint velocities, rad/s")),
                    ("torque", s.perJoint("Torque the motors applied or measured, N·m")),
                ], required: ["time", "position", "velocity", "torque"])
        case .command:
            return s.object(
                schemaName,
                "What was commanded for a step: the policy's normalized action and the torques sent after the action low-pass, the actuator map, the torque-rate limit and the safety guard.",
                [
                    ("episode", s.episode), ("step", s.step),
                    ("action", s.perJoint("Normalized action in [-1, 1] (absent where no policy acts, as in the emulator)")),
                    ("torque", s.perJoint("Torque commanded to the motors, N·m")),
                ], required: ["torque"])
        case .guardReport:
            return s.object(
                schemaName,
                "What the safety guard changed in this step's command (SafetyGuard.Interventions), and what the actuation filters (the robot's actuation section) did before it.",
                [
                    ("episode", s.episode), ("step", s.step),
                    ("effort_clamps", s.count("Torques outside the effort range, clamped")),
                    ("position_cuts", s.count("Torques pushing outward at a position limit, cut to zero")),
                    ("velocity_cuts", s.count("Torques accelerating a joint past its velocity limit, cut to zero")),
                    ("non_finite_rejections", s.count("Commands with a non-finite torque, all torques zeroed")),
                    ("wrong_size_rejections", s.count("Commands of the wrong size, all torques zeroed")),
                    ("total", s.count("The guard's interventions in this command (the filters' counts apart)")),
                    ("smoothed_commands", #"{"type":"integer","minimum":0,"maximum":1,"description":"1 when the action low-pass changed this command's action"}"#),
                    ("rate_limited_torques", s.count("Torque components the torque-rate limit cut in this command")),
                    ("requested_torque", s.perJoint("Torque the guard was given: the actuator map's, after the action low-pass and the rate limit, N·m")),
                    ("torque", s.perJoint("Torque sent after the guard, N·m")),
                ],
                required: [
                    "effort_clamps", "position_cuts", "velocity_cuts", "non_finite_rejections", "wrong_size_rejections", "total",
                    "smoothed_commands", "rate_limited_torques", "requested_torque", "torque",
                ])
        case .reach:
            return s.object(
                schemaName, "The reach task after a step: goal, fingertip, reward.",
                [
                    ("episode", s.episode), ("step", s.step), ("goal", s.point("Goal in the base frame, m")),
                    ("fingertip", s.point("Fingertip in the base frame, m")),
                    ("distance", #"{"type":"number","minimum":0,"description":"Fingertip to goal, m"}"#),
                    ("reward", #"{"type":"number","description":"This step's reward"}"#),
                    ("episode_return", #"{"type":"number","description":"Sum of the episode's rewards so far"}"#),
                    ("truncated", #"{"type":"boolean","description":"The episode ends with this step"}"#),
                ], required: ["episode", "step", "goal", "fingertip", "distance", "reward", "episode_return", "truncated"])
        case .episode:
            return s.object(
                schemaName, "An episode's start (goal, initial pose, the plant drawn for it) or end (return, final distance, steps).",
                [
                    ("event", #"{"enum":["start","end"]}"#), ("episode", s.episode), ("goal", s.point("Goal in the base frame, m")),
                    ("position", s.perJoint("Joint angles at the start, rad")),
                    ("plant", s.plant),
                    ("steps", s.count("Steps in the episode")), ("return", #"{"type":"number","description":"Undiscounted return"}"#),
                    ("final_distance", #"{"type":"number","minimum":0,"description":"Fingertip to goal at the end, m"}"#),
                ], required: ["event", "episode", "goal"])
        case .loopTiming:
            return s.object(
                schemaName, "How the fixed-rate loop kept this cycle's deadline.",
                [
                    ("cycle", s.count("Cycles since the loop started")),
                    ("target_period", #"{"type":"number","minimum":0,"description":"Requested period, s"}"#),
                    ("period", #"{"type":["number","null"],"description":"Time since the previous wake-up, s (null on the first cycle)"}"#),
                    ("jitter", #"{"type":["number","null"],"minimum":0,"description":"Wake-up lateness after the deadline, s (null when the loop does not sleep)"}"#),
                    ("work", #"{"type":"number","minimum":0,"description":"Work in this cycle, s"}"#),
                    ("overruns", s.count("Cycles so far whose work ran past the next deadline")),
                ], required: ["cycle", "target_period", "period", "jitter", "work", "overruns"])
        case .link:
            return s.object(
                schemaName, "The serial link as the host saw it so far (FirmwareLink's LinkStatistics).",
                [
                    ("frames_sent", s.count("Frames written")), ("frames_received", s.count("Intact frames received")),
                    ("crc_errors", s.count("Frames dropped for a CRC mismatch")),
                    ("decode_errors", s.count("Frames dropped for anything else")),
                    ("lost_replies", s.count("Requests whose reply did not arrive in time")),
                    ("most_lost_replies_in_a_row", s.count("Longest run of lost replies")),
                    ("late_replies", s.count("Replies that matched no outstanding request")),
                    ("fault_events", s.count("FAULT events from the device")),
                    ("round_trips", s.count("Replies matched to their request")),
                    ("round_trip_p50", s.seconds("Median round trip, s")), ("round_trip_p99", s.seconds("99th percentile round trip, s")),
                    ("round_trip_max", s.seconds("Longest round trip, s")),
                ],
                required: [
                    "frames_sent", "frames_received", "crc_errors", "decode_errors", "lost_replies", "most_lost_replies_in_a_row",
                    "late_replies", "fault_events", "round_trips", "round_trip_p50", "round_trip_p99", "round_trip_max",
                ])
        case .recorder:
            return s.object(
                schemaName, "The recorder's own account, written when the recording closes.",
                [
                    ("samples", s.count("Samples recorded")),
                    ("dropped_samples", s.count("Samples dropped because the writer fell behind (the loop never waits for it)")),
                ], required: ["samples", "dropped_samples"])
        case .arm:
            return FoxgloveSchemas.sceneUpdate
        }
    }
}

/// Pieces of Armature's JSON Schemas.
private struct SchemaText {
    let joints: Int

    var episode: String { #"{"type":"integer","minimum":1,"description":"Episode number, from 1"}"# }
    var step: String { #"{"type":"integer","minimum":1,"description":"Step in the episode, from 1"}"# }

    func perJoint(_ description: String) -> String {
        #"{"type":"array","items":{"type":"number"},"minItems":\#(joints),"maxItems":\#(joints),"description":\#(JSONText.quoted(description))}"#
    }

    func count(_ description: String) -> String {
        #"{"type":"integer","minimum":0,"description":\#(JSONText.quoted(description))}"#
    }

    func seconds(_ description: String) -> String {
        #"{"type":["number","null"],"minimum":0,"description":\#(JSONText.quoted(description + " (null before the first reply)"))}"#
    }

    /// A drawn plant (`PlantVariation`), its fields named as in the randomize section and the training logs.
    var plant: String {
        let fields = PlantRandomization.fields.map { #"\#(JSONText.quoted($0.name)):{"type":"number"}"# }
        let names = PlantRandomization.fields.map { JSONText.quoted($0.name) }
        return #"{"type":"object","properties":{\#(fields.joined(separator: ","))},"required":[\#(names.joined(separator: ","))],"additionalProperties":false,"description":"The plant drawn for this episode (domain randomization); absent when the episode ran on the described plant"}"#
    }

    func point(_ description: String) -> String {
        #"{"type":"object","properties":{"x":{"type":"number"},"y":{"type":"number"}},"required":["x","y"],"additionalProperties":false,"description":\#(JSONText.quoted(description))}"#
    }

    func object(_ title: String, _ description: String, _ properties: [(String, String)], required: [String]) -> String {
        let fields = properties.map { "\(JSONText.quoted($0.0)):\($0.1)" }.joined(separator: ",")
        return #"{"$schema":"https://json-schema.org/draft/2020-12/schema","title":\#(JSONText.quoted(title)),"description":\#(JSONText.quoted(description)),"type":"object","properties":{\#(fields)},"required":[\#(required.map(JSONText.quoted).joined(separator: ","))],"additionalProperties":false}"#
    }
}
