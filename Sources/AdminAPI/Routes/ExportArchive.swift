import Foundation
import HTTPTypes
import Privacy
import ZIPFoundation

/// A person's export as one ZIP file, built in memory: nothing decrypted is
/// written to the box's disk on its way to the customer's browser.
enum ExportArchive {
    /// More than this is refused: the box would hold it all in memory at once.
    static let maximumBytes = 128 << 20

    static func tooLarge(_ bytes: Int) -> Problem {
        Problem(
            .contentTooLarge, "export-too-large", "Too large to download",
            "this person's export holds \(bytes >> 20) MiB, more than the \(maximumBytes >> 20) MiB the console sends; run `hushbox export` on the box instead"
        )
    }

    static func zip(_ files: [SubjectExport.File], at date: Date) throws -> Data {
        let archive = try Archive(data: Data(), accessMode: .create)
        for file in files {
            let bytes = Data(file.bytes)
            // Audio is Opus already: stored as it is; the JSON is deflated.
            let method: CompressionMethod = file.path.hasSuffix(".json") ? .deflate : .none
            try archive.addEntry(
                with: file.path, type: .file, uncompressedSize: Int64(bytes.count), modificationDate: date, permissions: 0o600, compressionMethod: method
            ) { position, size in
                bytes.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        guard let data = archive.data else { throw Problem(.internalServerError, "internal", "The box could not do this", "the export archive was not built") }
        return data
    }
}
