import Dispatch
import Logging
import Synchronization
internal import SIPCore
internal import SIPStack
internal import Vault
internal import Voicemail

/// Decides what happens to each call the SIP endpoint offers: a call reaches
/// the mailbox of the person called — as its peer's ``PeerRouting`` reads the
/// INVITE (a diversion, the Request-URI, To) — by SIP user or E.164 number, in
/// whichever organisation has it; anything else gets 404 (RFC 3261 §21.4.5). Each
/// answered call runs as its own task; the SIP dialog's news (a re-INVITE's
/// new media, its end) reaches it.
struct CallDispatcher: Sendable {
    let endpoint: SIPEndpoint<ContinuousClock>
    let vault: Vault
    let prompts: PromptLibrary
    /// Each peer's routing policy, by peer name; a peer without one gets the defaults.
    let routing: [String: PeerRouting]
    /// The address the media sockets bind: the SIP listener's.
    let mediaHost: String
    /// The uplink destinations every kept message is queued for, in the same transaction.
    let outboxDestinations: [String]
    /// Asked before each call whether a message may be recorded.
    let quota: LocalStoreQuota
    /// Each ended call's media counters go here.
    let mediaMetrics: MediaMetrics
    let routingMetrics: RoutingMetrics
    let registrationMetrics: RegistrationMetrics
    /// What the calls' storage queues hold, for the metrics.
    let storageBacklog: RecordingStorage.Backlog
    /// Calls answered whose runtime has not yet stored them: a shutdown waits for none.
    let callsRunning = CallsRunning()
    let logger: Logger
    /// Where each call's mailbox is looked up and the store's quota asked: the
    /// vault's database and a walk of the data directory are blocking disk work,
    /// kept off the cooperative pool (on a slow card they would hold one of its
    /// few threads, and every call's task with it).
    private let lookups = DispatchQueue(label: "hushbox.call-routing", qos: .userInitiated)

    /// Before the first call: messages a stop cut off are recovered, calls it interrupted closed.
    func recoverInterruptedCalls() throws {
        for tenantID in try vault.tenantIDs() {
            try VoicemailRecovery.recover(try vault.tenant(tenantID), outboxDestinations: outboxDestinations, logger: logger)
        }
    }

    /// A peer bound to an organisation the vault does not have would get 404
    /// for every call: refused at start, naming the key.
    func checkOrganisations() throws(StartupError) {
        let known: Set<String>
        do {
            known = Set(try vault.tenantIDs())
        } catch {
            throw StartupError("the vault's organisations could not be read: \(error)")
        }
        for (peer, policy) in routing.sorted(by: { $0.key < $1.key }) {
            if let organisation = policy.organisation, !known.contains(organisation) {
                throw StartupError("sip.peers.\(peer).organisation: there is no organisation \(organisation) on this box; see hushbox tenant list")
            }
        }
    }

    func run() async {
        await withDiscardingTaskGroup { group in
            var dialogs: [CallReference: AsyncStream<CallDialogEvent>.Continuation] = [:]
            for await event in endpoint.events {
                switch event {
                case .incomingCall(let call):
                    let policy = self.routing[call.peer] ?? PeerRouting()
                    let routing = CallRouting(call.addressing, policy: policy)
                    routingMetrics.record(routing)
                    let (routed, storeFull) = await lookUp(routing.called, in: policy.organisation)
                    guard let (tenant, mailbox) = routed else {
                        // The numbers stay out of the log: which source named whom, and whether it read as a number.
                        let named = routing.called.map { "\($0.number == nil ? "a user that is not a number in the peer's format" : "a number") from \(routing.calledFrom?.rawValue ?? "")" }
                        logger.info("no mailbox for the person called; answering 404", metadata: [
                            "call_id": "\(call.reference)", "peer": "\(call.peer)", "called": "\(named ?? "nobody named")",
                        ])
                        await endpoint.reject(call.reference, status: 404)
                        continue
                    }
                    let (dialog, news) = AsyncStream.makeStream(of: CallDialogEvent.self)
                    dialogs[call.reference] = news
                    let sources = call.peerSources
                    let rtp = RTPCallSetup(
                        audio: call.audio, mediaHost: mediaHost, localRTPPort: call.localRTPPort,
                        mediaSources: { address in sources.contains { $0.contains(address) } }
                    )
                    let setup = VoicemailCallSetup(
                        caller: routing.caller, mailbox: mailbox, tenant: tenant, prompts: prompts, outboxDestinations: outboxDestinations,
                        localStoreFull: storeFull, storageBacklog: storageBacklog,
                        divertedBecause: routing.reason.map(Call.DiversionReason.init)
                    )
                    let signalling = EndpointSignalling(endpoint: endpoint, call: call.reference)
                    var callLogger = logger
                    callLogger[metadataKey: "call_id"] = "\(call.reference)"
                    let (mediaMetrics, callsRunning) = (self.mediaMetrics, self.callsRunning)
                    callsRunning.started()
                    group.addTask {
                        let summary = await VoicemailCall.run(setup, rtp: rtp, signalling: signalling, dialog: dialog, logger: callLogger) {
                            mediaMetrics.record($0)
                        }
                        mediaMetrics.recordEnded(summary)
                        callsRunning.ended()
                    }
                case .mediaUpdated(let call, let audio):
                    dialogs[call]?.yield(.mediaUpdated(audio))
                case .callEnded(let call, _, _):
                    if let news = dialogs.removeValue(forKey: call) {
                        news.yield(.ended)
                        news.finish()
                    }
                case .registrationChanged(let peer, let status):
                    if case .registered = status {
                        logger.notice("registered with trunk", metadata: ["peer": "\(peer)"])
                        registrationMetrics.record(peer: peer, registered: true)
                    } else {
                        registrationMetrics.record(peer: peer, registered: false)
                    }
                case .callEstablished:
                    break
                }
            }
        }
    }

    /// The call's mailbox and whether the local store is too full to record,
    /// looked up on ``lookups``; the dispatcher's task waits without a thread.
    private func lookUp(_ called: CalledParty?, in organisation: String?) async -> (route: (TenantVault, Mailbox)?, storeFull: Bool) {
        await withCheckedContinuation { continuation in
            lookups.async {
                let routed = called.flatMap { route($0, in: organisation) }
                continuation.resume(returning: (routed, routed != nil && !quota.admitsRecording()))
            }
        }
    }

    /// The mailbox the person called has (``MailboxRouter``).
    private func route(_ called: CalledParty, in organisation: String?) -> (TenantVault, Mailbox)? {
        do {
            return try MailboxRouter(vault: vault).mailbox(called, in: organisation)
        } catch {
            logger.error("routing failed: the vault could not be read", metadata: ["error": "\(error)"])
            return nil
        }
    }
}

/// How many calls are running, from their dispatch until they are stored.
final class CallsRunning: Sendable {
    private let count = Atomic<Int>(0)

    var current: Int { count.load(ordering: .acquiring) }
    func started() { count.add(1, ordering: .releasing) }
    func ended() { count.subtract(1, ordering: .releasing) }
}

/// A voicemail call's answer and hang-up, on the endpoint.
struct EndpointSignalling: CallSignalling {
    let endpoint: SIPEndpoint<ContinuousClock>
    let call: CallReference

    func answer() async { await endpoint.accept(call) }
    func hangUp() async { await endpoint.hangUp(call) }
}
