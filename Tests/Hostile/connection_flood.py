#!/usr/bin/env python3
"""A flood of TCP connections that say nothing, at an HTTPS listener.

Run by Tests/ExecutableTests/HostileIngestTests.swift. `--threads` threads
open `--connections` connections in all to 127.0.0.1:`--port`, each from one
of `--sources` loopback addresses (127.40.x.y), and keep every one open (never
a byte sent) for `--hold` seconds after the last is opened, so the listener
refuses them over its budget and must close them. A connection the listener
does not accept yet waits in the kernel's backlog; one the backlog cannot take
times out, and is counted as not connected.
Prints one JSON object: attempted, connected, not connected, seconds.
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
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--connections", type=int, default=2_000)
    p.add_argument("--sources", type=int, default=200)
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--hold", type=float, default=2.0)
    return p.parse_args()


ARGS = parse()
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
if hard != resource.RLIM_INFINITY and hard < ARGS.connections + 256:
    sys.exit("this process may open %d files; %d connections need %d: raise the hard limit (ulimit -Hn)" % (hard, ARGS.connections, ARGS.connections + 256))
resource.setrlimit(resource.RLIMIT_NOFILE, (ARGS.connections + 256 if hard == resource.RLIM_INFINITY else hard, hard))
lock = threading.Lock()
held = []
failed = [0]


def opener(first):
    for index in range(first, ARGS.connections, ARGS.threads):
        source = "127.40.%d.%d" % ((index % ARGS.sources) // 250, (index % ARGS.sources) % 250 + 1)
        try:
            sock = socket.create_connection(("127.0.0.1", ARGS.port), timeout=5, source_address=(source, 0))
            with lock:
                held.append(sock)
        except OSError:
            with lock:
                failed[0] += 1


started = time.monotonic()
threads = [threading.Thread(target=opener, args=(first,)) for first in range(ARGS.threads)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
elapsed = time.monotonic() - started
time.sleep(ARGS.hold)
for sock in held:
    sock.close()
print(json.dumps({"attempted": ARGS.connections, "connected": len(held), "not_connected": failed[0], "seconds": round(elapsed, 3)}), flush=True)
