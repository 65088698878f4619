/// What an answerer accepts for audio.
public struct AudioAnswerPolicy: Sendable, Hashable {
    /// Most wanted first. Opus first: a caller's Opus is stored as it arrives.
    public var codecs: [AudioCodec]
    /// Most wanted first; the answer picks the first the offer contains.
    public var cryptoSuites: [SRTPCryptoSuite]
    /// Refuse media that is not SRTP (the default for every peer not marked plaintext).
    public var requireSRTP: Bool

    public init(
        codecs: [AudioCodec] = [.opus, .pcmu, .pcma],
        cryptoSuites: [SRTPCryptoSuite] = [.aeadAES256GCM, .aeadAES128GCM, .aesCM128HMACSHA1_80],
        requireSRTP: Bool = true
    ) {
        self.codecs = codecs
        self.cryptoSuites = cryptoSuites
        self.requireSRTP = requireSRTP
    }
}

/// Where the answerer's media lives.
public struct LocalMedia: Sendable, Hashable {
    public var address: String
    public var addressType: String
    public var rtpPort: Int
    public var sessionID: String
    public var sessionVersion: String

    public init(address: String, addressType: String = "IP4", rtpPort: Int, sessionID: String, sessionVersion: String = "1") {
        self.address = address
        self.addressType = addressType
        self.rtpPort = rtpPort
        self.sessionID = sessionID
        self.sessionVersion = sessionVersion
    }
}

/// The audio session both sides agreed on: what Media needs to run the call.
public struct NegotiatedAudio: Sendable, Hashable {
    public struct SRTP: Sendable, Hashable {
        public var suite: SRTPCryptoSuite
        public var tag: Int
        /// The offerer's key and salt: unprotects what it sends.
        public var remoteKeyMaterial: [UInt8]
        /// The answerer's key and salt: protects what it sends.
        public var localKeyMaterial: [UInt8]

        public init(suite: SRTPCryptoSuite, tag: Int, remoteKeyMaterial: [UInt8], localKeyMaterial: [UInt8]) {
            self.suite = suite
            self.tag = tag
            self.remoteKeyMaterial = remoteKeyMaterial
            self.localKeyMaterial = localKeyMaterial
        }
    }

    public var codec: AudioCodec
    public var payloadType: Int
    public var telephoneEventPayloadType: Int?
    public var packetTimeMilliseconds: Int
    public var remoteAddress: String
    public var remoteRTPPort: Int
    public var remoteRTCPPort: Int
    /// What the answerer does: sends, receives, both or neither.
    public var localDirection: MediaDirection
    public var srtp: SRTP?

    public init(
        codec: AudioCodec, payloadType: Int, telephoneEventPayloadType: Int?, packetTimeMilliseconds: Int, remoteAddress: String,
        remoteRTPPort: Int, remoteRTCPPort: Int, localDirection: MediaDirection, srtp: SRTP?
    ) {
        self.codec = codec
        self.payloadType = payloadType
        self.telephoneEventPayloadType = telephoneEventPayloadType
        self.packetTimeMilliseconds = packetTimeMilliseconds
        self.remoteAddress = remoteAddress
        self.remoteRTPPort = remoteRTPPort
        self.remoteRTCPPort = remoteRTCPPort
        self.localDirection = localDirection
        self.srtp = srtp
    }
}

/// RFC 3264 offer/answer for one audio stream with SDES-keyed SRTP (RFC 4568).
/// Pure: the offer and a key-material source in, the answer or a refusal out.
public enum AudioOfferAnswer {
    public enum Outcome: Sendable, Hashable {
        case answer(SessionDescription, NegotiatedAudio)
        /// 488 Not Acceptable Here, with the reason for the log and a Warning.
        case refuse(statusCode: Int, reason: String)
    }

