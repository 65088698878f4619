// speexdsp from Debian's libspeexdsp-dev: the resampler between a sound card's rate and the call's 8 kHz.
#include <speex/speex_resampler.h>
