// The vault's costs next to their floor, measured in the same run:
// - sealing and opening one 64 KiB audio chunk through the STREAM layer against
//   raw AES-256-GCM on the same bytes (swift-crypto, the same primitive);
// - inserting 10,000 call rows with a sealed number and a blind index, in one
//   transaction, against 10,000 rows with the number in clear through GRDB.
import Benchmark
import Crypto
import Foundation
import GRDB
import Logging
import Vault

let benchmarks: @Sendable () -> Void = {
    let chunk = Data((0..<ObjectStream.defaultChunkSize).map { UInt8(truncatingIfNeeded: $0 &* 31) })
    let key = SymmetricKey(size: .bits256)
    let stream = ObjectStream(key: key, tenantID: "benchmark-tenant", objectID: "benchmark-object")
    let configuration = Benchmark.Configuration(
        metrics: [.throughput, .wallClock, .mallocCountTotal], maxDuration: .seconds(3), maxIterations: 20_000
    )

    Benchmark("Seal 64 KiB chunk (vault STREAM)", configuration: configuration) { benchmark in
        for index in benchmark.scaledIterations {
            blackHole(try stream.seal(chunk, index: index, isLast: false))
        }
    }

    Benchmark("Seal 64 KiB chunk (raw AES-256-GCM, baseline)", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try AES.GCM.seal(chunk, using: key))
        }
    }

    // As the reader holds a chunk read from disk: after room for its nonce.
    var framed = Data(count: ObjectStream.nonceLength)
    framed.append((try? stream.seal(chunk, index: 7, isLast: false)) ?? Data())
    Benchmark("Open 64 KiB chunk (vault STREAM)", configuration: configuration) { benchmark in
        var buffer = framed
        for _ in benchmark.scaledIterations {
            blackHole(stream.open(framed: &buffer, index: 7, isLast: false))
        }
    }

    // The floor for a chunk read from disk: bytes in, a box built, opened.
    let rawCombined = (try? AES.GCM.seal(chunk, using: key).combined) ?? Data()
    Benchmark("Open 64 KiB chunk (raw AES-256-GCM, baseline)", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try AES.GCM.open(try AES.GCM.SealedBox(combined: rawCombined), using: key))
        }
    }

    let rowsConfiguration = Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal], maxDuration: .seconds(20), maxIterations: 10
    )
    let numbers = (0..<10_000).compactMap { try? PhoneNumber("+4930\(1_000_000 + $0)") }

    Benchmark("Insert 10,000 calls with sealed columns (vault)", configuration: rowsConfiguration) { benchmark in
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let vault = try Vault.open(directory: directory + "/vault", deviceKEK: DeviceKEK.generate().kek, logger: Logger(label: "benchmark"))
        let tenant = try vault.createTenant(name: "Benchmark")
        let start = Date(timeIntervalSince1970: 1_795_425_600)
        let calls = numbers.map { Call(direction: .inbound, startedAt: start, counterparty: $0, outcome: .recorded) }
        benchmark.startMeasurement()
        try tenant.insert(contentsOf: calls)
        benchmark.stopMeasurement()
    }

    Benchmark("Insert 10,000 calls in clear (GRDB, baseline)", configuration: rowsConfiguration) { benchmark in
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let database = try DatabasePool(path: directory + "/plain.sqlite", configuration: configuration)
        try database.write { db in
            try db.execute(sql: """
                CREATE TABLE calls (id TEXT PRIMARY KEY NOT NULL, tenant_id TEXT NOT NULL, direction TEXT NOT NULL,
                started_at INTEGER NOT NULL, counterparty TEXT, outcome TEXT NOT NULL) STRICT;
                CREATE INDEX calls_by_counterparty ON calls(tenant_id, counterparty);
                """)
        }
        benchmark.startMeasurement()
        try database.write { db in
            for number in numbers {
                try db.execute(
                    sql: "INSERT INTO calls VALUES (?, 'tenant', 'inbound', 1795425600000, ?, 'recorded')",
                    arguments: [UUID().uuidString.lowercased(), number.e164]
                )
            }
        }
        benchmark.stopMeasurement()
    }
}

func temporaryDirectory() -> String {
    let path = NSTemporaryDirectory() + "/hushbox-benchmark-" + UUID().uuidString
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    return path
}
