import Foundation
import SIPCore
import Testing

/// RFC 4475's torture messages, byte-exact from its Appendix A, each with the
/// verdict in Fixtures/rfc4475/verdicts.tsv.
@Suite("RFC 4475 torture tests")
struct TortureTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/rfc4475")

    struct Case: Sendable, CustomTestStringConvertible {
        let file: String
        let verdict: String
        let note: String
        var testDescription: String { "\(file): \(verdict)" }
    }

    static let cases: [Case] = {
        let table = (try? String(contentsOf: directory.appendingPathComponent("verdicts.tsv"), encoding: .utf8)) ?? ""
        return table.split(separator: "\n").dropFirst().compactMap { line in
            guard !line.hasPrefix("#") else { return nil }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 3, fields[0] != "file" else { return nil }
            return Case(file: String(fields[0]), verdict: String(fields[1]), note: String(fields[2]))
        }
    }()

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name + ".dat")))
    }

    /// What the UAS does with a datagram.
    static func verdict(_ bytes: [UInt8]) -> String {
        do {
            switch try SIPParser().parse(datagram: bytes) {
            case .request(let request):
                return SIPRequestValidator().validate(request).map { "respond \($0.statusCode)" } ?? "accept"
            case .response(let response):
                return SIPResponseValidator.problem(with: response) == nil ? "accept-response" : "drop"
            }
        } catch {
            return error.looksLikeResponse ? "drop" : "respond \(error.suggestedStatus)"
        }
    }

    @Test("every message of RFC 4475 has a verdict")
    func everyMessageCovered() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path).filter { $0.hasSuffix(".dat") }
        #expect(files.count == 50)
        #expect(Set(files.map { String($0.dropLast(4)) }) == Set(Self.cases.map(\.file)))
    }

    @Test("each message gets the verdict a real server gives", arguments: cases)
    func verdict(for testCase: Case) throws {
        #expect(Self.verdict(try Self.bytes(testCase.file)) == testCase.verdict, "\(testCase.file): \(testCase.note)")
    }

    @Test("every valid message survives serialising and parsing again unchanged", arguments: cases.filter { $0.verdict != "drop" && !["respond 400", "respond 505"].contains($0.verdict) })
    func roundTrip(testCase: Case) throws {
        let message = try SIPParser().parse(datagram: try Self.bytes(testCase.file))
        let again = try SIPParser().parse(datagram: message.serialized)
        #expect(again.headers[.via] == message.headers[.via])
        #expect(again.headers[.callID] == message.headers[.callID])
        #expect(again.serialized == message.serialized)
    }
}
