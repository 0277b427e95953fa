/*
 * xml_domain.c - the libvirt XML of a running domain (light_xml.h):
 * its stored configuration, corrected by what the domain is now.
 *
 * The stored configuration says what the guest was created with; since
 * then it may have been renamed (xl rename), ballooned (xl mem-set,
 * mem-max) or had vcpus taken offline (xl vcpu-set).  virsh dumpxml of a
 * running guest shows the live values, and so does this.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "light_internal.h"
#include "light_info.h"
#include "light_mem.h"
#include "light_xml.h"

char *light_domain_xml(struct light_ctx *c, uint32_t domid)
{
	struct light_domain_config dc;
	struct light_dominfo info;
	struct light_xml_live live = { .domid = domid };
	char *json = NULL, *tty = NULL, *xml = NULL, err[512];
	uint64_t target, max;
	bool have_dc = false;

	if (light_domain_info(c, domid, &info) < 0)
		return NULL;
	json = light_domain_config_json(c, domid);
	if (!json)
		return NULL;
	if (light_domain_config_from_json(json, NULL, &dc, err, sizeof(err)) < 0) {
		light_error(c, EINVAL, "domain %u: stored configuration: %s", domid,
		            err);
		goto out;
	}
	have_dc = true;
	if (info.has_name && info.name[0]) {
		char *n = strdup(info.name);
		if (!n) {
			light_error(c, ENOMEM, "domain %u", domid);
			goto out;
		}
		free(dc.name);
		dc.name = n;
	}
	memcpy(dc.uuid, info.uuid, sizeof(dc.uuid));
	dc.has_uuid = true;
	/* The balloon target and limit as they are now; a guest whose
	 * memory nodes are missing keeps the configured values. */
	if (light_memory_get(c, domid, &target, &max) == 0) {
		dc.target_memkb = target;
		if (max >= target)
			dc.max_memkb = max;
	}
	if (info.vcpus_online >= 1 && info.vcpus_online <= dc.max_vcpus)
		dc.vcpus = info.vcpus_online;
	tty = light_xs_readf(c, XSC_NO_TX, "/local/domain/%u/console/tty", domid);
	live.console_tty = tty && tty[0] ? tty : NULL;
	xml = light_domain_config_to_xml(&dc, &live);
	if (!xml)
		light_error(c, errno, "domain %u: formatting its XML", domid);
out:
	if (have_dc)
		light_domain_config_dispose(&dc);
	free(json);
	free(tty);
	return xml;
}
