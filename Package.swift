// swift-tools-version: 6.0
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    // Decoding crosses modules at every value (Exporter → Substrate → SCALE → ExactJSON): let
    // release builds specialise and inline across them.
    .unsafeFlags(["-cross-module-optimization"], .when(configuration: .release)),
]

// The decoders, evaluation and the simulated node optimised in debug builds too: the tests
// decode every block and runtime of the corpus, and the nodes and exporters they start generate
// and evaluate thousands of blocks, at a tenth of the speed unoptimised. Everything else stays
// quick to build and to debug.
let decoderSettings = strictSettings + [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "runtime-exporter",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "SCALE", targets: ["SCALE"]),
        .library(name: "ExactJSON", targets: ["ExactJSON"]),
        .library(name: "Substrate", targets: ["Substrate"]),
        .library(name: "JSONRPC", targets: ["JSONRPC"]),
        .library(name: "SubstrateRPC", targets: ["SubstrateRPC"]),
        .library(name: "Exporter", targets: ["Exporter"]),
        .library(name: "MetricStore", targets: ["MetricStore"]),
        // Corpus access and decoder torture, shared by the tests and the benchmark harnesses.
        .library(name: "ChainFixtures", targets: ["ChainFixtures"]),
        .executable(name: "runtime-exporter", targets: ["runtime-exporter"]),
        .executable(name: "runtime-devnode", targets: ["runtime-devnode"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/attaswift/BigInt", from: "6.0.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/GraphQLSwift/GraphQL", from: "4.3.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        // JSON that keeps object key order and exact numbers (u64 never through Double).
        .target(name: "ExactJSON", swiftSettings: decoderSettings),
        // Tasks started where they cannot be awaited, owned all the same: cancelled and awaited at close.
        .target(name: "OwnedTasks", swiftSettings: strictSettings),
        // SCALE codec and the hashers Substrate storage keys are built from.
        .target(
            name: "SCALE",
            dependencies: [.product(name: "BigInt", package: "BigInt")],
            swiftSettings: decoderSettings
        ),
        // Runtime metadata, type registry, dynamic values, blocks, events, storage keys.
        .target(
            name: "Substrate",
            dependencies: ["SCALE", "ExactJSON", .product(name: "BigInt", package: "BigInt")],
            swiftSettings: decoderSettings
        ),
        // JSON-RPC 2.0 messages: requests out, responses and notifications in; no I/O.
        .target(name: "JSONRPC", dependencies: ["ExactJSON"], swiftSettings: strictSettings),
        // JSON-RPC 2.0 over HTTP and WebSocket; knows method names and JSON, never SCALE.
        .target(
            name: "SubstrateRPC",
            dependencies: [
                "ExactJSON", "JSONRPC", "OwnedTasks",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // Metric definitions (data, with the shipped set as resources), collectors, pipeline.
        .target(
            name: "Exporter",
            dependencies: [
                "Substrate", "SubstrateRPC", "SCALE", "ExactJSON",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            resources: [.copy("Metrics")],
            swiftSettings: decoderSettings
        ),
        // Samples of finalized blocks kept for history: one schema for every metric, in SQLite
        // (embedded) or PostgreSQL/TimescaleDB, behind one protocol.
        .target(
            name: "MetricStore",
            dependencies: [
                "ExactJSON",
                "OwnedTasks",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // HTTP APIs over the store: Sanbase's getMetric in GraphQL, and its REST mirror.
        .target(
            name: "Server",
            dependencies: [
                "MetricStore",
                "ExactJSON",
                .product(name: "GraphQL", package: "GraphQL"),
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strictSettings
        ),
        // libxcrypt, for bcrypt hashes of basic auth users.
        .systemLibrary(name: "CCrypt", path: "Sources/CCrypt"),
        // The exporter-toolkit's --web.config.file: TLS, basic auth, rate and size limits.
        .target(
            name: "WebSecurity",
            dependencies: [
                "CCrypt",
                "SCALE",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The pages a person opens: chains' status, the metric browser, charts drawn as SVG.
        .target(
            name: "WebUI",
            dependencies: ["MetricStore", .product(name: "Hummingbird", package: "hummingbird")],
            swiftSettings: strictSettings
        ),
        // The long-lived services of a process and what they share: one chain's following and
        // history with their retries, the store sink, endpoint health, chain naming, the HTTP
        // server of `serve`, progress reports.
        .target(
            name: "ExporterServices",
            dependencies: [
                "Exporter",
                "MetricStore",
                "Server",
                "WebUI",
                "WebSecurity",
                "SubstrateRPC",
                "ExactJSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        // Commands: argument parsing and wiring of the services.
        .executableTarget(
            name: "runtime-exporter",
            dependencies: [
                "ExporterServices",
                "Exporter",
                "MetricStore",
                "WebSecurity",
                "DevNode",
                "Substrate",
                "SCALE",
                "ExactJSON",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        // A simulated Substrate node serving a deterministic chain over JSON-RPC (ws and http),
        // run by `runtime-devnode` and embedded by `runtime-exporter demo`.
        .target(
            name: "DevNode",
            dependencies: [
                "Substrate",
                "SCALE",
                "ExactJSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Resources/polkadot_2000000_v15.scale"), .copy("Resources/statemint_2003001_v16.scale")],
            swiftSettings: decoderSettings
        ),
        .executableTarget(
            name: "runtime-devnode",
            dependencies: [
                "DevNode",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ChainFixtures",
            dependencies: ["Substrate", "SCALE", "ExactJSON", "JSONRPC"],
            path: "Tests/ChainFixtures",
            swiftSettings: decoderSettings
        ),
        .testTarget(
            name: "SCALETests",
            dependencies: ["SCALE", "Substrate", "ExactJSON", "ChainFixtures", .product(name: "BigInt", package: "BigInt")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SubstrateTests",
            dependencies: ["Substrate", "SCALE", "ExactJSON", "ChainFixtures"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SubstrateRPCTests",
            dependencies: ["SubstrateRPC", "JSONRPC", "Substrate", "SCALE", "ExactJSON", "ChainFixtures"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ExporterTests",
            dependencies: [
                "Exporter", "Substrate", "SCALE", "ExactJSON", "ChainFixtures", "DevNode", "SubstrateRPC", "JSONRPC",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "MetricStoreTests",
            dependencies: ["MetricStore", "ExactJSON", "ChainFixtures"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ExporterServicesTests",
            dependencies: [
                "ExporterServices", "Exporter", "MetricStore", "DevNode", "OwnedTasks", "SubstrateRPC", "WebUI", "Server", "ExactJSON", "WebSecurity",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "RuntimeExporterTests",
            dependencies: [
                "ChainFixtures", "Exporter", "Substrate", "SubstrateRPC", "SCALE", "ExactJSON",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
