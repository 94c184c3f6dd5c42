import Foundation
import NeuralNetwork

/// What a benchmark ran on: the CPU, its vector extensions, the BLAS kernels and the build, so
/// figures from machines of different kinds (AVX2-only, AVX-512) are never mixed up.
struct MachineReport {
    var cpuModel: String
    var cores: Int
    /// The SIMD extensions that decide which kernels run, in the order they were introduced.
    var vectorExtensions: [String]
    var openBLASCore: String
    var openBLASConfiguration: String
    /// OPENBLAS_CORETYPE when set: the kernels were forced rather than chosen from the CPU.
    var forcedCore: String?
    var compiledVectorLevel: String

    static let extensionsOfInterest = [
        "sse2", "sse3", "ssse3", "sse4_1", "sse4_2", "avx", "avx2", "fma", "avx_vnni",
        "avx512f", "avx512dq", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16", "amx_tile",
    ]

    static func current() -> MachineReport {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let lines = cpuinfo.split(separator: "\n")
        func field(_ name: String) -> String? {
            lines.first { $0.hasPrefix(name) }.flatMap { $0.split(separator: ":", maxSplits: 1).last }
                .map { $0.trimmingCharacters(in: .whitespaces) }
        }
        // The kernel calls SSE3 "pni" (Prescott New Instructions).
        let flags = Set((field("flags") ?? "").split(separator: " ").map { $0 == "pni" ? "sse3" : String($0) })
        return MachineReport(
            cpuModel: field("model name") ?? "unknown CPU",
            cores: ProcessInfo.processInfo.activeProcessorCount,
            vectorExtensions: extensionsOfInterest.filter(flags.contains),
            openBLASCore: MatrixLibrary.coreName,
            openBLASConfiguration: MatrixLibrary.configuration,
            forcedCore: ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"].flatMap { $0.isEmpty ? nil : $0 },
            compiledVectorLevel: MatrixLibrary.compiledVectorLevel)
    }

    var lines: [String] {
        let core = forcedCore.map { "\(openBLASCore) (forced: OPENBLAS_CORETYPE=\($0))" } ?? "\(openBLASCore) (chosen from the CPU)"
        return [
            "CPU: \(cpuModel), \(cores) cores; vector extensions: \(vectorExtensions.joined(separator: " "))",
            "OpenBLAS kernels: \(core); \(openBLASConfiguration)",
            "network loops compiled for \(compiledVectorLevel)",
        ]
    }

    var json: [String: Any] {
        [
            "cpu": cpuModel, "cores": cores, "vector_extensions": vectorExtensions, "openblas_core": openBLASCore,
            "openblas_config": openBLASConfiguration, "openblas_coretype_forced": forcedCore ?? NSNull(),
            "compiled_vector_level": compiledVectorLevel,
        ]
    }
}
