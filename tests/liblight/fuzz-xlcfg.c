/*
 * fuzz-xlcfg.c - libFuzzer target for the xl.cfg parser and the domain
 * config model built on it (liblight/config_parse.c, config_model.c).
 *
 * The input is xl.cfg text.  It is parsed; a file that parses is turned
 * into a domain config (upstream's defaults and checks), and a config that
 * is valid is printed as JSON and read back by the stored-config reader,
 * which must accept what the printer wrote.  Every error path must leave
 * nothing allocated (LeakSanitizer checks) and write a bounded message.
 * Seeds: tests/liblight/seeds/fuzz-xlcfg (the examples' configs and small
 * files with every value form: strings, escapes, lists, +=, numbers).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "light_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct light_cfg *cfg = light_cfg_new();
	struct light_domain_config dc, back;
	char err[256];
	char *json;

	if (!cfg)
		return 0;
	if (light_cfg_parse_data(cfg, "fuzz.cfg", (const char *)data, size,
	                         err, sizeof(err)) < 0)
		goto out;
	if (light_domain_config_from_cfg(cfg, &dc, err, sizeof(err)) < 0)
		goto out;
	json = light_domain_config_print(&dc);
	if (json) {
		/* What the printer writes, the reader must take. */
		if (light_domain_config_from_json(json, NULL, &back, err,
		                                  sizeof(err)) < 0)
			abort();
		light_domain_config_dispose(&back);
		free(json);
	}
	light_domain_config_dispose(&dc);
out:
	light_cfg_free(cfg);
	return 0;
}
