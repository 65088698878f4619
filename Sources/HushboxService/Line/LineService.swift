internal import LineAudio
internal import Logging
internal import Metrics
public import ServiceLifecycle
internal import Vault
internal import Voicemail

/// hushboxd's telephone line as a service: its mailbox and prompts checked
/// at start (a line whose mailbox is missing stops the daemon, exit status
/// 78), the ``LineRuntime`` run until shutdown.
public struct LineService: Service {
    public static let componentName = "line"
    let line: HushboxConfiguration.Line
    let vault: Vault
    let prompts: PromptLibrary
    let outboxDestinations: [String]
    let logger: Logger

    /// Checks that the line's mailbox exists and the prompts load.
    static func prepare(_ configuration: HushboxConfiguration, vault: Vault) throws(StartupError) -> (PromptLibrary, HushboxConfiguration.Line)? {
        guard let line = configuration.line else { return nil }
        let prompts: PromptLibrary
        do {
            prompts = try PromptLibrary(directory: configuration.storage.promptsDirectory)
        } catch {
            throw StartupError("\(error) (storage.prompts_directory)")
        }
        let found: (TenantVault, Mailbox)?
        do {
            found = try MailboxRouter(vault: vault).mailbox(dialled: line.mailbox)
        } catch {
            throw StartupError("the line's mailbox could not be looked up: \(error)")
        }
        guard found != nil else {
            throw StartupError("line.mailbox names no mailbox; make it first (hushbox mailbox add), or correct line.mailbox")
        }
        return (prompts, line)
    }

    public func run() async throws {
        let (vault, mailbox) = (vault, line.mailbox)
        let setup = LineController.Setup(
            line: line, prompts: prompts, outboxDestinations: outboxDestinations,
            mailbox: { try MailboxRouter(vault: vault).mailbox(dialled: mailbox) }, logger: logger,
            metrics: LineMetrics(factory: MetricsSystem.factory)
        )
        var gpio: GPIOLines?
        if case .gpio(let lines) = line.control { gpio = lines }
        logger.notice("line starting", metadata: [
            "capture": "\(line.captureDevice)", "playback": "\(line.playbackDevice)", "board": "\(line.board ?? "none")",
            "control": "\(gpio == nil ? "vox" : "gpio")", "country": "\(line.country.rawValue)",
        ])
        let runtime = LineRuntime.start(setup, gpio: gpio)
        // Runs until the daemon stops; a call in progress is ended by the line's own stop.
        try? await gracefulShutdown()
        await runtime.stop()
    }
}
