// swift-tools-version: 6.0
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "runtime-exporter",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "SCALE", targets: ["SCALE"]),
        .library(name: "Substrate", targets: ["Substrate"]),
        // Corpus access and decoder torture, shared by the tests and the benchmark harnesses.
        .library(name: "ChainFixtures", targets: ["ChainFixtures"]),
        .executable(name: "runtime-exporter", targets: ["runtime-exporter"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/attaswift/BigInt", from: "6.0.1"),
    ],
    targets: [
        // SCALE codec and the hashers Substrate storage keys are built from.
        .target(
            name: "SCALE",
            dependencies: [.product(name: "BigInt", package: "BigInt")],
            swiftSettings: strictSettings
        ),
        // Runtime metadata, type registry, dynamic values, blocks, events, storage keys.
        .target(
            name: "Substrate",
            dependencies: ["SCALE", .product(name: "BigInt", package: "BigInt")],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "runtime-exporter",
            dependencies: [
                "Substrate",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ChainFixtures",
            dependencies: ["Substrate", "SCALE"],
            path: "Tests/ChainFixtures",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SCALETests",
            dependencies: ["SCALE", "Substrate", "ChainFixtures"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SubstrateTests",
            dependencies: ["Substrate", "ChainFixtures"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "RuntimeExporterTests",
            dependencies: ["ChainFixtures", "Substrate"],
            swiftSettings: strictSettings
        ),
    ]
)
