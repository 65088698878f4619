// libopus (codec) and libopusenc (Ogg Opus files) from Debian's libopus-dev and
// libopusenc-dev. opusenc.h includes <opus.h>, so pkg-config's -I/usr/include/opus
// is needed and the module is found through the "opus" pkg-config name.
#include <opus.h>
#include <opusenc.h>

// opus_encoder_ctl and opus_decoder_ctl are variadic, which Swift cannot call:
// these typed wrappers set the few controls Hushbox uses.
static inline int hushbox_opus_set_bitrate(OpusEncoder *encoder, opus_int32 bitsPerSecond) {
    return opus_encoder_ctl(encoder, OPUS_SET_BITRATE(bitsPerSecond));
}
static inline int hushbox_opus_set_inband_fec(OpusEncoder *encoder, opus_int32 enabled) {
    return opus_encoder_ctl(encoder, OPUS_SET_INBAND_FEC(enabled));
}
static inline int hushbox_opus_set_packet_loss_percentage(OpusEncoder *encoder, opus_int32 percent) {
    return opus_encoder_ctl(encoder, OPUS_SET_PACKET_LOSS_PERC(percent));
}
static inline int hushbox_opus_set_complexity(OpusEncoder *encoder, opus_int32 complexity) {
    return opus_encoder_ctl(encoder, OPUS_SET_COMPLEXITY(complexity));
}
static inline int hushbox_opus_set_dtx(OpusEncoder *encoder, opus_int32 enabled) {
    return opus_encoder_ctl(encoder, OPUS_SET_DTX(enabled));
}

// ope_encoder_ctl is variadic too.
static inline int hushbox_ope_set_bitrate(OggOpusEnc *encoder, opus_int32 bitsPerSecond) {
    return ope_encoder_ctl(encoder, OPUS_SET_BITRATE(bitsPerSecond));
}
static inline int hushbox_ope_set_voip(OggOpusEnc *encoder) {
    return ope_encoder_ctl(encoder, OPUS_SET_APPLICATION(OPUS_APPLICATION_VOIP));
}
static inline int hushbox_ope_set_muxing_delay(OggOpusEnc *encoder, opus_int32 samples48k) {
    return ope_encoder_ctl(encoder, OPE_SET_MUXING_DELAY(samples48k));
}
