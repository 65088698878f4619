// swift-tools-version: 6.2
// Hushbox: the software of an on-premises voice appliance. The target layout
// follows the team's map; README.md says what lives in each folder.

import PackageDescription

/// Settings every Hushbox target compiles with: Swift 6 mode with strict
/// concurrency, the upcoming features the Hummingbird and NIO codebases use, and
/// warnings treated as errors so none accumulate.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .treatAllWarnings(as: .error),
]

let package = Package(
    name: "hushbox",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "hushboxd", targets: ["hushboxd"]),
        .executable(name: "hushbox", targets: ["hushbox"]),
        .executable(name: "hushbox-ingest", targets: ["hushbox-ingest"]),
        // For the benchmark package in Benchmarks/.
        .library(name: "Vault", targets: ["Vault"]),
        .library(name: "SIPCore", targets: ["SIPCore"]),
        // For the libFuzzer targets in Fuzzing/.
        .library(name: "SIPStack", targets: ["SIPStack"]),
        .library(name: "Media", targets: ["Media"]),
        // For the uplink drain benchmark: the worker as hushboxd runs it, and the reference receiver.
        .library(name: "HushboxService", targets: ["HushboxService"]),
        .library(name: "Ingest", targets: ["Ingest"]),
        .library(name: "Uplink", targets: ["Uplink"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // The uplink's HTTPS client (issue 7); already built for Hummingbird's test framework.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: ["YAML"]),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        // Already in the graph through Hummingbird; named for HTTPField in the receiver's routes.
        .package(url: "https://github.com/apple/swift-http-types", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // Already in the graph through swift-configuration's YAML trait; named here
        // because the configuration loader walks the YAML tree itself to name
        // unknown keys, which swift-configuration's snapshot does not expose.
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // A person's export as one ZIP download from the admin API, built in memory (pure Swift over zlib, which NIO's extras already link).
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        // The web console's pages: logic-less templates that HTML-escape every value unless told otherwise (pure Swift, no dependencies).
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        // MARK: C libraries from Debian, wrapped as system-library targets.
        .systemLibrary(
            name: "CSRTP",
            pkgConfig: "libsrtp2",
            providers: [.apt(["libsrtp2-dev"])]
        ),
        .systemLibrary(
            name: "COpus",
            pkgConfig: "opus",
            providers: [.apt(["libopus-dev"])]
        ),
        .systemLibrary(
            name: "CALSA",
            pkgConfig: "alsa",
            providers: [.apt(["libasound2-dev"])]
        ),
        .systemLibrary(
            name: "CArgon2",
            pkgConfig: "libargon2",
            providers: [.apt(["libargon2-dev"])]
        ),
        // glibc's stub resolver: SRV and NAPTR lookups for trunks (RFC 3263).
        .systemLibrary(name: "CResolv"),
        .systemLibrary(name: "CClock"),
        // The telephone line (issue 21): caller ID and tone filters, resampling, GPIO.
        .systemLibrary(name: "CSpanDSP", pkgConfig: "spandsp", providers: [.apt(["libspandsp-dev"])]),
        .systemLibrary(name: "CSpeexDSP", pkgConfig: "speexdsp", providers: [.apt(["libspeexdsp-dev"])]),
        .systemLibrary(name: "CGPIOD", pkgConfig: "libgpiod", providers: [.apt(["libgpiod-dev"])]),
        .systemLibrary(name: "CSndFile", pkgConfig: "sndfile", providers: [.apt(["libsndfile1-dev"])]),

        // MARK: The media's vocabulary: codecs, SRTP suites, directions. What SDP
        // negotiates and Media runs, with no dependency either way.
        .target(name: "MediaFormat", swiftSettings: strictSettings),

        // MARK: SIP: pure values, parser, serializer.
        .target(
            name: "SIPCore",
            // swift-crypto only for digest authentication's MD5, SHA-256 and HMAC.
            dependencies: ["MediaFormat", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings
        ),

        // MARK: DNS: glibc's resolver on a thread of its own, a TTL cache. Its own
        // target so that libresolv's C headers (netinet/in.h …) stay out of SIPStack.
        .target(name: "DNSResolver", dependencies: ["CResolv"], swiftSettings: strictSettings),

        // MARK: SIP: transports, transactions, dialogs, registration, policy.
        .target(
            name: "SIPStack",
            dependencies: [
                "SIPCore", "NetworkLimits", "DNSResolver",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),

        // MARK: Media: RTP/RTCP, SRTP through libsrtp2, codecs.
        .target(
            name: "Media",
            dependencies: [
                "CSRTP", "COpus", "MediaFormat",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),

        // MARK: LineAudio: a telephone line on a sound card (ALSA), its analogue
        // signals (spandsp), its ring and hook lines (libgpiod). No Media, no vault.
        .target(
            name: "LineAudio",
            dependencies: ["CALSA", "CSpanDSP", "CSpeexDSP", "CGPIOD"],
            swiftSettings: strictSettings
        ),

        // MARK: Voicemail: the caller flow, prompts, mailboxes and recording into the vault.
        .target(
            name: "Voicemail",
            dependencies: [
                "Media", "Vault", "SIPCore", "LineAudio", .product(name: "Crypto", package: "swift-crypto"), .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),

        // MARK: Uplink: store-and-forward to the customer's EU destination (issue 7).
        .target(
            name: "Uplink",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strictSettings
        ),

        // MARK: Connection limits shared by hushboxd's SIP listeners and hushbox-ingest.
        .target(name: "NetworkLimits", swiftSettings: strictSettings),

        // MARK: Files that hold keys or data: 0600 in 0700 directories from their first byte, never through a link.
        .target(name: "PrivateFiles", swiftSettings: strictSettings),

        // The connection guard every HTTP listener puts in front of its routes: the receiver's and the admin API's.
        .target(
            name: "HTTPEdge",
            dependencies: [
                "NetworkLimits", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),

        // Greetings uploaded in any common format, made into the box's Ogg Opus.
        .target(name: "AudioImport", dependencies: ["CSndFile", "LineAudio", "Media"], swiftSettings: strictSettings),

        // The customer's HTTPS admin API and web console (docs/admin-api.yaml, docs/admin.md).
        .target(
            name: "AdminAPI",
            dependencies: [
                "Vault", "Voicemail", "Privacy", "Media", "AudioImport", "Uplink", "HTTPEdge", "NetworkLimits", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"), .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: strictSettings
        ),

        // MARK: Ingest: the reference receiver a customer runs in their EU region (hushbox-ingest).
        .target(
            name: "Ingest",
            dependencies: [
                "Uplink", "NetworkLimits", "PrivateFiles", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
                // Already built for Hummingbird: the HTTP request parts the connection guard watches.
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ],
            swiftSettings: strictSettings
        ),

        // MARK: Privacy operations: retention periods, the daily purge and its schedule (issue 8, being built).
        .target(
            name: "Privacy",
            dependencies: ["Vault", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings
        ),

        // MARK: Storage: encrypted SQLite rows, sealed audio objects, keys, audit.
        .target(
            name: "Vault",
            dependencies: [
                "CArgon2", "PrivateFiles",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),

        // MARK: The composition root and the two executables.
        .target(
            name: "HushboxService",
            dependencies: [
                "AdminAPI", "CALSA", "CArgon2", "CClock", "DNSResolver", "COpus", "CSRTP", "LineAudio", "PrivateFiles", "Vault", "Voicemail", "SIPCore", "SIPStack", "NetworkLimits", "HTTPEdge", "Uplink", "Privacy",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "hushboxd",
            dependencies: [
                "HushboxService",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "hushbox",
            dependencies: [
                "HushboxService",
                "Vault", "Voicemail", "Media", "Privacy", "Uplink", "PrivateFiles",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),

        // The reference receiver a customer runs in their EU region (docs/uplink-protocol.md).
        .executableTarget(
            name: "hushbox-ingest",
            dependencies: [
                "Ingest", "Uplink", "NetworkLimits", "HTTPEdge", "PrivateFiles",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),

        // MARK: Tests.
        .target(
            name: "HushboxTestSupport",
            dependencies: [
                // spandsp's transmitters make the line's test signals (caller ID, tones, DTMF).
                "CSpanDSP",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            path: "Tests/HushboxTestSupport",
            swiftSettings: strictSettings
        ),
        // A child process the vault tests kill with SIGKILL in the middle of
        // writing a sealed object.
        .executableTarget(
            name: "VaultCrashProbe",
            dependencies: ["Vault", .product(name: "Logging", package: "swift-log")],
            path: "Tests/VaultCrashProbe",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "VaultTests",
            dependencies: [
                "Vault",
                "HushboxTestSupport",
                "VaultCrashProbe",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SIPCoreTests",
            dependencies: ["SIPCore", "HushboxTestSupport"],
            exclude: ["Fixtures"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SIPStackTests",
            dependencies: [
                "SIPStack", "SIPCore", "DNSResolver", "HushboxTestSupport", "NetworkLimits",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "VoicemailTests",
            dependencies: ["Voicemail", "Media", "Vault", "SIPCore", "LineAudio", "CSpanDSP", "HushboxTestSupport", .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "MediaTests",
            dependencies: [
                "Media", "MediaFormat", "HushboxTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                // An independent SRTP reference (BoringSSL's AES-CTR, AES-GCM, HMAC-SHA1)
                // to check libsrtp against the RFC vectors; already built for swift-certificates.
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "UplinkTests",
            dependencies: ["Uplink", "HushboxTestSupport", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "IngestTests",
            dependencies: [
                "Ingest", "Uplink", "PrivateFiles", "HushboxTestSupport", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"), .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "AdminAPITests",
            dependencies: [
                "AdminAPI", "AudioImport", "CSndFile", "Vault", "Media", "NetworkLimits", "HTTPEdge", "HushboxTestSupport", "Privacy",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"), .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"), .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"), .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PrivacyTests",
            dependencies: [
                "Privacy", "Vault", "HushboxTestSupport", .product(name: "Logging", package: "swift-log"), .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LineAudioTests",
            dependencies: ["LineAudio", "CALSA", "CSpanDSP", "CSpeexDSP", "CGPIOD", "HushboxTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CLibraryTests",
            dependencies: ["CALSA", "CArgon2", "COpus", "CSRTP"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HushboxServiceTests",
            dependencies: [
                "HushboxService",
                "Vault", "Voicemail", "Media", "MediaFormat", "LineAudio", "CALSA", "CSpanDSP", "CSpeexDSP", "CGPIOD",
                "Uplink", "SIPStack", "NetworkLimits",
                "Ingest",
                "HushboxTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ExecutableTests",
            dependencies: [
                "HushboxTestSupport", "hushboxd", "hushbox", "hushbox-ingest", "Media", "CSpanDSP", "Uplink", "Vault", "PrivateFiles", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
