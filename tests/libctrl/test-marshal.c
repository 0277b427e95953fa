/*
 * test-marshal.c - libctrl's core against a pretend Xen (fake-privcmd.c):
 * that each call builds the hypercall Xen 4.17 expects, decodes the answer,
 * handles Xen's quirks (getdomaininfo's next-id answer, destroy's EAGAIN,
 * readconsole's ring index) and reports errors with a useful message.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "fake-privcmd.h"

static int
setup(void **state)
{
	struct ctrl_handle *h;

	fake_reset();
	fake_add_dom(0, XEN_DOMINF_running);
	fake_add_dom(3, XEN_DOMINF_blocked);
	fake_add_dom(7, XEN_DOMINF_paused);
	h = ctrl_open();
	if (h == NULL)
		return -1;
	*state = h;
	return 0;
}

static int
teardown(void **state)
{
	ctrl_close(*state);
	/* Every hypercall buffer must be released, and every pointer given
	 * to "Xen" must have been hypercall-safe memory. */
	if (fake.live_bufs != 0 || fake.bad_pointer) {
		fprintf(stderr, "live_bufs %d bad_pointer %d\n",
		        fake.live_bufs, fake.bad_pointer);
		return -1;
	}
	return 0;
}

static void
test_version(void **state)
{
	struct ctrl_handle *h = *state;
	struct ctrl_version v;

	assert_int_equal(ctrl_xen_version(h, &v), 0);
	assert_int_equal(v.major, 4);
	assert_int_equal(v.minor, 17);
	assert_string_equal(v.extra, ".1-fake");
	assert_string_equal(v.capabilities, "xen-3.0-x86_64 hvm-3.0-x86_32");
	assert_string_equal(v.changeset, "fake changeset");
	assert_string_equal(v.cmdline, "console=com1 dom0_mem=1024M");
	assert_string_equal(v.compiler, "gcc (fake) 12.2.0");
	/* 16 'x' with no NUL from Xen: cut to 15 and terminated. */
	assert_int_equal(strlen(v.compile_by), 15);
	assert_string_equal(v.compile_domain, "example.org");
	assert_int_equal(v.pagesize, 4096);
}

static void
test_physinfo(void **state)
{
	struct ctrl_handle *h = *state;
	struct ctrl_physinfo p;
	unsigned id;

	assert_int_equal(ctrl_physinfo(h, &p), 0);
	assert_int_equal(p.nr_cpus, 2);
	assert_int_equal(p.cores_per_socket, 2);
	assert_int_equal(p.cpu_khz, 2400000);
	assert_int_equal(p.total_pages, 2097152);
	assert_int_equal(p.free_pages, 1048576);
	assert_int_equal(p.max_mfn, 0x23ffff);
	assert_int_equal(p.capabilities, XEN_SYSCTL_PHYSCAP_pv);
	assert_int_equal(p.hw_cap[0], 0x178bfbff);
	assert_int_equal(p.hw_cap[7], 7);

	assert_int_equal(ctrl_sched_id(h, &id), 0);
	assert_int_equal(id, XEN_SCHEDULER_CREDIT2);
	assert_string_equal(ctrl_sched_name(id), "credit2");
	assert_string_equal(ctrl_sched_name(XEN_SCHEDULER_CREDIT), "credit");
	assert_string_equal(ctrl_sched_name(999), "unknown");
}

static void
test_platform_and_build_id(void **state)
{
	struct ctrl_handle *h = *state;
	uint64_t virt_start = 0;
	char hex[41], small[8];
	unsigned i;

	assert_int_equal(ctrl_platform_parameters(h, &virt_start), 0);
	assert_true(virt_start == 0xffff800000000000ULL);

	/* A 20-byte id (SHA-1), printed as 40 hex digits. */
	for (i = 0; i < 20; i++)
		fake.build_id[i] = (unsigned char)(0xa0 + i);
	fake.build_id[3] = 0;   /* a zero byte must not end the id */
	fake.build_id_len = 20;
	assert_int_equal(ctrl_build_id(h, hex, sizeof(hex)), 20);
	assert_string_equal(hex,
	    "a0a1a200a4a5a6a7a8a9aaabacadaeafb0b1b2b3");

	/* Our buffer too small: ENOBUFS, an empty string, a message. */
	assert_int_equal(ctrl_build_id(h, small, sizeof(small)), -1);
	assert_int_equal(errno, ENOBUFS);
	assert_string_equal(small, "");

	/* Xen built without one. */
	fake.build_id_len = 0;
	assert_int_equal(ctrl_build_id(h, hex, sizeof(hex)), -1);
	assert_int_equal(errno, ENODATA);
	assert_string_equal(ctrl_errmsg(h),
	                    "XENVER_build_id: No data available");
}

