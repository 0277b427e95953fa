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

/*
 * `xl vncviewer`: exec a VNC viewer on the display QEMU's VNC server
 * serves, as libxl_vncviewer_exec does: "vncviewer HOST:DISPLAY" from
 * /local/domain/D/console/vnc-listen and vnc-port (devmodel_hvm.c records
 * them).  With `autopass`, the viewer gets -autopass and the password
 * (vncpasswd= of the stored config) on its standard input.
 */
int light_vncviewer_exec(struct light_ctx *c, uint32_t domid, bool autopass)
{
	struct light_domain_config dc;
	char *listen = NULL, *port = NULL, *json = NULL, target[300], err[256];
	const char *argv[4];
	long long p;
	int pfd[2], rc = -1;

	memset(&dc, 0, sizeof(dc));
	if (light_need_xs(c) < 0)
		return -1;
	listen = light_xs_readf(c, XSC_NO_TX, "/local/domain/%u/console/vnc-listen",
	                        domid);
	port = light_xs_readf(c, XSC_NO_TX, "/local/domain/%u/console/vnc-port",
	                      domid);
	if (!listen || !port || light_cfg_parse_int(port, 5900, 65535, &p) < 0) {
		lc_fail(c, ENOENT, "domain %u has no VNC server (an HVM guest with "
		        "vnc=1 has one)", domid);
		goto out;
	}
	snprintf(target, sizeof(target), "%s:%lld", listen, p - 5900);
	argv[0] = "vncviewer";
	argv[1] = target;
	argv[2] = autopass ? "-autopass" : NULL;
	argv[3] = NULL;
	if (autopass) {
		json = light_domain_config_json(c, domid);
		if (!json || light_domain_config_from_json(json, "stored config",
		                                           &dc, err, sizeof(err)) < 0) {
			lc_fail(c, ENOENT, "domain %u: no stored config to take the "
			        "VNC password from", domid);
			goto out;
		}
		/* The password through a pipe: never on a command line.  It
		 * is short, so the pipe holds it until the viewer reads. */
		if (pipe(pfd) < 0) {
			light_error(c, errno, "pipe");
			goto out;
		}
		if (dc.hvm.vncpasswd)
			(void)!write(pfd[1], dc.hvm.vncpasswd, strlen(dc.hvm.vncpasswd));
		(void)!write(pfd[1], "\n", 1);
		close(pfd[1]);
		if (dup2(pfd[0], STDIN_FILENO) < 0) {
			light_error(c, errno, "dup2");
			close(pfd[0]);
			goto out;
		}
		close(pfd[0]);
	}
	execvp(argv[0], (char *const *)argv);
	light_error(c, errno, "cannot run vncviewer");
out:
	light_domain_config_dispose(&dc);
	free(json);
	free(listen);
	free(port);
	return rc;
}
