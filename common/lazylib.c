/*
 * lazylib.c - load a shared library on first use (why: lazylib.h).
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lazylib.h"

static void load(struct lazylib *l)
{
	const struct lazylib_sym *s;
	void *h, *sym;

	/* RTLD_NOW: a missing symbol fails here, not in the middle of a
	 * command; RTLD_LOCAL: its symbols stay out of the global scope,
	 * where they could capture another library's lookups. */
	h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(l->error, sizeof(l->error), "%s", dlerror());
		return;
	}
	for (s = l->syms; s->name; s++) {
		if (!(sym = dlsym(h, s->name))) {
			snprintf(l->error, sizeof(l->error), "%s: no symbol %s",
			         l->soname, s->name);
			dlclose(h);
			return;
		}
		/* A function pointer goes through memcpy: POSIX makes
		 * dlsym's void * convertible, C's aliasing rules do not
		 * let us store it through a void **. */
		memcpy(s->slot, &sym, sizeof(sym));
	}
	if (l->init)
		l->init();
}

int lazylib_load(struct lazylib *l, char *err, size_t errlen)
{
	pthread_mutex_lock(&l->lock);
	if (!l->tried) {
		l->tried = true;
		load(l);
	}
	pthread_mutex_unlock(&l->lock);
	if (!l->error[0])
		return 0;
	snprintf(err, errlen, "%s needs %s: %s", l->what, l->soname, l->error);
	errno = ELIBACC;
	return -1;
}
