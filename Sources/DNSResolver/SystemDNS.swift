internal import CResolv
import Dispatch

/// DNS through glibc's stub resolver (libresolv): the system's name servers
/// from /etc/resolv.conf, or the one a configuration names. Its queries block,
/// so they run one at a time on a thread of their own, never on the
/// cooperative pool. Answers are read with libresolv's message parser; only
/// the record data is taken apart here, within each record's bounds.
///
/// Sendable, checked by hand (`@unchecked`): the only mutable state is the
/// resolver state `state` points to. The pointer itself is a `let`, set in
/// `init` before the object can be shared. libresolv writes through it only
/// in `blockingQuery`, which runs only inside `queue.async`, and `queue` is
/// serial, so no two queries touch it at once. `deinit` frees it only when no
/// query can run: each queued query holds `self` until it has finished.
public final class SystemDNS: DNSLookup, @unchecked Sendable {
    private let queue = DispatchQueue(label: "hushbox.dns")
    private let state: res_state

    /// At most this many records of an answer are read.
    public static let maximumRecords = 32
    /// Larger answers come over TCP; more than this is not read.
    static let answerBufferSize = 8 * 1024

    /// - Parameters:
    ///   - server: an IPv4 name server and port to ask instead of the system's.
    ///   - timeoutSeconds, attempts: per try, and tries, before a lookup fails.
    public init(server: (address: String, port: Int)? = nil, timeoutSeconds: Int32 = 2, attempts: Int32 = 2) throws(DNSError) {
        guard let state = hushbox_res_open() else {
            throw DNSError(name: "", type: .a, detail: "the resolver could not be initialised from /etc/resolv.conf")
        }
        if let server {
            guard (1...65_535).contains(server.port), hushbox_res_use_server(state, server.address, UInt16(server.port), timeoutSeconds, attempts) == 0 else {
                hushbox_res_close(state)
                throw DNSError(name: "", type: .a, detail: "the name server \(server.address):\(server.port) is not an IPv4 address and port")
            }
        } else {
            hushbox_res_set_patience(state, timeoutSeconds, attempts)
        }
        self.state = state
    }

    deinit {
        hushbox_res_close(state)
    }