    public static func answer(
        _ offer: SessionDescription, policy: AudioAnswerPolicy, local: LocalMedia,
        keyMaterial: (Int) -> [UInt8]
    ) -> Outcome {
        guard let index = offer.media.firstIndex(where: { $0.media.lowercased() == "audio" && $0.port != 0 }) else {
            return .refuse(statusCode: 488, reason: "the offer has no active audio stream")
        }
        let section = offer.media[index]
        let protocolName = section.transportProtocol.uppercased()
        guard protocolName.hasPrefix("RTP/") else {
            return .refuse(statusCode: 488, reason: "media transport \(section.transportProtocol) is not supported (RTP/SAVP with SDES is)")
        }
        let offeredCrypto = section.attributeValues("crypto").compactMap { try? CryptoAttribute.parse($0) }
        var chosenCrypto: (offer: CryptoAttribute, suite: SRTPCryptoSuite)?
        for suite in policy.cryptoSuites {
            if let match = offeredCrypto.first(where: { $0.suite == suite }) {
                chosenCrypto = (match, suite)
                break
            }
        }
        if chosenCrypto == nil {
            if section.isSecureProfile || (policy.requireSRTP && !offeredCrypto.isEmpty) {
                let offered = offeredCrypto.map(\.suiteName)
                return .refuse(statusCode: 488, reason: "no supported SRTP crypto suite offered (offered: \(offered.isEmpty ? "none" : offered.joined(separator: ", ")))")
            }
            if policy.requireSRTP {
                return .refuse(statusCode: 488, reason: "plaintext RTP is refused: offer RTP/SAVP with a=crypto")
            }
        }
        let maps = section.rtpMaps
        var chosen: (codec: AudioCodec, map: RTPMap)?
        for codec in policy.codecs {
            if let map = maps.first(where: { $0.encodingName.lowercased() == codec.encodingName.lowercased() && $0.clockRate == codec.clockRate }) {
                chosen = (codec, map)
                break
            }
        }
        guard let chosen else {
            return .refuse(statusCode: 488, reason: "no common audio codec (Hushbox speaks \(policy.codecs.map(\.encodingName).joined(separator: ", ")))")
        }
        let events = maps.filter { $0.encodingName.lowercased() == "telephone-event" }
        let event = events.first { $0.clockRate == chosen.map.clockRate } ?? events.first
        guard let connection = section.connection ?? offer.connection else {
            return .refuse(statusCode: 488, reason: "the audio stream has no connection address")
        }
        var offeredDirection = MediaDirection.of(section.attributes) ?? MediaDirection.of(offer.attributes) ?? .sendrecv
        if connection.isHoldAddress, offeredDirection == .sendrecv { offeredDirection = .sendonly }
        let packetTime = section.attributeValues("ptime").first.flatMap { Int($0) }.flatMap { (10...120).contains($0) ? $0 : nil } ?? 20
        let remoteRTCPPort = section.attributeValues("rtcp").first.flatMap { $0.split(separator: " ").first.flatMap { Int($0) } } ?? section.port + 1

        var srtp: NegotiatedAudio.SRTP?
        if let chosenCrypto {
            let material = keyMaterial(chosenCrypto.suite.keyMaterialLength)
            precondition(material.count == chosenCrypto.suite.keyMaterialLength, "the key source returned the wrong length")
            srtp = NegotiatedAudio.SRTP(suite: chosenCrypto.suite, tag: chosenCrypto.offer.tag, remoteKeyMaterial: chosenCrypto.offer.keyMaterial, localKeyMaterial: material)
        }
        let negotiated = NegotiatedAudio(
            codec: chosen.codec, payloadType: chosen.map.payloadType, telephoneEventPayloadType: event?.payloadType,
            packetTimeMilliseconds: packetTime, remoteAddress: connection.address, remoteRTPPort: section.port,
            remoteRTCPPort: remoteRTCPPort, localDirection: offeredDirection.answered, srtp: srtp
        )
        return .answer(answerDescription(offer, audioIndex: index, negotiated: negotiated, event: event, chosen: chosen.map, local: local), negotiated)
    }

    private static func answerDescription(
        _ offer: SessionDescription, audioIndex: Int, negotiated: NegotiatedAudio, event: RTPMap?, chosen: RTPMap, local: LocalMedia
    ) -> SessionDescription {
        var media: [MediaDescription] = []
        for (index, section) in offer.media.enumerated() {
            guard index == audioIndex else {
                // RFC 3264 §6: every offered stream gets an answer; port 0 declines it.
                media.append(MediaDescription(media: section.media, port: 0, transportProtocol: section.transportProtocol, formats: section.formats))
                continue
            }
            var formats = [String(chosen.payloadType)]
            var attributes = [SDPAttribute("rtpmap", chosen.attributeValue)]
            if negotiated.codec == .opus {
                attributes.append(SDPAttribute("fmtp", "\(chosen.payloadType) useinbandfec=1"))
            }
            if let event {
                formats.append(String(event.payloadType))
                attributes.append(SDPAttribute("rtpmap", event.attributeValue))
                attributes.append(SDPAttribute("fmtp", "\(event.payloadType) 0-16"))
            }
            attributes.append(SDPAttribute("ptime", String(negotiated.packetTimeMilliseconds)))
            attributes.append(SDPAttribute(negotiated.localDirection.rawValue))
            attributes.append(SDPAttribute("rtcp", String(local.rtpPort + 1)))
            if let srtp = negotiated.srtp {
                attributes.append(SDPAttribute("crypto", CryptoAttribute(tag: srtp.tag, suite: srtp.suite, keyMaterial: srtp.localKeyMaterial).attributeValue))
            }
            media.append(MediaDescription(media: "audio", port: local.rtpPort, transportProtocol: section.transportProtocol, formats: formats, attributes: attributes))
        }
        return SessionDescription(
            origin: .init(username: "hushbox", sessionID: local.sessionID, sessionVersion: local.sessionVersion, address: local.address, addressType: local.addressType),
            sessionName: "Hushbox", connection: .init(addressType: local.addressType, address: local.address), media: media
        )
    }
}
