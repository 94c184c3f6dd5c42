// swift-tools-version:6.0
import PackageDescription

#if os(Linux) && arch(x86_64)
import Foundation

/// Vector level for the network kernels, from the CPU of the machine that builds (as -march=native
/// would, capped at a named level), and a compilation condition naming it so `armature bench` can
/// say what it runs. Without it Swift emits 128-bit SSE. ARMATURE_PORTABLE=1 builds baseline x86-64
/// for binaries that must run on any x86-64 CPU; ARMATURE_MARCH=x86-64-v3 (or -v4) builds for that
/// level whatever the build machine has, e.g. AVX2 binaries on an AVX-512 machine.
let (vectorFlags, vectorLevel): ([String], String?) = {
    let environment = ProcessInfo.processInfo.environment
    if environment["ARMATURE_PORTABLE"] == "1" { return ([], nil) }
    let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    let flags = Set(cpu.split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ").map(String.init) ?? [])
    let level = environment["ARMATURE_MARCH"]
        ?? (flags.isSuperset(of: ["avx2", "fma", "bmi2", "avx512f", "avx512bw", "avx512vl", "avx512dq"]) ? "x86-64-v4"
            : flags.isSuperset(of: ["avx2", "fma", "bmi2", "movbe"]) ? "x86-64-v3" : "x86-64")
    switch level {
    case "x86-64-v4": return (["-Xcc", "-march=x86-64-v4"], "X86_64_V4")
    case "x86-64-v3": return (["-Xcc", "-march=x86-64-v3"], "X86_64_V3")
    default: return ([], nil)
    }
}()
#else
let vectorFlags: [String] = []
let vectorLevel: String? = nil
#endif

// Module map: see docs/ARCHITECTURE.md. Lower modules never import higher ones.
let package = Package(
    name: "Armature",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "armature", targets: ["armature"]),
        .library(name: "RobotModel", targets: ["RobotModel"]),
        .library(name: "ArmDynamics", targets: ["ArmDynamics"]),
        .library(name: "FirmwareLink", targets: ["FirmwareLink"]),
        .library(name: "Hardware", targets: ["Hardware"]),
        .library(name: "Dynamixel", targets: ["Dynamixel"]),
        .library(name: "Tasks", targets: ["Tasks"]),
        .library(name: "NeuralNetwork", targets: ["NeuralNetwork"]),
        .library(name: "Policy", targets: ["Policy"]),
        .library(name: "Training", targets: ["Training"]),
        .library(name: "FileAccess", targets: ["FileAccess"]),
        .library(name: "Runtime", targets: ["Runtime"]),
        .library(name: "FlightRecorder", targets: ["FlightRecorder"]),
        .library(name: "LivePage", targets: ["LivePage"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
    ],
    targets: [
        .target(name: "DeterministicRandom"),
        .target(name: "SystemCall"),
        .target(name: "FileAccess", dependencies: ["SystemCall"]),
        .target(name: "MonotonicTime"),
        .target(name: "RobotModel", dependencies: ["FileAccess", .product(name: "Yams", package: "Yams")]),
        .target(name: "ArmDynamics", dependencies: ["RobotModel"]),
        .target(
            name: "CArmProto", path: "firmware-protocol", sources: ["src"], publicHeadersPath: "include",
            cSettings: [.unsafeFlags(["-std=c99"])]
        ),
        .systemLibrary(
            name: "CSerialPort", pkgConfig: "libserialport",
            providers: [.apt(["libserialport-dev"]), .brew(["libserialport"])]
        ),
        .target(
            name: "FirmwareLink",
            dependencies: ["CArmProto", "CSerialPort", "MonotonicTime", "SystemCall", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "Hardware",
            dependencies: [
                "RobotModel", "ArmDynamics", "DeterministicRandom", "FirmwareLink", "CArmProto", "MonotonicTime",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Dynamixel",
            dependencies: [
                "RobotModel", "Hardware", "FirmwareLink", "MonotonicTime", "SystemCall", "DeterministicRandom",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "Tasks", dependencies: ["Hardware", "ArmDynamics", "RobotModel", "DeterministicRandom"]),
        .systemLibrary(
            name: "CBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"]), .brew(["openblas"])]
        ),
        .target(
            name: "CKernels",
            // No -ffast-math: the arithmetic must stay PyTorch's, only vectorised.
            cSettings: [.unsafeFlags(["-O3", "-fno-math-errno"] + vectorFlags.filter { $0 != "-Xcc" })]
        ),
        .target(
            name: "NeuralNetwork", dependencies: ["CBLAS", "CKernels", "DeterministicRandom", "FileAccess"],
            swiftSettings: (vectorFlags.isEmpty ? [] : [.unsafeFlags(vectorFlags)]) + (vectorLevel.map { [.define($0)] } ?? [])
        ),
        .target(name: "Policy", dependencies: ["NeuralNetwork"]),
        .target(
            name: "Training",
            dependencies: [
                "NeuralNetwork", "Policy", "Tasks", "RobotModel", "DeterministicRandom", "MonotonicTime", "FileAccess",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"]), .brew(["zstd"])]),
        .target(
            name: "FlightRecorder",
            dependencies: ["CZstd", "Hardware", "Tasks", "FirmwareLink", "RobotModel", "ArmDynamics", "MonotonicTime", "FileAccess"]
        ),
        .target(
            name: "LivePage",
            dependencies: [
                "FlightRecorder", "Tasks", "RobotModel", "ArmDynamics", "MonotonicTime", .product(name: "FlyingFox", package: "FlyingFox"),
                .product(name: "FlyingSocks", package: "FlyingFox"),
            ]
        ),
        .target(name: "Plots"),
        .target(name: "FirmwareExport", dependencies: ["RobotModel", "ArmDynamics", "Hardware"]),
        .target(
            name: "Runtime",
            dependencies: ["Hardware", "Tasks", "Policy", "RobotModel", "MonotonicTime"]
        ),
        .executableTarget(
            name: "armature",
            dependencies: [
                "RobotModel", "ArmDynamics", "Hardware", "Tasks", "DeterministicRandom", "NeuralNetwork", "Policy", "Training",
                "FirmwareLink", "Runtime", "MonotonicTime", "FileAccess", "Dynamixel", "FlightRecorder", "LivePage", "Plots",
                "FirmwareExport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "TestSupport", dependencies: ["RobotModel", "Hardware"], path: "Tests/TestSupport"),
        .testTarget(name: "SystemCallTests", dependencies: ["SystemCall"]),
        .testTarget(name: "FileAccessTests", dependencies: ["FileAccess"]),
        .testTarget(name: "RobotModelTests", dependencies: ["RobotModel", "DeterministicRandom", "TestSupport"]),
        .testTarget(name: "ArmDynamicsTests", dependencies: ["ArmDynamics", "RobotModel", "TestSupport"]),
        .testTarget(
            name: "HardwareTests",
            dependencies: ["Hardware", "FirmwareLink", "RobotModel", "ArmDynamics", "DeterministicRandom", "TestSupport"]),
        .testTarget(name: "FirmwareLinkTests", dependencies: ["FirmwareLink", "CArmProto", "TestSupport"]),
        .testTarget(
            name: "DynamixelTests",
            dependencies: ["Dynamixel", "Hardware", "FirmwareLink", "RobotModel", "Tasks", "Policy", "DeterministicRandom", "TestSupport"]),
        .testTarget(name: "TasksTests", dependencies: ["Tasks", "Hardware", "RobotModel", "TestSupport"]),
        .testTarget(name: "NeuralNetworkTests", dependencies: ["NeuralNetwork", "DeterministicRandom", "TestSupport"]),
        .testTarget(name: "PolicyTests", dependencies: ["Policy", "NeuralNetwork", "Tasks", "RobotModel", "TestSupport"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "MonotonicTime", "NeuralNetwork", "Policy", "Tasks", "Hardware", "RobotModel", "DeterministicRandom", "TestSupport"]),
        .testTarget(
            name: "RuntimeTests",
            dependencies: ["Runtime", "MonotonicTime", "Hardware", "Tasks", "Policy", "NeuralNetwork", "RobotModel", "DeterministicRandom", "TestSupport"]
        ),
        .testTarget(
            name: "FlightRecorderTests",
            dependencies: ["FlightRecorder", "Hardware", "Tasks", "FirmwareLink", "RobotModel", "MonotonicTime", "TestSupport"]
        ),
        .testTarget(name: "PlotsTests", dependencies: ["Plots", "TestSupport"]),
        .testTarget(name: "FirmwareExportTests", dependencies: ["FirmwareExport", "RobotModel", "TestSupport"]),
        .testTarget(name: "ArmatureCLITests", dependencies: ["armature", "FileAccess", "NeuralNetwork", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
