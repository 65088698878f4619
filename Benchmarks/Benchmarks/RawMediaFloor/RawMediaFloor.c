#include "RawMediaFloor.h"

#include <opus/opus.h>
#include <srtp2/srtp.h>
#include <stdlib.h>
#include <string.h>

struct raw_media_call {
    srtp_t session;
    int opus_in;
    OpusDecoder *decoder;
    OpusEncoder *encoder;
    opus_int16 pcm[960];
};

// libsrtp2 refuses a second srtp_init (bad_param) and has no way to ask
// whether it ran; Hushbox's Media module may already have called it in this
// process. A failure here shows up as srtp_create failing, which is checked.
static void ensure_srtp(void) {
    static int initialised = 0;  // benchmark process only, single-threaded set-up
    if (!initialised) {
        (void)srtp_init();
        initialised = 1;
    }
}

static srtp_t make_session(const uint8_t *key, int inbound) {
    srtp_policy_t policy;
    memset(&policy, 0, sizeof policy);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
    policy.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
    policy.key = (unsigned char *)key;
    policy.window_size = 128;
    srtp_t session = NULL;
    if (srtp_create(&session, &policy) != srtp_err_status_ok) return NULL;
    return session;
}

// ITU-T G.711 µ-law expansion, the classic arithmetic form.
static opus_int16 ulaw_decode(uint8_t code) {
    code = ~code;
    int t = ((code & 0x0F) << 3) + 0x84;
    t <<= (code & 0x70) >> 4;
    return (opus_int16)((code & 0x80) ? (0x84 - t) : (t - 0x84));
}

raw_media_call *raw_media_call_create(int opus_in, int transcode, int complexity, const uint8_t *key) {
    ensure_srtp();
    raw_media_call *call = calloc(1, sizeof *call);
    if (!call) return NULL;
    call->opus_in = opus_in;
    call->session = make_session(key, 1);
    int error = OPUS_OK;
    if (opus_in) call->decoder = opus_decoder_create(16000, 1, &error);
    if (transcode && error == OPUS_OK) {
        call->encoder = opus_encoder_create(opus_in ? 16000 : 8000, 1, OPUS_APPLICATION_VOIP, &error);
        if (call->encoder) {
            opus_encoder_ctl(call->encoder, OPUS_SET_BITRATE(24000));
            opus_encoder_ctl(call->encoder, OPUS_SET_COMPLEXITY(complexity));
        }
    }
    if (!call->session || error != OPUS_OK) {
        raw_media_call_destroy(call);
        return NULL;
    }
    return call;
}

void raw_media_call_destroy(raw_media_call *call) {
    if (!call) return;
    if (call->session) srtp_dealloc(call->session);
    if (call->decoder) opus_decoder_destroy(call->decoder);
    if (call->encoder) opus_encoder_destroy(call->encoder);
    free(call);
}

int raw_media_call_receive(raw_media_call *call, uint8_t *packet, int length) {
    int plain = length;
    if (srtp_unprotect(call->session, packet, &plain) != srtp_err_status_ok) return -1;
    const uint8_t *payload = packet + 12;
    int payload_length = plain - 12;
    int samples;
    if (call->opus_in) {
        samples = opus_decode(call->decoder, payload, payload_length, call->pcm, 960, 0);
        if (samples < 0) return -2;
    } else {
        samples = payload_length;
        for (int i = 0; i < samples; i++) call->pcm[i] = ulaw_decode(payload[i]);
    }
    if (!call->encoder) return samples;
    uint8_t encoded[1275];
    return opus_encode(call->encoder, call->pcm, samples, encoded, sizeof encoded);
}

