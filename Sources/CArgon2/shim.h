// libargon2 from Debian's libargon2-dev: Argon2id for passwords, PINs and API keys.
#include <argon2.h>
