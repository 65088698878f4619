"""Schemathesis hooks for docs/uplink-openapi.yaml (loaded through SCHEMATHESIS_HOOKS).

The chunk route takes `application/offset+octet-stream` (tus): raw bytes,
which schemathesis serialises as it does application/octet-stream.
"""
import schemathesis

schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")
