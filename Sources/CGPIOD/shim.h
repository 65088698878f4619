// libgpiod 1.6 from Debian 12's libgpiod-dev (the v1 API): a line board's ring detector and hook relay.
#include <gpiod.h>
