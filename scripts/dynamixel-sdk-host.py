#!/usr/bin/env python3
"""ROBOTIS's own Python SDK (PyPI dynamixel-sdk) as an independent Protocol 2.0 host, for the tests.

  check-vectors FILE   re-derive every instruction frame and CRC of dynamixel-protocol/vectors.txt
                       with the SDK's packet handler, and decode every status frame with its receiver
  decode HEX...        decode status frames with the SDK's receiver; prints id, error, parameters
  session PORT IDS     against a bus (the emulator): ping every id, read Model Number, enable torque,
                       SYNC WRITE Goal Current, SYNC READ present current/velocity/position, disable
                       torque; prints one JSON object
  frame KIND ARGS      prints the instruction frame the SDK builds (for tests that compare ours)

Run it from .venv (scripts/install-python-packages).
"""
import json
import sys

from dynamixel_sdk import (COMM_SUCCESS, GroupSyncRead, GroupSyncWrite, PacketHandler, PortHandler,
                           DXL_LOBYTE, DXL_HIBYTE)

SDK = PacketHandler(2.0)


class CapturePort(PortHandler):
    """A port that keeps what the SDK writes and serves given bytes to its receiver: the SDK's
    packet handler does all the encoding and decoding, this only stands in for the wire."""

    def __init__(self, incoming=b""):
        super().__init__("capture")
        self.written = bytearray()
        self.incoming = bytearray(incoming)
        self.is_open = True

    def clearPort(self):
        pass

    def writePort(self, packet):
        self.written.extend(packet)
        return len(packet)

    def readPort(self, length):
        taken = self.incoming[:length]
        del self.incoming[:length]
        return list(taken)

    def setPacketTimeout(self, packet_length):
        pass

    def setPacketTimeoutMillis(self, msec):
        pass

    def isPacketTimeout(self):
        return not self.incoming


def sdk_frame(instruction, dxl_id, params):
    """The frame the SDK's own request builders send for one of our instructions."""
    port = CapturePort()
    if instruction == 0x01:
        SDK.ping(port, dxl_id)
    elif instruction == 0x02:
        address, length = params[0] | params[1] << 8, params[2] | params[3] << 8
        SDK.readTx(port, dxl_id, address, length)
    elif instruction == 0x03:
        address = params[0] | params[1] << 8
        SDK.writeTxOnly(port, dxl_id, address, len(params) - 2, list(params[2:]))
    elif instruction == 0x08:
        SDK.reboot(port, dxl_id)
    elif instruction == 0x82:
        address, length = params[0] | params[1] << 8, params[2] | params[3] << 8
        SDK.syncReadTx(port, address, length, list(params[4:]), len(params) - 4, False)
    elif instruction == 0x83:
        address, length = params[0] | params[1] << 8, params[2] | params[3] << 8
        SDK.syncWriteTxOnly(port, address, length, list(params[4:]), len(params) - 4)
    else:
        raise SystemExit(f"no SDK builder for instruction 0x{instruction:02x}")
    return bytes(port.written)


def sdk_stuffed(dxl_id, instruction, error, params):
    """A packet through the SDK's own addStuffing and updateCRC. dynamixel-sdk 4.1.0's txPacket calls
    addStuffing but drops its result, so a request whose parameters hold FF FF FD goes out
    unstuffed (and with a length that no longer counts the stuffing the receiver expects): for those
    the vectors are checked against the stuffing function itself."""
    head = [instruction] + ([] if error is None else [error])
    length = len(head) + len(params) + 2
    packet = [0xFF, 0xFF, 0xFD, 0x00, dxl_id, length & 0xFF, length >> 8] + head + list(params) + [0, 0]
    packet = SDK.addStuffing(packet)
    total = (packet[5] | packet[6] << 8) + 7
    crc = SDK.updateCRC(0, packet, total - 2)
    packet[total - 2], packet[total - 1] = crc & 0xFF, crc >> 8
    return bytes(packet[:total])


def sdk_decode(frame):
    """Decodes one status frame with the SDK's receiver: (id, error, parameters) or raises."""
    port = CapturePort(frame)
    packet, result = SDK.rxPacket(port, False)
    if result != COMM_SUCCESS:
        raise ValueError(SDK.getTxRxResult(result))
    length = packet[5] | packet[6] << 8
    return packet[4], packet[8], bytes(packet[9:7 + length - 2])


def unhex(text):
    return b"" if text == "-" else bytes.fromhex(text)


