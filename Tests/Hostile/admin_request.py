"""One HTTPS request to the admin API of a box on loopback, for the end-to-end tests.

Usage: admin_request.py METHOD URL [TOKEN] [JSON-BODY]
Prints the status on the first line and the body after it. The box's
certificate is self-signed on the development configuration, so it is not
verified here (the Swift tests check the TLS side).
"""
import json
import ssl
import sys
import urllib.error
import urllib.request

method, url = sys.argv[1], sys.argv[2]
token = sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] else None
body = sys.argv[4].encode() if len(sys.argv) > 4 else None
request = urllib.request.Request(url, method=method, data=body)
if token:
    request.add_header("Authorization", "Bearer " + token)
if body is not None:
    request.add_header("Content-Type", "application/json")
context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
try:
    with urllib.request.urlopen(request, context=context, timeout=10) as response:
        print(response.status)
        sys.stdout.write(response.read().decode(errors="replace"))
except urllib.error.HTTPError as error:
    print(error.code)
    sys.stdout.write(error.read().decode(errors="replace"))
