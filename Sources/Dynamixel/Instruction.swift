/// The instruction byte of a Protocol 2.0 packet. Armature's host sends PING, READ, WRITE, SYNC READ,
/// SYNC WRITE and REBOOT; STATUS marks a servo's reply. The others are named so that a packet
/// carrying one is reported by name, and the bus emulator answers them with an Instruction Error.
public enum Instruction: UInt8, Sendable, Equatable, CaseIterable {
    case ping = 0x01
    case read = 0x02
    case write = 0x03
    case regWrite = 0x04
    case action = 0x05
    case factoryReset = 0x06
    case reboot = 0x08
    case clear = 0x10
    case status = 0x55
    case syncRead = 0x82
    case syncWrite = 0x83
    case fastSyncRead = 0x8A
    case bulkRead = 0x92
    case bulkWrite = 0x93

    /// The id every servo obeys (and none answers, except to PING, SYNC READ and BULK READ).
    public static let broadcastID: UInt8 = 0xFE
    /// The highest id a servo can have.
    public static let highestServoID: UInt8 = 252
}
