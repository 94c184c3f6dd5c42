import FileAccess
import Foundation

/// One float32 tensor as stored in a safetensors file: its shape and its values in row-major order.
public struct StoredTensor: Sendable, Equatable {
    /// Dimensions, outermost first; `[]` is a scalar (one value).
    public var shape: [Int]
    /// Row-major values; `values.count` must equal the product of `shape`.
    public var values: [Float]

    public init(shape: [Int], values: [Float]) {
        self.shape = shape
        self.values = values
    }
}

/// The content of a safetensors file: named float32 tensors plus string metadata.
public struct SafeTensorsFile: Sendable, Equatable {
    public var tensors: [String: StoredTensor]
    /// The header's `__metadata__` object (string to string); empty when the file has none.
    public var metadata: [String: String]

    public init(tensors: [String: StoredTensor] = [:], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }
}

/// Why safetensors data could not be read or written, with the file when there is one.
public struct SafeTensorsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong.
    public enum Problem: Sendable, Equatable {
        // Reading: the framing.
        case tooShort(byteCount: Int)
        case headerTooLarge(declared: UInt64, limit: Int)
        case headerBeyondEnd(declared: UInt64, available: Int)
        case headerNotUTF8
        case headerNotJSON(String)
        case headerNotObject(found: String)
        case duplicateTensorName(String)
        case duplicateKey(String, tensor: String)
        // Reading: one tensor entry.
        case entryNotObject(tensor: String)
        case missingField(tensor: String, field: String)
        case wrongFieldType(tensor: String, field: String, expected: String)
        case unsupportedDType(tensor: String, dtype: String)
        case negativeDimension(tensor: String, shape: [Int])
        case shapeOverflow(tensor: String)
        case offsetsReversed(tensor: String, begin: Int, end: Int)
        case offsetsOutsideBuffer(tensor: String, end: Int?, bufferLength: Int)
        case byteLengthMismatch(tensor: String, shape: [Int], expected: Int, actual: Int)
        // Reading: the buffer as a whole.
        case overlap(tensor: String, other: String)
        case gap(before: String, begin: Int, end: Int)
        case trailingBytes(count: Int, bufferLength: Int)
        // Reading: metadata.
        case metadataNotObject
        case metadataValueNotString(key: String)
        // Writing.
        case reservedName
        case valueCountMismatch(tensor: String, shape: [Int], valueCount: Int)
        // The file system.
        case cannotRead(FileError)
        case cannotWrite(FileError)
    }

    /// The file, when the data came from or was going to one.
    public var path: String?
    public var problem: Problem

    public init(path: String? = nil, _ problem: Problem) {
        self.path = path
        self.problem = problem
    }

    public var description: String {
        switch problem {
        // The file system's errors name the path themselves ("cannot write PATH: ...").
        case .cannotRead(let error), .cannotWrite(let error): return error.description
        default: return "\(path ?? "safetensors data"): \(message)"
        }
    }

    /// The problem and the fix, without the file.
    public var message: String {
        let unusable = "the file is damaged or was not written by a safetensors writer"
        switch problem {
        case .tooShort(let count):
            return "only \(count) bytes; a safetensors file starts with an 8-byte header length — \(unusable)"
        case .headerTooLarge(let declared, let limit):
            return "header length \(declared) exceeds the \(limit)-byte limit — \(unusable)"
        case .headerBeyondEnd(let declared, let available):
            return "header length \(declared) but only \(available) bytes follow the length field — "
                + "the file is truncated or not safetensors"
        case .headerNotUTF8:
            return "the header is not valid UTF-8 text — \(unusable)"
        case .headerNotJSON(let reason):
            return "the header is not valid JSON (\(reason)) — \(unusable)"
        case .headerNotObject(let found):
            return "the header is a JSON \(found); it must be an object mapping tensor names to entries"
        case .duplicateTensorName(let name):
            return "the header lists '\(name)' more than once (names equal up to Unicode normalization "
                + "count as the same); each tensor name and __metadata__ may appear once"
        case .duplicateKey(let key, let tensor):
            return "tensor '\(tensor)': key '\(key)' appears more than once in its entry"
        case .entryNotObject(let tensor):
            return "tensor '\(tensor)': the entry must be an object with dtype, shape and data_offsets"
        case .missingField(let tensor, let field):
            return "tensor '\(tensor)': the entry has no '\(field)'; every tensor needs dtype, shape and data_offsets"
        case .wrongFieldType(let tensor, let field, let expected):
            return "tensor '\(tensor)': '\(field)' must be \(expected)"
        case .unsupportedDType(let tensor, let dtype):
            return "tensor '\(tensor)' has dtype \(dtype); only F32 is supported — "
                + "convert to float32 before saving (PyTorch: tensor.float(), NumPy: array.astype(numpy.float32))"
        case .negativeDimension(let tensor, let shape):
            return "tensor '\(tensor)': shape \(shape) has a negative dimension"
        case .shapeOverflow(let tensor):
            return "tensor '\(tensor)': the shape's element count or byte length is too large to address"
        case .offsetsReversed(let tensor, let begin, let end):
            return "tensor '\(tensor)': data_offsets [\(begin), \(end)] end before they begin"
        case .offsetsOutsideBuffer(let tensor, let end, let length):
            let endText = end.map(String.init) ?? "beyond any addressable offset"
            return "tensor '\(tensor)': data ends at \(endText) but the data buffer holds \(length) bytes — "
                + "the file is truncated or damaged"
        case .byteLengthMismatch(let tensor, let shape, let expected, let actual):
            return "tensor '\(tensor)': shape \(shape) of F32 needs \(expected) bytes but data_offsets span \(actual)"
        case .overlap(let tensor, let other):
            return "tensors '\(other)' and '\(tensor)' share bytes of the data buffer; each byte belongs to one tensor"
        case .gap(let before, let begin, let end):
            return "bytes \(begin)..<\(end) of the data buffer, before tensor '\(before)', belong to no tensor; "
                + "the format requires the tensors to cover the buffer"
        case .trailingBytes(let count, let length):
            return "the last \(count) of the data buffer's \(length) bytes belong to no tensor — "
                + "the file has trailing bytes or a tensor is missing from the header"
        case .metadataNotObject:
            return "__metadata__ must be an object of string values"
        case .metadataValueNotString(let key):
            return "__metadata__ value for '\(key)' is not a string; safetensors metadata holds strings only — "
                + "encode numbers and lists as text"
        case .reservedName:
            return "a tensor may not be named __metadata__; that header key holds the metadata"
        case .valueCountMismatch(let tensor, let shape, let count):
            return "tensor '\(tensor)': shape \(shape) but \(count) values; the count must be the product of the shape"
        case .cannotRead(let error), .cannotWrite(let error):
            return error.message
        }
    }
}

