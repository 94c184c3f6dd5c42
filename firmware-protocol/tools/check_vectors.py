#!/usr/bin/env python3
"""Independent check of vectors/vectors.txt against PROTOCOL.md.

Shares no code with the C codec: CRC, COBS and every payload layout are
re-implemented here from the protocol text (struct formats below), so that a
codec bug cannot regenerate wrong vectors unnoticed. Standard library only.

usage: check_vectors.py [vectors.txt]    prints "vectors: N passed, M failed"
"""
import struct
import sys


def crc16_ccitt_false(data: bytes) -> int:
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def cobs_encode(data: bytes) -> bytes:
    # Split on zeros; each piece becomes one or more blocks of <= 254 bytes.
    out = bytearray()
    pieces = data.split(b"\x00")
    for index, piece in enumerate(pieces):
        last_piece = index == len(pieces) - 1
        while len(piece) >= 254:
            out += b"\xff" + piece[:254]
            piece = piece[254:]
            if not piece and last_piece:
                return bytes(out)  # no trailing 0x01 after a final full block
        out += bytes([len(piece) + 1]) + piece
    return bytes(out)


def cobs_decode(data: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(data):
        code = data[i]
        if code == 0 or i + code > len(data):
            raise ValueError("cobs")
        block = data[i + 1:i + code]
        if 0 in block:
            raise ValueError("cobs")
        out += block
        i += code
        if code != 0xFF and i < len(data):
            out.append(0)
    return bytes(out)


def f32(text: str) -> bytes:
    if text == "nan":
        return struct.pack("<I", 0x7FC00000)
    return struct.pack("<f", float(text))


HOST_SEQ_ONLY = {0x02, 0x03, 0x05, 0x06, 0x07, 0x08, 0x0A}
KNOWN = HOST_SEQ_ONLY | {0x01, 0x04, 0x09, 0x0B, 0x0C, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86}
STATS_KEYS = ["rx_frames", "rx_crc_errors", "rx_cobs_errors", "rx_overlong", "rx_short",
              "rx_unknown_type", "rx_bad_length", "tx_frames", "watchdog_trips", "torque_rejected"]


# Bytes on the wire for n joints (PROTOCOL.md section 11): base + per * n.
WIRE_SIZE = {0x04: (10, 4), 0x0B: (29, 12), 0x0C: (13, 4), 0x81: (33, 4), 0x84: (29, 12), 0x85: (29, 0),
             0x82: (10, 0), 0x83: (11, 0)} | {t: (9, 0) for t in HOST_SEQ_ONLY}


def build_payload(msg_type: int, f: dict) -> bytes:
    """Payload bytes from the layout tables of PROTOCOL.md."""
    i = lambda k: int(f.get(k, "0"), 0)
    arr = lambda k: b"".join(f32(v) for v in f[k].split("/"))
    if msg_type in HOST_SEQ_ONLY:
        return struct.pack("<I", i("seq"))
    if msg_type == 0x01:
        return struct.pack("<IBB", i("seq"), i("version_major"), i("version_minor"))
    if msg_type == 0x04:
        return struct.pack("<IB", i("seq"), i("joint_count")) + arr("tau")
    if msg_type == 0x09:  # HOME; protocol 1.1 may append qd
        return struct.pack("<IB", i("seq"), i("joint_count")) + arr("q") + (arr("qd") if "qd" in f else b"")
    if msg_type == 0x0B:  # MOVE (1.3): four scalars after 3 reserved bytes, then target, kp, kd
        head = struct.pack("<IB3x", i("seq"), i("joint_count"))
        scalars = b"".join(f32(f[k]) for k in ("max_velocity", "position_tolerance", "velocity_tolerance",
                                                "integral_time"))
        return head + scalars + arr("target") + arr("kp") + arr("kd")
    if msg_type == 0x0C:  # GOAL (1.4): m values after 3 reserved bytes
        return struct.pack("<IB3x", i("seq"), i("goal_count")) + arr("goal")
    if msg_type == 0x81:
        head = struct.pack("<IBBBBIIIHH", i("seq"), i("result"), i("version_major"),
                           i("version_minor"), i("joint_count"), i("firmware_id"),
                           i("firmware_version"), i("watchdog_us"), i("max_frame"), 0)
        # 1.3 appends capabilities after the limits (a 1.2 device's reply ends before them).
        return head + arr("torque_limit") + struct.pack("<I", i("capabilities"))
    if msg_type == 0x82:
        return struct.pack("<IB", i("seq"), i("request_type"))
    if msg_type == 0x83:
        return struct.pack("<IBB", i("seq"), i("request_type"), i("result"))
    if msg_type == 0x84:
        head = struct.pack("<IIQIBBBB", i("seq"), i("applied_seq"), i("time_us"), i("status"),
                           i("result"), i("fault"), i("joint_count"), 0)
        return head + arr("q") + arr("qd") + arr("tau")
    if msg_type == 0x85:
        return struct.pack("<IBBHQII", i("seq"), i("fault"), i("fault_joint"), 0,
                           i("time_us"), i("status"), i("fault_detail"))
    if msg_type == 0x86:
        return struct.pack("<I", i("seq")) + b"".join(struct.pack("<I", i(k)) for k in STATS_KEYS)
    raise ValueError("no layout for type 0x%02x" % msg_type)


def frame_of(msg_type: int, payload: bytes) -> bytes:
    body = bytes([msg_type]) + payload
    body += struct.pack("<H", crc16_ccitt_false(body))
    return cobs_encode(body) + b"\x00"


def classify(frame: bytes) -> str:
    """Receiver verdict for one wire frame, per PROTOCOL.md 'Receiving'."""
    stuffed = frame[:-1] if frame.endswith(b"\x00") else frame
    if len(stuffed) > 255:
        return "overlong"
    try:
        body = cobs_decode(stuffed)
    except ValueError:
        return "cobs"
    if len(body) < 3:
        return "short"
    if struct.unpack("<H", body[-2:])[0] != crc16_ccitt_false(body[:-2]):
        return "crc"
    t, p = body[0], body[1:-2]
    if t not in KNOWN:
        return "unknown_type"
    # HELLO_REPLY's capabilities (1.3) are an optional tail: not part of its minimum.
    minimum = {0x01: 6, 0x04: 5, 0x09: 5, 0x0B: 24, 0x0C: 8, 0x81: 24, 0x82: 5, 0x83: 6, 0x84: 24, 0x85: 24, 0x86: 44}
    if len(p) < minimum.get(t, 4):
        return "bad_length"
    if t == 0x0C:  # GOAL (1.4): 1 to 4 goal values, a form error otherwise (not a joint count)
        m = p[4]
        return "ok" if 1 <= m <= 4 and len(p) >= 8 + 4 * m else "bad_length"
    if t in (0x04, 0x09, 0x0B, 0x81, 0x84):
        n = p[{0x04: 4, 0x09: 4, 0x0B: 4, 0x81: 7, 0x84: 22}[t]]
        if not 1 <= n <= 16:
            return "joint_count"
        per = {0x04: 4, 0x09: 4, 0x0B: 12, 0x81: 4, 0x84: 12}[t]
        if len(p) < minimum[t] + per * n:
            return "bad_length"
    return "ok"


def classify_at_device(frame: bytes) -> str:
    """A device's verdict: every device-range type (0x80-0xFF) is unknown to it whatever its
    length, because it is never a request (PROTOCOL.md 'Receiving')."""
    verdict = classify(frame)
    if verdict in ("overlong", "cobs", "short", "crc"):
        return verdict
    if cobs_decode(frame[:-1] if frame.endswith(b"\x00") else frame)[0] >= 0x80:
        return "unknown_type"
    return verdict


def unhex(text: str) -> bytes:
    return b"" if text == "-" else bytes.fromhex(text)


def main() -> int:
    path = sys.argv[1] if len(sys.argv) > 1 else "vectors/vectors.txt"
    passed = failed = 0

    def check(ok: bool, what: str) -> None:
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAIL:", what)

    check(crc16_ccitt_false(b"123456789") == 0x29B1, "CRC-16/CCITT-FALSE check value")
    kinds = set()
    with open(path, encoding="ascii") as handle:
        for number, line in enumerate(handle, 1):
            cols = line.split()
            if not cols or cols[0].startswith("#"):
                continue
            kind, name = cols[0], cols[1]
            kinds.add(kind)
            where = "%s:%d %s %s" % (path, number, kind, name)
            if kind == "crc":
                check(crc16_ccitt_false(unhex(cols[2])) == int(cols[3], 16), where)
            elif kind == "cobs":
                decoded, encoded = unhex(cols[2]), unhex(cols[3])
                check(cobs_encode(decoded) == encoded, where + " encode")
                check(cobs_decode(encoded) == decoded, where + " decode")
            elif kind == "msg":
                msg_type, payload, frame = int(cols[2], 16), unhex(cols[3]), unhex(cols[4])
                fields = dict(kv.split("=", 1) for kv in cols[5].split(","))
                check(build_payload(msg_type, fields) == payload, where + " payload layout")
                check(frame_of(msg_type, payload) == frame, where + " frame")
                check(classify(frame) == "ok", where + " classify")
                check(len(frame) <= 256, where + " max frame")
                # Bytes on the wire, PROTOCOL.md section 11.
                if msg_type in WIRE_SIZE:
                    base, per = WIRE_SIZE[msg_type]
                    n = int(fields.get("joint_count", fields.get("goal_count", "0")))
                    check(len(frame) == base + per * n, where + " size of section 11")
            elif kind == "bad":
                got = classify(unhex(cols[2]))
                check(got == cols[3], "%s expected %s got %s" % (where, cols[3], got))
            elif kind == "device":
                got = classify_at_device(unhex(cols[2]))
                check(got == cols[3], "%s expected %s got %s" % (where, cols[3], got))
            else:
                check(False, where + " unknown kind")
    check(kinds == {"crc", "cobs", "msg", "bad", "device"}, "all vector kinds present")
    print("vectors: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
