// libsrtp2 from Debian's libsrtp2-dev: SRTP and SRTCP protection for call media.
#include <srtp2/srtp.h>
