import ArgumentParser
import HushboxService
import Vault

/// `--subject PHONE|EMAIL`: the person a privacy request is about.
struct SubjectOption: ParsableArguments {
    @Option(help: ArgumentHelp("The person: a caller's number (+49…) or a user's e-mail address.", valueName: "phone|email"))
    var subject: String

    /// The person named, or a refusal that echoes only the first characters: the value is personal data.
    func person() throws -> DataSubject {
        do { return try DataSubject(parsing: subject) } catch {
            throw CommandFailure.failed("\(subject.prefix(4))… is neither a phone number nor an e-mail address: \(error)")
        }
    }
}
