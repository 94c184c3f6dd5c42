/// Protocol 2.0's CRC-16: polynomial 0x8005 (x¹⁶ + x¹⁵ + x² + 1), initial value 0, not reflected,
/// no final XOR, over every byte of a packet from the header to the last parameter (after stuffing).
/// Table-driven, one lookup per byte as ROBOTIS's own implementation; the table is derived from the
/// polynomial here rather than written out.
public enum PacketCRC {
    static let table: [UInt16] = (0..<256).map { index in
        var crc = UInt16(index) << 8
        for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x8005 : crc << 1 }
        return crc
    }

    /// `crc` extended over `bytes`.
    @inline(__always)
    public static func update(_ crc: UInt16, _ bytes: UnsafeBufferPointer<UInt8>) -> UInt16 {
        var crc = crc
        table.withUnsafeBufferPointer { table in
            for byte in bytes { crc = (crc << 8) ^ table[Int(UInt8(truncatingIfNeeded: crc >> 8) ^ byte)] }
        }
        return crc
    }

    /// The CRC of `bytes`.
    public static func checksum(_ bytes: [UInt8]) -> UInt16 {
        bytes.withUnsafeBufferPointer { update(0, $0) }
    }
}
