import NIOCore
public import Logging
public import Media
public import SIPCore

/// How a SIP call's media is set up: what both sides agreed in SDP, where
/// the box's RTP socket binds, and who may send to it.
public struct RTPCallSetup: Sendable {
    public var audio: NegotiatedAudio
    /// The address the RTP socket binds (the SIP listener's).
    public var mediaHost: String
    public var localRTPPort: Int
    /// Whether an address (an IP literal) is one of the call's SIP peer's
    /// sources; media from anywhere else is dropped.
    public var mediaSources: @Sendable (String) -> Bool

    public init(audio: NegotiatedAudio, mediaHost: String, localRTPPort: Int, mediaSources: @escaping @Sendable (String) -> Bool) {
        self.audio = audio
        self.mediaHost = mediaHost
        self.localRTPPort = localRTPPort
        self.mediaSources = mediaSources
    }
}

/// What a SIP call's media did, told as the call ends (for the metrics).
public struct RTPCallReport: Sendable, Hashable {
    /// What the call's media sockets took and dropped (forged SRTP, strangers, a full queue).
    public var sockets: InboundMedia.Counters
    /// What the jitter buffer saw: packets lost (their slots concealed), late, duplicated.
    public var jitter: JitterBuffer.Statistics

    public init(sockets: InboundMedia.Counters, jitter: JitterBuffer.Statistics) {
        self.sockets = sockets
        self.jitter = jitter
    }
}

/// A SIP call's audio: RTP or SRTP through a ``MediaSession`` (packets in,
/// telephone-events as digits, prompts out), the jitter buffer and decoder
/// on the call's task, and the SIP dialog's news (a re-INVITE's new media,
/// the caller's BYE) as arrivals in the same order as the packets.
public final class RTPCallAudio<ClockType: Clock>: CallAudio where ClockType.Duration == Duration {
    public enum Arrival: Sendable {
        case media(MediaEvent)
        case dialog(CallDialogEvent)
    }

    /// The media session's sockets and the dialog's news, beside the call's task.
    public struct Transport: CallAudioTransport {
        let session: MediaSession<ClockType>
        let dialog: AsyncStream<CallDialogEvent>

        public func run(delivering deliver: @escaping @Sendable (Arrival) -> Void) async {
            let (session, dialog) = (session, dialog)
            await withTaskGroup(of: Void.self) { group in
                // The session hands each packet over from its own loop: no task in between.
                group.addTask { await session.run { deliver(.media($0)) } }
                group.addTask {
                    // The dialog's news is rare: it goes over to the session's loop, in order.
                    for await event in dialog {
                        session.eventLoop.execute { deliver(.dialog(event)) }
                    }
                }
                // The session ends on stop(); the dialog's news is of no use after it.
                await group.next()
                group.cancelAll()
            }
        }

        public func stop() async { await session.stop() }
    }

    public let transport: Transport
    public var executor: any SerialExecutor { session.eventLoop.executor }
    public let pacing: CallPacing
    public let codec: AudioCodec
    public var receivedSampleRate: Int { receiver.outputSampleRate }
    private let session: MediaSession<ClockType>
    private let receiver: AudioReceiver
    private let payloadType: Int
    private let logger: Logger

    /// Binds the call's RTP and RTCP sockets.
    /// - Parameter loopPaced: the call's slots are paced by its sockets' event
    ///   loop (a real call), rather than by sleeping on `clock` (virtual time).
    public init(_ setup: RTPCallSetup, dialog: AsyncStream<CallDialogEvent>, clock: ClockType, loopPaced: Bool, logger: Logger) async throws {
        // Everything that can fail without sockets first: a bound session must be stopped.
        receiver = try AudioReceiver(audio: RTPAudioParameters(setup.audio))
        // Paced by its loop, the call reads its RTP socket once per slot (collectArrivals): no
        // wake-up per packet. On a virtual clock the channel hands each packet over as it
        // arrives, so a test knows every packet it sent is in before it moves the clock.
        let session = try MediaSession(
            audio: RTPAudioParameters(setup.audio), sources: MediaSources(admitting: setup.mediaSources), clock: clock, readsWhenAsked: loopPaced
        )
        do {
            _ = try await session.bind(host: setup.mediaHost, port: setup.localRTPPort)
        } catch {
            // The RTP socket may be bound and the RTCP port taken: close what was opened.
            await session.stop()
            throw error
        }
        self.session = session
        pacing = loopPaced ? .eventLoop(session.eventLoop) : .clock
        transport = Transport(session: session, dialog: dialog)
        codec = setup.audio.codec
        payloadType = setup.audio.payloadType
        self.logger = logger
    }

    /// What the call's media did so far.
    public nonisolated(nonsending) func report() async -> RTPCallReport {
        RTPCallReport(sockets: await session.receptionCounters, jitter: receiver.statistics)
    }

    /// The caller's packets waiting in the call's RTP socket (a call paced by
    /// its loop); on a virtual clock they came through the transport already.
    public func collectArrivals(_ handle: (Arrival) -> Void) {
        for event in session.assumeIsolated({ session in session.readWaitingPackets() }) {
            handle(.media(event))
        }
    }

    public func take(_ arrival: Arrival, at now: Duration) -> CallAudioNews {
        switch arrival {
        case .media(.packet(let packet)):
            receiver.insert(packet, arrival: now)
            return .audio
        case .media(.digit(let digit)):
            return .digit(digit)
        case .media(.inactive), .media(.peerLeft):
            // The caller's media stopped: they are gone, whatever SIP says yet.
            return .callerLeft(stillConnected: true)
        case .dialog(.mediaUpdated(let audio)):
            return update(audio) ? .nothing : .callerLeft(stillConnected: true)
        case .dialog(.ended):
            return .callerLeft(stillConnected: false)
        }
    }

    public func receivedFrame(at now: Duration) -> ReceivedAudioFrame? {
        guard let samples = receiver.pull(at: now) else { return nil }
        return ReceivedAudioFrame(samples: samples, payload: receiver.lastReceivedPayload)
    }

    public func send(_ frame: PromptPlayer.Frame) {
        do {
            try session.assumeIsolated { session in try session.send(payload: frame.payload, duration: frame.samples, marker: frame.marker) }
        } catch {
            logger.warning("a prompt packet could not be sent", metadata: ["error": "\(error)"])
        }
    }

    /// Applies a re-INVITE's media to the session. The codec stays the one the
    /// call started with (the SIP core prefers it in a re-answer; prompts and
    /// the recording are in it); a key libsrtp refuses leaves the call unable
    /// to hear the caller: false, and the call ends.
    private func update(_ offered: NegotiatedAudio) -> Bool {
        var audio = offered
        if audio.codec != codec {
            logger.warning(
                "a re-INVITE changed the codec; the call keeps its own",
                metadata: ["codec": "\(codec.encodingName)", "offered": "\(audio.codec.encodingName)"]
            )
            audio.codec = codec
            audio.payloadType = payloadType
        }
        do {
            let parameters = RTPAudioParameters(audio)
            try session.assumeIsolated { session in try session.update(parameters) as Void }
            logger.info("media updated by re-INVITE", metadata: ["direction": "\(audio.localDirection.rawValue)"])
            return true
        } catch {
            logger.error("the re-INVITE's SRTP key could not be used; ending the call", metadata: ["error": "\(error)"])
            return false
        }
    }
}
