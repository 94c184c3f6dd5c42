import ArgumentParser
import FirmwareLink

/// `armature ports`: the serial ports the system knows, with the USB identity that tells arms apart.
struct Ports: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List serial ports (USB VID:PID, manufacturer, product, serial number).",
        discussion: """
            Put the port of your arm in the robot description (serial: {port: /dev/ttyACM0}, or bus: {port: /dev/ttyUSB0} for Dynamixel servos). Known adapters are named: a ROBOTIS U2D2 is an FTDI FT232H, 0403:6014. For FTDI adapters on Linux the driver's latency timer is shown: at its default of 16 ms it holds each status packet up to 16 ms and caps a Dynamixel arm near 60 Hz; set it to 1 ms (echo 1 | sudo tee /sys/bus/usb-serial/devices/ttyUSB0/latency_timer, or a udev rule). Pseudo-terminals, such as the one `armature emulate` makes, are not listed.
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
        let header = ["port", "description", "usb vid:pid", "adapter", "manufacturer", "product", "serial number"]
        let rows = ports.map { port in
            [
                port.name, port.description.isEmpty ? "-" : port.description, port.usbID ?? "-", port.adapter ?? "-",
                port.manufacturer ?? "-", port.product ?? "-", port.serialNumber ?? "-",
            ]
        }
        print(table(header, rows).joined(separator: "\n"))
        for port in ports {
            guard let latency = SerialAdapters.latencyTimer(port: port.name) else { continue }
            let advice = latency > 1 ? "; set 1 ms for a fast control loop (armature ports --help)" : ""
            print("\(port.name): FTDI latency timer \(latency) ms\(advice)")
        }
    }
}
