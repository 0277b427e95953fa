/*
 * lazylib.h - a shared library loaded the first time it is needed, not
 * when the process starts.
 *
 * Why: every library a program links is mapped and relocated before
 * main(), whether the program uses it or not.  Some of ours are heavy
 * and serve one rare command: libxml2 (libvirt XML) brings ICU, 30 MB of
 * data and libstdc++; libnftables (NAT vifs) brings five more libraries.
 * Measured natively on bookworm, an empty program starts in 0.6 ms, in
 * 3.2 ms linked with -lxml2 and in 4.8 ms with all of them; under Xen
 * every mapping is a hypercall and the gap grows.  `xl list` needs none
 * of them, so none of them is linked: its user loads it here, on first
 * use, and a host without it fails that one operation with a clear
 * message instead of every command at start.
 *
 * A user lists the functions it calls and defines the table once, in
 * the file that uses it (which includes the library's own header):
 *
 *	#define ZLIB_FUNCS(F, t) F(t, inflateInit2_) F(t, inflate) \
 *		F(t, inflateEnd)
 *	LAZYLIB_DEFINE(libz, ZLIB_FUNCS, "libz.so.1", "gzip kernels", NULL)
 *
 * which gives `libz`, a struct whose members have the library's names
 * and, through __typeof__, its header's exact prototypes, and `libz_lib`
 * to load it.  After lazylib_load(&libz_lib, ...) returned 0 a call
 * reads as it would linked: libz.inflate(&strm, Z_NO_FLUSH).
 * Loading happens once per process; concurrent first callers wait for
 * it; a failed load is not retried (the message is kept).
 */
#ifndef LIGHTSTACK_LAZYLIB_H
#define LIGHTSTACK_LAZYLIB_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

/* One symbol: its name and the address of the table member (a function
 * pointer, or for a variable a pointer to it) that receives dlsym's
 * result. */
struct lazylib_sym {
	const char *name;
	void *slot;
};

struct lazylib {
	const char *soname;     /* what dlopen is given: "libxml2.so.2" */
	const char *what;       /* what needs it, for the message */
	const struct lazylib_sym *syms;  /* ends with { NULL, NULL } */
	void (*init)(void);     /* run once after a good load, or NULL */
	pthread_mutex_t lock;
	bool tried;
	char error[256];        /* empty: loaded */
};

#define LAZYLIB_INIT(soname, what, syms, init) \
	{ (soname), (what), (syms), (init), PTHREAD_MUTEX_INITIALIZER, false, "" }

#define LAZYLIB_MEMBER_(t, name) __typeof__(name) *name;
#define LAZYLIB_SYM_(t, name) { #name, &t.name },
#define LAZYLIB_DEFINE(t, list, soname, what, init) \
	static struct { list(LAZYLIB_MEMBER_, t) } t; \
	static const struct lazylib_sym t##_syms[] = { \
		list(LAZYLIB_SYM_, t) { NULL, NULL } }; \
	static struct lazylib t##_lib = LAZYLIB_INIT(soname, what, t##_syms, init);

/* Load the library and fill every slot (once per process).  0, or -1
 * with errno ELIBACC and a one-line reason in err:
 *   "WHAT needs SONAME: libxml2.so.2: cannot open shared object file..."
 * A library that lacks one of the symbols is not loaded at all. */
int lazylib_load(struct lazylib *l, char *err, size_t errlen);

#endif
