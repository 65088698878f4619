import Foundation
import HushboxTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Debian's Kamailio 5.6 as the carrier's or PBX's registrar and proxy in
/// front of the box, over TLS with a throwaway certificate, configured by the
/// test (INTEROP-NOTES.md "Kamailio"):
///
/// - REGISTER: digest with ``password`` for any user, bindings kept in memory.
/// - A call to a registered user: location lookup, relayed to the box's Contact.
/// - A call to `alice`: her phone never answers (a black hole), and after a
///   second the call is forwarded to the box's registered user with a
///   `Diversion` header naming `alice`'s number, reason no-answer.
/// - A call to `bob`: his line is busy (486, answered by Kamailio itself), and
///   the call is forwarded with RFC 7044 `History-Info` carrying cause=486.
/// - A call to `carol`: her phone never answers, and the call is forwarded
///   with `History-Info` carrying RFC 4458's cause=408 (no answer).
/// - A call from `assertedCaller`, who withholds their number: the network
///   asserts it in `P-Asserted-Identity` and marks it `Privacy: id`.
///
/// Every INVITE is record-routed, so the box sees Record-Route and two Vias.
struct KamailioProxy {
    static let password = "trunk-secret"
    static let executable = "/usr/sbin/kamailio"

    let directory: String
    let tlsPort: Int
    /// The proxy's certificate, which the box's `ca_file` trusts.
    let certificatePath: String
    private(set) var process: ChildProcess

    /// - Parameters:
    ///   - boxUser: the user the box registers; forwarded calls go to it.
    ///   - aliceNumber, bobNumber, carolNumber: how the forwarding users' numbers are written in Diversion and History-Info.
    ///   - assertedCaller: the number asserted for an anonymous caller.
    ///   - domain: a domain name the certificate is valid for too (one DNS locates this proxy by).
    init(
        in parent: TemporaryDirectory, boxUser: String, aliceNumber: String, bobNumber: String, carolNumber: String, assertedCaller: String,
        domain: String? = nil
    ) async throws {
        directory = parent.child("kamailio")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        tlsPort = try PortHolder().port
        let identity = try TestCertificate.selfSigned(commonName: "kamailio-test", dnsNames: domain.map { [$0] } ?? [])
        certificatePath = directory + "/cert.pem"
        try identity.certificatePEM.write(toFile: certificatePath, atomically: true, encoding: .utf8)
        try identity.privateKeyPEM.write(toFile: directory + "/key.pem", atomically: true, encoding: .utf8)
        try """
            [server:default]
            method = TLSv1.2+
            verify_certificate = no
            require_certificate = no
            private_key = \(directory)/key.pem
            certificate = \(certificatePath)

            [client:default]
            method = TLSv1.2+
            verify_certificate = no
            require_certificate = no

            """.write(toFile: directory + "/tls.cfg", atomically: true, encoding: .utf8)
        try Self.configuration(
            directory: directory, tlsPort: tlsPort, boxUser: boxUser, aliceNumber: aliceNumber, bobNumber: bobNumber, carolNumber: carolNumber,
            assertedCaller: assertedCaller
        ).write(toFile: directory + "/kamailio.cfg", atomically: true, encoding: .utf8)
        let check = try await ChildProcess.run(Self.executable, ["-c", "-f", directory + "/kamailio.cfg"], environment: HushboxdLifecycleTests.environment())
        try #require(check.status == 0, "kamailio -c refused the test's configuration: \(check.errors.suffix(800))")
        process = try await Self.start(directory: directory, tlsPort: tlsPort)
    }

