import SIPCore
import Testing
@testable import SIPStack

/// The four RFC 3261 §17 machines as event → action scripts (no IO, no clock:
/// the timers are events here).
@Suite("Transaction state machines (RFC 3261 §17, RFC 6026)")
struct TransactionStateMachineTests {
    let timers = TransactionTimers()

    func response(_ status: Int) -> SIPResponse { SIPResponse(statusCode: status) }

    func request(_ method: SIPMethod) -> SIPRequest {
        var headers = SIPHeaders()
        headers.append(.via, "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKabc")
        headers.append(.from, "<sip:hushbox@192.0.2.1>;tag=1")
        headers.append(.to, "<sip:trunk@192.0.2.9>")
        headers.append(.callID, "reg-1@hushbox")
        headers.append(.cseq, "1 \(method)")
        return SIPRequest(method: method, uri: .sip(try! SIPURI.parse("sip:192.0.2.9")), headers: headers)
    }

    @Test("INVITE server, failure over UDP: G doubles to T2, H gives up, a retransmitted INVITE gets the final again")
    func inviteServerFailureUnreliable() {
        var transaction = ServerInviteTransaction(timers: timers, reliableTransport: false)
        #expect(transaction.send(response(100)) == [.transmit(response(100))])
        #expect(transaction.requestRetransmitted() == [.transmit(response(100))])
        #expect(transaction.send(response(486)) == [
            .transmit(response(486)), .startTimer(.g, after: .milliseconds(500)), .startTimer(.h, after: .seconds(32)),
        ])
        var intervals: [Duration] = []
        for _ in 0..<5 {
            let actions = transaction.timerFired(.g)
            #expect(actions.first == .transmit(response(486)))
            if case .startTimer(.g, let after) = actions.last { intervals.append(after) }
        }
        #expect(intervals == [.seconds(1), .seconds(2), .seconds(4), .seconds(4), .seconds(4)])
        #expect(transaction.requestRetransmitted() == [.transmit(response(486))])
        #expect(transaction.timerFired(.h) == [.ackTimedOut, .terminated])
        #expect(transaction.isTerminated)
    }

    @Test("INVITE server: ACK moves Completed to Confirmed; Timer I is T4 over UDP and zero over TLS")
    func inviteServerAck() {
        var udp = ServerInviteTransaction(timers: timers, reliableTransport: false)
        _ = udp.send(response(404))
        #expect(udp.ackReceived() == [.startTimer(.i, after: .seconds(5))])
        #expect(udp.requestRetransmitted() == [], "Confirmed absorbs retransmissions")
        #expect(udp.timerFired(.g) == [], "G no longer applies in Confirmed")
        #expect(udp.timerFired(.i) == [.terminated])

        var tls = ServerInviteTransaction(timers: timers, reliableTransport: true)
        #expect(tls.send(response(404)) == [.transmit(response(404)), .startTimer(.h, after: .seconds(32))], "no G on a reliable transport")
        #expect(tls.ackReceived() == [.startTimer(.i, after: .zero)])
    }

    @Test("INVITE server, 2xx: Accepted (RFC 6026) absorbs INVITE retransmissions, passes the TU's 2xx, ends on L")
    func inviteServerAccepted() {
        var transaction = ServerInviteTransaction(timers: timers, reliableTransport: false)
        #expect(transaction.send(response(200)) == [.transmit(response(200)), .startTimer(.l, after: .seconds(32))])
        #expect(transaction.requestRetransmitted() == [])
        #expect(transaction.send(response(200)) == [.transmit(response(200))])
        #expect(transaction.ackReceived() == [], "the ACK for a 2xx is not the transaction's")
        #expect(transaction.timerFired(.l) == [.terminated])
    }

    @Test("non-INVITE server: Trying absorbs, Completed repeats the final; J is 64·T1 over UDP, zero over TCP")
    func nonInviteServer() {
        var transaction = ServerNonInviteTransaction(timers: timers, reliableTransport: false)
        #expect(transaction.requestRetransmitted() == [])
        #expect(transaction.send(response(200)) == [.transmit(response(200)), .startTimer(.j, after: .seconds(32))])
        #expect(transaction.requestRetransmitted() == [.transmit(response(200))])
        #expect(transaction.send(response(500)) == [], "one final response only")
        #expect(transaction.timerFired(.j) == [.terminated])

        var tcp = ServerNonInviteTransaction(timers: timers, reliableTransport: true)
        #expect(tcp.send(response(200)) == [.transmit(response(200)), .startTimer(.j, after: .zero)])
    }

    @Test("non-INVITE client over UDP: E doubles to T2, then every T2 in Proceeding; F times out")
    func nonInviteClientRetransmission() {
        let register = request(.register)
        var transaction = ClientNonInviteTransaction(request: register, timers: timers, reliableTransport: false)
        #expect(transaction.start() == [.transmit(register), .startTimer(.e, after: .milliseconds(500)), .startTimer(.f, after: .seconds(32))])
        var intervals: [Duration] = []
        for _ in 0..<4 {
            if case .startTimer(.e, let after) = transaction.timerFired(.e).last { intervals.append(after) }
        }
        #expect(intervals == [.seconds(1), .seconds(2), .seconds(4), .seconds(4)])
        #expect(transaction.responseReceived(response(100)) == [.deliver(response(100))])
        #expect(transaction.timerFired(.e) == [.transmit(register), .startTimer(.e, after: .seconds(4))])
        #expect(transaction.timerFired(.f) == [.timedOut, .terminated])
    }

    @Test("non-INVITE client: a final response is delivered once; K is T4 over UDP")
    func nonInviteClientFinal() {
        var transaction = ClientNonInviteTransaction(request: request(.bye), timers: timers, reliableTransport: false)
        _ = transaction.start()
        #expect(transaction.responseReceived(response(200)) == [.deliver(response(200)), .startTimer(.k, after: .seconds(5))])
        #expect(transaction.responseReceived(response(200)) == [])
        #expect(transaction.timerFired(.e) == [], "no retransmission after the final")
        #expect(transaction.timerFired(.k) == [.terminated])
    }

    @Test("INVITE client: A doubles without a cap, a failure is ACKed by the transaction and again on its retransmission")
    func inviteClientFailure() throws {
        let invite = request(.invite)
        var transaction = ClientInviteTransaction(request: invite, timers: timers, reliableTransport: false)
        #expect(transaction.start() == [.transmit(invite), .startTimer(.a, after: .milliseconds(500)), .startTimer(.b, after: .seconds(32))])
        var intervals: [Duration] = []
        for _ in 0..<5 {
            if case .startTimer(.a, let after) = transaction.timerFired(.a).last { intervals.append(after) }
        }
        #expect(intervals == [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(16)])
        var busy = response(486)
        busy.headers.append(.to, "<sip:trunk@192.0.2.9>;tag=xyz")
        let actions = transaction.responseReceived(busy)
        #expect(actions.first == .deliver(busy))
        guard case .transmit(let ack) = actions[1] else { Issue.record("no ACK"); return }
        #expect(ack.method == .ack)
        #expect(ack.headers[.to] == ["<sip:trunk@192.0.2.9>;tag=xyz"], "To comes from the response (§17.1.1.3)")
        #expect(ack.headers[.via] == invite.headers[.via], "the INVITE's top Via, same branch")
        #expect(ack.headers[.cseq] == ["1 ACK"])
        #expect(actions.last == .startTimer(.d, after: .seconds(32)))
        #expect(transaction.responseReceived(busy) == [.transmit(ack)], "a retransmitted failure is ACKed again, not delivered")
        #expect(transaction.timerFired(.d) == [.terminated])
    }

    @Test("INVITE client: every 2xx reaches the TU in Accepted (RFC 6026); B times out a silent peer")
    func inviteClientSuccessAndTimeout() {
        var transaction = ClientInviteTransaction(request: request(.invite), timers: timers, reliableTransport: true)
        #expect(transaction.start().count == 2, "no Timer A on a reliable transport")
        #expect(transaction.responseReceived(response(180)) == [.deliver(response(180))])
        #expect(transaction.responseReceived(response(200)) == [.deliver(response(200)), .startTimer(.m, after: .seconds(32))])
        #expect(transaction.responseReceived(response(200)) == [.deliver(response(200))])
        #expect(transaction.timerFired(.m) == [.terminated])

        var silent = ClientInviteTransaction(request: request(.invite), timers: timers, reliableTransport: false)
        _ = silent.start()
        #expect(silent.timerFired(.b) == [.timedOut, .terminated])
    }
}
