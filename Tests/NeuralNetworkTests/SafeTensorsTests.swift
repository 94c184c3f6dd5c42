import DeterministicRandom
import Foundation
import NeuralNetwork
import TestSupport
import XCTest

final class SafeTensorsTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "SafeTensorsTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: - Round trips and exact bytes

    func testRoundTripKeepsShapesValuesAndMetadata() throws {
        let file = SafeTensorsFile(
            tensors: [
                "fc1.weight": StoredTensor(shape: [2, 3], values: [1, -2, 3.5, .pi, -0.0, .leastNonzeroMagnitude]),
                "fc1.bias": StoredTensor(shape: [2], values: [.greatestFiniteMagnitude, -.infinity]),
                "scalar": StoredTensor(shape: [], values: [42]),
                "empty": StoredTensor(shape: [0, 3], values: []),
                "also empty": StoredTensor(shape: [3, 0], values: []),
                "naïve \"quoted\"\nname\u{1}": StoredTensor(shape: [1, 1, 1], values: [7]),
            ],
            metadata: ["format": "armature-actor", "version": "1", "note": "tab\there, quote \" and ü", "": ""])
        let decoded = try SafeTensors.decode(SafeTensors.encode(file))
        XCTAssertEqual(decoded, file)
        XCTAssertEqual(decoded.tensors["fc1.weight"]!.values[4].sign, .minus, "negative zero survives")
    }

    func testRoundTripWithoutMetadataOrTensors() throws {
        for file in [
            SafeTensorsFile(tensors: ["x": StoredTensor(shape: [1], values: [1])]),
            SafeTensorsFile(),
            SafeTensorsFile(metadata: ["only": "metadata"]),
        ] {
            XCTAssertEqual(try SafeTensors.decode(SafeTensors.encode(file)), file)
        }
    }

    func testNaNPayloadsSurviveBitForBit() throws {
        let bits: [UInt32] = [0x7FC0_0000, 0x7FA0_0001, 0xFFC0_1234]
        let tensor = StoredTensor(shape: [3], values: bits.map(Float.init(bitPattern:)))
        let file = SafeTensorsFile(tensors: ["nan": tensor])
        let decoded = try SafeTensors.decode(SafeTensors.encode(file))
        XCTAssertEqual(decoded.tensors["nan"]!.values.map(\.bitPattern), bits)
    }

    func testEncodingOfATinyFileIsExactlyTheExpectedBytes() throws {
        let file = SafeTensorsFile(
            tensors: ["b": StoredTensor(shape: [2], values: [1, -2]), "a": StoredTensor(shape: [], values: [0.5])],
            metadata: ["format": "x"])
        // 137 bytes of JSON with keys sorted, padded with 7 spaces to 144 = 0x90.
        let header =
            #"{"__metadata__":{"format":"x"},"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"#
            + #""b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"# + "       "
        var expected: [UInt8] = [0x90, 0, 0, 0, 0, 0, 0, 0]
        expected += Array(header.utf8)
        expected += [0x00, 0x00, 0x00, 0x3F]  // a = 0.5  = 0x3F000000
        expected += [0x00, 0x00, 0x80, 0x3F]  // b[0] = 1 = 0x3F800000
        expected += [0x00, 0x00, 0x00, 0xC0]  // b[1] = -2 = 0xC0000000
        XCTAssertEqual(try SafeTensors.encode(file), expected)
    }

    func testEqualContentGivesIdenticalBytesAndAlignedBuffer() throws {
        var first = SafeTensorsFile()
        var second = SafeTensorsFile()
        let names = ["z", "a", "m", "é", "B", "a.b", "a_b"]
        for (index, name) in names.enumerated() {
            first.tensors[name] = StoredTensor(shape: [index], values: (0..<index).map(Float.init))
            first.metadata["key\(index)"] = name
        }
        for (index, name) in names.enumerated().reversed() {
            second.tensors[name] = StoredTensor(shape: [index], values: (0..<index).map(Float.init))
            second.metadata["key\(index)"] = name
        }
        let bytes = try SafeTensors.encode(first)
        XCTAssertEqual(bytes, try SafeTensors.encode(second))
        let headerLength = bytes[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
        XCTAssertEqual(headerLength % 8, 0, "the data buffer starts 8-byte aligned")
    }

    func testWriteAndReadThroughTheFileSystem() throws {
        let path = directory.appendingPathComponent("actor.safetensors").path
        let file = SafeTensorsFile(tensors: ["w": StoredTensor(shape: [2], values: [1, 2])], metadata: ["k": "v"])
        try SafeTensors.write(file, to: path)
        XCTAssertEqual(try SafeTensors.read(path: path), file)
        // Overwriting replaces the file and leaves no temporary files behind.
        let replacement = SafeTensorsFile(tensors: ["w": StoredTensor(shape: [1], values: [3])])
        try SafeTensors.write(replacement, to: path)
        XCTAssertEqual(try SafeTensors.read(path: path), replacement)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["actor.safetensors"])
    }

    // MARK: - Every decoding error

    func testFramingErrors() {
        assertProblem([1, 2, 3], .tooShort(byteCount: 3))
        assertProblem(
            lengthField(200_000_000) + [UInt8](repeating: 0x20, count: 16),
            .headerTooLarge(declared: 200_000_000, limit: 100_000_000))
        assertProblem(lengthField(UInt64.max), .headerTooLarge(declared: .max, limit: 100_000_000))
        assertProblem(lengthField(100) + Array("{}".utf8), .headerBeyondEnd(declared: 100, available: 2))
        assertProblem(lengthField(3) + [0x7B, 0xFF, 0x7D], .headerNotUTF8)
        assertProblem(file(#"{"a":{"dtype":"F32""#), isNotJSON: true)
        assertProblem(file(""), isNotJSON: true)
        assertProblem(lengthField(4) + [0x7B, 0x00, 0x7D, 0x00], isNotJSON: true)  // UTF-16, which JSONSerialization would take
        assertProblem(lengthField(5) + [0xEF, 0xBB, 0xBF, 0x7B, 0x7D], isNotJSON: true)  // a byte-order mark
        assertProblem(file("[1, 2]"), .headerNotObject(found: "array"))
        assertProblem(file(#""text""#), .headerNotObject(found: "string"))
    }

    func testEntryShapeAndTypeErrors() {
        let offsets = #""data_offsets":[0,4]"#
        let four: [UInt8] = [0, 0, 0, 0]
        assertProblem(file(#"{"a":3}"#), .entryNotObject(tensor: "a"))
        assertProblem(file(#"{"a":{"shape":[1],\#(offsets)}}"#, four), .missingField(tensor: "a", field: "dtype"))
        assertProblem(file(#"{"a":{"dtype":"F32",\#(offsets)}}"#, four), .missingField(tensor: "a", field: "shape"))
        assertProblem(
            file(#"{"a":{"dtype":"F32","shape":[1]}}"#, four), .missingField(tensor: "a", field: "data_offsets"))
        assertProblem(
            file(#"{"a":{"dtype":32,"shape":[1],\#(offsets)}}"#, four),
            .wrongFieldType(tensor: "a", field: "dtype", expected: #"a string such as "F32""#))
        let shapeType = "an array of non-negative integers"
        for shape in [#""1""#, "[1.5]", "[true]", "[1.0]", #"["1"]"#, "[null]", "{}"] {
            assertProblem(
                file(#"{"a":{"dtype":"F32","shape":\#(shape),\#(offsets)}}"#, four),
                .wrongFieldType(tensor: "a", field: "shape", expected: shapeType), shape)
        }
        let offsetsType = "[begin, end]: two non-negative integers"
        for offsetsValue in ["[0]", "[0,4,4]", #""0,4""#, "[0,4.5]", "[-4,0]", "[false,4]"] {
            assertProblem(
                file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":\#(offsetsValue)}}"#, four),
                .wrongFieldType(tensor: "a", field: "data_offsets", expected: offsetsType), offsetsValue)
        }
        assertProblem(
            file(#"{"w":{"dtype":"F32","dtype":"F32","shape":[1],\#(offsets)}}"#, four),
            .duplicateKey("dtype", tensor: "w"))
    }

    func testUnsupportedDTypesAreNamed() {
        for dtype in ["F64", "F16", "BF16", "I32", "U8", "BOOL", "f32"] {
            let bytes = file(#"{"a":{"dtype":"\#(dtype)","shape":[1],"data_offsets":[0,4]}}"#, [0, 0, 0, 0])
            assertProblem(bytes, .unsupportedDType(tensor: "a", dtype: dtype))
            let message = SafeTensorsError(.unsupportedDType(tensor: "a", dtype: dtype)).description
            XCTAssertTrue(message.contains(dtype) && message.contains("only F32 is supported"), message)
        }
    }

    func testShapeErrors() {
        assertProblem(
            file(#"{"a":{"dtype":"F32","shape":[-1,2],"data_offsets":[0,0]}}"#),
            .negativeDimension(tensor: "a", shape: [-1, 2]))
        for shape in [
            "[4294967296,4294967296]", "[18446744073709551616]", "[9223372036854775807]",
            "[4611686018427387904]", "[18446744073709551615]",
        ] {
            assertProblem(
                file(#"{"a":{"dtype":"F32","shape":\#(shape),"data_offsets":[0,0]}}"#),
                .shapeOverflow(tensor: "a"), shape)
        }
    }

    func testOffsetErrors() {
        let eight = [UInt8](repeating: 0, count: 8)
        assertProblem(
            file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}}"#, eight),
            .offsetsReversed(tensor: "a", begin: 8, end: 4))
        assertProblem(
            file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[18446744073709551615,4]}}"#, eight),
            .offsetsReversed(tensor: "a", begin: .max, end: 4))
        assertProblem(
            file(#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}}"#, eight),
            .offsetsOutsideBuffer(tensor: "a", end: 12, bufferLength: 8))
        assertProblem(
            file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,18446744073709551615]}}"#, eight),
            .offsetsOutsideBuffer(tensor: "a", end: nil, bufferLength: 8))
        assertProblem(
            file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,8]}}"#, eight),
            .byteLengthMismatch(tensor: "a", shape: [1], expected: 4, actual: 8))
        assertProblem(
            file(#"{"a":{"dtype":"F32","shape":[0,3],"data_offsets":[0,4]}}"#, eight),
            .byteLengthMismatch(tensor: "a", shape: [0, 3], expected: 0, actual: 4))
    }

    func testBufferCoverageErrors() {
        let entry = { (name: String, shape: Int, begin: Int) in
            #""\#(name)":{"dtype":"F32","shape":[\#(shape)],"data_offsets":[\#(begin),\#(begin + 4 * shape)]}"#
        }
        let twelve = [UInt8](repeating: 0, count: 12)
        assertProblem(
            file("{\(entry("a", 2, 0)),\(entry("b", 1, 4))}", Array(twelve[0..<8])),
            .overlap(tensor: "b", other: "a"))
        assertProblem(file("{\(entry("a", 3, 0)),\(entry("b", 0, 4))}", twelve), .overlap(tensor: "b", other: "a"))
        assertProblem(file("{\(entry("a", 1, 0)),\(entry("b", 1, 8))}", twelve), .gap(before: "b", begin: 4, end: 8))
        assertProblem(file("{\(entry("a", 1, 4))}", Array(twelve[0..<8])), .gap(before: "a", begin: 0, end: 4))
        assertProblem(file("{\(entry("a", 1, 0))}", Array(twelve[0..<8])), .trailingBytes(count: 4, bufferLength: 8))
        assertProblem(file("{}", [1]), .trailingBytes(count: 1, bufferLength: 1))
        // Empty tensors may sit anywhere the cursor is, including at the same offset as each other.
        let empties = "{\(entry("e", 0, 0)),\(entry("f", 0, 8)),\(entry("g", 0, 8)),\(entry("a", 2, 0))}"
        XCTAssertEqual(try SafeTensors.decode(file(empties, Array(twelve[0..<8]))).tensors.count, 4)
    }

    func testMetadataErrors() {
        assertProblem(file(#"{"__metadata__":"x"}"#), .metadataNotObject)
        assertProblem(file(#"{"__metadata__":["x"]}"#), .metadataNotObject)
        assertProblem(file(#"{"__metadata__":{"ok":"yes","steps":100}}"#), .metadataValueNotString(key: "steps"))
        assertProblem(file(#"{"__metadata__":{"k":null}}"#), .metadataValueNotString(key: "k"))
        XCTAssertEqual(try SafeTensors.decode(file(#"{"__metadata__":null}"#)), SafeTensorsFile())
    }

    func testDuplicateTensorNames() {
        let body = #"{"dtype":"F32","shape":[0],"data_offsets":[0,0]}"#
        assertProblem(file(#"{"a":\#(body),"a":\#(body)}"#), .duplicateTensorName("a"))
        assertProblem(file(#"{"a":\#(body),"\u0061":\#(body)}"#), .duplicateTensorName("a"))
        assertProblem(file(#"{"__metadata__":{},"__metadata__":{}}"#), .duplicateTensorName("__metadata__"))
        // Precomposed and decomposed é are different bytes but the same Swift dictionary key.
        assertProblem(file(#"{"\u00e9":\#(body),"e\u0301":\#(body)}"#), .duplicateTensorName("é"))
        // Escaped quotes and braces inside names do not confuse the scan.
        let tricky = #"{"a\"}{,":\#(body),"b":\#(body)}"#
        XCTAssertEqual(try SafeTensors.decode(file(tricky)).tensors.keys.sorted(), ["a\"}{,", "b"])
    }

    func testWritingInvalidContentIsRefused() {
        let cases: [(SafeTensorsFile, SafeTensorsError.Problem)] = [
            (SafeTensorsFile(tensors: ["__metadata__": StoredTensor(shape: [], values: [1])]), .reservedName),
            (
                SafeTensorsFile(tensors: ["a": StoredTensor(shape: [2, 2], values: [1, 2, 3])]),
                .valueCountMismatch(tensor: "a", shape: [2, 2], valueCount: 3)
            ),
            (
                SafeTensorsFile(tensors: ["a": StoredTensor(shape: [-1, -1], values: [1])]),
                .negativeDimension(tensor: "a", shape: [-1, -1])
            ),
            (
                SafeTensorsFile(tensors: ["a": StoredTensor(shape: [Int.max, 2], values: [])]),
                .valueCountMismatch(tensor: "a", shape: [Int.max, 2], valueCount: 0)
            ),
        ]
        for (file, expected) in cases {
            do {
                _ = try SafeTensors.encode(file)
                XCTFail("encoded \(file)")
            } catch {
                XCTAssertEqual(error.problem, expected)
            }
        }
    }

    func testFileSystemErrorsNameThePath() throws {
        let missing = directory.appendingPathComponent("missing.safetensors").path
        do {
            _ = try SafeTensors.read(path: missing)
            XCTFail("read a missing file")
        } catch {
            guard case .cannotRead = error.problem else { return XCTFail("\(error)") }
            XCTAssertTrue(error.description.hasPrefix(missing), error.description)
        }
        let unwritable = directory.appendingPathComponent("no/such/dir/actor.safetensors").path
        do {
            try SafeTensors.write(SafeTensorsFile(), to: unwritable)
            XCTFail("wrote into a missing directory")
        } catch {
            guard case .cannotWrite = error.problem else { return XCTFail("\(error)") }
            XCTAssertEqual(error.path, unwritable)
        }
        let damaged = directory.appendingPathComponent("damaged.safetensors").path
        try Data([1, 2]).write(to: URL(fileURLWithPath: damaged))
        do {
            _ = try SafeTensors.read(path: damaged)
            XCTFail("read a damaged file")
        } catch {
            XCTAssertEqual(error, SafeTensorsError(path: damaged, .tooShort(byteCount: 2)))
            XCTAssertTrue(error.description.contains(damaged) && error.description.contains("8-byte header length"))
        }
    }

    // MARK: - Robustness

    func testRandomMutationsAndTruncationsNeverCrash() throws {
        let original = try SafeTensors.encode(
            SafeTensorsFile(
                tensors: [
                    "fc1.weight": StoredTensor(shape: [2, 2], values: [1, 2, 3, 4]),
                    "fc1.bias": StoredTensor(shape: [2], values: [5, 6]),
                    "s": StoredTensor(shape: [], values: [7]),
                    "e": StoredTensor(shape: [0], values: []),
                ],
                metadata: ["format": "armature-actor", "esc": "a\"b\\c"]))
        let interesting = Array("{}[]\",:-0123456789eE.\\u ".utf8) + [0x00, 0xFF, 0x80, 0xC3]
        let headerEnd = 8 + original[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
        var random = Xoshiro256(seed: 2024)
        func pick(_ count: Int) -> Int { Int(random.next() % UInt64(count)) }
        func someByte() -> UInt8 {
            // Mostly JSON-significant bytes, so that mutations get past UTF-8 and JSON parsing.
            random.uniform(0, 1) < 0.8 ? interesting[pick(interesting.count)] : UInt8(truncatingIfNeeded: random.next())
        }
        var accepted = 0
        for _ in 0..<2000 {
            var bytes = original
            let headerLength = headerEnd - 8
            switch pick(5) {
            case 0:
                bytes.removeLast(pick(bytes.count + 1))
            case 1:
                // Delete inside the header and fix the length field, keeping the framing plausible.
                let start = 8 + pick(headerLength)
                let end = min(headerEnd, start + 1 + pick(6))
                bytes.removeSubrange(start..<end)
                setHeaderLength(headerLength - (end - start), in: &bytes)
            case 2:
                let inserted = (0...pick(3)).map { _ in someByte() }
                bytes.insert(contentsOf: inserted, at: 8 + pick(headerLength + 1))
                setHeaderLength(headerLength + inserted.count, in: &bytes)
            default:
                for _ in 0...pick(4) { bytes[pick(bytes.count)] = someByte() }
            }
            guard let decoded = try? SafeTensors.decode(bytes) else { continue }
            // Whatever is accepted is consistent enough to write back out.
            accepted += 1
            let again = try SafeTensors.decode(SafeTensors.encode(decoded))
            XCTAssertEqual(again.metadata, decoded.metadata)
            XCTAssertEqual(again.tensors.mapValues(\.shape), decoded.tensors.mapValues(\.shape))
        }
        XCTAssertGreaterThan(accepted, 0, "some mutations only touch values and must still decode")
    }

    // MARK: - Interoperability with the reference implementation (Python `safetensors`)

    func testPythonReadsWhatSwiftWrites() throws {
        try requirePythonSafetensors()
        let path = directory.appendingPathComponent("swift.safetensors").path
        let file = SafeTensorsFile(
            tensors: [
                "fc1.weight": StoredTensor(shape: [2, 3], values: [1, -2, 3.25, .pi, 1e-30, -7e20]),
                "fc1.bias": StoredTensor(shape: [3], values: [0.1, 0.2, 0.3]),
                "scalar": StoredTensor(shape: [], values: [-0.5]),
                "empty": StoredTensor(shape: [0, 3], values: []),
            ],
            metadata: ["format": "armature-actor", "joints": "shoulder,elbow", "ünï": "cödé \"q\""])
        try SafeTensors.write(file, to: path)
        let script = """
            import json, sys
            from safetensors import safe_open
            from safetensors.numpy import load_file
            tensors = load_file(sys.argv[1])
            with safe_open(sys.argv[1], framework="np") as f:
                metadata = f.metadata()
            out = {"metadata": metadata, "tensors": {name: {"dtype": str(a.dtype), "shape": list(a.shape),
                   "values": [float(v) for v in a.reshape(-1)]} for name, a in tensors.items()}}
            print(json.dumps(out))
            """
        let output = try runPython(script, arguments: [path])
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        XCTAssertEqual(json["metadata"] as? [String: String], file.metadata)
        let tensors = try XCTUnwrap(json["tensors"] as? [String: [String: Any]])
        XCTAssertEqual(Set(tensors.keys), Set(file.tensors.keys))
        for (name, expected) in file.tensors {
            let tensor = try XCTUnwrap(tensors[name])
            XCTAssertEqual(tensor["dtype"] as? String, "float32", name)
            XCTAssertEqual(tensor["shape"] as? [Int], expected.shape, name)
            XCTAssertEqual((tensor["values"] as? [Double])?.map(Float.init), expected.values, name)
        }
    }

    func testSwiftReadsWhatPythonWritesAndWritesTheSameBytes() throws {
        try requirePythonSafetensors()
        let path = directory.appendingPathComponent("python.safetensors").path
        // One metadata key: the reference keeps metadata in a hash map, so its key order is not fixed.
        let script = """
            import sys, numpy as np
            from safetensors.numpy import save_file
            save_file({
                "fc_mu.weight": (np.arange(6, dtype=np.float32) / np.float32(7)).reshape(2, 3),
                "fc_mu.bias": np.array([-1.5, 2.5], dtype=np.float32),
                "scalar": np.array(3.0, dtype=np.float32),
                "empty": np.zeros((0, 3), dtype=np.float32),
            }, sys.argv[1], metadata={"format": "from-python"})
            """
        _ = try runPython(script, arguments: [path])
        let decoded = try SafeTensors.read(path: path)
        let expected = SafeTensorsFile(
            tensors: [
                "fc_mu.weight": StoredTensor(shape: [2, 3], values: (0..<6).map { Float($0) / 7 }),
                "fc_mu.bias": StoredTensor(shape: [2], values: [-1.5, 2.5]),
                "scalar": StoredTensor(shape: [], values: [3]),
                "empty": StoredTensor(shape: [0, 3], values: []),
            ],
            metadata: ["format": "from-python"])
        XCTAssertEqual(decoded, expected)
        let pythonBytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        XCTAssertEqual(try SafeTensors.encode(expected), pythonBytes, "Swift writes exactly what the reference writes")
    }

    func testFloat64FileFromPythonIsRefusedByName() throws {
        try requirePythonSafetensors()
        let path = directory.appendingPathComponent("f64.safetensors").path
        let script = """
            import sys, numpy as np
            from safetensors.numpy import save_file
            save_file({"w": np.ones((2,), dtype=np.float64)}, sys.argv[1])
            """
        _ = try runPython(script, arguments: [path])
        XCTAssertThrowsError(try SafeTensors.read(path: path)) { error in
            XCTAssertEqual((error as? SafeTensorsError)?.problem, .unsupportedDType(tensor: "w", dtype: "F64"))
        }
    }

    // MARK: - Helpers

    private func lengthField(_ length: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) }
    }

    private func setHeaderLength(_ length: Int, in bytes: inout [UInt8]) {
        bytes.replaceSubrange(0..<8, with: lengthField(UInt64(length)))
    }

    /// A file with `header` as its JSON text and `buffer` as its data, unpadded.
    private func file(_ header: String, _ buffer: [UInt8] = []) -> [UInt8] {
        lengthField(UInt64(header.utf8.count)) + Array(header.utf8) + buffer
    }

    private func assertProblem(
        _ bytes: [UInt8], _ expected: SafeTensorsError.Problem, _ note: String = "",
        file: StaticString = #filePath, line: UInt = #line
    ) {
        do {
            let decoded = try SafeTensors.decode(bytes)
            XCTFail("decoded \(decoded), expected \(expected) \(note)", file: file, line: line)
        } catch {
            XCTAssertEqual(error.problem, expected, note, file: file, line: line)
            XCTAssertFalse(error.message.isEmpty, file: file, line: line)
        }
    }

    private func assertProblem(_ bytes: [UInt8], isNotJSON: Bool, file: StaticString = #filePath, line: UInt = #line) {
        do {
            _ = try SafeTensors.decode(bytes)
            XCTFail("decoded invalid JSON", file: file, line: line)
        } catch {
            guard case .headerNotJSON(let reason) = error.problem else {
                return XCTFail("\(error)", file: file, line: line)
            }
            XCTAssertFalse(reason.isEmpty, file: file, line: line)
        }
    }

    private func requirePythonSafetensors() throws {
        do {
            _ = try runPython("import safetensors, numpy", arguments: [])
        } catch {
            XCTFail(
                "the interoperability tests need the safetensors and numpy packages (\(Python.installHint)): \(error)")
            throw error
        }
    }

    /// Runs `python3 -c script arguments...`.
    private func runPython(_ script: String, arguments: [String]) throws -> String {
        try Python.run(["-c", script] + arguments)
    }
}
