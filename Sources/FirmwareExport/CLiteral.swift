/// C99 literals that carry a value exactly: hexadecimal floating constants (`0x1.8p-3f`), so
/// that a compiler reads back the very bits Swift holds, with no decimal rounding on either side.
enum CLiteral {
    /// A `float` constant with the bits of `value` (finite only).
    static func float(_ value: Float) -> String {
        precondition(value.isFinite, "only finite values have a C literal")
        let sign = value.sign == .minus ? "-" : ""
        if value == 0 { return sign + "0.0f" }
        let exponent = Int(value.exponentBitPattern)
        // 23 fraction bits, shifted left once to fill six hexadecimal digits.
        let fraction = hexDigits(UInt64(value.significandBitPattern) << 1, count: 6)
        if exponent == 0 { return "\(sign)0x0.\(fraction)p-126f" }
        return "\(sign)0x1\(fraction.isEmpty ? "" : ".")\(fraction)p\(exponent - 127)f"
    }

    /// A `double` constant with the bits of `value`; infinities as C99's `INFINITY` (math.h).
    static func double(_ value: Double) -> String {
        precondition(!value.isNaN, "NaN has no place in a generated limit")
        let sign = value.sign == .minus ? "-" : ""
        if value.isInfinite { return sign + "INFINITY" }
        if value == 0 { return sign + "0.0" }
        let exponent = Int(value.exponentBitPattern)
        // 52 fraction bits are exactly 13 hexadecimal digits.
        let fraction = hexDigits(value.significandBitPattern, count: 13)
        if exponent == 0 { return "\(sign)0x0.\(fraction)p-1022" }
        return "\(sign)0x1\(fraction.isEmpty ? "" : ".")\(fraction)p\(exponent - 1023)"
    }

    /// `count` hexadecimal digits of `bits`, most significant first, trailing zeros dropped.
    private static func hexDigits(_ bits: UInt64, count: Int) -> String {
        var digits = Array(String(bits, radix: 16))
        digits.insert(contentsOf: Array(repeating: "0", count: count - digits.count), at: 0)
        while digits.last == "0" { digits.removeLast() }
        return String(digits)
    }
}