/// Reads and writes the safetensors format (float32 tensors only) with full validation.
///
/// Layout: a little-endian u64 header length N, N bytes of UTF-8 JSON header, then the data buffer that
/// the header's `data_offsets` index. Writing is deterministic — tensors and keys in UTF-8 byte order,
/// the header space-padded to a multiple of 8 — so equal content always gives identical bytes, and the
/// bytes match what the reference implementation writes for the same content.
public enum SafeTensors {
    /// Headers above this are refused before being parsed; the reference implementation uses the same limit.
    public static let headerLimit = 100_000_000

    private static let metadataKey = "__metadata__"

    /// Where one tensor's bytes lie in the data buffer.
    private typealias Span = (name: String, begin: Int, end: Int, shape: [Int])

    /// The file's bytes. Throws if a tensor's values do not fill its shape or a tensor is named `__metadata__`.
    public static func encode(_ file: SafeTensorsFile) throws(SafeTensorsError) -> [UInt8] {
        let names = file.tensors.keys.sorted(by: utf8Order)
        var entries = [String]()
        if !file.metadata.isEmpty {
            let pairs = file.metadata.keys.sorted(by: utf8Order).map {
                "\(jsonString($0)):\(jsonString(file.metadata[$0]!))"
            }
            entries.append("\(jsonString(metadataKey)):{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for name in names {
            let tensor = file.tensors[name]!
            if name == metadataKey { throw SafeTensorsError(.reservedName) }
            guard tensor.shape.allSatisfy({ $0 >= 0 }) else {
                throw SafeTensorsError(.negativeDimension(tensor: name, shape: tensor.shape))
            }
            guard let count = elementCount(tensor.shape), count == tensor.values.count else {
                throw SafeTensorsError(
                    .valueCountMismatch(tensor: name, shape: tensor.shape, valueCount: tensor.values.count))
            }
            let end = offset + 4 * count
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            entries.append(
                "\(jsonString(name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var headerBytes = Array("{\(entries.joined(separator: ","))}".utf8)
        // Padding keeps the buffer 8-byte aligned in the file so readers can map it in place.
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }

        var bytes = [UInt8]()
        bytes.reserveCapacity(8 + headerBytes.count + offset)
        appendLittleEndian(UInt64(headerBytes.count), to: &bytes)
        bytes += headerBytes
        for name in names {
            let values = file.tensors[name]!.values
            // Checkpoints hold the replay buffer (tens of millions of floats): copy in bulk where the host
            // byte order already is the file's.
            #if _endian(little)
                values.withUnsafeBytes { bytes.append(contentsOf: $0) }
            #else
                for value in values { appendLittleEndian(value.bitPattern, to: &bytes) }
            #endif
        }
        return bytes
    }

    /// Parses and validates a whole file held in memory.
    public static func decode(_ bytes: [UInt8]) throws(SafeTensorsError) -> SafeTensorsFile {
        // withUnsafeBytes only rethrows untyped errors; a Result carries the typed one out.
        try bytes.withUnsafeBytes { raw in Result { () throws(SafeTensorsError) in try decode(raw: raw) } }.get()
    }

    private static func decode(raw bytes: UnsafeRawBufferPointer) throws(SafeTensorsError) -> SafeTensorsFile {
        guard bytes.count >= 8 else { throw SafeTensorsError(.tooShort(byteCount: bytes.count)) }
        var declared: UInt64 = 0
        for index in (0..<8).reversed() { declared = declared << 8 | UInt64(bytes[index]) }
        guard declared <= UInt64(headerLimit) else {
            throw SafeTensorsError(.headerTooLarge(declared: declared, limit: headerLimit))
        }
        let headerLength = Int(declared)
        guard headerLength <= bytes.count - 8 else {
            throw SafeTensorsError(.headerBeyondEnd(declared: declared, available: bytes.count - 8))
        }
        let headerBytes = Array(bytes[8..<(8 + headerLength)])
        // Lossy decoding replaces invalid sequences, so a lossless round trip means the bytes are valid UTF-8.
        guard String(decoding: headerBytes, as: UTF8.self).utf8.elementsEqual(headerBytes) else {
            throw SafeTensorsError(.headerNotUTF8)
        }

        // JSONSerialization also accepts UTF-16, UTF-32 and a byte-order mark, which the format does not allow;
        // JSON text never holds a raw NUL, so its absence rules out the wide encodings.
        if let nul = headerBytes.firstIndex(of: 0) {
            throw SafeTensorsError(.headerNotJSON("NUL byte at header offset \(nul); the header must be UTF-8 JSON"))
        }
        if headerBytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            throw SafeTensorsError(
                .headerNotJSON("the header starts with a byte-order mark, which JSON does not allow"))
        }
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(headerBytes), options: .fragmentsAllowed)
        } catch {
            let reason = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
            throw SafeTensorsError(.headerNotJSON(reason ?? "\(error)"))
        }
        guard let header = parsed as? [String: Any] else {
            throw SafeTensorsError(.headerNotObject(found: jsonTypeName(parsed)))
        }
        // JSONSerialization silently keeps one of two equal keys; a second look at the text catches them.
        try checkForDuplicateKeys(headerBytes)

