// libopus from Debian's libopus-dev (pkg-config "opus" adds -I/usr/include/opus).
// Ogg Opus files are written by Media's own OggOpusWriter: libopusenc resamples
// to 48 kHz first, which measured 2.5x the cost for a G.711 call.
#include <opus.h>

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
