import ArgumentParser
import Foundation
import HushboxService
import Privacy
import Vault

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Everything the box holds about one person, decrypted: for a subject access or portability request.",
        discussion: """
            Writes DIR (new, 0700): subject.json (every row tied to the person; format in docs/subject-export.md), \
            their messages as audio/<id>.opus, and manifest.json with the SHA-256 of each file. Audited. The files are \
            the person's data in clear: hand them over securely and delete them.
            """
    )

    @OptionGroup var options: ConfigurationOptions
    @OptionGroup var tenantOption: TenantOption

    @OptionGroup var subjectOption: SubjectOption

    @Option(help: ArgumentHelp("The directory to create (never overwritten).", valueName: "dir"))
    var out: String

    func run() async throws {
        let person = try subjectOption.person()
        let tenant = try await tenantOption.open(options)
        do {
            let written = try ServiceAccount.asAdministrator { try SubjectExport.write(person, of: tenant, to: out, actor: CommandActor.current, now: Date()) }
            let audio = written.files.filter { $0.path.hasPrefix("audio/") }.count
            print("exported to \(out): subject.json (\(written.document.calls.count) calls, \(written.document.voicemails.count) messages, "
                + "\(written.document.auditEntries.count) audit entries), \(audio) audio files, manifest.json")
            print("these files are the person's data in clear (0600): hand them over securely, then delete them")
        } catch {
            throw CommandFailure.failed("\(error)")
        }
    }
}
