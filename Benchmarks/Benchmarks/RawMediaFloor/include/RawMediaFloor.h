// The floor the media benchmarks compare against: the same work per 20 ms
// packet done with the C libraries alone (libsrtp2 unprotect, G.711 decode or
// libopus decode, libopus encode), no Swift, no jitter buffer, no Ogg.
#pragma once
#include <stdint.h>

typedef struct raw_media_call raw_media_call;

/// A receiving call. `opus_in` selects the caller's codec (Opus at 48 kHz RTP
/// clock, else PCMU); `transcode` adds an Opus encoder (16 kHz for Opus-in,
/// 8 kHz for G.711-in, VOIP, 24 kb/s, complexity `complexity`). `key` is 30
/// bytes of AES_CM_128_HMAC_SHA1_80 master key and salt. NULL on failure.
raw_media_call *raw_media_call_create(int opus_in, int transcode, int complexity, const uint8_t *key);
void raw_media_call_destroy(raw_media_call *call);

/// Unprotects one SRTP packet in place, decodes its payload and, when
/// transcoding, encodes the samples again. Returns the encoded length (or the
/// decoded sample count when not transcoding); negative on failure.
int raw_media_call_receive(raw_media_call *call, uint8_t *packet, int length);

