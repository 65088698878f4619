import Mustache

/// The console's templates, parsed once. Each page template extends `layout`.
enum ConsoleTemplates {
    static let sources: [String: String] = [
        "layout": LayoutTemplates.layout,
        "sign-in": LayoutTemplates.signIn,
        "problem": LayoutTemplates.problem,
        "outcome": LayoutTemplates.outcome,
        ConsolePage.messages.rawValue: MessageTemplates.messages,
        ConsolePage.mailboxes.rawValue: MessageTemplates.mailboxes,
        ConsolePage.retention.rawValue: PrivacyTemplates.retention,
        ConsolePage.privacy.rawValue: PrivacyTemplates.privacy,
        ConsolePage.audit.rawValue: PrivacyTemplates.audit,
        ConsolePage.incidents.rawValue: ComplianceTemplates.incidents,
        ConsolePage.subProcessors.rawValue: ComplianceTemplates.subProcessors,
        ConsolePage.uplink.rawValue: ComplianceTemplates.uplink,
        ConsolePage.users.rawValue: AccessTemplates.users,
        ConsolePage.apiKeys.rawValue: AccessTemplates.apiKeys,
    ]

    /// Parsed at first use; a template that does not parse is a defect in
    /// this file, which ConsoleTemplateTests catches before any build ships.
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for (name, source) in sources {
            do { try library.register(source, named: name) } catch { preconditionFailure("console template \(name) does not parse: \(error)") }
        }
        return library
    }()

    static func render(_ view: [String: Any], as name: String) -> String {
        library.render(view, withTemplate: name) ?? ""
    }
}