static void
test_sharing(void **state)
{
	struct ctrl_handle *h = *state;

	assert_int_equal(ctrl_sharing_freed_pages(h), 0);
	assert_int_equal(ctrl_sharing_used_pages(h), 0);
	fake.sharing_freed = 1234;
	fake.sharing_shared = 56;
	assert_int_equal(ctrl_sharing_freed_pages(h), 1234);
	assert_int_equal(ctrl_sharing_used_pages(h), 56);

	fake.fail_next = ENOSYS;
	assert_int_equal(ctrl_sharing_used_pages(h), -1);
	assert_int_equal(errno, ENOSYS);
	assert_string_equal(ctrl_errmsg(h), "XENMEM_get_sharing_shared_pages: "
	                    "Function not implemented");
}

static void
test_cpupool(void **state)
{
	struct ctrl_handle *h = *state;
	struct ctrl_cpupool p;
	uint8_t *map;
	size_t n;
	uint32_t id;
	unsigned seen = 0;

	/* physinfo's max_cpu_id is 1: a one-byte map, 8 bits offered. */
	fake.free_cpus = 0x02;
	assert_int_equal(ctrl_cpupool_freeinfo(h, &map, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(fake.last_cpumap_bits, 8);
	assert_int_equal(map[0], 0x02);
	free(map);

	/* Pools 0 and 3: walking by "next id >=" finds both, then ENOENT. */
	fake.pool_cpus[0] = 0x01;
	fake.pool_cpus[3] = 0x02;
	for (id = 0; ctrl_cpupool_info(h, id, &p) == 0; id = p.id + 1) {
		assert_int_equal(p.id, seen == 0 ? 0 : 3);
		assert_int_equal(p.n_dom, p.id + 1);
		assert_int_equal(p.sched_id, XEN_SCHEDULER_CREDIT2);
		assert_int_equal(p.nbytes, 1);
		assert_int_equal(p.cpumap[0], fake.pool_cpus[p.id]);
		free(p.cpumap);
		seen++;
	}
	assert_int_equal(errno, ENOENT);
	assert_int_equal(seen, 2);
	assert_null(p.cpumap);
	assert_string_equal(ctrl_errmsg(h),
	                    "XEN_SYSCTL_CPUPOOL_OP_INFO: No such file or directory");
}

static void
test_getinfo_exact_id(void **state)
{
	struct ctrl_handle *h = *state;
	struct ctrl_dominfo di;
	unsigned before;

	assert_int_equal(ctrl_domain_getinfo(h, 3, &di), 0);
	assert_int_equal(di.domid, 3);
	assert_true(di.blocked);
	assert_false(di.dom0);
	assert_int_equal(di.tot_pages, 300);

	/* Xen answers for 4 with domain 7: that is "no domain 4". */
	assert_int_equal(ctrl_domain_getinfo(h, 4, &di), -1);
	assert_int_equal(errno, ESRCH);
	assert_string_equal(ctrl_errmsg(h),
	                    "XEN_DOMCTL_getdomaininfo dom 4: No such process");

	/* Past the last domain Xen itself says ESRCH. */
	assert_int_equal(ctrl_domain_getinfo(h, 8, &di), -1);
	assert_int_equal(errno, ESRCH);

	/* Reserved ids never reach Xen. */
	before = fake.calls;
	assert_int_equal(ctrl_domain_getinfo(h, DOMID_SELF, &di), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(fake.calls, before);

	assert_int_equal(ctrl_domain_getinfo(h, 0, &di), 0);
	assert_true(di.dom0);
	assert_true(di.running);
}

static void
test_list_batches(void **state)
{
	struct ctrl_handle *h = *state;
	struct ctrl_dominfo *list;
	size_t n, i;
	unsigned before;

	/* 600 domains, ids 0, 2, 4, ...: three batches of 256. */
	fake.ndoms = 0;
	for (i = 0; i < 600; i++)
		fake_add_dom((uint32_t)(2 * i), 0);
	before = fake.sysctls;
	assert_int_equal(ctrl_domain_list(h, &list, &n), 0);
	assert_int_equal(n, 600);
	assert_int_equal(fake.sysctls - before, 3);
	for (i = 0; i < n; i++) {
		assert_int_equal(list[i].domid, 2 * i);
		assert_int_equal(list[i].tot_pages, 200 * i);
	}
	free(list);

	/* Exactly one full batch: one more call finds nothing. */
	fake.ndoms = 0;
	for (i = 0; i < 256; i++)
		fake_add_dom((uint32_t)i, 0);
	assert_int_equal(ctrl_domain_list(h, &list, &n), 0);
	assert_int_equal(n, 256);
	assert_int_equal(list[255].domid, 255);
	free(list);

	fake.ndoms = 0;
	assert_int_equal(ctrl_domain_list(h, &list, &n), 0);
	assert_int_equal(n, 0);
	assert_null(list);
}

static void
test_decode_flags(void **state)
{
	struct xen_domctl_getdomaininfo in;
	struct ctrl_dominfo out;

	(void)state;
	memset(&in, 0, sizeof(in));
	in.domain = 5;
	in.flags = XEN_DOMINF_dying | XEN_DOMINF_shutdown | XEN_DOMINF_paused |
	           (SHUTDOWN_reboot << XEN_DOMINF_shutdownshift);
	in.cpu_time = 5000000000ULL;
	in.max_vcpu_id = 3;
	in.handle[0] = 0xab;
	in.handle[15] = 0xcd;
	ctrl_dominfo_decode(&in, &out);
	assert_int_equal(out.domid, 5);
	assert_true(out.dying);
	assert_true(out.shutdown);
	assert_true(out.paused);
	assert_false(out.running);
	assert_false(out.blocked);
	assert_false(out.hvm);
	assert_false(out.dom0);
	assert_int_equal(out.shutdown_reason, SHUTDOWN_reboot);
	assert_int_equal(out.cpu_time_ns, 5000000000ULL);
	assert_int_equal(out.max_vcpu_id, 3);
	assert_int_equal(out.handle[0], 0xab);
	assert_int_equal(out.handle[15], 0xcd);
	assert_int_equal(out.flags, in.flags);

	/* Stale reason bits without the shutdown flag are not a reason. */
	in.flags = XEN_DOMINF_running | XEN_DOMINF_hvm_guest |
	           (SHUTDOWN_crash << XEN_DOMINF_shutdownshift);
	ctrl_dominfo_decode(&in, &out);
	assert_false(out.shutdown);
	assert_true(out.running);
	assert_true(out.hvm);
	assert_int_equal(out.shutdown_reason, 0);
}

static void
test_create_defaults(void **state)
{
	struct ctrl_handle *h = *state;
	struct ctrl_createdomain c;
	uint32_t domid = 0;
	unsigned before;

	memset(&c, 0, sizeof(c));
	c.max_vcpus = 2;
	c.handle[0] = 0x42;
	assert_int_equal(ctrl_domain_create(h, &domid, &c), 0);
	assert_int_equal(domid, 8);               /* after 0, 3, 7 */
	assert_true(fake_has_dom(8));
	assert_int_equal(fake.created.max_vcpus, 2);
	assert_int_equal(fake.created.max_evtchn_port, 1023);
	assert_int_equal(fake.created.max_grant_frames, -1);
	assert_int_equal(fake.created.max_maptrack_frames, -1);
	assert_int_equal(XEN_DOMCTL_GRANT_version(fake.created.grant_opts), 1);
	assert_int_equal(fake.created.flags, 0);
	assert_int_equal(fake.created.arch.emulation_flags, 0);
	assert_int_equal(fake.created.handle[0], 0x42);

	/* Explicit values pass through unchanged. */
	c.max_evtchn_port = 63;
	c.max_grant_frames = 32;
	c.max_maptrack_frames = 0;
	c.grant_opts = XEN_DOMCTL_GRANT_version(2);
	c.flags = XEN_DOMCTL_CDF_s3_integrity;
	domid = 20;
	assert_int_equal(ctrl_domain_create(h, &domid, &c), 0);
	assert_int_equal(domid, 20);
	assert_int_equal(fake.created.max_evtchn_port, 63);
	assert_int_equal(fake.created.max_grant_frames, 32);
	assert_int_equal(XEN_DOMCTL_GRANT_version(fake.created.grant_opts), 2);
	assert_int_equal(fake.created.flags, XEN_DOMCTL_CDF_s3_integrity);

	/* An id in use: Xen's EEXIST, named. */
	domid = 3;
	assert_int_equal(ctrl_domain_create(h, &domid, &c), -1);
	assert_int_equal(errno, EEXIST);
	assert_string_equal(ctrl_errmsg(h),
	                    "XEN_DOMCTL_createdomain dom 3: File exists");

	/* Invalid arguments are refused before any hypercall. */
	before = fake.calls;
	c.max_vcpus = 0;
	domid = 0;
	assert_int_equal(ctrl_domain_create(h, &domid, &c), -1);
	assert_int_equal(errno, EINVAL);
	c.max_vcpus = 1;
	domid = 0x7ff5;
	assert_int_equal(ctrl_domain_create(h, &domid, &c), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(fake.calls, before);
}

static void
test_lifecycle_ops(void **state)
{
	struct ctrl_handle *h = *state;
	struct ctrl_dominfo di;
	struct ctrl_vcpuinfo vi;
	unsigned before;

	assert_int_equal(ctrl_domain_unpause(h, 7), 0);
	assert_int_equal(ctrl_domain_getinfo(h, 7, &di), 0);
	assert_false(di.paused);
	assert_int_equal(ctrl_domain_pause(h, 7), 0);
	assert_int_equal(ctrl_domain_getinfo(h, 7, &di), 0);
	assert_true(di.paused);

	assert_int_equal(ctrl_domain_pause(h, 9), -1);
	assert_int_equal(errno, ESRCH);
	assert_string_equal(ctrl_errmsg(h),
	                    "XEN_DOMCTL_pausedomain dom 9: No such process");

	assert_int_equal(ctrl_domain_max_mem(h, 7, 131072), 0);
	assert_int_equal(ctrl_domain_max_vcpus(h, 7, 2), 0);
	assert_int_equal(ctrl_domain_set_address_size(h, 7, 64), 0);
	before = fake.calls;
	assert_int_equal(ctrl_domain_set_address_size(h, 7, 48), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(fake.calls, before);

	assert_int_equal(ctrl_domain_shutdown(h, 7, SHUTDOWN_poweroff), 0);
	assert_int_equal(fake.shutdown_dom, 7);
	assert_int_equal(fake.shutdown_reason, SHUTDOWN_poweroff);
	assert_int_equal(ctrl_domain_shutdown(h, 9, SHUTDOWN_reboot), -1);
	assert_int_equal(errno, ESRCH);
	assert_string_equal(ctrl_errmsg(h),
	                    "SCHEDOP_remote_shutdown dom 9: No such process");

	assert_int_equal(ctrl_vcpu_getinfo(h, 7, 1, &vi), 0);
	assert_true(vi.online);
	assert_true(vi.running);
	assert_int_equal(vi.cpu_time_ns, 123456789);
	assert_int_equal(vi.cpu, 1);
}

static void
test_destroy_retries_eagain(void **state)
{
	struct ctrl_handle *h = *state;
	unsigned before = fake.domctls;

	fake.destroy_eagain = 3;
	assert_int_equal(ctrl_domain_destroy(h, 7), 0);
	assert_int_equal(fake.domctls - before, 4);
	assert_false(fake_has_dom(7));

	assert_int_equal(ctrl_domain_destroy(h, 7), -1);
	assert_int_equal(errno, ESRCH);
}

static void
test_eacces_hint(void **state)
{
	struct ctrl_handle *h = *state;
	struct ctrl_physinfo p;

	fake.fail_next = EACCES;
	assert_int_equal(ctrl_physinfo(h, &p), -1);
	assert_int_equal(errno, EACCES);
	assert_non_null(strstr(ctrl_errmsg(h), "XEN_SYSCTL_physinfo: "
	                                       "Permission denied"));
	assert_non_null(strstr(ctrl_errmsg(h), "interface 0x15"));
}

static void
test_readconsole(void **state)
{
	struct ctrl_handle *h = *state;
	char *text, *buf;
	size_t len, i;
	uint32_t index = 0;

	/* 40000 bytes: more than two 16 KiB chunks. */
	text = malloc(40001);
	assert_non_null(text);
	for (i = 0; i < 40000; i++)
		text[i] = (char)('a' + i % 26);
	text[40000] = '\0';
	fake_console_write(text, 40000);

	assert_int_equal(ctrl_readconsole(h, false, &buf, &len), 0);
	assert_int_equal(len, 40000);
	assert_memory_equal(buf, text, 40000);
	assert_int_equal(buf[len], '\0');
	free(buf);
	assert_int_equal(fake.conc, 0);           /* not cleared */

	assert_int_equal(ctrl_readconsole(h, true, &buf, &len), 0);
	assert_int_equal(len, 40000);
	free(buf);
	assert_int_equal(fake.conc, fake.conp);   /* cleared */

	assert_int_equal(ctrl_readconsole(h, false, &buf, &len), 0);
	assert_int_equal(len, 0);
	assert_string_equal(buf, "");
	free(buf);

	/* Incremental: only what came after the index. */
	fake_console_write("first\n", 6);
	assert_int_equal(ctrl_readconsole_incr(h, &index, true, &buf, &len), 0);
	assert_string_equal(buf, "first\n");
	free(buf);
	fake_console_write("second\n", 7);
	assert_int_equal(ctrl_readconsole_incr(h, &index, false, &buf, &len),
	                 0);
	assert_string_equal(buf, "second\n");
	free(buf);
	assert_int_equal(ctrl_readconsole_incr(h, &index, false, &buf, &len),
	                 0);
	assert_int_equal(len, 0);
	free(buf);
	free(text);
}

static void
test_populate_physmap(void **state)
{
	struct ctrl_handle *h = *state;
	uint64_t *ext;
	unsigned long i;
	long done;

	ext = malloc(10000 * sizeof(*ext));
	assert_non_null(ext);
	for (i = 0; i < 10000; i++)
		ext[i] = i;

	/* Memory for 9000 pages: two batches, the second one short. */
	fake.free_pages = 9000;
	done = ctrl_populate_physmap(h, 3, 10000, 0, 0, ext);
	assert_int_equal(done, 9000);
	for (i = 0; i < 9000; i++)
		assert_int_equal(ext[i], i + 0x100000);
	for (i = 9000; i < 10000; i++)
		assert_int_equal(ext[i], i);              /* untouched */

	assert_int_equal(ctrl_populate_physmap(h, 3, 0, 0, 0, ext), 0);
	assert_int_equal(ctrl_populate_physmap(h, 4, 1, 0, 0, ext), -1);
	assert_int_equal(errno, ESRCH);
	assert_string_equal(ctrl_errmsg(h),
	                    "XENMEM_populate_physmap dom 4: No such process");

	assert_int_equal(ctrl_decrease_reservation(h, 3, 10, 0, ext), 10);
	assert_int_equal(ctrl_domain_current_pages(h, 3), 1234);
	assert_int_equal(ctrl_domain_maximum_gpfn(h, 3), 4321);
	free(ext);
}

static void
test_memory_map(void **state)
{
	struct ctrl_handle *h = *state;
	struct ctrl_e820entry map[2] = {
		{ .addr = 0, .size = 0x8000000, .type = CTRL_E820_RAM },
		{ .addr = 0xfc000000, .size = 0x4000000,
		  .type = CTRL_E820_RESERVED },
	};

	assert_int_equal(ctrl_domain_set_memory_map(h, 3, map, 2), 0);
	assert_int_equal(fake.e820_n, 2);
	assert_memory_equal(fake.e820, map, sizeof(map));
	assert_int_equal(ctrl_domain_set_memory_map(h, 3, map, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ctrl_domain_set_memory_map(h, 3, map,
	                                            CTRL_E820_MAX + 1), -1);
	assert_int_equal(errno, EINVAL);
}

static void
test_evtchn_and_pin(void **state)
{
	struct ctrl_handle *h = *state;

	assert_int_equal(ctrl_evtchn_alloc_unbound(h, 3, 0), 17);
	assert_int_equal(ctrl_evtchn_alloc_unbound(h, 4, 0), -1);
	assert_int_equal(errno, ESRCH);

	assert_int_equal(ctrl_mmuext_pin_table(h, 3, 4, 0x12345), 0);
	assert_int_equal(fake.pin_cmd, MMUEXT_PIN_L4_TABLE);
	assert_int_equal(fake.pin_mfn, 0x12345);
	assert_int_equal(fake.pin_count, 1);
	assert_int_equal(fake.pin_foreigndom, 3);
	assert_int_equal(ctrl_mmuext_pin_table(h, 3, 1, 0x1), 0);
	assert_int_equal(fake.pin_cmd, MMUEXT_PIN_L1_TABLE);
	assert_int_equal(ctrl_mmuext_pin_table(h, 3, 5, 0x1), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ctrl_mmuext_pin_table(h, 3, 0, 0x1), -1);
	assert_int_equal(errno, EINVAL);
}

static void
test_vcpu_context(void **state)
{
	struct ctrl_handle *h = *state;
	vcpu_guest_context_x86_64_t ctx, back;

	memset(&ctx, 0, sizeof(ctx));
	ctx.user_regs.rip = 0xffffffff81000000ULL;
	ctx.user_regs.rsi = 0x2000;
	ctx.ctrlreg[3] = 0x1234000;
	ctx.flags = VGCF_in_kernel_X86_64;
	assert_int_equal(ctrl_vcpu_setcontext(h, 3, 0, &ctx), 0);
	assert_int_equal(fake.ctx_vcpu, 0);
	assert_memory_equal(&fake.ctx, &ctx, sizeof(ctx));

	memset(&back, 0xff, sizeof(back));
	assert_int_equal(ctrl_vcpu_getcontext(h, 3, 0, &back), 0);
	assert_memory_equal(&back, &ctx, sizeof(ctx));

	assert_int_equal(ctrl_vcpu_setcontext(h, 4, 0, &ctx), -1);
	assert_int_equal(errno, ESRCH);
	assert_string_equal(ctrl_errmsg(h),
	                    "XEN_DOMCTL_setvcpucontext dom 4: No such process");
}

static void
test_vcpu_affinity(void **state)
{
	struct ctrl_handle *h = *state;
	uint8_t map[16];

	memset(map, 0xff, sizeof(map));
	assert_int_equal(ctrl_vcpu_getaffinity(h, 3, 0, map, sizeof(map)), 0);
	assert_int_equal(map[0], 0x0f);
	assert_int_equal(map[1], 0);
	assert_int_equal(map[15], 0);

	/* Xen narrows the map to the host's CPUs and says so. */
	memset(map, 0, sizeof(map));
	map[0] = 0x22;                        /* CPUs 1 and 5 */
	assert_int_equal(ctrl_vcpu_setaffinity(h, 3, 0, map, sizeof(map)), 0);
	assert_int_equal(map[0], 0x02);
	assert_int_equal(fake.affinity, 0x02);

	assert_int_equal(ctrl_vcpu_setaffinity(h, 3, 0, map, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ctrl_vcpu_getaffinity(h, 4, 0, map, 1), -1);
	assert_int_equal(errno, ESRCH);
	assert_string_equal(ctrl_errmsg(h),
	                    "XEN_DOMCTL_getvcpuaffinity dom 4: No such process");
}

/* Hard and soft maps in one call; either may be left out. */
static void
test_vcpu_affinity_soft(void **state)
{
	struct ctrl_handle *h = *state;
	uint8_t hard[2], soft[2];

	memset(hard, 0xff, sizeof(hard));
	memset(soft, 0xff, sizeof(soft));
	assert_int_equal(ctrl_vcpu_affinity_get(h, 3, 0, hard, soft, 2), 0);
	assert_int_equal(hard[0], 0x0f);
	assert_int_equal(soft[0], 0x0f);
	assert_int_equal(soft[1], 0);

	/* Soft only: the hard map stays; Xen's narrowed map comes back. */
	soft[0] = 0x12;
	assert_int_equal(ctrl_vcpu_affinity_set(h, 3, 0, NULL, soft, 2), 0);
	assert_int_equal(soft[0], 0x02);
	assert_int_equal(fake.soft_affinity, 0x02);
	assert_int_equal(fake.affinity, 0x0f);

	hard[0] = 0x01;
	soft[0] = 0x08;
	assert_int_equal(ctrl_vcpu_affinity_set(h, 3, 1, hard, soft, 2), 0);
	assert_int_equal(fake.affinity, 0x01);
	assert_int_equal(fake.soft_affinity, 0x08);

	assert_int_equal(ctrl_vcpu_affinity_set(h, 3, 0, NULL, NULL, 2), -1);
	assert_int_equal(errno, EINVAL);
	/* A hard map of CPUs the host lacks: Xen's EINVAL. */
	hard[0] = 0xf0;
	assert_int_equal(ctrl_vcpu_affinity_set(h, 3, 0, hard, NULL, 2), -1);
	assert_int_equal(errno, EINVAL);
	assert_string_equal(ctrl_errmsg(h),
	                    "XEN_DOMCTL_setvcpuaffinity dom 3: Invalid argument");
}

/* Weight and cap per domain, rate limit per pool, on a credit2 host. */
static void
test_sched_params(void **state)
{
	struct ctrl_handle *h = *state;
	struct ctrl_sched_domain d;
	struct ctrl_sched_pool p;

	assert_int_equal(ctrl_sched_domain_get(h, 3, XEN_SCHEDULER_CREDIT2, &d), 0);
	assert_int_equal(d.weight, 256);
	assert_int_equal(d.cap, 0);
	d.weight = 512;
	d.cap = 50;
	assert_int_equal(ctrl_sched_domain_set(h, 3, XEN_SCHEDULER_CREDIT2, &d), 0);
	assert_int_equal(fake.sched_weight, 512);
	assert_int_equal(fake.sched_cap, 50);

	/* The wrong scheduler: Xen's EINVAL; one we do not speak: ours. */
	assert_int_equal(ctrl_sched_domain_get(h, 3, XEN_SCHEDULER_CREDIT, &d), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ctrl_sched_domain_get(h, 3, XEN_SCHEDULER_RTDS, &d), -1);
	assert_int_equal(errno, EOPNOTSUPP);
	d.weight = 70000;
	assert_int_equal(ctrl_sched_domain_set(h, 3, XEN_SCHEDULER_CREDIT2, &d), -1);
	assert_int_equal(errno, ERANGE);
	assert_int_equal(ctrl_sched_domain_get(h, 4, XEN_SCHEDULER_CREDIT2, &d), -1);
	assert_int_equal(errno, ESRCH);

	assert_int_equal(ctrl_sched_pool_get(h, 0, XEN_SCHEDULER_CREDIT2, &p), 0);
	assert_int_equal(p.ratelimit_us, 1000);
	assert_int_equal(p.tslice_ms, 0);
	p.ratelimit_us = 2000;
	assert_int_equal(ctrl_sched_pool_set(h, 0, XEN_SCHEDULER_CREDIT2, &p), 0);
	assert_int_equal(fake.sched_ratelimit, 2000);
	assert_int_equal(ctrl_sched_pool_get(h, 0, XEN_SCHEDULER_CREDIT, &p), -1);
	assert_int_equal(errno, EINVAL);
	assert_string_equal(ctrl_errmsg(h), "XEN_SYSCTL_scheduler_op getinfo "
	                    "pool 0 (credit): Invalid argument");
}

static void
test_mapping_errors(void **state)
{
	struct ctrl_handle *h = *state;
	uint64_t gfn = 1;

	/* privcmd's message (which names the ioctl) becomes ours. */
	assert_null(ctrl_map_foreign(h, 3, PROT_READ, &gfn, 1));
	assert_int_equal(errno, EINVAL);
	assert_string_equal(ctrl_errmsg(h),
	                    "IOCTL_PRIVCMD_MMAPBATCH_V2 dom 3: Invalid argument");
	assert_null(ctrl_map_resource(h, 3, 1, 0, 0, 1, PROT_READ));
	assert_int_equal(errno, EOPNOTSUPP);
	assert_null(ctrl_map_foreign(h, DOMID_SELF, PROT_READ, &gfn, 1));
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ctrl_resource_size(h, 3, 1, 0), 32);
}

/* ---- Ring mapping (ctrl_ring_map) -------------------------------------- */

/* The grant works: it is used, the frame is not touched, and the unmap
 * goes back through gntdev. */
static void
test_ring_grant_first(void **state)
{
	struct ctrl_handle *h = *state;
	struct ctrl_ring r;

	fake.foreign_ok = true;
	assert_int_equal(ctrl_ring_map(h, 3, 1, 0x1234, 0, &r), 0);
	assert_non_null(r.page);
	assert_true(r.by_grant);
	assert_int_equal(r.domid, 3);
	assert_int_equal(fake.last_gnt_dom, 3);
	assert_int_equal(fake.last_gref, 1);
	assert_int_equal(fake.foreign_maps, 0);
	assert_int_equal(fake.live_maps, 1);
	assert_int_equal(ctrl_ring_unmap(h, &r), 0);
	assert_null(r.page);
	assert_int_equal(fake.gnt_unmaps, 1);
	assert_int_equal(fake.live_maps, 0);
	assert_false(fake.wrong_unmap);
	/* Unmapping an unmapped ring is harmless. */
	assert_int_equal(ctrl_ring_unmap(h, &r), 0);
}

/* The grant fails (not set up by the toolstack): the frame is mapped
 * instead, and unmapped as foreign memory. */
static void
test_ring_falls_back_to_frame(void **state)
{
	struct ctrl_handle *h = *state;
	struct ctrl_ring r;

	fake.gnt_errno = EPERM;
	fake.foreign_ok = true;
	assert_int_equal(ctrl_ring_map(h, 7, 0, 0xabcd, 0, &r), 0);
	assert_false(r.by_grant);
	assert_int_equal(fake.gnt_maps, 1);
	assert_int_equal(fake.foreign_maps, 1);
	assert_int_equal(fake.last_foreign_dom, 7);
	assert_int_equal(fake.last_frame, 0xabcd);
	assert_int_equal(ctrl_ring_unmap(NULL, &r), 0);
	assert_int_equal(fake.live_maps, 0);
	assert_false(fake.wrong_unmap);
}

/* No gntdev on this host: opened once, then every ring goes straight to
 * the frame. */
static void
test_ring_without_gntdev(void **state)
{
	struct ctrl_handle *h = *state;
	struct ctrl_ring a, b;

	fake.gntdev_errno = ENOENT;
	fake.foreign_ok = true;
	assert_int_equal(ctrl_ring_map(h, 3, 1, 0x10, 0, &a), 0);
	assert_int_equal(ctrl_ring_map(h, 7, 1, 0x20, 0, &b), 0);
	assert_false(a.by_grant);
	assert_false(b.by_grant);
	assert_int_equal(fake.gntdev_opens, 1);
	assert_int_equal(fake.gnt_maps, 0);
	assert_int_equal(fake.foreign_maps, 2);
	assert_int_equal(ctrl_ring_unmap(h, &a), 0);
	assert_int_equal(ctrl_ring_unmap(h, &b), 0);
	assert_int_equal(fake.live_maps, 0);
}

/* Both ways fail: -1, the frame's errno, a message naming both, and
 * nothing left mapped. */
static void
test_ring_both_fail(void **state)
{
	struct ctrl_handle *h = *state;
	struct ctrl_ring r;

	fake.gnt_errno = EPERM;
	errno = 0;
	assert_int_equal(ctrl_ring_map(h, 3, 1, 0x1234, 0, &r), -1);
	assert_int_equal(errno, EINVAL);
	assert_null(r.page);
	assert_non_null(strstr(ctrl_errmsg(h), "ring of dom 3"));
	assert_non_null(strstr(ctrl_errmsg(h), "grant 1"));
	assert_non_null(strstr(ctrl_errmsg(h), "frame 0x1234"));
	assert_int_equal(fake.live_maps, 0);

	/* The batch maps but the page itself fails (a frame the guest does
	 * not own): that page's error, and the mapping is undone. */
	fake.foreign_ok = true;
	fake.foreign_page_err = -EFAULT;
	assert_int_equal(ctrl_ring_map(h, 3, 1, 0x1234, 0, &r), -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(fake.live_maps, 0);
}

/* The flags exclude one way or the other; excluding both, or naming a
 * reserved domain id, is refused before anything is tried. */
static void
test_ring_flags(void **state)
{
	struct ctrl_handle *h = *state;
	struct ctrl_ring r;

	fake.gnt_errno = EPERM;
	fake.foreign_ok = true;
	assert_int_equal(ctrl_ring_map(h, 3, 1, 0x1, CTRL_RING_NO_FOREIGN,
	                               &r), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(fake.foreign_maps, 0);

	fake.gnt_errno = 0;
	assert_int_equal(ctrl_ring_map(h, 3, 1, 0x1, CTRL_RING_NO_GRANT, &r),
	                 0);
	assert_false(r.by_grant);
	assert_int_equal(fake.gnt_maps, 1);     /* only the first call's */
	assert_int_equal(ctrl_ring_unmap(h, &r), 0);

	fake.gnt_maps = fake.foreign_maps = 0;
	assert_int_equal(ctrl_ring_map(h, 3, 1, 0x1, CTRL_RING_NO_GRANT |
	                               CTRL_RING_NO_FOREIGN, &r), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ctrl_ring_map(h, DOMID_SELF, 1, 0x1, 0, &r), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(fake.gnt_maps + fake.foreign_maps, 0);
	assert_int_equal(fake.live_maps, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_physinfo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_platform_and_build_id,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(test_sharing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpupool, setup, teardown),
		cmocka_unit_test_setup_teardown(test_getinfo_exact_id, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_list_batches, setup,
		                                teardown),
		cmocka_unit_test(test_decode_flags),
		cmocka_unit_test_setup_teardown(test_create_defaults, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_lifecycle_ops, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_destroy_retries_eagain,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(test_eacces_hint, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_readconsole, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_populate_physmap, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_memory_map, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_evtchn_and_pin, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_vcpu_context, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_vcpu_affinity, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_mapping_errors, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_ring_grant_first, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_ring_falls_back_to_frame,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(test_ring_without_gntdev, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_ring_both_fail, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_vcpu_affinity_soft, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_sched_params, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_ring_flags, setup,
		                                teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
