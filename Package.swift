// swift-tools-version:6.0
import PackageDescription

// Module map: see docs/ARCHITECTURE.md. Lower modules never import higher ones.
let package = Package(
    name: "Armature",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "armature", targets: ["armature"]),
        .library(name: "RobotModel", targets: ["RobotModel"]),
        .library(name: "ArmDynamics", targets: ["ArmDynamics"]),
        .library(name: "Hardware", targets: ["Hardware"]),
        .library(name: "Tasks", targets: ["Tasks"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .target(name: "DeterministicRandom"),
        .target(name: "RobotModel", dependencies: [.product(name: "Yams", package: "Yams")]),
        .target(name: "ArmDynamics", dependencies: ["RobotModel"]),
        .target(
            name: "Hardware",
            dependencies: ["RobotModel", "ArmDynamics", "DeterministicRandom", .product(name: "Logging", package: "swift-log")]
        ),
        .target(name: "Tasks", dependencies: ["Hardware", "ArmDynamics", "RobotModel", "DeterministicRandom"]),
        .executableTarget(
            name: "armature",
            dependencies: [
                "RobotModel", "ArmDynamics", "Hardware", "Tasks", "DeterministicRandom",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "TestSupport", dependencies: ["RobotModel"], path: "Tests/TestSupport"),
        .testTarget(name: "RobotModelTests", dependencies: ["RobotModel", "DeterministicRandom", "TestSupport"]),
        .testTarget(name: "ArmDynamicsTests", dependencies: ["ArmDynamics", "RobotModel", "TestSupport"]),
        .testTarget(
            name: "HardwareTests", dependencies: ["Hardware", "RobotModel", "ArmDynamics", "DeterministicRandom", "TestSupport"]),
        .testTarget(name: "TasksTests", dependencies: ["Tasks", "Hardware", "RobotModel", "TestSupport"]),
        .testTarget(name: "ArmatureCLITests", dependencies: ["armature", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
