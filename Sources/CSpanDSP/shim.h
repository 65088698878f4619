// spandsp from Debian's libspandsp-dev: caller ID (ADSI), tone filters and
// generators for the telephone line. Only the headers the line needs:
// <spandsp.h> itself pulls in libtiff's headers for fax.
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <spandsp/telephony.h>
#include <spandsp/logging.h>
#include <spandsp/complex.h>
#include <spandsp/async.h>
#include <spandsp/fsk.h>
#include <spandsp/tone_detect.h>
#include <spandsp/tone_generate.h>
#include <spandsp/super_tone_rx.h>
#include <spandsp/dtmf.h>
#include <spandsp/adsi.h>
#include <spandsp/version.h>
