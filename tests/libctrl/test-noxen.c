/*
 * test-noxen.c - the real libctrl and privcmd on a machine without Xen:
 * every entry point that needs the hypervisor must fail cleanly, with the
 * right errno and a message that tells the user what is missing; argument
 * checks that need no Xen must work.  The two tests that need Xen absent
 * are skipped when it is present (then the system tests cover the real
 * thing); tests/tap-run reports cmocka's skip as "ok N # SKIP".
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "libctrl.h"     /* defines __XEN_TOOLS__ */
#include "privcmd.h"

#include <xen/domctl.h>  /* XEN_SCHEDULER_* */

static int
need_no_xen(void **state)
{
	(void)state;
	if (pc_xen_present())
		skip();
	return 0;
}

static void
test_ctrl_open_fails_cleanly(void **state)
{
	char err[256] = "";
	struct ctrl_handle *h;

	(void)state;
	if (pc_xen_present())
		skip();
	errno = 0;
	h = ctrl_open();
	assert_null(h);
	assert_int_equal(errno, ENOENT);

	h = ctrl_open_err(err, sizeof(err));
	assert_null(h);
	assert_int_equal(errno, ENOENT);
	assert_string_equal(err, "cannot open /dev/xen/privcmd: No such file "
	                    "or directory (not running on Xen, or "
	                    "xen-privcmd not loaded)");
	/* A NULL buffer is allowed. */
	assert_null(ctrl_open_err(NULL, 0));
	/* A tiny buffer is truncated, not overrun. */
	memset(err, 'Z', sizeof(err));
	assert_null(ctrl_open_err(err, 8));
	assert_int_equal(strlen(err), 7);
	assert_int_equal(err[8], 'Z');
}

static void
test_privcmd_devices_absent(void **state)
{
	(void)state;
	if (pc_xen_present())
		skip();
	errno = 0;
	assert_null(pc_open());
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_null(pc_evtchn_open());
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_null(pc_gntdev_open());
	assert_int_equal(errno, ENOENT);
	assert_null(pc_xsd_kva_map());
	assert_int_equal(pc_xsd_port(), -1);
	assert_int_equal(pc_xenbus_open(), -1);
	assert_int_equal(errno, ENOENT);
	assert_false(pc_is_control_domain());
}

static void
test_null_handles(void **state)
{
	(void)state;
	/* Messages from a missing handle are still strings, never NULL. */
	assert_string_equal(ctrl_errmsg(NULL), "no libctrl handle");
	assert_string_equal(pc_errmsg(NULL), "no privcmd handle");
	assert_string_equal(pc_evtchn_errmsg(NULL), "no event channel handle");
	assert_string_equal(pc_gntdev_errmsg(NULL), "no grant device handle");
	ctrl_close(NULL);
	pc_close(NULL);
	pc_evtchn_close(NULL);
	pc_gntdev_close(NULL);
}

static void
test_unmap_checks(void **state)
{
	void *p;

	(void)state;
	errno = 0;
	assert_int_equal(pc_unmap(NULL, 1), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ctrl_unmap(NULL, 1), -1);
	assert_int_equal(errno, EINVAL);

	/* Zero pages and overflowing page counts are refused; a valid
	 * request really unmaps. */
	p = mmap(NULL, 2 * PC_PAGE_SIZE, PROT_READ | PROT_WRITE,
	         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(p != MAP_FAILED);
	assert_int_equal(pc_unmap(p, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(pc_unmap(p, SIZE_MAX / 2), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ctrl_unmap(p, 2), 0);
	/* Now unmapped: mincore reports ENOMEM for the range. */
	{
		unsigned char vec[2];
		assert_int_equal(mincore(p, 2 * PC_PAGE_SIZE, vec), -1);
		assert_int_equal(errno, ENOMEM);
	}
}

static void
test_sched_names(void **state)
{
	(void)state;
	assert_string_equal(ctrl_sched_name(XEN_SCHEDULER_CREDIT), "credit");
	assert_string_equal(ctrl_sched_name(XEN_SCHEDULER_CREDIT2), "credit2");
	assert_string_equal(ctrl_sched_name(XEN_SCHEDULER_ARINC653),
	                    "arinc653");
	assert_string_equal(ctrl_sched_name(XEN_SCHEDULER_RTDS), "rtds");
	assert_string_equal(ctrl_sched_name(XEN_SCHEDULER_NULL), "null");
	assert_string_equal(ctrl_sched_name(4), "unknown");
}

static void
test_abi_sizes(void **state)
{
	(void)state;
	/* Layouts Xen reads directly. */
	assert_int_equal(sizeof(struct ctrl_e820entry), 20);
	assert_int_equal(sizeof(vcpu_guest_context_x86_64_t), 5168);
	assert_int_equal(PC_PAGE_SIZE, 4096);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ctrl_open_fails_cleanly),
		cmocka_unit_test_setup(test_privcmd_devices_absent,
		                       need_no_xen),
		cmocka_unit_test(test_null_handles),
		cmocka_unit_test(test_unmap_checks),
		cmocka_unit_test(test_sched_names),
		cmocka_unit_test(test_abi_sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
