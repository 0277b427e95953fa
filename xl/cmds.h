/*
 * cmds.h - the information commands (one function each, in cmd_*.c) and
 * the pure formatting functions behind their output, kept apart from any
 * I/O with Xen so the unit tests in tests/xl can check every column.
 */
#ifndef LIGHTSTACK_XL_CMDS_H
#define LIGHTSTACK_XL_CMDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/utsname.h>

#include "light_sched.h"    /* the vcpu, pool and scheduler structs */

struct light_dominfo;
struct light_host_info;

int cmd_list(int argc, char **argv);
int cmd_vm_list(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_domid(int argc, char **argv);
int cmd_domname(int argc, char **argv);
int cmd_dmesg(int argc, char **argv);
int cmd_uptime(int argc, char **argv);
int cmd_claims(int argc, char **argv);
int cmd_block_attach(int argc, char **argv);      /* cmd_block.c */
int cmd_block_detach(int argc, char **argv);
int cmd_block_list(int argc, char **argv);
/* cmd_network.c: a guest's vifs. */
int cmd_network_attach(int argc, char **argv);
int cmd_network_detach(int argc, char **argv);
int cmd_network_list(int argc, char **argv);

/* cmd_mem.c: a domain's balloon target and memory limit. */
int cmd_mem_set(int argc, char **argv);
int cmd_mem_max(int argc, char **argv);

/*
 * A memory size as upstream's parse_mem_size_kb reads it: decimal digits
 * and at most one unit letter, either case: b (bytes, rounded down to
 * KiB), k (KiB), m (MiB, also without a letter), g (GiB), t (TiB).
 * Stricter than upstream: no sign, no spaces, nothing after the letter.
 * 0 and *kb, or -1/EINVAL (also for a size beyond 2^63 KiB).
 */
int xl_parse_mem_size_kb(const char *s, uint64_t *kb);

struct light_nic_info;
/* `xl network-list`'s header and one vif's line, as upstream prints them. */
void xl_network_list_header(FILE *out);
void xl_network_list_line(FILE *out, const struct light_nic_info *n);

/* ---- format.c: `xl list` ------------------------------------------- */

/* Extra `xl list` columns. */
#define XL_LIST_VERBOSE  0x1u   /* -v: UUID, reason code, security label */
#define XL_LIST_CONTEXT  0x2u   /* -Z: security label */
#define XL_LIST_CLAIM    0x4u   /* `xl claims`: claimed memory */
#define XL_LIST_CPUPOOL  0x8u   /* -c: cpupool name */

/*
 * The six state characters of `xl list`, NUL-terminated in out[7]:
 *   r running, b blocked, p paused, s shut down,
 *   the shutdown reason (- poweroff/none, r reboot, s suspend, c crash,
 *   w watchdog, S soft reset, ? unknown), d dying.
 */
void xl_state_chars(const struct light_dominfo *d, char out[7]);

/* The lower-case 8-4-4-4-12 form of a UUID, NUL-terminated in out[37]. */
void xl_format_uuid(const uint8_t uuid[16], char out[37]);

/* `xl info --json` (doc/json.md); 0 or -1 with errno. */
int xl_print_info_json(FILE *out, const struct utsname *uts,
    const struct light_host_info *h);

/*
 * sxp.c: a configuration's JSON (libxl's layout, as stored) printed in
 * upstream's S-expression form (output_format = "sxp").  domid -1 and
 * uuid NULL for a dry run (`create -n`).  0, or -1/EINVAL if `json` does
 * not parse.
 */
int xl_sxp_print(FILE *out, const char *json, long long domid,
    const char *uuid);

/* The header line of `xl list` for these XL_LIST_* options, with '\n'. */
void xl_list_header(FILE *out, unsigned opts);

/*
 * One domain's line of `xl list`, with '\n'.  `pool` is the cpupool name
 * (only used with XL_LIST_CPUPOOL; NULL prints "(null)" as upstream's
 * printf does).  A domain without a name prints "(null)" too.
 */
void xl_list_line(FILE *out, const struct light_dominfo *d, unsigned opts,
    const char *pool);

/* ---- format.c: `xl uptime` ----------------------------------------- */

/*
 * "H:MM:SS", "1 day, H:MM:SS", "N days, H:MM:SS" (hours padded to two
 * columns); short form drops the seconds.  Returns out.
 */
char *xl_uptime_string(unsigned long secs, bool short_form, char *out,
    size_t len);

/* ---- format.c: `xl info` ------------------------------------------- */

/*
 * Print `xl info` from already gathered facts.  With `field` non-NULL
 * only the values of lines whose name starts with `field` are printed
 * (upstream's `xl info FIELD`).  `uts` may be NULL (uname failed: the
 * four host lines are left out).  Facts liblight could not learn
 * (has_* false, free_cpus < 0) are left out rather than invented.
 */
void xl_print_info(FILE *out, const struct utsname *uts,
    const struct light_host_info *h, const char *field);

/* ---- cmd_vcpu.c, cmd_sched.c, cmd_cpupool.c ------------------------- */

int cmd_vcpu_list(int argc, char **argv);
int cmd_vcpu_pin(int argc, char **argv);
int cmd_vcpu_set(int argc, char **argv);
int cmd_sched_credit(int argc, char **argv);
int cmd_sched_credit2(int argc, char **argv);
int cmd_cpupool_list(int argc, char **argv);

/* Free a JSON document without printing it (jsonw.h has no free: a
 * command that fails part-way prints no document at all). */
struct xl_json;
void xl_json_discard(struct xl_json *j);

/* ---- format_sched.c: vcpu-list, sched-credit*, cpupool-list --------- */


/*
 * CPUs [0, nbits) of `map` as upstream's xl writes an affinity: "all"
 * (one run from CPU 0 to the last), "none", or runs such as "0-1,3".
 * Always NUL-terminates out[len]; returns out.
 */
char *xl_format_cpumap(const uint8_t *map, unsigned nbits, char *out,
    size_t len);

/* `xl vcpu-list`: the header, and one vCPU's line (affinities over the
 * host's nr_cpus CPUs; name NULL prints "(null)"). */
void xl_vcpu_list_header(FILE *out);
void xl_vcpu_list_line(FILE *out, const char *name, uint32_t domid,
    const struct light_vcpu_info *v, unsigned nr_cpus);

/* `xl sched-credit` / `sched-credit2`: the domain table's header and
 * line (the same for both), and a pool's parameter line (p NULL:
 * "[sched params unavailable]"). */
void xl_sched_credit_header(FILE *out);
void xl_sched_credit_line(FILE *out, const char *name, uint32_t domid,
    const struct light_sched_domain *p);
void xl_sched_pool_line(FILE *out, const char *pool, enum light_sched s,
    const struct light_sched_pool *p);

/* `xl cpupool-list [-c]`. */
void xl_cpupool_list_header(FILE *out, bool cpu_list);
void xl_cpupool_list_line(FILE *out, const struct light_cpupool_info *p,
    bool cpu_list);

#endif /* LIGHTSTACK_XL_CMDS_H */
