import ArgumentParser
import Foundation
import HushboxService
import Vault

struct EraseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erase",
        abstract: "Erase everything of one person: hidden at once, destroyed for good (crypto-shredded) 30 days later.",
        discussion: """
            At once: their messages leave every listing and are never uploaded, their calls leave the call list, \
            a user is disabled with their sessions and API keys revoked, and every destination that received one of \
            their messages is sent an erase notice. After 30 days the daily purge destroys it all: rows, audio and the \
            key that seals the audit entries about them (the entries stay, naming no one). --now destroys it today, \
            after a confirmation (or --yes). Each step is audited.
            """
    )

    @OptionGroup var options: ConfigurationOptions
    @OptionGroup var tenantOption: TenantOption

    @OptionGroup var subjectOption: SubjectOption

    @Flag(help: "Destroy the data now instead of in 30 days (asks first).")
    var now = false

    @Flag(help: "With --now: do not ask.")
    var yes = false

    func run() async throws {
        let person = try subjectOption.person()
        if yes && !now { throw CommandFailure.failed("--yes only confirms --now; without --now nothing is destroyed before 30 days") }
        let tenant = try await tenantOption.open(options)
        let underWay: [ErasureRequest]
        do {
            do {
                let soft = try tenant.requestErasure(of: person, actor: CommandActor.current)
                print("erasure \(soft.request.id): hidden now: \(soft.calls) calls, \(soft.voicemails) messages; erase notices queued: \(soft.eraseMessages)")
                print("hard delete due \(day(soft.request.hardDeleteDueAt)) (the daily purge does it)")
            } catch where now && error.code == .invalidInput {
                // Already soft-deleted: --now takes it up.
            }
            underWay = now ? try tenant.openErasures(of: person) : []
        } catch {
            throw CommandFailure.failed("\(error)")
        }
        guard now else { return }
        guard yes || confirmed() else {
            throw CommandFailure.failed("not confirmed: nothing was destroyed; the data stays hidden until its hard delete (the daily purge, 30 days after the request)")
        }
        do {
            for request in underWay {
                let report = try tenant.completeErasure(request.id, actor: CommandActor.current)
                print("erasure \(request.id) done: destroyed \(report.calls) calls, \(report.voicemails) messages, \(report.objects) recordings and the person's key")
            }
        } catch {
            throw CommandFailure.failed("\(error)")
        }
    }

    private func confirmed() -> Bool {
        print("This destroys the person's calls, messages and recordings for good; no backup made after today holds them. Type erase to go on: ", terminator: "")
        return readLine()?.trimmingCharacters(in: .whitespaces) == "erase"
    }

    private func day(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}
