#!/usr/bin/env python3
"""A flood at hushboxd's SIP listeners, as the internet sends one.

Run by Tests/ExecutableTests/HostileSIPTests.swift, at the same time as a
configured device places real calls. Three attackers, in threads:
- an INVITE flood over UDP from `--sources` distinct loopback addresses
  (each bound to its own 127.20.x.y), paced at `--rate` messages a second,
  a fifth of them with a scanner's User-Agent;
- `--idle` TCP connections from strangers (127.30.x.y) that send nothing,
  and `--peer-idle` from a configured plaintext peer's address, kept open;
- a byte-at-a-time drip of an OPTIONS over TCP from another of its addresses,
  and a TCP connection to the TLS port that never says hello from a third.
Prints one JSON object with what was sent and what the box did to the
connections.
"""
import argparse
import json
import resource
import socket
import sys
import threading
import time


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("--udp-port", type=int, required=True)
    p.add_argument("--tcp-port", type=int, required=True)
    p.add_argument("--tls-port", type=int, required=True)
    p.add_argument("--sources", type=int, default=10_000)
    p.add_argument("--rate", type=int, default=2_500)
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--idle", type=int, default=2_000)
    p.add_argument("--peer", default="127.0.0.2", help="a configured plaintext peer's address: its idle connections")
    p.add_argument("--drip-source", default="127.0.0.3", help="another of that peer's addresses: the drip")
    p.add_argument("--stall-source", default="127.0.0.4", help="another of that peer's addresses: the silent TLS connection")
    p.add_argument("--peer-idle", type=int, default=64)
    p.add_argument("--drip-interval", type=float, default=0.005)
    return p.parse_args()


ARGS = parse()
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def address(network, index):
    """The index-th address of 127.<network>.0.0/16, skipping .0 and .255 last octets."""
    return f"127.{network}.{index // 254}.{1 + index % 254}"


def invite(index, source):
    agent = "friendly-scanner" if index % 5 == 0 else "Flood/1.0"
    return (
        f"INVITE sip:100@127.0.0.1 SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP {source}:5060;branch=z9hG4bK-{index}\r\n"
        f"Max-Forwards: 70\r\nFrom: <sip:{index}@{source}>;tag={index}\r\nTo: <sip:100@127.0.0.1>\r\n"
        f"Call-ID: flood-{index}@{source}\r\nCSeq: 1 INVITE\r\nContact: <sip:{index}@{source}>\r\n"
        f"User-Agent: {agent}\r\nContent-Length: 0\r\n\r\n"
    ).encode()


result = {}
failures = []


def reporting(target):
    """Runs an attacker; an exception is a failure of the run, reported and turned into a non-zero exit."""
    def run(*args):
        try:
            target(*args)
        except Exception as error:  # noqa: BLE001 - any failure of an attacker fails the run
            failures.append(f"{target.__name__}: {error!r}")
    return run


def flood():
    total = int(ARGS.rate * ARGS.seconds)
    sockets = {}
    sent = 0
    started = time.monotonic()
    batch = max(1, ARGS.rate // 100)
    for index in range(total):
        source = address(20, index % ARGS.sources)
        sock = sockets.get(source)
        if sock is None:
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sock.bind((source, 0))
            sockets[source] = sock
        try:
            sock.sendto(invite(index, source), ("127.0.0.1", ARGS.udp_port))
            sent += 1
        except OSError:
            pass
        if index % batch == batch - 1:
            # Paced: the next batch is due at its share of the second.
            due = started + (index + 1) / ARGS.rate
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
    elapsed = time.monotonic() - started
    for sock in sockets.values():
        sock.close()
    result["udp_sent"] = sent
    result["udp_sources"] = len(sockets)
    result["udp_seconds"] = round(elapsed, 3)
    result["udp_rate"] = round(sent / elapsed)


def idle(network, count, port, key):
    held = []
    failed = 0
    for index in range(count):
        source = address(network, index) if network else ARGS.peer
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0))
            sock.setblocking(False)
            held.append(sock)
        except OSError:
            failed += 1
    time.sleep(3)
    still_open = 0
    for sock in held:
        try:
            if sock.recv(1) == b"":
                continue
            still_open += 1
        except BlockingIOError:
            still_open += 1
        except OSError:
            pass
    result[key] = {"attempted": count, "connect_failed": failed, "open_after_3s": still_open}
    # Keep them (the open ones hold the box's slots) until the flood is over.
    while not done.is_set():
        time.sleep(0.1)
    for sock in held:
        sock.close()


def drip():
    source = ARGS.drip_source
    message = (
        f"OPTIONS sip:100@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP {source}:5060;branch=z9hG4bK-drip\r\nMax-Forwards: 70\r\n"
        f"From: <sip:pbx@{source}>;tag=drip\r\nTo: <sip:100@127.0.0.1>\r\nCall-ID: drip@{source}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
    ).encode()
    started = time.monotonic()
    answer = b""
    try:
        sock = socket.create_connection(("127.0.0.1", ARGS.tcp_port), timeout=10, source_address=(source, 0))
        for byte in message:
            sock.send(bytes([byte]))
            time.sleep(ARGS.drip_interval)
        sock.settimeout(10)
        while b"\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
        sock.close()
    except OSError as error:
        answer = str(error).encode()
    result["drip_bytes"] = len(message)
    result["drip_seconds"] = round(time.monotonic() - started, 3)
    result["drip_answer"] = answer.split(b"\r\n")[0].decode(errors="replace")


def handshake_stall():
    """A TCP connection to the TLS port from the peer that never says hello: closed by the box's handshake timeout."""
    started = time.monotonic()
    try:
        sock = socket.create_connection(("127.0.0.1", ARGS.tls_port), timeout=30, source_address=(ARGS.stall_source, 0))
        closed = sock.recv(1) == b""
        sock.close()
    except OSError:
        closed = True
    result["tls_stall_closed"] = closed
    result["tls_stall_seconds"] = round(time.monotonic() - started, 3)


done = threading.Event()
threads = [
    threading.Thread(target=reporting(flood)),
    threading.Thread(target=reporting(idle), args=(30, ARGS.idle, ARGS.tcp_port, "stranger_tcp")),
    threading.Thread(target=reporting(idle), args=(None, ARGS.peer_idle, ARGS.tcp_port, "peer_tcp")),
    threading.Thread(target=reporting(drip)),
    threading.Thread(target=reporting(handshake_stall)),
]
for thread in threads:
    thread.start()
threads[0].join()
threads[3].join()
threads[4].join()
done.set()
for thread in threads:
    thread.join()
json.dump(result, sys.stdout)
print()
if failures:
    print("\n".join(failures), file=sys.stderr)
    sys.exit(1)