        let bufferStart = 8 + headerLength
        let bufferLength = bytes.count - bufferStart
        var metadata = [String: String]()
        var spans = [Span]()
        for name in header.keys.sorted(by: utf8Order) {
            let value = header[name]!
            if name == metadataKey {
                metadata = try decodeMetadata(value)
                continue
            }
            spans.append(try decodeEntry(name: name, value, bufferLength: bufferLength))
        }

        // Sorting by (begin, end) puts empty tensors before a tensor starting at the same offset, so a
        // walk that never goes back detects every overlap and every uncovered byte.
        spans.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var covered = 0
        var previous: String?
        for span in spans {
            if span.begin < covered { throw SafeTensorsError(.overlap(tensor: span.name, other: previous ?? "")) }
            if span.begin > covered { throw SafeTensorsError(.gap(before: span.name, begin: covered, end: span.begin)) }
            covered = span.end
            if span.end > span.begin { previous = span.name }
        }
        if covered < bufferLength {
            throw SafeTensorsError(.trailingBytes(count: bufferLength - covered, bufferLength: bufferLength))
        }

        var tensors = [String: StoredTensor]()
        for span in spans {
            let count = (span.end - span.begin) / 4
            let base = bufferStart + span.begin
            let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                #if _endian(little)
                    UnsafeMutableRawBufferPointer(buffer).copyMemory(
                        from: UnsafeRawBufferPointer(rebasing: bytes[base..<(base + 4 * count)]))
                #else
                    for index in 0..<count {
                        let bits = bytes.loadUnaligned(fromByteOffset: base + 4 * index, as: UInt32.self)
                        buffer[index] = Float(bitPattern: UInt32(littleEndian: bits))
                    }
                #endif
                initialized = count
            }
            tensors[span.name] = StoredTensor(shape: span.shape, values: values)
        }
        return SafeTensorsFile(tensors: tensors, metadata: metadata)
    }

    /// Writes atomically through `AtomicFile`: a crash leaves the old file or the new one, never a torn one,
    /// and only a regular file (or a link to one) is replaced.
    public static func write(_ file: SafeTensorsFile, to path: String) throws(SafeTensorsError) {
        let bytes: [UInt8]
        do { bytes = try encode(file) } catch { throw SafeTensorsError(path: path, error.problem) }
        do { try AtomicFile.write(bytes, to: path) } catch { throw SafeTensorsError(path: path, .cannotWrite(error)) }
    }

    /// Largest file `read` takes unless told otherwise: a checkpoint with a full 10⁸-transition replay.
    public static let defaultSizeLimit = 64 << 30

    /// Reads and validates the file at `path`, refusing one larger than `limit` bytes before reading it.
    public static func read(path: String, limit: Int = defaultSizeLimit) throws(SafeTensorsError) -> SafeTensorsFile {
        let data: [UInt8]
        do { data = try RegularFile.read(path, limit: limit) } catch { throw SafeTensorsError(path: path, .cannotRead(error)) }
        // Decoding straight from the file's bytes avoids a second copy of a large checkpoint.
        let result = data.withUnsafeBytes { raw in Result { () throws(SafeTensorsError) in try decode(raw: raw) } }
        do { return try result.get() } catch { throw SafeTensorsError(path: path, error.problem) }
    }

    // MARK: - Decoding helpers

    private static func decodeEntry(name: String, _ value: Any, bufferLength: Int) throws(SafeTensorsError) -> Span {
        guard let entry = value as? [String: Any] else { throw SafeTensorsError(.entryNotObject(tensor: name)) }
        for field in ["dtype", "shape", "data_offsets"] where entry[field] == nil {
            throw SafeTensorsError(.missingField(tensor: name, field: field))
        }
        guard let dtype = entry["dtype"] as? String else {
            throw SafeTensorsError(.wrongFieldType(tensor: name, field: "dtype", expected: "a string such as \"F32\""))
        }
        guard dtype == "F32" else { throw SafeTensorsError(.unsupportedDType(tensor: name, dtype: dtype)) }

        let shapeType = "an array of non-negative integers"
        guard let shapeItems = entry["shape"] as? [Any] else {
            throw SafeTensorsError(.wrongFieldType(tensor: name, field: "shape", expected: shapeType))
        }
        var shape = [Int]()
        var overflow = false
        for item in shapeItems {
            switch jsonInteger(item) {
            case .value(let dimension): shape.append(dimension)
            case .tooLarge: overflow = true
            case .notInteger: throw SafeTensorsError(.wrongFieldType(tensor: name, field: "shape", expected: shapeType))
            }
        }
        if shape.contains(where: { $0 < 0 }) { throw SafeTensorsError(.negativeDimension(tensor: name, shape: shape)) }
        guard !overflow, let count = elementCount(shape), count <= Int.max / 4 else {
            throw SafeTensorsError(.shapeOverflow(tensor: name))
        }

        let offsetsType = "[begin, end]: two non-negative integers"
        guard let offsetItems = entry["data_offsets"] as? [Any], offsetItems.count == 2 else {
            throw SafeTensorsError(.wrongFieldType(tensor: name, field: "data_offsets", expected: offsetsType))
        }
        var offsets = [Int?]()
        for item in offsetItems {
            switch jsonInteger(item) {
            case .value(let offset) where offset >= 0: offsets.append(offset)
            case .tooLarge: offsets.append(nil)
            default: throw SafeTensorsError(.wrongFieldType(tensor: name, field: "data_offsets", expected: offsetsType))
            }
        }
        guard let end = offsets[1], end <= bufferLength else {
            throw SafeTensorsError(.offsetsOutsideBuffer(tensor: name, end: offsets[1], bufferLength: bufferLength))
        }
        // A begin too large for Int is necessarily past an end that fits in the buffer.
        let begin = offsets[0] ?? .max
        guard begin <= end else { throw SafeTensorsError(.offsetsReversed(tensor: name, begin: begin, end: end)) }
        guard end - begin == count * 4 else {
            throw SafeTensorsError(
                .byteLengthMismatch(tensor: name, shape: shape, expected: count * 4, actual: end - begin))
        }
        return (name, begin, end, shape)
    }

    private static func decodeMetadata(_ value: Any) throws(SafeTensorsError) -> [String: String] {
        if value is NSNull { return [:] }  // serde's Option accepts null for "no metadata"
        guard let object = value as? [String: Any] else { throw SafeTensorsError(.metadataNotObject) }
        var metadata = [String: String]()
        for key in object.keys.sorted(by: utf8Order) {
            guard let text = object[key] as? String else { throw SafeTensorsError(.metadataValueNotString(key: key)) }
            metadata[key] = text
        }
        return metadata
    }

    private enum JSONInteger {
        case value(Int)
        case tooLarge
        case notInteger
    }

    /// JSONSerialization gives NSNumber for numbers and booleans alike, and `as? Int` accepts `true`
    /// and `4.0`; the number's storage type is the only reliable way to tell integers apart.
    private static func jsonInteger(_ value: Any) -> JSONInteger {
        guard let number = value as? NSNumber else { return .notInteger }
        switch String(cString: number.objCType) {
        case "c", "C", "B": return .notInteger  // booleans
        case "s", "i", "l", "q": return .value(Int(number.int64Value))
        case "S", "I", "L", "Q":
            let unsigned = number.uint64Value
            return unsigned <= UInt64(Int.max) ? .value(Int(unsigned)) : .tooLarge
        default:
            // Integers beyond UInt64 arrive as (decimal) doubles; any other double is not an integer.
            let double = number.doubleValue
            return double.isFinite && double == double.rounded() && abs(double) >= 0x1p63 ? .tooLarge : .notInteger
        }
    }

    private static func jsonTypeName(_ value: Any) -> String {
        switch value {
        case is [Any]: return "array"
        case is String: return "string"
        case is NSNull: return "null"
        default: return "number or boolean"
        }
    }

    /// Walks the (already valid) JSON text and throws on the first object that names a key twice.
    private static func checkForDuplicateKeys(_ text: [UInt8]) throws(SafeTensorsError) {
        struct Frame {
            var isObject: Bool
            var expectsKey: Bool
            var keys: Set<String> = []
            var lastKey: String = ""
        }
        var stack = [Frame]()
        var index = 0
        while index < text.count {
            let byte = text[index]
            switch byte {
            case UInt8(ascii: "{"): stack.append(Frame(isObject: true, expectsKey: true))
            case UInt8(ascii: "["): stack.append(Frame(isObject: false, expectsKey: false))
            case UInt8(ascii: "}"), UInt8(ascii: "]"): stack.removeLast()
            case UInt8(ascii: ","):
                if !stack.isEmpty, stack[stack.count - 1].isObject { stack[stack.count - 1].expectsKey = true }
            case UInt8(ascii: "\""):
                let start = index
                index += 1
                while text[index] != UInt8(ascii: "\"") { index += text[index] == UInt8(ascii: "\\") ? 2 : 1 }
                guard let top = stack.last, top.isObject, top.expectsKey else { break }
                let key = decodeJSONString(text[start...index])
                if top.keys.contains(key) {
                    if stack.count == 1 { throw SafeTensorsError(.duplicateTensorName(key)) }
                    throw SafeTensorsError(.duplicateKey(key, tensor: stack[stack.count - 2].lastKey))
                }
                stack[stack.count - 1].keys.insert(key)
                stack[stack.count - 1].lastKey = key
                stack[stack.count - 1].expectsKey = false
            default: break
            }
            index += 1
        }
    }

    private static func decodeJSONString(_ quoted: ArraySlice<UInt8>) -> String {
        if !quoted.contains(UInt8(ascii: "\\")) {
            return String(decoding: quoted.dropFirst().dropLast(), as: UTF8.self)
        }
        // Escapes are rare in tensor names; let the JSON parser that already accepted this text undo them.
        let wrapped = Data([UInt8(ascii: "[")] + quoted + [UInt8(ascii: "]")])
        return ((try? JSONSerialization.jsonObject(with: wrapped)) as? [String])?.first ?? ""
    }

    // MARK: - Encoding helpers

    /// Byte order of UTF-8, as the reference implementation sorts; Swift's `<` on String differs for non-ASCII.
    private static func utf8Order(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    /// JSON string literal escaped as serde_json escapes it, so headers match the reference byte for byte.
    private static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\u{00}"..."\u{1F}":
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    private static func elementCount(_ shape: [Int]) -> Int? {
        var count = 1
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            if overflow { return nil }
            count = product
        }
        return count
    }

    private static func appendLittleEndian<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        var value = value.littleEndian
        withUnsafeBytes(of: &value) { bytes.append(contentsOf: $0) }
    }

}
