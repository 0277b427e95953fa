/*
 * json_tree.c - yajl tree back to text (json_tree.h).
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "json_tree.h"

bool light_gen_ok(yajl_gen_status s)
{
	return s == yajl_gen_status_ok;
}

bool light_gen_str(yajl_gen g, const char *s)
{
	return light_gen_ok(yajl_gen_string(g, (const unsigned char *)s,
	                                    strlen(s)));
}

bool light_gen_value(yajl_gen g, yajl_val v)
{
	size_t i;
	bool ok;

	if (YAJL_IS_STRING(v))
		return light_gen_str(g, YAJL_GET_STRING(v));
	if (YAJL_IS_INTEGER(v))
		return light_gen_ok(yajl_gen_integer(g, YAJL_GET_INTEGER(v)));
	/* Not an integer: the text yajl kept, so that "0.1" stays "0.1". */
	if (YAJL_IS_NUMBER(v))
		return light_gen_ok(yajl_gen_number(g, v->u.number.r,
		                                    strlen(v->u.number.r)));
	if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v))
		return light_gen_ok(yajl_gen_bool(g, YAJL_IS_TRUE(v)));
	if (YAJL_IS_ARRAY(v)) {
		ok = light_gen_ok(yajl_gen_array_open(g));
		for (i = 0; ok && i < v->u.array.len; i++)
			ok = light_gen_value(g, v->u.array.values[i]);
		return ok && light_gen_ok(yajl_gen_array_close(g));
	}
	if (YAJL_IS_OBJECT(v)) {
		ok = light_gen_ok(yajl_gen_map_open(g));
		for (i = 0; ok && i < v->u.object.len; i++)
			ok = light_gen_str(g, v->u.object.keys[i]) &&
			     light_gen_value(g, v->u.object.values[i]);
		return ok && light_gen_ok(yajl_gen_map_close(g));
	}
	return light_gen_ok(yajl_gen_null(g));
}

yajl_gen light_gen_alloc_libxl(void)
{
	yajl_gen g = yajl_gen_alloc(NULL);

	if (g == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_config(g, yajl_gen_indent_string, "    ");
	return g;
}
