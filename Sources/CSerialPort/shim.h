// libserialport (Debian: libserialport-dev) for real serial devices; pseudo-terminals go through termios.
#include <libserialport.h>
