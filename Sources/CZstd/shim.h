// Zstandard (Debian: libzstd-dev) compresses the chunks of flight recordings, as MCAP's `zstd`.
#include <zstd.h>
