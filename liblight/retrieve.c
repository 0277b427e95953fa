/*
 * retrieve.c - a running domain's configuration as it is now, not only as
 * it was created: what upstream's libxl_retrieve_domain_configuration
 * returns, and so what `xl list -l` shows and what a restart re-creates.
 *
 * The stored file (store.c) says what the domain was created with.  Some
 * of that changes while it runs, and the running system is then the
 * truth, as libxl takes it:
 *
 *   c_info.name          /local/domain/D/name (`xl rename`)
 *   c_info.uuid          Xen's domain handle
 *   b_info.avail_vcpus   the cpu/N/availability nodes (`xl vcpu-set`)
 *   b_info.target_memkb  memory/target (`xl mem-set`) plus
 *                        memory/videoram (an HVM guest's card), as libxl
 *                        adds its "fudge", which is 0 for a PV guest
 *   b_info.max_memkb     memory/static-max (`xl mem-max`)
 *   b_info.sched_params  the scheduler of the domain's pool and its
 *                        weight and cap (`xl sched-credit2 -d`)
 *
 * vcpu affinity is not among them: libxl keeps the configured maps even
 * after `xl vcpu-pin`, and so does this (the stored vcpu_hard_affinity).
 *
 * Everything else of the file is written back as it was parsed, members
 * in their order, so a file libxl wrote loses nothing.  A value that
 * cannot be read (a dying domain whose nodes are gone) keeps the stored
 * one: the monitor reads a stopped domain's configuration this way.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uuid/uuid.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "light_internal.h"
#include "json_tree.h"
#include "light_lifecycle.h"

/* libxl's limit on vcpus in a bitmap here is the stored max_vcpus; this
 * bounds the xenstore reads of a corrupt file. */
#define LIVE_MAX_VCPUS 4096

/* The live values; a member not known keeps the stored one. */
struct live {
	char *name;                 /* NULL: keep */
	char uuid[37];              /* "": keep */
	bool have_target, have_max;
	long long target_kb, max_kb;
	bool have_avail;
	unsigned max_vcpus;
	unsigned char *avail;       /* max_vcpus flags: online */
	bool have_sched;
	enum light_sched sched;
	struct light_sched_domain sp;
};

static bool gen_avail(yajl_gen g, const struct live *l)
{
	unsigned i;
	bool ok = light_gen_ok(yajl_gen_array_open(g));

	for (i = 0; ok && i < l->max_vcpus; i++)
		if (l->avail[i])
			ok = light_gen_ok(yajl_gen_integer(g, i));
	return ok && light_gen_ok(yajl_gen_array_close(g));
}

/* libxl_domain_sched_params as libxl writes what it read back: the
 * scheduler's name and the two parameters credit and credit2 have. */
static bool gen_sched(yajl_gen g, const struct live *l)
{
	return light_gen_ok(yajl_gen_map_open(g)) &&
	       light_gen_str(g, "sched") && light_gen_str(g, light_sched_name(l->sched)) &&
	       light_gen_str(g, "weight") && light_gen_ok(yajl_gen_integer(g, l->sp.weight)) &&
	       light_gen_str(g, "cap") && light_gen_ok(yajl_gen_integer(g, l->sp.cap)) &&
	       light_gen_ok(yajl_gen_map_close(g));
}

/* The c_info object with the live name and uuid. */
static bool gen_c_info(yajl_gen g, yajl_val v, const struct live *l)
{
	size_t i;
	bool ok = light_gen_ok(yajl_gen_map_open(g));

	for (i = 0; ok && i < v->u.object.len; i++) {
		const char *k = v->u.object.keys[i];

		ok = light_gen_str(g, k);
		if (!ok)
			break;
		if (strcmp(k, "name") == 0 && l->name)
			ok = light_gen_str(g, l->name);
		else if (strcmp(k, "uuid") == 0 && l->uuid[0])
			ok = light_gen_str(g, l->uuid);
		else
			ok = light_gen_value(g, v->u.object.values[i]);
	}
	return ok && light_gen_ok(yajl_gen_map_close(g));
}

/* The b_info object with the live vcpus and memory; a member the file
 * left out (libxl leaves out what is at its default) is added. */
static bool gen_b_info(yajl_gen g, yajl_val v, const struct live *l)
{
	bool seen_avail = false, seen_max = false, seen_target = false;
	bool seen_sched = false;
	size_t i;
	bool ok = light_gen_ok(yajl_gen_map_open(g));

	for (i = 0; ok && i < v->u.object.len; i++) {
		const char *k = v->u.object.keys[i];

		ok = light_gen_str(g, k);
		if (!ok)
			break;
		if (strcmp(k, "avail_vcpus") == 0 && l->have_avail) {
			seen_avail = true;
			ok = gen_avail(g, l);
		} else if (strcmp(k, "max_memkb") == 0 && l->have_max) {
			seen_max = true;
			ok = light_gen_ok(yajl_gen_integer(g, l->max_kb));
		} else if (strcmp(k, "target_memkb") == 0 && l->have_target) {
			seen_target = true;
			ok = light_gen_ok(yajl_gen_integer(g, l->target_kb));
		} else if (strcmp(k, "sched_params") == 0 && l->have_sched) {
			seen_sched = true;
			ok = gen_sched(g, l);
		} else {
			ok = light_gen_value(g, v->u.object.values[i]);
		}
	}
	if (ok && l->have_avail && !seen_avail)
		ok = light_gen_str(g, "avail_vcpus") && gen_avail(g, l);
	if (ok && l->have_max && !seen_max)
		ok = light_gen_str(g, "max_memkb") &&
		     light_gen_ok(yajl_gen_integer(g, l->max_kb));
	if (ok && l->have_target && !seen_target)
		ok = light_gen_str(g, "target_memkb") &&
		     light_gen_ok(yajl_gen_integer(g, l->target_kb));
	if (ok && l->have_sched && !seen_sched)
		ok = light_gen_str(g, "sched_params") && gen_sched(g, l);
	return ok && light_gen_ok(yajl_gen_map_close(g));
}

