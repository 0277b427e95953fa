/*
 * light_sched.h - vCPUs and where they run: CPU maps, the vCPU list,
 * affinity (hard and soft), hot-plugging vCPUs, cpupools and the credit /
 * credit2 scheduler parameters.  What `xl vcpu-*`, `xl sched-credit*` and
 * `xl cpupool-list` are built on.
 *
 * Terms, as Xen uses them:
 *  - a cpupool is a set of physical CPUs run by one scheduler; every
 *    domain lives in one pool (at boot there is only Pool-0, id 0);
 *  - a vCPU's hard affinity is the set of CPUs it may run on at all, its
 *    soft affinity the set the scheduler prefers;
 *  - a vCPU is online when the guest runs it.  A PV guest brings vCPUs up
 *    and down itself, following /local/domain/<id>/cpu/<n>/availability
 *    ("online" / "offline") in xenstore; the toolstack only writes those.
 */
#ifndef LIGHTSTACK_LIGHT_SCHED_H
#define LIGHTSTACK_LIGHT_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct light_ctx;

/* ---- CPU maps ------------------------------------------------------- */

/*
 * A set of physical CPUs: bit i of bits[i / 8] is CPU i, the layout Xen
 * uses.  Fixed size so that maps can live in structs and arrays without
 * allocation; 512 CPUs is far beyond the hosts this toolstack targets,
 * and a CPU number above it is refused when parsed.
 */
#define LIGHT_CPUMAP_BYTES 64
#define LIGHT_CPUMAP_MAX_CPUS (LIGHT_CPUMAP_BYTES * 8)
struct light_cpumap {
	uint8_t bits[LIGHT_CPUMAP_BYTES];
};

/*
 * Parse a CPU list as xl.cfg's cpus= and `xl vcpu-pin` write it: comma
 * separated items, applied left to right to an empty set, each one of
 *     all        every CPU
 *     N          CPU N
 *     N-M        CPUs N to M (N <= M)
 *     ^N, ^N-M   remove those CPUs
 * e.g. "0-3,^1" is {0, 2, 3}.  "nodes:" / "node:" (NUMA node ranges) are
 * refused: this toolstack does not place domains by NUMA node.  Returns
 * 0, or -1/EINVAL with a one-line message in err naming the bad item.
 */
int light_cpumap_parse(const char *spec, struct light_cpumap *out,
    char *err, size_t errlen);

bool light_cpumap_test(const struct light_cpumap *m, unsigned cpu);
void light_cpumap_set(struct light_cpumap *m, unsigned cpu);
/* Number of CPUs of [0, ncpus) in the map. */
unsigned light_cpumap_count(const struct light_cpumap *m, unsigned ncpus);

/* ---- vCPUs ---------------------------------------------------------- */

/* One vCPU as Xen reports it. */
struct light_vcpu_info {
	unsigned id;
	bool online, blocked, running;
	unsigned cpu;              /* CPU it runs or last ran on (if online) */
	uint64_t cpu_time_ns;
	struct light_cpumap hard, soft;
};

/*
 * Every vCPU of a domain (0 .. max_vcpu_id), in id order.  *out is
 * malloc'd (free it), *n its length.  -1/ESRCH when the domain does not
 * exist.
 */
int light_vcpu_list(struct light_ctx *c, uint32_t domid,
    struct light_vcpu_info **out, size_t *n);

/*
 * Set the affinity of vCPU `vcpu` (or, with LIGHT_VCPU_ALL, of every
 * vCPU).  hard or soft may be NULL to leave that map unchanged, not both.
 * Xen refuses a hard map without an online CPU of the domain's pool
 * (-1/EINVAL).  With LIGHT_VCPU_ALL every vCPU is tried; the first
 * failure is reported.
 */
#define LIGHT_VCPU_ALL (-1)
int light_vcpu_set_affinity(struct light_ctx *c, uint32_t domid, int vcpu,
    const struct light_cpumap *hard, const struct light_cpumap *soft);

/*
 * Make the first `count` vCPUs of a PV guest available and the rest not,
 * by writing cpu/<n>/availability for every vCPU in one transaction (the
 * guest's kernel does the rest).  -1/EINVAL when count is 0 or above the
 * domain's maximum ("requested 5 vcpus, but the maximum is 4").
 */
int light_vcpu_set_online(struct light_ctx *c, uint32_t domid,
    unsigned count);

/* ---- Schedulers and cpupools ---------------------------------------- */

enum light_sched {
	LIGHT_SCHED_UNKNOWN,
	LIGHT_SCHED_CREDIT,
	LIGHT_SCHED_CREDIT2,
	LIGHT_SCHED_ARINC653,
	LIGHT_SCHED_RTDS,
	LIGHT_SCHED_NULL,
};
/* "credit", "credit2", "arinc653", "rtds", "null", "unknown". */
const char *light_sched_name(enum light_sched s);

struct light_cpupool_info {
	uint32_t id;
	char name[128];            /* /local/pool/<id>/name; "Pool-0" default */
	enum light_sched sched;
	unsigned n_dom;            /* domains in the pool */
	struct light_cpumap cpus;
	unsigned ncpus;            /* CPUs in the pool */
};

/* Every cpupool, in id order.  *out is malloc'd (free it). */
int light_cpupool_list(struct light_ctx *c, struct light_cpupool_info **out,
    size_t *n);

/* One pool.  -1/ENOENT when there is no pool with this id. */
int light_cpupool_info(struct light_ctx *c, uint32_t poolid,
    struct light_cpupool_info *out);

/*
 * A pool argument as upstream's xl resolves it: all digits is a pool id,
 * anything else a pool name.  The pool must exist.  -1/ENOENT otherwise.
 * With by_name_only, digits are a name too (`xl cpupool-list POOL`).
 */
int light_cpupool_lookup(struct light_ctx *c, const char *arg,
    bool by_name_only, uint32_t *poolid);

/* A domain's credit/credit2 parameters (see ctrl_sched_domain_get). */
struct light_sched_domain {
	unsigned weight;           /* 1..65535, default 256 */
	unsigned cap;              /* percent of one CPU, 0 = none */
};

/*
 * Read a domain's parameters: *sched gets the scheduler of its pool;
 * params are read only for credit and credit2 (else -1/EOPNOTSUPP, with
 * *sched set).
 */
int light_sched_domain_get(struct light_ctx *c, uint32_t domid,
    enum light_sched *sched, struct light_sched_domain *out);

/*
 * Change a domain's weight and/or cap (pass -1 to keep one).  `sched` is
 * the scheduler the caller means; when the domain's pool runs another,
 * -1/EINVAL ("domain 3 is in a credit2 pool, not credit").  Ranges as
 * upstream: weight 1..65535, cap 0..100 * vcpus.
 */
int light_sched_domain_set(struct light_ctx *c, uint32_t domid,
    enum light_sched sched, long weight, long cap);

/* A pool's scheduler parameters (see ctrl_sched_pool_get).  Reading or
 * writing them as `sched` when the pool runs another scheduler fails as
 * Xen answers (-1/EINVAL). */
struct light_sched_pool {
	unsigned tslice_ms;        /* credit */
	unsigned ratelimit_us;     /* credit, credit2 */
	unsigned migr_delay_us;    /* credit */
};
int light_sched_pool_get(struct light_ctx *c, uint32_t poolid,
    enum light_sched sched, struct light_sched_pool *out);
int light_sched_pool_set(struct light_ctx *c, uint32_t poolid,
    enum light_sched sched, const struct light_sched_pool *in);

#endif /* LIGHTSTACK_LIGHT_SCHED_H */
