import ArgumentParser

/// `armature emulate`: the firmware device on a pseudo-terminal. (Being implemented for the wire issue.)
struct Emulate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Emulate the arm's firmware on a pseudo-terminal.")
    func run() throws { throw UserFacingError("armature emulate is not built yet") }
}
