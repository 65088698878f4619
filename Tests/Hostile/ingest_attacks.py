#!/usr/bin/env python3
"""Hostile requests against a running hushbox-ingest, over real TLS.

Run by Tests/ExecutableTests/HostileIngestTests.swift. The attacker holds a
box's client certificate (a stolen or misbehaving box) but not the signing
secret, except for the replay attacks, which resend requests a box signed.
Prints one JSON object: what each attack got back. Never raises on a refusal:
a closed connection is an answer ("closed"), a 5xx is the finding.
"""
import argparse
import base64
import hashlib
import hmac
import json
import select
import socket
import ssl
import sys
import threading
import time


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--secret", required=True, help="whsec_... (for the replay attacks: requests a box signed)")
    p.add_argument("--slow-source", default="127.0.0.3", help="the address slow-loris connections come from")
    p.add_argument("--slow-connections", type=int, default=24)
    p.add_argument("--slow-wait", type=float, default=12.0, help="seconds to wait for the receiver to close them")
    return p.parse_args()


ARGS = parse()
CONTEXT = ssl.create_default_context()
CONTEXT.check_hostname = False
CONTEXT.verify_mode = ssl.CERT_NONE
CONTEXT.load_cert_chain(ARGS.cert, ARGS.key)
KEY = base64.b64decode(ARGS.secret.strip()[len("whsec_"):])


def connect(source="127.0.0.1", timeout=30.0):
    raw = socket.create_connection(("127.0.0.1", ARGS.port), timeout=timeout, source_address=(source, 0))
    return CONTEXT.wrap_socket(raw, server_hostname="ingest")


def request(method, path, headers, body=b"", timeout=30.0):
    """The status code, or 'closed' when the receiver hung up without one."""
    try:
        with connect(timeout=timeout) as tls:
            head = f"{method} {path} HTTP/1.1\r\nHost: ingest\r\nConnection: close\r\n"
            for name, value in headers:
                head += f"{name}: {value}\r\n"
            if body and not any(n.lower() == "content-length" for n, _ in headers):
                head += f"Content-Length: {len(body)}\r\n"
            tls.sendall(head.encode("latin-1") + b"\r\n")
            if body:
                view = memoryview(body)
                for start in range(0, len(body), 1 << 20):
                    tls.sendall(view[start:start + (1 << 20)])
            answer = b""
            while b"\r\n" not in answer:
                chunk = tls.recv(4096)
                if not chunk:
                    break
                answer += chunk
            if not answer.startswith(b"HTTP/1.1 "):
                return "closed"
            return int(answer[9:12])
    except (ConnectionError, ssl.SSLError, socket.timeout, OSError):
        return "closed"


def signed(method, path, body, offset=None, message_id="msg-1", timestamp=None):
    timestamp = int(time.time()) if timestamp is None else timestamp
    line = f"{method} {path} {offset if offset is not None else '-'}"
    mac = hmac.new(KEY, f"{message_id}.{timestamp}.{line}.".encode() + body, hashlib.sha256).digest()
    return [("webhook-id", message_id), ("webhook-timestamp", str(timestamp)), ("webhook-signature", "hb2," + base64.b64encode(mac).decode())]


def bogus(timestamp=None, signature="hb2," + base64.b64encode(b"\0" * 32).decode(), message_id="attacker"):
    return [("webhook-id", message_id), ("webhook-timestamp", str(int(time.time())) if timestamp is None else timestamp), ("webhook-signature", signature)]


results = {}
announce = json.dumps({"object_id": "replayed", "kind": "voicemail", "length": 4, "sha256": hashlib.sha256(b"abcd").hexdigest(), "sealing": "none"}).encode()

# Every header at integer extremes and absurd lengths.
extremes = ["-9223372036854775808", "9223372036854775807", "18446744073709551616", "99999999999999999999999999", "-1", "0", "1e9", " 12", "+5", ""]
results["timestamps"] = [request("POST", "/v1/uploads", bogus(timestamp=t), announce) for t in extremes]
results["offsets"] = [
    request("PATCH", "/v1/uploads/abc", bogus() + [("Upload-Offset", o), ("Content-Type", "application/offset+octet-stream")], b"abcd")
    for o in extremes
]
results["content_lengths"] = [
    request("POST", "/v1/uploads", bogus() + [("Content-Length", c)], b"") for c in ["-1", "18446744073709551616", "99999999999999999999", "1" * 200]
]
results["long_headers"] = [
    request("POST", "/v1/uploads", bogus(message_id="i" * 100_000), announce),
    request("POST", "/v1/uploads", bogus(signature="hb2," + "A" * 200_000), announce),
    request("POST", "/v1/uploads", bogus() + [("X-Padding", "p" * 1_000_000)], announce),
]
started = time.monotonic()
results["ten_thousand_signatures"] = request("POST", "/v1/uploads", bogus(signature=" ".join(["hb2," + base64.b64encode(bytes([i % 256]) * 32).decode() for i in range(10_000)])), announce)
results["ten_thousand_signatures_seconds"] = round(time.monotonic() - started, 3)
started = time.monotonic()
results["bad_signature_16_mib"] = request(
    "PATCH", "/v1/uploads/abc", bogus() + [("Upload-Offset", "0"), ("Content-Type", "application/offset+octet-stream")], b"\xa5" * (16 << 20)
)
results["bad_signature_16_mib_seconds"] = round(time.monotonic() - started, 3)

