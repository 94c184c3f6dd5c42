import ArgumentParser

/// `armature ports`: list serial ports. (Being implemented for the wire issue.)
struct Ports: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List serial ports (USB VID:PID, manufacturer, product, serial number).")
    func run() throws { throw UserFacingError("armature ports is not built yet") }
}
