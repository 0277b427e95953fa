/* Builds libctrl/ctrl_mem.c into test-marshal against fake-privcmd.c instead
 * of the real privcmd layer (see fake-privcmd.h). */
#include "ctrl_mem.c"
