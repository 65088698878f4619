// swift-tools-version: 6.2
// libFuzzer targets for Hushbox's SIP code, a package of their own so that
// `make test` and CI never build them. docs/fuzzing.md says how to run them:
//   swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library --product SIPParserFuzzer
import Foundation
import PackageDescription

/// SwiftPM names a path dependency after its directory, which is whatever the
/// clone was called.
let hushboxPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
    name: "hushbox-fuzzing",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "..")],
    targets: [
        // The bridge from SwiftPM's renamed entry point to libFuzzer's driver.
        .target(name: "FuzzerDriver"),
        // Bytes → parser → validator → SDP → serializer.
        .executableTarget(
            name: "SIPParserFuzzer",
            dependencies: ["FuzzerDriver", .product(name: "SIPCore", package: hushboxPackage)]
        ),
        // Bytes → the whole signalling core (policy, transactions, dialogs, timers).
        .executableTarget(
            name: "SignallingCoreFuzzer",
            dependencies: [
                "FuzzerDriver",
                .product(name: "SIPCore", package: hushboxPackage),
                .product(name: "SIPStack", package: hushboxPackage),
            ]
        ),
    ]
)
