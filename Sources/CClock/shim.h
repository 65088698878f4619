// The kernel's clock discipline (adjtimex(2), part of libc6-dev): whether NTP
// has synchronised the clock, which `hushbox selftest` reports. Glibc's Swift
// module does not include <sys/timex.h>.
#include <sys/timex.h>

/// adjtimex without changing anything: the clock state (TIME_OK … TIME_ERROR),
/// or -1; `status` and `esterror` (µs) from the kernel.
static inline int hushbox_clock_state(int *status, long *esterror) {
    struct timex state = {0};
    int result = adjtimex(&state);
    *status = state.status;
    *esterror = state.esterror;
    return result;
}
