/*
 * steps.c - the all-or-nothing step runner (see light_steps.h).
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "light_steps.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int light_steps_run(const struct light_step *steps, size_t n, void *arg,
                    const char *inject, size_t *failed)
{
	/* Where a slow create spends its time (under TCG a create takes
	 * seconds; the system tests and benchmarks read this). */
	int times = getenv("LIGHTSTACK_STEP_TIMES") != NULL;
	size_t i, j;
	int saved;

	for (i = 0; i < n; i++) {
		double t0 = times ? now_ms() : 0;
		int rc = steps[i].run(arg);

		if (times)
			fprintf(stderr, "lightstack: step %s: %.1f ms%s\n", steps[i].name,
			        now_ms() - t0, rc == 0 ? "" : " (failed)");

		if (rc == 0 && inject && strcmp(inject, steps[i].name) == 0) {
			errno = EIO;
			rc = -1;
		}
		/* "kill:NAME": die as a SIGKILL would have it, right after
		 * step NAME, with no undo (tests of the abandoned-create
		 * cleanup). */
		if (rc == 0 && inject && strncmp(inject, "kill:", 5) == 0 &&
		    strcmp(inject + 5, steps[i].name) == 0)
			raise(SIGKILL);
		if (rc == 0)
			continue;

		/* Undo the failed step, then every completed one, newest first. */
		saved = errno ? errno : EIO;
		for (j = i + 1; j > 0; j--)
			if (steps[j - 1].undo)
				steps[j - 1].undo(arg);
		if (failed)
			*failed = i;
		errno = saved;
		return -1;
	}
	return 0;
}
