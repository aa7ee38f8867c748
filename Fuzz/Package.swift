// swift-tools-version:6.2
import PackageDescription

// libFuzzer targets for Steward's parsers of untrusted input. Built apart from the product, in this package's own
// .build, with the fuzzer and address sanitizer on every Swift module (Fuzz/run.sh does this and runs them):
//
//     swift build --package-path Fuzz -Xswiftc -sanitize=fuzzer,address
//
// Each target's `main.swift` hands one input callback to libFuzzer's driver (`LLVMFuzzerRunDriver`): SwiftPM gives
// an executable its own entry point, so libFuzzer's `main` is not used.
let package = Package(
    name: "steward-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "steward", path: "..")],
    targets: [
        .systemLibrary(name: "CLibFuzzer"),
        .executableTarget(name: "FuzzFilter", dependencies: ["CLibFuzzer", .product(name: "StewardCore", package: "steward")]),
        .executableTarget(name: "FuzzJSON", dependencies: ["CLibFuzzer", .product(name: "StewardJSON", package: "steward")]),
        .executableTarget(
            name: "FuzzCSV",
            dependencies: ["CLibFuzzer", .product(name: "StewardTables", package: "steward"), .product(name: "StewardCore", package: "steward")]
        ),
        .executableTarget(name: "FuzzYAML", dependencies: ["CLibFuzzer", .product(name: "StewardCore", package: "steward")]),
        .executableTarget(name: "FuzzArtifactPath", dependencies: ["CLibFuzzer", .product(name: "StewardCore", package: "steward")]),
        .executableTarget(name: "FuzzJSONSchema", dependencies: ["CLibFuzzer", .product(name: "StewardJSON", package: "steward")]),
    ]
)
