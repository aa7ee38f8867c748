// swift-tools-version:6.2
import PackageDescription

let strict: [SwiftSetting] = [.treatAllWarnings(as: .error)]

let package = Package(
    name: "steward",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "steward", targets: ["steward"]),
        .library(name: "StewardCore", targets: ["StewardCore"]),
        .library(name: "StewardStore", targets: ["StewardStore"]),
        .library(name: "StewardServer", targets: ["StewardServer"]),
        .library(name: "StewardStatistics", targets: ["StewardStatistics"]),
        .library(name: "StewardJSON", targets: ["StewardJSON"]),
        .library(name: "StewardTables", targets: ["StewardTables"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/vapor/sql-kit", from: "3.36.0"),
        .package(url: "https://github.com/vapor/postgres-kit", from: "2.17.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        // Yield points: thread-local state, and cheap enough for SQLite's progress handler.
        .target(name: "CThreadScheduling", path: "Sources/CThreadScheduling"),
        .target(
            name: "StewardCore",
            dependencies: [
                "CThreadScheduling",
                "StewardStatistics",
                "StewardJSON",
                // ByteBuffer, the chunk type of streamed artifacts; Core does no I/O with it.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "StewardStatistics",
            dependencies: [],
            swiftSettings: strict
        ),
        .target(
            name: "StewardJSON",
            dependencies: [],
            swiftSettings: strict
        ),
        .target(
            name: "StewardStore",
            dependencies: [
                "StewardCore",
                .product(name: "SQLKit", package: "sql-kit"),
                "CSQLite",
                "CThreadScheduling",
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "_NIOFileSystem", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            swiftSettings: strict
        ),
        // Table files read for evaluations and drift: no database or network code, so the readers can be fuzzed
        // (Fuzz/) without building the drivers.
        .target(
            name: "StewardTables",
            dependencies: [
                "StewardCore",
                .product(name: "CSV", package: "CSV.swift"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "StewardServer",
            dependencies: [
                "StewardCore",
                "StewardStore",
                "StewardStatistics",
                "StewardJSON",
                "StewardTables",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                // Calls to model servers on the serving path (pooled connections, no redirects followed).
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                // The OpenAPI document is written as YAML fragments (API/OpenAPI/).
                .product(name: "Yams", package: "Yams"),
                // The web UI's pages (UI/).
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "steward",
            dependencies: [
                "StewardServer",
                "StewardStore",
                "StewardCore",
                "StewardStatistics",
                "StewardJSON",
                "StewardTables",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "StewardTestSupport",
            dependencies: [
                "StewardServer",
                "StewardStore",
                "StewardCore",
                "StewardStatistics",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/StewardTestSupport",
            swiftSettings: strict
        ),
        .testTarget(
            name: "StewardCoreTests",
            dependencies: ["StewardCore"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "StewardStatisticsTests",
            dependencies: ["StewardStatistics"],
            resources: [.copy("Fixtures")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "StewardJSONTests",
            dependencies: ["StewardJSON"],
            resources: [.copy("Fixtures")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "StewardTablesTests",
            dependencies: ["StewardTables", "StewardCore"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "StewardStoreTests",
            dependencies: ["StewardStore", "StewardCore", "StewardTestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "StewardServerTests",
            dependencies: [
                "StewardServer",
                "StewardStore",
                "StewardCore",
                "StewardJSON",
                "StewardTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strict
        ),
    ]
)
