import ArgumentParser
import FirmwareLink

/// `armature ports`: the serial ports the system knows, with the USB identity that tells arms apart.
struct Ports: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List serial ports (USB VID:PID, manufacturer, product, serial number).",
        discussion: """
            Put the port of your arm in the robot description (serial: {port: /dev/ttyACM0}). Pseudo-terminals, such as the one `armature emulate` makes, are not listed.
            """
    )

    func run() throws {
        let ports: [SerialPortInfo]
        do {
            ports = try SerialPorts.list()
        } catch let error as SerialPortListError {
            throw UserFacingError(error.description)
        }
        guard !ports.isEmpty else {
            print("no serial ports found")
            return
        }
        let header = ["port", "description", "usb vid:pid", "manufacturer", "product", "serial number"]
        let rows = ports.map { port in
            [
                port.name, port.description.isEmpty ? "-" : port.description, port.usbID ?? "-", port.manufacturer ?? "-",
                port.product ?? "-", port.serialNumber ?? "-",
            ]
        }
        print(table(header, rows).joined(separator: "\n"))
    }
}
