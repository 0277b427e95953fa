/*
 * console.c - attaching a terminal to a guest's console by running the
 * xenconsole client (built in xenconsoled/), as upstream's libxl does.
 *
 * Where the client is, in order:
 *   1. $LIGHTSTACK_XENCONSOLE, if set: running from a build tree (the
 *      system tests point it at <build>/xenconsoled/xenconsole) or an
 *      unusual install;
 *   2. the installed one, $(bindir)/xenconsole, substituted at build time
 *      (liblight/Makefile.am defines LIGHT_XENCONSOLE_PATH).
 * Nothing is guessed from where the running program lives: an installed
 * library must not pick up whatever sits next to some binary.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "light_lifecycle.h"

#ifndef LIGHT_XENCONSOLE_PATH
#error "LIGHT_XENCONSOLE_PATH must name the installed xenconsole (see Makefile.am)"
#endif

static bool runnable(const char *p)
{
	return access(p, X_OK) == 0;
}

char *light_console_client_path(void)
{
	const char *env = getenv("LIGHTSTACK_XENCONSOLE");

	if (env && *env)
		return runnable(env) ? strdup(env) : NULL;
	return runnable(LIGHT_XENCONSOLE_PATH) ? strdup(LIGHT_XENCONSOLE_PATH)
	                                       : NULL;
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
