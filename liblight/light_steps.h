/*
 * light_steps.h - run a sequence of steps with an undo list (private to
 * liblight; used by create).
 *
 * A multi-step operation that must be all-or-nothing is written as a
 * table of steps.  Each step has a `run` and, if it leaves something
 * behind that the later steps' failure must remove, an `undo`.  The
 * runner calls run for each step in order; when one fails it calls the
 * undo of every step that completed, last first, and of the failing step
 * itself (a step may have acquired something before failing: its undo
 * must cope with a half-done state).  That is the one cleanup path; the
 * steps never clean up after each other.
 *
 * The table is data, so the rollback logic is tested on its own with fake
 * steps (tests/liblight/test-steps.c), and a test can make any real step
 * fail by name (`inject`) to check that nothing is left behind.
 */
#ifndef LIGHTSTACK_LIGHT_STEPS_H
#define LIGHTSTACK_LIGHT_STEPS_H

#include <stddef.h>

struct light_step {
	const char *name;
	int (*run)(void *arg);      /* 0 or -1 with errno */
	void (*undo)(void *arg);    /* NULL: nothing to undo */
};

/*
 * Run steps[0..n) on `arg`.  Returns 0 when all succeeded.  On failure
 * returns -1 with errno of the failed step preserved (undo may not change
 * it), after undoing as described above; *failed (if not NULL) receives
 * the index of the failed step.  If `inject` names a step, that step's
 * run is called and then treated as failed with EIO; if it is
 * "kill:NAME", the process kills itself with SIGKILL right after step
 * NAME succeeds (a create dying half-way, with no undo).  With
 * LIGHTSTACK_STEP_TIMES set in the environment, each step's name and wall
 * time go to stderr ("lightstack: step build: 812.4 ms").
 */
int light_steps_run(const struct light_step *steps, size_t n, void *arg,
                    const char *inject, size_t *failed);

#endif /* LIGHTSTACK_LIGHT_STEPS_H */
