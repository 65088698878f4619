import ArgumentParser
import Foundation
import HushboxService

/// `--summary TEXT` or `--summary-file PATH|-`: an incident's description. The
/// file form keeps the text out of the process list and the shell history.
struct SummaryInput: ParsableArguments {
    @Option(help: ArgumentHelp("What happened and what is being done (sealed; name no one). Visible in the process list: prefer --summary-file.", valueName: "text"))
    var summary: String?

    @Option(help: ArgumentHelp("Read the summary from a file, or from standard input with -.", valueName: "path"))
    var summaryFile: String?

    /// The summary given, or nil when neither option was.
    func text() throws -> String? {
        switch (summary, summaryFile) {
        case (.some, .some):
            throw CommandFailure.failed("give the summary once: --summary or --summary-file")
        case (let text?, nil):
            return text
        case (nil, "-"):
            return String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        case (nil, let path?):
            guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure.failed("cannot read the summary from \(path)") }
            return String(decoding: data, as: UTF8.self)
        case (nil, nil):
            return nil
        }
    }
}