def check_vectors(path):
    checked = 0
    for number, line in enumerate(open(path, encoding="ascii"), 1):
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        kind, name = fields[0], fields[1]
        where = f"{path}:{number} ({name})"
        if kind == "crc":
            data, expected = unhex(fields[2]), int(fields[3], 16)
            got = SDK.updateCRC(0, list(data), len(data))
            if got != expected:
                raise SystemExit(f"{where}: SDK CRC {got:04x}, vector {expected:04x}")
        elif kind == "instruction":
            dxl_id, instruction, params, frame = int(fields[2], 16), int(fields[3], 16), unhex(fields[4]), unhex(fields[5])
            stuffed = b"\xff\xff\xfd" in bytes([instruction]) + params
            got = sdk_stuffed(dxl_id, instruction, None, params) if stuffed else sdk_frame(instruction, dxl_id, params)
            if got != frame:
                raise SystemExit(f"{where}: SDK builds {got.hex()}, vector {frame.hex()}")
        elif kind == "status":
            dxl_id, error, params, frame = int(fields[2], 16), int(fields[3], 16), unhex(fields[4]), unhex(fields[5])
            got = sdk_decode(frame)
            if got != (dxl_id, error, params):
                raise SystemExit(f"{where}: SDK decodes id {got[0]} error {got[1]:02x} params {got[2].hex()}")
        elif kind == "damaged":
            try:
                sdk_decode(unhex(fields[2]))
            except ValueError:
                pass
            else:
                raise SystemExit(f"{where}: the SDK accepts a frame the vector says is damaged")
        else:
            raise SystemExit(f"{where}: unknown kind {kind}")
        checked += 1
    print(f"{checked} vectors agree with dynamixel-sdk")


def session(port_name, ids):
    port = PortHandler(port_name)
    if not port.openPort() or not port.setBaudRate(1000000):
        raise SystemExit(f"cannot open {port_name}")
    out = {"ping": {}, "model": {}, "torque_enable": {}, "sync_read": {}}

    def check(what, result, error):
        if result != COMM_SUCCESS:
            raise SystemExit(f"{what}: {SDK.getTxRxResult(result)}")
        if error:
            raise SystemExit(f"{what}: {SDK.getRxPacketError(error)}")

    for dxl_id in ids:
        model, result, error = SDK.ping(port, dxl_id)
        check(f"ping {dxl_id}", result, error)
        out["ping"][dxl_id] = model
        number, result, error = SDK.read2ByteTxRx(port, dxl_id, 0)
        check(f"read Model Number of {dxl_id}", result, error)
        out["model"][dxl_id] = number
        check(f"torque on {dxl_id}", *SDK.write1ByteTxRx(port, dxl_id, 64, 1))
        value, result, error = SDK.read1ByteTxRx(port, dxl_id, 64)
        check(f"read Torque Enable of {dxl_id}", result, error)
        out["torque_enable"][dxl_id] = value
    writer = GroupSyncWrite(port, SDK, 102, 2)
    for index, dxl_id in enumerate(ids):
        current = 10 * (index + 1)
        writer.addParam(dxl_id, [DXL_LOBYTE(current), DXL_HIBYTE(current)])
    result = writer.txPacket()
    if result != COMM_SUCCESS:
        raise SystemExit(f"sync write: {SDK.getTxRxResult(result)}")
    reader = GroupSyncRead(port, SDK, 102, 34)  # Goal Current through Present Position
    for dxl_id in ids:
        reader.addParam(dxl_id)
    result = reader.txRxPacket()
    if result != COMM_SUCCESS:
        raise SystemExit(f"sync read: {SDK.getTxRxResult(result)}")
    for dxl_id in ids:
        if not reader.isAvailable(dxl_id, 102, 34):
            raise SystemExit(f"sync read: nothing from {dxl_id}")
        out["sync_read"][dxl_id] = {
            "goal_current": reader.getData(dxl_id, 102, 2),
            "present_position": reader.getData(dxl_id, 132, 4),
        }
    for dxl_id in ids:
        check(f"torque off {dxl_id}", *SDK.write1ByteTxRx(port, dxl_id, 64, 0))
    port.closePort()
    print(json.dumps(out))


def main(argv):
    if len(argv) >= 2 and argv[0] == "check-vectors":
        check_vectors(argv[1])
    elif len(argv) >= 2 and argv[0] == "decode":
        for frame in argv[1:]:
            dxl_id, error, params = sdk_decode(bytes.fromhex(frame))
            print(f"{dxl_id} {error:02x} {params.hex() or '-'}")
    elif len(argv) >= 3 and argv[0] == "session":
        session(argv[1], [int(x) for x in argv[2].split(",")])
    elif len(argv) >= 4 and argv[0] == "frame":
        print(sdk_frame(int(argv[1], 16), int(argv[2], 16), unhex(argv[3])).hex())
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
