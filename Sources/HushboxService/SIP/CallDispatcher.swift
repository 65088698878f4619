import Logging
internal import SIPStack

/// Decides what happens to each call the SIP endpoint offers. A call reaches
/// the mailbox of the dialled user; a dialled user without one gets 404
/// (RFC 3261 §21.4.5), as the voicemail flow will keep doing for unknown users.
/// The voicemail flow, which gives users mailboxes, is not part of the daemon
/// yet, so today every call that passes the signalling policy gets 404.
struct CallDispatcher: Sendable {
    let endpoint: SIPEndpoint<ContinuousClock>
    let logger: Logger

    func run() async {
        for await event in endpoint.events {
            switch event {
            case .incomingCall(let call):
                logger.info("no mailbox for the dialled user; answering 404", metadata: ["call_id": "\(call.reference.callID)", "peer": "\(call.peer)"])
                await endpoint.reject(call.reference, status: 404)
            case .registrationChanged(let peer, let status):
                if case .registered = status {
                    logger.notice("registered with trunk", metadata: ["peer": "\(peer)"])
                }
            case .callEstablished, .mediaUpdated, .callEnded:
                break
            }
        }
    }
}
