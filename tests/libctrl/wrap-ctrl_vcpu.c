/* Builds libctrl/ctrl_vcpu.c into test-marshal against fake-privcmd.c instead
 * of the real privcmd layer (see fake-privcmd.h). */
#include "ctrl_vcpu.c"
