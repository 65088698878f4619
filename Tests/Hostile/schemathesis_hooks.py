"""Schemathesis hooks for docs/uplink-openapi.yaml (loaded through SCHEMATHESIS_HOOKS).

The chunk route takes `application/offset+octet-stream` (tus): raw bytes,
which schemathesis serialises as it does application/octet-stream.

With HUSHBOX_INGEST_SECRET set (whsec_...), every request is signed as a box
signs it (uplink protocol 2: hb2 over id, timestamp, `METHOD path offset`
and body), after requests has prepared it, so the fuzzing reaches the
handlers behind the signature check instead of stopping at its 401.
"""
import base64
import hashlib
import hmac
import os
import time
import urllib.parse
import uuid

import schemathesis

schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")

SECRET = os.environ.get("HUSHBOX_INGEST_SECRET", "").strip()
KEY = base64.b64decode(SECRET[len("whsec_"):]) if SECRET.startswith("whsec_") else None


def sign(request):
    """A requests auth callable: signs the prepared request in place."""
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode()
    path = urllib.parse.unquote(urllib.parse.urlsplit(request.url).path)
    offset = request.headers.get("Upload-Offset", "")
    line = f"{request.method} {path} {offset if offset.isdigit() else '-'}"
    message_id = str(uuid.uuid4())
    timestamp = str(int(time.time()))
    mac = hmac.new(KEY, f"{message_id}.{timestamp}.{line}.".encode() + body, hashlib.sha256).digest()
    request.headers["webhook-id"] = message_id
    request.headers["webhook-timestamp"] = timestamp
    request.headers["webhook-signature"] = "hb2," + base64.b64encode(mac).decode()
    return request


STATUSES = os.environ.get("HUSHBOX_SCHEMATHESIS_STATUSES")


@schemathesis.hook
def before_call(context, case, kwargs):
    if KEY is not None:
        kwargs["auth"] = sign


@schemathesis.hook
def after_call(context, case, response):
    """Appends each status code to a file, for the test to see what the fuzzing reached."""
    if STATUSES:
        with open(STATUSES, "a") as out:
            out.write(f"{response.status_code}\n")
