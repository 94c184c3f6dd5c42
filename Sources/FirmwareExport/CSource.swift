/// C99 spellings of values, shared by the generated headers.
public enum CSource {
    /// A float constant that reads back as exactly `value` (shortest round-trip digits, `f` suffix);
    /// infinities as `INFINITY` from <math.h>.
    public static func float(_ value: Float) -> String {
        if value == .infinity { return "INFINITY" }
        if value == -.infinity { return "-INFINITY" }
        return "\(value)f"
    }

    /// A double constant that reads back as exactly `value`.
    public static func double(_ value: Double) -> String {
        precondition(value.isFinite, "callers check finiteness")
        return "\(value)"
    }

    /// A C string literal: quotes, backslashes and anything outside printable ASCII escaped (octal,
    /// three digits, so that a following digit cannot join the escape).
    public static func string(_ text: String) -> String {
        var out = "\""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += "\\\""
            case UInt8(ascii: "\\"): out += "\\\\"
            case 0x20...0x7E: out += String(UnicodeScalar(byte))
            default:
                let octal = String(byte, radix: 8)
                out += "\\" + String(repeating: "0", count: 3 - octal.count) + octal
            }
        }
        return out + "\""
    }

    /// Text that cannot end the comment it is put in.
    public static func commentSafe(_ text: String) -> String {
        text.replacingOccurrences(of: "*/", with: "* /").replacingOccurrences(of: "\n", with: " ")
    }
}
