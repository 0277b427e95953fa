/*
 * fuzz-config-json.c - libFuzzer target for the stored-config reader
 * (liblight/config_load.c: libxl-json userdata as xl and this toolstack
 * store it) and the printer it is the inverse of (config_json.c).
 *
 * The input is JSON text.  A config the reader accepts is printed again,
 * and that must read back: the printer writes nothing the reader rejects.
 * Every error path must free what it built (LeakSanitizer checks).
 * Seeds: tests/liblight/seeds/fuzz-config-json (the printed form of the
 * examples, bare and wrapped as {"domid": D, "config": {...}}).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "light_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct light_domain_config dc, back;
	char err[256];
	char *text, *json;

	/* The reader takes a C string. */
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (light_domain_config_from_json(text, "fuzz.json", &dc, err,
	                                  sizeof(err)) == 0) {
		json = light_domain_config_print(&dc);
		if (json) {
			if (light_domain_config_from_json(json, NULL, &back, err,
			                                  sizeof(err)) < 0)
				abort();
			light_domain_config_dispose(&back);
			free(json);
		}
		light_domain_config_dispose(&dc);
	}
	free(text);
	return 0;
}
