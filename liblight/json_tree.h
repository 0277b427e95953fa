/*
 * json_tree.h - write a JSON document that yajl's tree parser read back
 * out through a yajl generator.  Private to liblight; not installed.
 *
 * Three places edit a stored configuration (retrieve.c, domain_ops.c,
 * device_store.c) the same way: parse the file with yajl_tree_parse,
 * change a few members, and write every other member back exactly as it
 * was, in its order, so that a file libxl wrote loses nothing this
 * library's model does not know.  The "back exactly as it was" part is
 * here, once.
 *
 * Include "config.h" first, then this header.
 */
#ifndef LIGHTSTACK_LIGHT_JSON_TREE_H
#define LIGHTSTACK_LIGHT_JSON_TREE_H

#include <stdbool.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

/* True when a generator call succeeded: lets calls chain with &&. */
bool light_gen_ok(yajl_gen_status s);

/* Write the string s (NUL-terminated). */
bool light_gen_str(yajl_gen g, const char *s);

/*
 * Write v as it was parsed: strings, integers, numbers in their original
 * text (a double is not re-rounded), booleans, null, and arrays and
 * objects with their members in order.
 */
bool light_gen_value(yajl_gen g, yajl_val v);

/*
 * A generator laid out as libxl writes its stored configuration (and as
 * store.c does): beautified, four-space indent.  NULL on ENOMEM.
 */
yajl_gen light_gen_alloc_libxl(void);

#endif
