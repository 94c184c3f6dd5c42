import FirmwareLink
import TestSupport
import XCTest

/// `armature ports` as a user runs it.
final class PortsCommandTests: XCTestCase {
    func testListingPortsSucceedsWithOrWithoutPorts() throws {
        let ports = try SerialPorts.list()
        let result = try CommandRunner.armature(["ports"])
        XCTAssertEqual(result.status, 0, result.stderr)
        if ports.isEmpty {
            XCTAssertEqual(result.stdout, "no serial ports found\n")
        } else {
            XCTAssertTrue(result.stdout.hasPrefix("port"), result.stdout)
            for port in ports { XCTAssertTrue(result.stdout.contains(port.name), result.stdout) }
        }
    }

    func testUSBIdentityIsPrintedAsLsusbDoes() {
        let port = SerialPortInfo(name: "/dev/ttyACM0", description: "arm", transport: .usb, usbVendorID: 0x2E8A, usbProductID: 0x000A)
        XCTAssertEqual(port.usbID, "2e8a:000a")
        XCTAssertNil(SerialPortInfo(name: "/dev/ttyS0", description: "", transport: .native).usbID)
    }

    func testAU2D2IsNamedByItsFTDIIdentity() {
        let u2d2 = SerialPortInfo(name: "/dev/ttyUSB0", description: "USB <-> Serial Converter", transport: .usb, usbVendorID: 0x0403, usbProductID: 0x6014)
        XCTAssertEqual(u2d2.usbID, "0403:6014")
        XCTAssertTrue(u2d2.adapter?.contains("U2D2") ?? false, u2d2.adapter ?? "nil")
        XCTAssertNil(SerialPortInfo(name: "/dev/ttyUSB1", description: "", transport: .usb, usbVendorID: 0x1234, usbProductID: 0x5678).adapter)
        XCTAssertNil(SerialAdapters.latencyTimer(port: "/dev/ttyS0"), "only FTDI ttyUSB ports have a latency timer")
    }
}
