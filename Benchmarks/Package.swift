// swift-tools-version: 6.0
// Benchmarks live in their own package so their build never slows the product's.
import Foundation
import PackageDescription

// A path dependency is named after its folder, which is whatever the checkout was cloned as.
let product = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "runtime-exporter-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .executableTarget(
            name: "decode-benchmark",
            dependencies: [
                .product(name: "SCALE", package: product),
                .product(name: "Substrate", package: product),
                .product(name: "ExactJSON", package: product),
            ],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
        .executableTarget(
            name: "decode-torture",
            dependencies: [.product(name: "ChainFixtures", package: product)],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
        .executableTarget(
            name: "devnode-load",
            dependencies: [
                .product(name: "SubstrateRPC", package: product),
                .product(name: "JSONRPC", package: product),
                .product(name: "ExactJSON", package: product),
            ]
        ),
        .executableTarget(
            name: "history-fetch",
            dependencies: [
                .product(name: "Exporter", package: product),
                .product(name: "MetricStore", package: product),
                .product(name: "SubstrateRPC", package: product),
                .product(name: "Substrate", package: product),
                .product(name: "SCALE", package: product),
                .product(name: "ExactJSON", package: product),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "store-benchmark",
            dependencies: [.product(name: "MetricStore", package: product)]
        ),
        .executableTarget(
            name: "query-benchmark",
            dependencies: [
                .product(name: "MetricStore", package: product),
                .product(name: "ExactJSON", package: product),
            ]
        ),
        .executableTarget(
            name: "exposition-benchmark",
            dependencies: [.product(name: "Exporter", package: product)]
        ),
        // Needs -sanitize=fuzzer: build it through Benchmarks/decode-fuzz.sh.
        .executableTarget(
            name: "decode-fuzz",
            dependencies: [
                .product(name: "SCALE", package: product),
                .product(name: "Substrate", package: product),
                .product(name: "ExactJSON", package: product),
                .product(name: "JSONRPC", package: product),
            ]
        ),
    ]
)
