/*
 * jsonw.c - the --json writer of xl's read commands (see jsonw.h).
 *
 * yajl does the escaping, number formatting and indentation.  It does not
 * know whether a string is meant as a key or a value, so this file keeps
 * its own small stack of open containers and checks each call against it:
 * a value inside a map needs a key, a value inside an array must not have
 * one.  The first misuse marks the document failed; every later call is
 * ignored and xl_json_print() refuses to print.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>

#include "jsonw.h"

/* Deeper than any xl output needs; a deeper document is a bug. */
#define XL_JSON_MAXDEPTH 32

struct xl_json {
	yajl_gen g;
	bool failed;       /* a misuse or a yajl error: print refuses */
	bool done;         /* the top-level value is complete */
	bool have_key;     /* a key was written, its value not yet */
	int depth;         /* open containers */
	char kind[XL_JSON_MAXDEPTH];  /* 'm' map or 'a' array, per level */
};

struct xl_json *xl_json_new(void)
{
	struct xl_json *j;

	j = calloc(1, sizeof(*j));
	if (!j)
		goto nomem;
	j->g = yajl_gen_alloc(NULL);
	if (!j->g)
		goto nomem;
	yajl_gen_config(j->g, yajl_gen_beautify, 1);
	yajl_gen_config(j->g, yajl_gen_indent_string, "    ");
	return j;
nomem:
	free(j);
	fprintf(stderr, "xl: out of memory\n");
	exit(1);
}

static void check(struct xl_json *j, yajl_gen_status st)
{
	if (st != yajl_gen_status_ok)
		j->failed = true;
}

static void put_string(struct xl_json *j, const char *s)
{
	check(j, yajl_gen_string(j->g, (const unsigned char *)s, strlen(s)));
}

/*
 * Prepare for one value (a scalar, or a container about to open): write
 * its key when it is inside a map.  Returns false when the value does not
 * belong here; the document is then failed.
 */
static bool begin_value(struct xl_json *j, const char *key)
{
	if (j->failed)
		return false;
	if (j->done)
		goto bad;
	if (j->depth == 0 || j->kind[j->depth - 1] == 'a') {
		if (key || j->have_key)
			goto bad;
		return true;
	}
	/* Inside a map: exactly one of an earlier xl_json_key() or `key`. */
	if (key && j->have_key)
		goto bad;
	if (!key && !j->have_key)
		goto bad;
	if (key)
		put_string(j, key);
	j->have_key = false;
	return !j->failed;
bad:
	j->failed = true;
	return false;
}

/* After a scalar or a close: the document is complete at depth 0. */
static void end_value(struct xl_json *j)
{
	if (j->depth == 0)
		j->done = true;
}

void xl_json_key(struct xl_json *j, const char *key)
{
	if (j->failed)
		return;
	if (!key || j->depth == 0 || j->kind[j->depth - 1] != 'm' || j->have_key) {
		j->failed = true;
		return;
	}
	put_string(j, key);
	j->have_key = true;
}

static void open_container(struct xl_json *j, char kind)
{
	if (!begin_value(j, NULL))
		return;
	if (j->depth == XL_JSON_MAXDEPTH) {
		j->failed = true;
		return;
	}
	check(j, kind == 'm' ? yajl_gen_map_open(j->g) : yajl_gen_array_open(j->g));
	j->kind[j->depth++] = kind;
}

static void close_container(struct xl_json *j, char kind)
{
	if (j->failed)
		return;
	if (j->depth == 0 || j->kind[j->depth - 1] != kind || j->have_key) {
		j->failed = true;
		return;
	}
	check(j, kind == 'm' ? yajl_gen_map_close(j->g) : yajl_gen_array_close(j->g));
	j->depth--;
	end_value(j);
}

void xl_json_map_open(struct xl_json *j)    { open_container(j, 'm'); }
void xl_json_map_close(struct xl_json *j)   { close_container(j, 'm'); }
void xl_json_array_open(struct xl_json *j)  { open_container(j, 'a'); }
void xl_json_array_close(struct xl_json *j) { close_container(j, 'a'); }

void xl_json_str(struct xl_json *j, const char *key, const char *v)
{
	if (!begin_value(j, key))
		return;
	if (v)
		put_string(j, v);
	else
		check(j, yajl_gen_null(j->g));
	end_value(j);
}

void xl_json_int(struct xl_json *j, const char *key, long long v)
{
	if (!begin_value(j, key))
		return;
	check(j, yajl_gen_integer(j->g, v));
	end_value(j);
}

/* yajl_gen_integer takes a long long; larger values (a 64-bit frame
 * count, ~0 for "unlimited") go out as their decimal digits. */
void xl_json_uint(struct xl_json *j, const char *key, unsigned long long v)
{
	char buf[32];

	if (!begin_value(j, key))
		return;
	if (v <= (unsigned long long)LLONG_MAX) {
		check(j, yajl_gen_integer(j->g, (long long)v));
	} else {
		snprintf(buf, sizeof(buf), "%llu", v);
		check(j, yajl_gen_number(j->g, buf, strlen(buf)));
	}
	end_value(j);
}

void xl_json_bool(struct xl_json *j, const char *key, bool v)
{
	if (!begin_value(j, key))
		return;
	check(j, yajl_gen_bool(j->g, v));
	end_value(j);
}

void xl_json_double(struct xl_json *j, const char *key, double v)
{
	if (!begin_value(j, key))
		return;
	if (isfinite(v))
		check(j, yajl_gen_double(j->g, v));
	else
		check(j, yajl_gen_null(j->g));
	end_value(j);
}

int xl_json_print(struct xl_json *j, FILE *out)
{
	const unsigned char *buf;
	size_t len;
	int rc = -1;

	if (j->failed || !j->done) {
		errno = EINVAL;
		goto out;
	}
	if (yajl_gen_get_buf(j->g, &buf, &len) != yajl_gen_status_ok) {
		errno = EINVAL;
		goto out;
	}
	/* yajl ends a beautified document with a newline itself; make sure
	 * there is exactly one either way. */
	if (fwrite(buf, 1, len, out) != len)
		goto out;
	if ((len == 0 || buf[len - 1] != '\n') && fputc('\n', out) == EOF)
		goto out;
	if (fflush(out) == EOF)
		goto out;
	rc = 0;
out:
	yajl_gen_free(j->g);
	free(j);
	return rc;
}