    private static func start(directory: String, tlsPort: Int) async throws -> ChildProcess {
        // The test process blocks most signals in its threads, and a child
        // inherits the mask: Kamailio would never see its SIGTERM. Python
        // clears the mask and becomes Kamailio.
        let process = try ChildProcess(
            "/usr/bin/python3",
            ["-c", "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execv(sys.argv[1], sys.argv[1:])",
             executable, "-DD", "-E", "-w", directory, "-f", directory + "/kamailio.cfg"],
            directory: directory, environment: HushboxdLifecycleTests.environment()
        )
        // Listening once a TCP connection to its TLS port is accepted.
        let limit = ContinuousClock.now.advanced(by: .seconds(15))
        while !Self.accepts(port: tlsPort) {
            guard ContinuousClock.now < limit, process.isRunning else {
                throw KamailioFailure(detail: "kamailio did not listen on \(tlsPort): \(process.standardError.all.suffix(20))")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return process
    }

    struct KamailioFailure: Error, CustomStringConvertible {
        let detail: String
        var description: String { detail }
    }

    static func accepts(port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// Stops Kamailio (its bindings are lost, as in a real restart without a
    /// database) and starts it again on the same port.
    mutating func restart() async throws {
        await stop()
        process = try await Self.start(directory: directory, tlsPort: tlsPort)
    }

    /// Stops Kamailio and every process it forked; none outlives the test.
    func stop() async {
        process.send(SIGTERM)
        if (try? await process.waitForExit(within: .seconds(10))) == nil {
            process.send(SIGKILL)
            _ = try? await process.waitForExit(within: .seconds(5))
        }
        _ = try? await ChildProcess.run("/usr/bin/pkill", ["-KILL", "-f", directory + "/kamailio.cfg"], environment: HushboxdLifecycleTests.environment())
    }

    /// The log lines Kamailio's script wrote (`xlog`), for failure messages.
    var scriptLog: [String] { process.standardError.all.filter { $0.contains("<script>") } }

    static func configuration(
        directory: String, tlsPort: Int, boxUser: String, aliceNumber: String, bobNumber: String, carolNumber: String, assertedCaller: String
    ) -> String {
        """
        #!KAMAILIO
        debug=2
        log_stderror=yes
        children=2
        tcp_children=2
        enable_tls=yes
        auto_aliases=no
        alias="127.0.0.1:\(tlsPort)"
        listen=tls:127.0.0.1:\(tlsPort)
        listen=udp:127.0.0.1:\(tlsPort)
        mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
        loadmodule "tls.so"
        loadmodule "tm.so"
        loadmodule "tmx.so"
        loadmodule "sl.so"
        loadmodule "rr.so"
        loadmodule "pv.so"
        loadmodule "maxfwd.so"
        loadmodule "textops.so"
        loadmodule "siputils.so"
        loadmodule "xlog.so"
        loadmodule "usrloc.so"
        loadmodule "registrar.so"
        loadmodule "auth.so"
        loadmodule "corex.so"
        loadmodule "kex.so"
        modparam("tls", "config", "\(directory)/tls.cfg")
        modparam("usrloc", "db_mode", 0)
        modparam("tm", "fr_timer", 2000)
        modparam("tm", "fr_inv_timer", 30000)

        request_route {
            xlog("L_NOTICE", "$rm $ru from $si:$sp\\n");
            if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
            if (has_totag()) {
                if (loose_route()) { t_relay(); exit; }
                if (is_method("ACK")) { if (t_check_trans()) { t_relay(); } exit; }
                sl_send_reply("404", "Not here"); exit;
            }
            if (is_method("CANCEL")) { if (t_check_trans()) { t_relay(); } exit; }
            t_check_trans();
            if (is_method("REGISTER")) {
                if (!pv_auth_check("$fd", "\(password)", "0", "1")) { auth_challenge("$fd", "0"); exit; }
                if (!save("location")) { sl_reply_error(); }
                exit;
            }
            if ($rU == "busy-line") { sl_send_reply("486", "Busy Here"); exit; }
            if (is_method("INVITE")) { record_route(); }
            if ($fU == "\(assertedCaller)") {
                # This caller withholds their number (CLIR): the network asserts it and asks for privacy.
                append_hf("P-Asserted-Identity: <sip:\(assertedCaller)@127.0.0.1>\\r\\n");
                append_hf("Privacy: id\\r\\n");
            }
            if ($rU == "alice") {
                # Alice's phone never answers (nothing listens on UDP port 9).
                $du = "sip:127.0.0.1:9;transport=udp";
                t_on_failure("DIVERT");
                t_set_fr(0, 1000);
                t_relay();
                exit;
            }
            if ($rU == "carol") {
                # Carol's phone never answers either; her call is forwarded with History-Info.
                $du = "sip:127.0.0.1:9;transport=udp";
                t_on_failure("HISTORY");
                t_set_fr(0, 1000);
                t_relay();
                exit;
            }
            if ($rU == "bob") {
                # Bob's line is busy.
                $ru = "sip:busy-line@127.0.0.1:\(tlsPort);transport=tls";
                t_on_failure("HISTORY");
                t_relay();
                exit;
            }
            if (!lookup("location")) { sl_send_reply("404", "Not Found"); exit; }
            t_relay();
        }

        failure_route[DIVERT] {
            if (t_is_canceled()) { exit; }
            xlog("L_NOTICE", "alice did not answer ($T_reply_code): forwarded with Diversion\\n");
            append_hf("Diversion: <sip:\(aliceNumber)@127.0.0.1;user=phone>;reason=no-answer;counter=1\\r\\n");
            $ru = "sip:\(boxUser)@127.0.0.1";
            $du = $null;
            if (!lookup("location")) { t_reply("404", "Not Found"); exit; }
            t_relay();
        }

        failure_route[HISTORY] {
            if (t_is_canceled()) { exit; }
            xlog("L_NOTICE", "$rU answered $T_reply_code: forwarded with History-Info\\n");
            if ($rU == "carol") {
                append_hf("History-Info: <sip:\(carolNumber)@127.0.0.1;user=phone>;index=1, <sip:\(boxUser)@127.0.0.1;cause=408>;index=1.1;mp=1\\r\\n");
            } else {
                append_hf("History-Info: <sip:\(bobNumber)@127.0.0.1;user=phone?Reason=SIP%3Bcause%3D$T_reply_code>;index=1, <sip:\(boxUser)@127.0.0.1;cause=$T_reply_code>;index=1.1;mp=1\\r\\n");
            }
            $ru = "sip:\(boxUser)@127.0.0.1";
            $du = $null;
            if (!lookup("location")) { t_reply("404", "Not Found"); exit; }
            t_relay();
        }

        """
    }
}
