/*
 * liblight.h - Lightstack's domain lifecycle library (the libxl of
 * Lightstack).  Include this one header; it pulls in the parts:
 *
 *   light_ctx.h     the context: open, close, error messages
 *   light_info.h    host information and the domain list
 *   light_config.h  xl.cfg parsing and the domain configuration model
 *   light_domain.h  create, destroy, shutdown, reboot, pause, console
 *   light_block.h   hot attach, detach and listing of disks
 *   light_net.h     hot attach, detach and listing of network interfaces
 *   light_xlconf.h  /etc/xen/xl.conf, the toolstack-wide defaults
 *   light_sched.h   vCPUs, affinity, cpupools, scheduler parameters
 *   light_mem.h     memory target and limit, Dom0 autoballoon
 *   light_core.h    core dumps, rename, sysrq and triggers
 *   light_event.h   domain and device events for orchestrators (an fd)
 *
 * Threads: a light_ctx, and everything opened from it (light_events), is
 * used by one thread at a time; nothing in liblight locks.  Different
 * contexts share nothing and may be used in different threads at once,
 * e.g. one context per thread, each creating and destroying its own
 * domains.  The configuration model (light_cfg, light_domain_config) has
 * no context: each object is used by one thread at a time.
 */
#ifndef LIGHTSTACK_LIBLIGHT_H
#define LIGHTSTACK_LIBLIGHT_H

#include "light_ctx.h"
#include "light_info.h"
#include "light_config.h"
#include "light_domain.h"
#include "light_block.h"
#include "light_net.h"
#include "light_xlconf.h"
#include "light_sched.h"
#include "light_mem.h"
#include "light_core.h"
#include "light_event.h"
#include "light_xml.h"

#endif /* LIGHTSTACK_LIBLIGHT_H */
