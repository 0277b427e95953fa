/*
 * config_text.h - private helpers shared by the writers of the domain
 * model (config_write.c: xl.cfg text; xml.c: libvirt XML).
 */
#ifndef LIGHTSTACK_CONFIG_TEXT_H
#define LIGHTSTACK_CONFIG_TEXT_H

#include <stddef.h>
#include <stdio.h>

#include "light_config.h"

/*
 * A CPU map as xl.cfg and libvirt's cpuset write it: runs such as
 * "0-3,5", "" for an empty map.  Always NUL-terminates; returns buf.
 */
char *light_cpumap_text(const struct light_cpumap *m, char *buf, size_t len);

/* Whether the map holds every CPU liblight can name (xl.cfg's "all"). */
int light_cpumap_is_all(const struct light_cpumap *m);

/* Whether n > 0 maps are all the same: xl.cfg's `cpus = "0-3"` gives
 * every vcpu one map, and is written back as that one string. */
int light_cpumaps_same(const struct light_cpumap *maps, size_t n);

/* One disk / vif of the model as a disk= / vif= list item of xl.cfg, as
 * light_disk_parse / light_nic_parse read it back.  malloc'd, or NULL. */
char *light_disk_spec(const struct light_disk *d);
char *light_nic_spec(const struct light_nic *n);

#endif /* LIGHTSTACK_CONFIG_TEXT_H */
