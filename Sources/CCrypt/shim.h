// libxcrypt (Debian's libcrypt1): crypt_r verifies bcrypt hashes ($2a$, $2b$, $2y$).
#include <crypt.h>
