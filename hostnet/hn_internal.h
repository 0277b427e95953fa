/* hostnet's private state, shared by its source files. */
#ifndef HN_INTERNAL_H
#define HN_INTERNAL_H

#include "hostnet.h"

struct hn_ctx {
	char errmsg[256];	/* last failure, one line */
};

#endif