# Replays: what a box signed, sent where it was not meant to go.
results["announcement_replayed_to_erasures"] = request("POST", "/v1/erasures", signed("POST", "/v1/uploads", announce) + [("Idempotency-Key", "announce-1")], announce)
created = request("POST", "/v1/uploads", signed("POST", "/v1/uploads", announce, message_id="announce-1") + [("Idempotency-Key", "announce-1")], announce)
results["announcement"] = created
chunk_headers = signed("PATCH", "/v1/uploads/replayed", b"ab", offset=0, message_id="chunk-1")
results["chunk_at_other_offset"] = request("PATCH", "/v1/uploads/replayed", chunk_headers + [("Upload-Offset", "2"), ("Content-Type", "application/offset+octet-stream")], b"ab")
results["chunk_to_other_upload"] = request("PATCH", "/v1/uploads/other", chunk_headers + [("Upload-Offset", "0"), ("Content-Type", "application/offset+octet-stream")], b"ab")
results["unsigned_head"] = request("HEAD", "/v1/uploads/replayed", [])
results["head_with_other_requests_signature"] = request("HEAD", "/v1/uploads/replayed", signed("HEAD", "/v1/uploads/other", b""))
results["path_escape"] = [request("HEAD", p, signed("HEAD", p, b"")) for p in ["/v1/uploads/../../etc", "/v1/uploads/%2e%2e", "/v1/uploads/" + "a" * 300]]

# Slow loris from one address: half never start the TLS handshake, half send a header byte a second.
closed_by_receiver = []
lock = threading.Lock()


connected = threading.Semaphore(0)


def slow(index):
    try:
        raw = socket.create_connection(("127.0.0.1", ARGS.port), timeout=ARGS.slow_wait, source_address=(ARGS.slow_source, 0))
    except OSError:
        with lock:
            closed_by_receiver.append(0.0)
        connected.release()
        return
    connected.release()
    opened = time.monotonic()
    sock = raw
    try:
        if index % 2 == 1:
            sock = CONTEXT.wrap_socket(raw, server_hostname="ingest")
            sock.settimeout(1.0)
            for byte in b"POST /v1/uploads HTTP/1.1\r\nHost: ingest\r\nX-Slow: " + b"x" * 100:
                sock.send(bytes([byte]))
                time.sleep(1.0)
                # The receiver's close_notify arrives before the TCP close (NIOSSL waits for ours a while): read it.
                if select.select([sock], [], [], 0)[0]:
                    try:
                        if sock.recv(1) == b"":
                            raise ConnectionError("closed")
                    except ssl.SSLZeroReturnError:
                        raise ConnectionError("close_notify")
                if time.monotonic() - opened > ARGS.slow_wait:
                    return
        else:
            sock.settimeout(ARGS.slow_wait)
            if sock.recv(1) == b"":
                with lock:
                    closed_by_receiver.append(time.monotonic() - opened)
                return
    except (ConnectionError, ssl.SSLError, OSError):
        with lock:
            closed_by_receiver.append(time.monotonic() - opened)
    finally:
        sock.close()


threads = [threading.Thread(target=slow, args=(i,)) for i in range(ARGS.slow_connections)]
for thread in threads:
    thread.start()
# The test delivers a valid box's uploads while these are held: tell it once every one has connected.
for _ in threads:
    connected.acquire()
print("slow loris under way", file=sys.stderr, flush=True)
for thread in threads:
    thread.join()
results["slow_connections"] = ARGS.slow_connections
results["slow_closed_by_receiver"] = len(closed_by_receiver)
results["slow_longest_seconds"] = round(max(closed_by_receiver, default=0.0), 3)

json.dump(results, sys.stdout)
print()
