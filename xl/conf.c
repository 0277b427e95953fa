/*
 * conf.c - xl's copy of /etc/xen/xl.conf (liblight's light_xlconf), read
 * once at start, and the lock that serialises domain creation.
 *
 * Upstream xl reads xl.conf before running any command; so does main()
 * here, through xl_conf_load().  $LIGHTSTACK_XL_CONF names another file
 * (tests; upstream has no option for it).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "liblight.h"
#include "xl.h"

static struct light_xlconf conf;
static bool conf_loaded;

static void
conf_free(void)
{
	light_xlconf_dispose(&conf);
}

int
xl_conf_load(void)
{
	const char *path = getenv("LIGHTSTACK_XL_CONF");
	char err[512];

	if (!path || !*path)
		path = LIGHT_XLCONF_PATH;
	if (light_xlconf_load(&conf, path, err, sizeof(err)) < 0) {
		xl_warnx("%s", err);
		return -1;
	}
	if (!conf_loaded)
		atexit(conf_free);
	conf_loaded = true;
	return 0;
}

const struct light_xlconf *
xl_conf(void)
{
	/* A command run without main (tests) sees upstream's defaults. */
	if (!conf_loaded) {
		light_xlconf_defaults(&conf);
		conf_loaded = true;
	}
	return &conf;
}

/*
 * /var/lock is a symlink to /run/lock, which the init system creates at
 * boot; a Dom0 without one (a minimal init: /run a fresh tmpfs) would
 * otherwise fail every create.  Only the last directory is made (through
 * the symlink if it dangles): a lockfile elsewhere names a path that
 * should exist.
 */
static int
make_parent(const char *path)
{
	char dir[4096], target[4096];
	char *slash;
	ssize_t n;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -1;
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return -1;
	*slash = '\0';
	if (mkdir(dir, 0755) == 0)
		return 0;
	if (errno != EEXIST)
		return -1;
	/* It exists: a dangling symlink (mkdir says EEXIST) or a directory. */
	n = readlink(dir, target, sizeof(target) - 1);
	if (n < 0)
		return errno == EINVAL ? 0 : -1;
	target[n] = '\0';
	if (target[0] != '/')
		return -1;
	if (mkdir(target, 0755) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

int
xl_lock_acquire(void)
{
	const char *path = xl_conf()->lockfile;
	struct flock fl;
	int fd;

	if (!path)
		path = LIGHT_XLCONF_LOCKFILE;
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 && errno == ENOENT && make_parent(path) == 0)
		fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		xl_warnx("cannot open the lockfile %s: %s", path, strerror(errno));
		return -1;
	}
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	/* Wait: another xl creating a domain finishes in seconds. */
	while (fcntl(fd, F_SETLKW, &fl) < 0) {
		if (errno == EINTR)
			continue;
		xl_warnx("cannot lock %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

void
xl_lock_release(int fd)
{
	/* Closing the descriptor drops the fcntl lock. */
	if (fd >= 0)
		close(fd);
}
