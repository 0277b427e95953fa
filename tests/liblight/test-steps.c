/*
 * test-steps.c - the all-or-nothing step runner behind light_domain_create:
 * with fake steps that record what they do, a failure (real or injected)
 * at each position must undo exactly the steps that ran, newest first,
 * including the failed one, and keep the failed step's errno; an
 * injected kill ends the process right after its step, with no undo.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "light_steps.h"

#define NSTEPS 5

/* What the fake steps did, as a string of events: "r0" ran step 0,
 * "u0" undid step 0.  `held` counts resources acquired and not released. */
struct rec {
	char log[256];
	int held;
	int fail_at;        /* this step's run fails (after acquiring) */
};

static void note(struct rec *r, char what, int i)
{
	size_t n = strlen(r->log);

	snprintf(r->log + n, sizeof(r->log) - n, "%s%c%d", n ? " " : "", what, i);
}

/* Each step acquires one resource, then maybe fails (like a step that
 * created a domain and then failed to configure it). */
#define STEP(i) \
	static int run##i(void *a) { struct rec *r = a; note(r, 'r', i); r->held++; \
		if (r->fail_at == i) { errno = ENOSPC; return -1; } return 0; } \
	static void undo##i(void *a) { struct rec *r = a; note(r, 'u', i); r->held--; \
		errno = EBADF; /* undo must not leak its errno */ }
STEP(0) STEP(1) STEP(2) STEP(3) STEP(4)

/* Step 2 has no undo: it holds nothing past the step (like evtchn, freed
 * with the domain), so it does not count. */
static int run2_nothing(void *a)
{
	struct rec *r = a;

	note(r, 'r', 2);
	if (r->fail_at == 2) {
		errno = ENOSPC;
		return -1;
	}
	return 0;
}

static const struct light_step steps[NSTEPS] = {
	{ "zero", run0, undo0 },
	{ "one", run1, undo1 },
	{ "two", run2_nothing, NULL },
	{ "three", run3, undo3 },
	{ "four", run4, undo4 },
};

/* For test_kill: steps that also write each event to a pipe. */
static int kill_log_fd = -1;
static int krun(void *a, int i)
{
	char b[8];
	int n = snprintf(b, sizeof(b), "r%d ", i);

	(void)a;
	(void)!write(kill_log_fd, b, (size_t)n);
	return 0;
}
static void kundo(void *a, int i)
{
	char b[8];
	int n = snprintf(b, sizeof(b), "u%d ", i);

	(void)a;
	(void)!write(kill_log_fd, b, (size_t)n);
}
#define KSTEP(i) \
	static int krun##i(void *a) { return krun(a, i); } \
	static void kundo##i(void *a) { kundo(a, i); }
KSTEP(0) KSTEP(1) KSTEP(2) KSTEP(3) KSTEP(4)
static const struct light_step kill_steps[NSTEPS] = {
	{ "zero", krun0, kundo0 },
	{ "one", krun1, kundo1 },
	{ "two", krun2, kundo2 },
	{ "three", krun3, kundo3 },
	{ "four", krun4, kundo4 },
};

static void test_all_succeed(void **state)
{
	struct rec r = { .fail_at = -1 };

	(void)state;
	(void)run2;
	(void)undo2;
	assert_int_equal(light_steps_run(steps, NSTEPS, &r, NULL, NULL), 0);
	assert_string_equal(r.log, "r0 r1 r2 r3 r4");
	assert_int_equal(r.held, 4);
}

static void test_fail_each_position(void **state)
{
	static const char *const want[NSTEPS] = {
		"r0 u0",
		"r0 r1 u1 u0",
		"r0 r1 r2 u1 u0",
		"r0 r1 r2 r3 u3 u1 u0",
		"r0 r1 r2 r3 r4 u4 u3 u1 u0",
	};
	int i;

	(void)state;
	for (i = 0; i < NSTEPS; i++) {
		struct rec r = { .fail_at = i };
		size_t failed = 99;

		errno = 0;
		assert_int_equal(light_steps_run(steps, NSTEPS, &r, NULL, &failed), -1);
		assert_int_equal(errno, ENOSPC);
		assert_int_equal(failed, (size_t)i);
		assert_string_equal(r.log, want[i]);
		assert_int_equal(r.held, 0);       /* nothing left behind */
	}
}

static void test_injected(void **state)
{
	struct rec r = { .fail_at = -1 };
	size_t failed = 99;

	(void)state;
	assert_int_equal(light_steps_run(steps, NSTEPS, &r, "three", &failed), -1);
	assert_int_equal(errno, EIO);
	assert_int_equal(failed, 3);
	assert_string_equal(r.log, "r0 r1 r2 r3 u3 u1 u0");
	assert_int_equal(r.held, 0);

	/* An unknown name injects nothing. */
	memset(&r, 0, sizeof(r));
	r.fail_at = -1;
	assert_int_equal(light_steps_run(steps, NSTEPS, &r, "nosuch", &failed), 0);
	assert_int_equal(r.held, 4);
}

/* "kill:NAME": the process dies by SIGKILL right after step NAME, before
 * the next step and with no undo.  In a child, which reports how far it
 * got through a pipe (its own memory dies with it). */
static void test_kill(void **state)
{
	struct rec r = { .fail_at = -1 };
	int fds[2], status;
	char buf[256];
	size_t len;
	ssize_t n;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], 99);
		kill_log_fd = 99;
		(void)light_steps_run(kill_steps, NSTEPS, &r, "kill:one", NULL);
		_exit(0);               /* not reached if the kill works */
	}
	close(fds[1]);
	/* Until EOF: each step's note is its own write. */
	len = 0;
	while ((n = read(fds[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
	buf[len] = '\0';
	assert_string_equal(buf, "r0 r1 ");     /* step two never ran */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_succeed),
		cmocka_unit_test(test_fail_each_position),
		cmocka_unit_test(test_injected),
		cmocka_unit_test(test_kill),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