    public func query(_ name: String, _ type: DNSRecordType) async throws(DNSError) -> DNSAnswer {
        // A name is at most 253 characters (RFC 1035 §2.3.4); anything else is not asked.
        guard !name.isEmpty, name.utf8.count <= 253, name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw DNSError(name: String(name.prefix(64)), type: type, detail: "not a domain name")
        }
        let result: Result<DNSAnswer, DNSError> = await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: Result { () throws(DNSError) in try self.blockingQuery(name, type) })
            }
        }
        return try result.get()
    }

    private func blockingQuery(_ name: String, _ type: DNSRecordType) throws(DNSError) -> DNSAnswer {
        var buffer = [UInt8](repeating: 0, count: Self.answerBufferSize)
        let asked = ContinuousClock.now
        let length = hushbox_res_query(state, name, Int32(type.rawValue), &buffer, Int32(buffer.count))
        guard length >= 0 else {
            switch hushbox_res_h_errno(state) {
            // The name or the type does not exist: an answer, with nothing in it (kept a minute).
            case HOST_NOT_FOUND, NO_DATA:
                return DNSAnswer(records: [], timeToLive: .seconds(60))
            case TRY_AGAIN:
                let waited = ContinuousClock.now - asked
                throw DNSError(name: name, type: type, detail: "no name server answered within \(waited)", waited: waited)
            default:
                throw DNSError(name: name, type: type, detail: "the name server refused or failed the query")
            }
        }
        return try Self.parse(Array(buffer.prefix(Int(min(length, Int32(buffer.count))))), name: name, type: type)
    }

    /// The records of `type` in an answer message, and the smallest TTL among them.
    static func parse(_ message: [UInt8], name: String, type: DNSRecordType) throws(DNSError) -> DNSAnswer {
        try message.withUnsafeBufferPointer { bytes throws(DNSError) -> DNSAnswer in
            guard let base = bytes.baseAddress else { throw DNSError(name: name, type: type, detail: "an empty answer") }
            var handle = ns_msg()
            guard ns_initparse(base, Int32(bytes.count), &handle) == 0 else {
                throw DNSError(name: name, type: type, detail: "an answer that does not parse")
            }
            var records: [DNSRecordData] = []
            var ttl = UInt32.max
            let count = min(Int(hushbox_ns_answer_count(&handle)), 256)
            for index in 0..<count where records.count < maximumRecords {
                var record = ns_rr()
                guard ns_parserr(&handle, ns_s_an, Int32(index), &record) == 0 else { break }
                guard hushbox_rr_class(&record) == UInt32(ns_c_in.rawValue), hushbox_rr_type(&record) == UInt32(type.rawValue),
                    let data = hushbox_rr_rdata(&record)
                else { continue }
                let rdata = UnsafeBufferPointer(start: data, count: Int(hushbox_rr_rdlen(&record)))
                guard let parsed = recordData(rdata, type: type, message: &handle) else { continue }
                records.append(parsed)
                ttl = min(ttl, UInt32(truncatingIfNeeded: hushbox_rr_ttl(&record)))
            }
            // RFC 2181 §8: a TTL is at most 2^31 - 1; a day is plenty for a trunk's records.
            let seconds = records.isEmpty ? 60 : Int64(min(ttl, 86_400))
            return DNSAnswer(records: records, timeToLive: .seconds(seconds))
        }
    }

    /// One record's data, or nil when it does not fit its type.
    private static func recordData(_ rdata: UnsafeBufferPointer<UInt8>, type: DNSRecordType, message: inout ns_msg) -> DNSRecordData? {
        switch type {
        case .a:
            guard rdata.count == 4 else { return nil }
            return address(rdata, family: AF_INET)
        case .aaaa:
            guard rdata.count == 16 else { return nil }
            return address(rdata, family: AF_INET6)
        case .srv:
            guard rdata.count >= 7, let start = rdata.baseAddress,
                let (target, _) = domainName(at: start + 6, within: rdata, message: &message)
            else { return nil }
            return .service(SRVRecord(priority: uint16(rdata, 0), weight: uint16(rdata, 2), port: uint16(rdata, 4), target: target))
        case .naptr:
            guard rdata.count >= 7, let start = rdata.baseAddress else { return nil }
            var offset = 4
            var strings: [String] = []
            for _ in 0..<3 {
                guard offset < rdata.count else { return nil }
                let length = Int(rdata[offset])
                guard offset + 1 + length <= rdata.count else { return nil }
                strings.append(String(decoding: rdata[(offset + 1)..<(offset + 1 + length)], as: UTF8.self))
                offset += 1 + length
            }
            guard offset < rdata.count, let (replacement, _) = domainName(at: start + offset, within: rdata, message: &message) else { return nil }
            return .naming(NAPTRRecord(
                order: uint16(rdata, 0), preference: uint16(rdata, 2), flags: strings[0], service: strings[1], regexp: strings[2], replacement: replacement
            ))
        }
    }

    private static func uint16(_ bytes: UnsafeBufferPointer<UInt8>, _ offset: Int) -> UInt16 {
        UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    private static func address(_ bytes: UnsafeBufferPointer<UInt8>, family: Int32) -> DNSRecordData? {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(family, bytes.baseAddress, &text, socklen_t(text.count)) != nil else { return nil }
        return .address(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    /// A (possibly compressed) domain name starting at `position`, which must start inside `rdata`;
    /// without its trailing dot, "" for the root.
    private static func domainName(
        at position: UnsafePointer<UInt8>, within rdata: UnsafeBufferPointer<UInt8>, message: inout ns_msg
    ) -> (String, Int)? {
        guard let start = rdata.baseAddress, position >= start, position < start + rdata.count else { return nil }
        var name = [CChar](repeating: 0, count: Int(NS_MAXDNAME))
        let used = hushbox_dn_expand(hushbox_ns_base(&message), hushbox_ns_end(&message), position, &name, Int32(name.count))
        guard used > 0, position + Int(used) <= start + rdata.count else { return nil }
        var text = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if text.hasSuffix(".") { text.removeLast() }
        return (text, Int(used))
    }
}
