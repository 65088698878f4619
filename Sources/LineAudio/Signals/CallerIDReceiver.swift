import CSpanDSP

/// Listens to the line while it rings for the caller's number, in every
/// standard the line's country may use at once (spandsp's ADSI receivers fed
/// the same audio). Not Sendable: the line's capture thread owns it.
public final class CallerIDReceiver {
    /// What the receivers heard, oldest first; bounded (a line that chatters
    /// FSK all day keeps only the last few).
    private final class Heard {
        var messages: [(CallerIDStandard, [UInt8])] = []
        /// Which receiver is being fed (spandsp's callback does not say).
        var current = CallerIDStandard.v23
    }

    private let heard = Heard()
    private var receivers: [(CallerIDStandard, OpaquePointer)] = []
    /// The longest message kept: a caller-ID message's length field is one byte.
    static let maximumMessageBytes = 258

    public init(standards: [CallerIDStandard] = CallerIDStandard.allCases) {
        let context = Unmanaged.passUnretained(heard).toOpaque()
        for standard in standards {
            let delivered: put_msg_func_t = { context, message, length in
                guard let context, let message, length > 0 else { return }
                let heard = Unmanaged<Heard>.fromOpaque(context).takeUnretainedValue()
                let bytes = Array(UnsafeBufferPointer(start: message, count: min(Int(length), CallerIDReceiver.maximumMessageBytes)))
                heard.messages.append((heard.current, bytes))
                if heard.messages.count > 4 { heard.messages.removeFirst() }
            }
            if let state = adsi_rx_init(nil, standard.spandspStandard, delivered, context) {
                receivers.append((standard, state))
            }
        }
    }

    deinit {
        for (_, state) in receivers { adsi_rx_free(state) }
    }

    /// Feeds 8 kHz audio; returns the caller of each message completed in it.
    public func process(_ samples: [Int16]) -> [CallerID] {
        var callers: [CallerID] = []
        for (standard, state) in receivers {
            heard.current = standard
            samples.withUnsafeBufferPointer { _ = adsi_rx(state, $0.baseAddress, Int32($0.count)) }
            for (from, message) in heard.messages {
                // A message no parser reads still says a caller ID came: stored as withheld.
                let caller = CallerIDMessage.caller(in: message, standard: from) ?? .unavailable
                // Bell 202's and V.23's receivers may both decode one FSK burst.
                if callers.last != caller { callers.append(caller) }
            }
            heard.messages.removeAll()
        }
        return callers
    }
}
