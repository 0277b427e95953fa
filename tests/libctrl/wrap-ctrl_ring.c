/* Builds libctrl/ctrl_ring.c into test-marshal against fake-privcmd.c instead
 * of the real privcmd layer (see fake-privcmd.h). */
#include "ctrl_ring.c"
