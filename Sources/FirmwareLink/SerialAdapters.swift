#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemCall

/// USB serial adapters worth naming in `armature ports`: what they are usually for, by USB id.
public enum SerialAdapters {
    /// What the adapter with this USB vendor and product id is, when it is one Armature users meet.
    public static func name(vendor: UInt16, product: UInt16) -> String? {
        switch (vendor, product) {
        case (0x0403, 0x6014): return "FTDI FT232H: ROBOTIS U2D2 (Dynamixel bus)"
        case (0x0403, 0x6001): return "FTDI FT232R (USB2Dynamixel, generic)"
        case (0x0403, 0x6010): return "FTDI FT2232"
        case (0x0403, 0x6015): return "FTDI FT231X"
        case (0x1A86, 0x55D3): return "WCH CH343"
        case (0x1A86, 0x7523): return "WCH CH340"
        default: return nil
        }
    }

    /// The FTDI driver's latency timer of a Linux `ttyUSB` port, ms: how long the adapter holds a
    /// short packet before sending it to the host (16 by default). nil where there is none to read.
    public static func latencyTimer(port: String) -> Int? {
        #if os(Linux)
        let name = SerialPorts.resolvedPath(port).split(separator: "/").last.map(String.init) ?? ""
        guard name.hasPrefix("ttyUSB") else { return nil }
        let path = "/sys/bus/usb-serial/devices/\(name)/latency_timer"
        let fd = systemOpen(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { _ = systemClose(fd) }
        var buffer = [UInt8](repeating: 0, count: 16)
        let count = systemRead(fd, &buffer, buffer.count)
        guard count > 0 else { return nil }
        return Int(String(decoding: buffer[..<count], as: UTF8.self).trimmingTrailingWhitespace())
        #else
        return nil
        #endif
    }
}

extension SerialPortInfo {
    /// The adapter's name when `SerialAdapters` knows its USB id.
    public var adapter: String? {
        guard let usbVendorID, let usbProductID else { return nil }
        return SerialAdapters.name(vendor: usbVendorID, product: usbProductID)
    }
}
