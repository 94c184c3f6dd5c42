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
}
