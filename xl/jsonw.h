/*
 * xl/jsonw.h - build one JSON document (yajl, beautified) and print it.
 *
 * Every read command's --json output goes through this writer so that all
 * of them share one layout (four-space indent, as libxl's JSON) and one
 * way of spelling things.  A command builds the whole document and prints
 * it once: a script always gets exactly one document per call.
 *
 * Values are written with a key (inside a map) or with key NULL (inside an
 * array).  A map or array that is the value of a key is introduced with
 * xl_json_key() and then opened.  Misuse (a key inside an array, an
 * unclosed map, two top-level values) is not fatal where it happens: the
 * writer remembers it and xl_json_print() fails with EINVAL, printing
 * nothing, so a broken document never reaches a script.
 *
 * Field names follow doc/json.md: lower_snake_case, units in the name
 * (memory_kb, cpu_time_s); the top level is an object.
 */
#ifndef LIGHTSTACK_XL_JSONW_H
#define LIGHTSTACK_XL_JSONW_H

#include <stdbool.h>
#include <stdio.h>

struct xl_json;

struct xl_json *xl_json_new(void);            /* exits 1 on ENOMEM */
void xl_json_map_open(struct xl_json *j);     /* { */
void xl_json_map_close(struct xl_json *j);    /* } */
void xl_json_array_open(struct xl_json *j);   /* [ */
void xl_json_array_close(struct xl_json *j);  /* ] */
void xl_json_key(struct xl_json *j, const char *key);  /* before a map/array value */
/* key NULL inside arrays; v NULL -> null */
void xl_json_str(struct xl_json *j, const char *key, const char *v);
void xl_json_int(struct xl_json *j, const char *key, long long v);
void xl_json_uint(struct xl_json *j, const char *key, unsigned long long v);
void xl_json_bool(struct xl_json *j, const char *key, bool v);
/* A NaN or infinity (which JSON cannot spell) is written as null. */
void xl_json_double(struct xl_json *j, const char *key, double v);
/* Writes the document + "\n", frees j; 0, or -1 with errno (EINVAL for
 * an incomplete or misbuilt document, nothing written then). */
int  xl_json_print(struct xl_json *j, FILE *out);

#endif
