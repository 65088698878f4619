// swift-tools-version: 6.3
// Hushbox's benchmarks, a package of their own so that `make test` never builds
// the benchmark tooling. Run from this directory:
//   swift package --disable-sandbox benchmark
import Foundation
import PackageDescription

/// SwiftPM names a path dependency after its directory, which is whatever the
/// clone was called.
let hushboxPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
    name: "hushbox-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        // RuntimeInterposer, a default trait, needs a package this mirror lacks.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        // The C floor for the media benchmarks: libsrtp2 and libopus called directly.
        .target(
            name: "RawMediaFloor",
            path: "Benchmarks/RawMediaFloor",
            linkerSettings: [.linkedLibrary("srtp2"), .linkedLibrary("opus")]
        ),
        .executableTarget(
            name: "VaultBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Vault", package: hushboxPackage),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/VaultBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "SIPBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SIPCore", package: hushboxPackage),
                .product(name: "SIPStack", package: hushboxPackage),
                // The socket's view of a source address (SocketAddress.ipAddress), as the drop path sees it.
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Benchmarks/SIPBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "MediaBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Media", package: hushboxPackage),
                .product(name: "SIPCore", package: hushboxPackage),
                "RawMediaFloor",
            ],
            path: "Benchmarks/MediaBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // The uplink worker draining a backlog to the reference receiver on
        // loopback, next to a plain upload of the same bytes.
        .executableTarget(
            name: "UplinkBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "HushboxService", package: hushboxPackage),
                .product(name: "Ingest", package: hushboxPackage),
                .product(name: "Uplink", package: hushboxPackage),
                .product(name: "Vault", package: hushboxPackage),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Benchmarks/UplinkBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
