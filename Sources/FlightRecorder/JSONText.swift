/// A JSON object written as text, field by field: the recorder's messages are flat records of numbers,
/// and building them directly costs far less than a generic encoder on the writer thread.
struct JSONText {
    private(set) var text = "{"
    private var first = true

    init() { text.reserveCapacity(256) }

    private mutating func key(_ name: String) {
        if !first { text += "," }
        first = false
        text += "\""
        text += name
        text += "\":"
    }

    /// JSON has no NaN or infinity: a non-finite number is written as null.
    static func number(_ value: Double) -> String { value.isFinite ? "\(value)" : "null" }

    mutating func number(_ name: String, _ value: Double) {
        key(name)
        text += Self.number(value)
    }

    mutating func integer(_ name: String, _ value: Int) {
        key(name)
        text += "\(value)"
    }

    mutating func bool(_ name: String, _ value: Bool) {
        key(name)
        text += value ? "true" : "false"
    }

    /// A string from the program itself (names, events); quotes, backslashes and control characters escaped.
    mutating func string(_ name: String, _ value: String) {
        key(name)
        text += Self.quoted(value)
    }

    mutating func numbers<C: Collection>(_ name: String, _ values: C) where C.Element == Double {
        key(name)
        text += "["
        var firstValue = true
        for value in values {
            if !firstValue { text += "," }
            firstValue = false
            text += Self.number(value)
        }
        text += "]"
    }

    mutating func strings(_ name: String, _ values: [String]) {
        key(name)
        text += "[" + values.map(Self.quoted).joined(separator: ",") + "]"
    }

    /// A field whose value is already JSON text (a nested object or array).
    mutating func raw(_ name: String, _ json: String) {
        key(name)
        text += json
    }

    func finished() -> String { text + "}" }
    var bytes: [UInt8] { Array(finished().utf8) }

    static func quoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
