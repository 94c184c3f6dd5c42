import CSerialPort

/// One serial port the operating system knows, as libserialport describes it.
public struct SerialPortInfo: Sendable, Equatable {
    /// How the port is attached.
    public enum Transport: String, Sendable, Equatable {
        case native, usb, bluetooth, unknown
    }

    /// Device path (`/dev/ttyACM0`, `/dev/cu.usbmodem1101`).
    public var name: String
    /// The operating system's one-line description.
    public var description: String
    public var transport: Transport
    /// USB vendor and product IDs, for USB ports whose IDs are known.
    public var usbVendorID: UInt16?
    public var usbProductID: UInt16?
    public var manufacturer: String?
    public var product: String?
    public var serialNumber: String?

    public init(
        name: String, description: String, transport: Transport, usbVendorID: UInt16? = nil, usbProductID: UInt16? = nil,
        manufacturer: String? = nil, product: String? = nil, serialNumber: String? = nil
    ) {
        self.name = name
        self.description = description
        self.transport = transport
        self.usbVendorID = usbVendorID
        self.usbProductID = usbProductID
        self.manufacturer = manufacturer
        self.product = product
        self.serialNumber = serialNumber
    }

    /// `vvvv:pppp` in hex, as lsusb prints it, or nil.
    public var usbID: String? {
        guard let usbVendorID, let usbProductID else { return nil }
        return hex4(usbVendorID) + ":" + hex4(usbProductID)
    }
}

/// Why the serial ports could not be listed.
public enum SerialPortListError: Error, Sendable, Equatable, CustomStringConvertible {
    case listFailed(reason: String)

    public var description: String {
        switch self {
        case .listFailed(let reason):
            return "cannot list serial ports: \(reason); check that /sys (Linux) or IOKit (macOS) is readable"
        }
    }
}

extension SerialPorts {
    /// Every serial port the operating system reports, sorted by name. Pseudo-terminals are not listed.
    public static func list() throws -> [SerialPortInfo] {
        var list: UnsafeMutablePointer<OpaquePointer?>?
        let result = sp_list_ports(&list)
        guard result.rawValue >= 0, let list else {
            throw SerialPortListError.listFailed(reason: LibSerialPortTransport.lastError(result))
        }
        defer { sp_free_port_list(list) }
        var ports: [SerialPortInfo] = []
        var index = 0
        while let port = list[index] {
            ports.append(info(port))
            index += 1
        }
        return ports.sorted { $0.name < $1.name }
    }

    private static func info(_ port: OpaquePointer) -> SerialPortInfo {
        func text(_ value: UnsafeMutablePointer<CChar>?) -> String? {
            guard let value else { return nil }
            let string = String(cString: value).trimmingTrailingWhitespace()
            return string.isEmpty ? nil : string
        }
        let transport: SerialPortInfo.Transport
        switch sp_get_port_transport(port) {
        case SP_TRANSPORT_NATIVE: transport = .native
        case SP_TRANSPORT_USB: transport = .usb
        case SP_TRANSPORT_BLUETOOTH: transport = .bluetooth
        default: transport = .unknown
        }
        var info = SerialPortInfo(
            name: text(sp_get_port_name(port)) ?? "?", description: text(sp_get_port_description(port)) ?? "",
            transport: transport)
        if transport == .usb {
            var vendor: Int32 = 0
            var product: Int32 = 0
            if sp_get_port_usb_vid_pid(port, &vendor, &product).rawValue >= 0 {
                info.usbVendorID = UInt16(truncatingIfNeeded: vendor)
                info.usbProductID = UInt16(truncatingIfNeeded: product)
            }
            info.manufacturer = text(sp_get_port_usb_manufacturer(port))
            info.product = text(sp_get_port_usb_product(port))
            info.serialNumber = text(sp_get_port_usb_serial(port))
        }
        return info
    }
}

private func hex4(_ value: UInt16) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 4 - digits.count) + digits
}