/* A xenstore node of the domain as a non-negative integer, or -1. */
static long long read_kb(struct light_ctx *c, uint32_t domid, const char *node)
{
	char path[128], *val, *end;
	long long n;

	snprintf(path, sizeof(path), "/local/domain/%u/%s", domid, node);
	val = xsc_read(c->xs, XSC_NO_TX, path, NULL);
	if (!val)
		return -1;
	errno = 0;
	n = strtoll(val, &end, 10);
	if (errno || end == val || *end || n < 0)
		n = -1;
	free(val);
	return n;
}

/* What is live of the domain; max_vcpus from the stored b_info. */
static void read_live(struct light_ctx *c, uint32_t domid,
                      const struct ctrl_dominfo *info, yajl_val b_info,
                      struct live *l)
{
	const char *mv[] = { "max_vcpus", NULL };
	yajl_val v = b_info ? yajl_tree_get(b_info, mv, yajl_t_number) : NULL;
	char path[128], *val;
	long long video;
	unsigned i;

	l->name = light_domain_name(c, domid);
	uuid_unparse_lower(info->handle, l->uuid);
	l->target_kb = read_kb(c, domid, "memory/target");
	l->have_target = l->target_kb >= 0;
	/* The balloon target leaves out an HVM guest's video memory, which
	 * memory= (target_memkb) includes: add it back, as libxl does. */
	video = read_kb(c, domid, "memory/videoram");
	if (l->have_target && video > 0)
		l->target_kb += video;
	l->max_kb = read_kb(c, domid, "memory/static-max");
	l->have_max = l->max_kb >= 0;
	/* Needs Xen; a pool whose scheduler has no weight (or a context
	 * without privcmd, as in the unit tests) keeps the stored ones. */
	l->have_sched = c->ctrl != NULL &&
	    light_sched_domain_get(c, domid, &l->sched, &l->sp) == 0;

	if (!v || !YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < 1 ||
	    YAJL_GET_INTEGER(v) > LIVE_MAX_VCPUS)
		return;
	l->max_vcpus = (unsigned)YAJL_GET_INTEGER(v);
	l->avail = calloc(l->max_vcpus, 1);
	if (!l->avail)
		return;
	for (i = 0; i < l->max_vcpus; i++) {
		snprintf(path, sizeof(path), "/local/domain/%u/cpu/%u/availability",
		         domid, i);
		val = xsc_read(c->xs, XSC_NO_TX, path, NULL);
		if (!val)
			return;         /* no nodes (yet, or any more): keep */
		l->avail[i] = strcmp(val, "online") == 0;
		free(val);
	}
	l->have_avail = true;
}

char *light_config_json_live(struct light_ctx *c, uint32_t domid,
                             const struct ctrl_dominfo *info, const char *json)
{
	const char *bi[] = { "b_info", NULL };
	struct live l;
	char perr[128];
	yajl_val root;
	yajl_gen g = NULL;
	const unsigned char *buf;
	size_t len, i;
	char *out = NULL;
	bool ok;

	memset(&l, 0, sizeof(l));
	root = yajl_tree_parse(json, perr, sizeof(perr));
	if (!root || !YAJL_IS_OBJECT(root)) {
		errno = EINVAL;
		goto out;
	}
	read_live(c, domid, info, yajl_tree_get(root, bi, yajl_t_object), &l);
	/* The layout store.c writes: libxl's, 4-space indented. */
	g = light_gen_alloc_libxl();
	if (!g)
		goto out;
	ok = light_gen_ok(yajl_gen_map_open(g));
	for (i = 0; ok && i < root->u.object.len; i++) {
		const char *k = root->u.object.keys[i];
		yajl_val v = root->u.object.values[i];

		ok = light_gen_str(g, k);
		if (ok && strcmp(k, "c_info") == 0 && YAJL_IS_OBJECT(v))
			ok = gen_c_info(g, v, &l);
		else if (ok && strcmp(k, "b_info") == 0 && YAJL_IS_OBJECT(v))
			ok = gen_b_info(g, v, &l);
		else if (ok)
			ok = light_gen_value(g, v);
	}
	if (!ok || !light_gen_ok(yajl_gen_map_close(g)) ||
	    !light_gen_ok(yajl_gen_get_buf(g, &buf, &len))) {
		errno = EIO;
		goto out;
	}
	/* Without the trailing newline, as light_config_read returns the
	 * stored text. */
	while (len > 0 && buf[len - 1] == '\n')
		len--;
	out = strndup((const char *)buf, len);
	if (!out)
		errno = ENOMEM;
out:
	if (g)
		yajl_gen_free(g);
	yajl_tree_free(root);
	free(l.name);
	free(l.avail);
	return out;
}
