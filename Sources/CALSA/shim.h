// ALSA from Debian's libasound2-dev: capture and playback for a local telephone line.
#include <alsa/asoundlib.h>
