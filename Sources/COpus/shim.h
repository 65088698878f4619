// libopus (codec) and libopusenc (Ogg Opus files) from Debian's libopus-dev and
// libopusenc-dev. opusenc.h includes <opus.h>, so pkg-config's -I/usr/include/opus
// is needed and the module is found through the "opus" pkg-config name.
#include <opus.h>
#include <opusenc.h>
