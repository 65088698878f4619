// libsndfile from Debian's libsndfile1-dev: reads the audio files customers upload as greetings
// (WAV, AIFF, FLAC, Ogg Vorbis and Opus, MP3), from memory.
#include <sndfile.h>
