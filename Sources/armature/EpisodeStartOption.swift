import ArgumentParser
import Hardware

/// `--episode-start`, shared by the commands that run episodes on an arm: how each episode's first
/// state comes about. A real arm is moved there by its device (never re-zeroed: that is
/// `armature home`), or starts where it is; only the simulator can be placed exactly.
enum EpisodeStartOption {
    static let help = ArgumentHelp(
        "How episodes start: place (the simulator puts the arm exactly at the sampled state; default with --sim), "
            + "move (the device's position controller drives the arm to the sampled pose: protocol 1.3, or a Dynamixel arm's servos; "
            + "default with --port) "
            + "or measured (from wherever the arm is).",
        valueName: "place|move|measured")

    /// The choice, checked against the arm: nil when not given (the backend's default).
    static func parse(_ text: String?, onHardware: Bool) throws -> EpisodeStart? {
        guard let text else { return nil }
        guard let start = EpisodeStart(rawValue: text) else {
            throw ValidationError("--episode-start must be place, move or measured (got \(text))")
        }
        if start == .place && onHardware {
            throw ValidationError(
                "--episode-start place needs the simulator: a real arm cannot be put at a state; use move or measured with --port")
        }
        return start
    }
}
