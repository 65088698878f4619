import Foundation
import Hummingbird
import Media
import NIOCore
import NIOPosix
import Synchronization
import Vault

/// A message's audio for the browser: decrypted chunk by chunk straight into
/// the response, never to disk, with `Range` answered as RFC 9110 says
/// (`Content-Range` and the body's length always agree). Ogg Opus is the
/// stored form and streams; WAV (16 kHz PCM, for browsers without Opus) is
/// decoded in memory first. A play is audited once, when it starts.
enum MessageAudio {
    enum Format: String {
        case opus, wav

        var contentType: String { self == .opus ? "audio/ogg; codecs=opus" : "audio/wav" }
    }

    /// The bytes to serve: a sealed object read as the response goes out, or bytes already in memory.
    enum Source: Sendable {
        case sealed(SealedAudio)
        case memory([UInt8])

        var length: Int {
            switch self {
            case .sealed(let audio): audio.length
            case .memory(let bytes): bytes.count
            }
        }
    }

    /// An open object reader, used by one response at a time from the vault's threads.
    final class SealedAudio: Sendable {
        let reader: Mutex<SealedObjectReader>
        let length: Int

        init(reader: consuming sending SealedObjectReader, length: Int) {
            self.reader = Mutex(reader)
            self.length = length
        }

        /// Up to `budget` bytes of whole chunks, or nil at the end.
        func nextChunks(budget: Int) throws -> [UInt8]? {
            try reader.withLock { reader in
                var bytes: [UInt8] = []
                while bytes.count < budget, let chunk = try reader.next() { bytes += chunk }
                return bytes.isEmpty ? nil : bytes
            }
        }
    }

    /// Bytes decrypted per trip to the vault's threads.
    static let batch = 64 * 1024

    static func respond(to request: Request, messageID: String, principal: AdminPrincipal, backend: AdminBackend) async throws -> Response {
        let formatName = request.uri.queryParameters["format"].map(String.init) ?? "opus"
        guard let format = Format(rawValue: formatName) else { throw Problem.invalid("format must be opus or wav") }
        let download = request.uri.queryParameters["download"] == "1"
        if format == .wav, !backend.startDecode() {
            throw Problem(.serviceUnavailable, "busy", "Busy", "another message is being decoded to WAV; try again in a few seconds", retryAfter: 3)
        }
        let source: Source
        do {
            defer { if format == .wav { backend.endDecode() } }
            source = try await backend.run { try prepare(messageID, format: format, in: try backend.tenant(principal)) }
        }
        let length = source.length
        var headers: HTTPFields = [
            .contentType: format.contentType, .acceptRanges: "bytes", .cacheControl: "no-store",
            .contentDisposition: "\(download ? "attachment" : "inline"); filename=\"message-\(messageID).\(format.rawValue == "opus" ? "opus" : "wav")\"",
        ]
        let range = ByteRange(header: request.headers[.range], length: length)
        let lower: Int, upper: Int, status: HTTPResponse.Status
        switch range {
        case .unsatisfiable:
            headers[.contentRange] = "bytes */\(length)"
            return Response(status: .rangeNotSatisfiable, headers: headers)
        case .whole:
            (lower, upper, status) = (0, length - 1, .ok)
        case .partial(let first, let last):
            (lower, upper, status) = (first, last, .partialContent)
            headers[.contentRange] = "bytes \(first)-\(last)/\(length)"
        }
        // Every answer that carries audio is a read of personal data; a player's
        // probe and range requests within the audit window are the same play.
        try await backend.run {
            let tenant = try backend.tenant(principal)
            try backend.auditRead(
                AuditEvent(action: download ? "voicemail.downloaded" : "voicemail.played", actor: principal.actor, details: ["voicemail_id": messageID, "format": format.rawValue]),
                of: messageID + "/" + format.rawValue, in: tenant
            )
        }
        return Response(status: status, headers: headers, body: body(source, lower: lower, upper: upper, backend: backend))
    }

    /// Opens the message: an active one of this organisation's, with audio.
    static func prepare(_ id: String, format: Format, in tenant: TenantVault) throws -> Source {
        let message = try MessageRoutes.activeMessage(id, in: tenant)
        guard let objectID = message.objectID, let info = try tenant.object(objectID) else { throw Problem.notFound("audio for message \(id)") }
        let reader = try open(objectID, of: id, in: tenant)
        switch (format, info.state) {
        case (.opus, .complete):
            return .sealed(SealedAudio(reader: reader, length: info.byteCount))
        case (.opus, _):
            // A cut-off message: its whole chunks, read first so the length is exact.
            return .memory(try reader.readAll().bytes)
        case (.wav, _):
            return .memory(try wav(try reader.readAll().bytes, of: id))
        }
    }

    /// 16 kHz PCM in a WAV file, decoded from the stored Ogg Opus.
    private static func wav(_ stored: [UInt8], of messageID: String) throws -> [UInt8] {
        do {
            return WAVFile.encode(try OggOpusReader.read(stored).decode(sampleRate: 16_000), sampleRate: 16_000)
        } catch {
            throw Problem(
                .unprocessableContent, "not-decodable", "Cannot decode this message",
                "the stored audio of message \(messageID) is not a whole Ogg Opus stream (the call was cut off early); download it as format=opus instead"
            )
        }
    }

    /// The object's reader; a call cut off before any audio reached the disk has none to play.
    private static func open(_ objectID: String, of messageID: String, in tenant: TenantVault) throws -> SealedObjectReader {
        let opened = Result { () throws(VaultError) -> SealedObjectReader in try tenant.openObject(objectID) }
        if case .failure(let error) = opened, error.code == .objectTruncated {
            throw Problem.notFound("audio for message \(messageID): the call was cut off before any audio was stored")
        }
        return try opened.get()
    }

    /// Bytes `lower...upper` of the source; nothing when the source is empty.
    static func body(_ source: Source, lower: Int, upper: Int, backend: AdminBackend) -> ResponseBody {
        guard upper >= lower else { return ResponseBody() }
        switch source {
        case .memory(let bytes):
            return ResponseBody(byteBuffer: ByteBuffer(bytes: bytes[lower...upper]))
        case .sealed(let audio):
            return ResponseBody(contentLength: upper - lower + 1) { writer in
                var position = 0
                while position <= upper {
                    guard let bytes = try await backend.threads.runIfActive({ try audio.nextChunks(budget: batch) }) else { break }
                    let start = max(lower, position), end = min(upper, position + bytes.count - 1)
                    if start <= end { try await writer.write(ByteBuffer(bytes: bytes[(start - position)...(end - position)])) }
                    position += bytes.count
                }
                try await writer.finish(nil)
            }
        }
    }
}
