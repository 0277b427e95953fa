/*
 * console.c - attaching a terminal to a guest's console by running the
 * xenconsole client (built in xenconsoled/), as upstream's libxl does.
 *
 * Where the client is, in order:
 *   1. $LIGHTSTACK_XENCONSOLE (tests, unusual installs);
 *   2. the installed one: $(bindir)/xenconsole, compiled in;
 *   3. next to the running program, or in the build tree relative to it
 *      (xl runs from <build>/xl/ or, under libtool, <build>/xl/.libs/).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "light_lifecycle.h"

#ifndef LIGHT_XENCONSOLE_PATH
#define LIGHT_XENCONSOLE_PATH "/usr/local/bin/xenconsole"
#endif

static bool runnable(const char *p)
{
	return access(p, X_OK) == 0;
}

char *light_console_client_path(void)
{
	static const char *const rel[] = {
		"xenconsole", "../xenconsoled/xenconsole",
		"../../xenconsoled/xenconsole",
	};
	const char *env = getenv("LIGHTSTACK_XENCONSOLE");
	char self[PATH_MAX], cand[PATH_MAX + 64], *slash;
	ssize_t n;
	size_t i;

	if (env && *env)
		return runnable(env) ? strdup(env) : NULL;
	if (runnable(LIGHT_XENCONSOLE_PATH))
		return strdup(LIGHT_XENCONSOLE_PATH);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return NULL;
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		snprintf(cand, sizeof(cand), "%s/%s", self, rel[i]);
		if (runnable(cand))
			return strdup(cand);
	}
	return NULL;
}

int light_console_exec(struct light_ctx *c, uint32_t domid, unsigned num,
                       enum light_console_type type, int notify_fd)
{
	char *client = light_console_client_path();
	char dom[16], n[16], fd[16];
	const char *argv[10];
	int i = 0;

	if (!client)
		return lc_fail(c, ENOENT, "cannot find the xenconsole client "
		               "(set LIGHTSTACK_XENCONSOLE or install it as %s)",
		               LIGHT_XENCONSOLE_PATH);
	snprintf(dom, sizeof(dom), "%u", domid);
	snprintf(n, sizeof(n), "%u", num);
	argv[i++] = client;
	argv[i++] = "--type";
	argv[i++] = type == LIGHT_CONSOLE_SERIAL ? "serial" : "pv";
	argv[i++] = "--num";
	argv[i++] = n;
	if (notify_fd >= 0) {
		snprintf(fd, sizeof(fd), "%d", notify_fd);
		argv[i++] = "--start-notify-fd";
		argv[i++] = fd;
	}
	argv[i++] = dom;
	argv[i] = NULL;
	execv(client, (char *const *)argv);
	light_error(c, errno, "cannot run %s", client);
	free(client);
	return -1;
}
