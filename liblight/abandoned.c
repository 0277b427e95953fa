/*
 * abandoned.c - creates that died half-way, and their cleanup.
 *
 * A create undoes its own steps when one of them fails (create.c), but a
 * create that is killed (SIGKILL, a crash, the OOM killer, a reboot of
 * the terminal it ran in) runs no undo: it leaves a paused, half-built
 * domain and whatever its steps had set up for it.  Nothing else would
 * ever remove that domain, and its name stays taken.
 *
 * So a create holds a marker while it works:
 *
 *     $LIGHTSTACK_RUN_DIR/creating/<uuid>.<pid>     (default /run/lightstack)
 *
 * with an exclusive flock(2) on it.  The kernel drops the lock when its
 * holder dies, however it dies, which is the whole point: no pid that
 * could be reused, no timestamp to trust.  The file is a few lines the
 * create appends as it goes: what it made that nothing else records yet,
 *
 *     loop /dev/loop3 <st_dev> <st_ino>   a loop device vbd_host attached
 *                                         (its backing file's identity)
 *     nbd /dev/nbd0                       an nbd device it attached
 *     domid 7                             the domain, once Xen gave one
 *
 * (the devices are in xenstore only from vbd_backend on).  A marker that
 * nobody holds is a create that died; light_reap_abandoned() detaches its
 * host devices, destroys its domain with everything light_domain_destroy()
 * removes (devices, xenstore nodes, stored configuration), and removes
 * the marker.  The devices go first: until then they are still bound, so
 * no other create can have been given the same one.
 *
 * The marker appears under its final name already locked (it is made
 * under a dot name, locked, then renamed), so a reaper never sees the
 * marker of a live create unlocked.  The pid in the name keeps two
 * creates that were given the same uuid from sharing one marker.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "hostblk.h"
#include "light_lifecycle.h"

#define RUN_DIR_DEFAULT "/run/lightstack"

/* $LIGHTSTACK_RUN_DIR/creating into buf; -1/ENAMETOOLONG. */
static int creating_dir(char *buf, size_t len)
{
	const char *d = getenv("LIGHTSTACK_RUN_DIR");
	int n;

	if (!d || !*d)
		d = RUN_DIR_DEFAULT;
	n = snprintf(buf, len, "%s/creating", d);
	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int light_create_mark(struct light_ctx *c, const char *uuid,
                      struct light_create_marker *mk)
{
	char dir[PATH_MAX - 64], tmp[PATH_MAX], *slash;
	int fd;

	mk->fd = -1;
	mk->path[0] = '\0';
	if (creating_dir(dir, sizeof(dir)) < 0)
		return light_error(c, errno, "create marker directory");
	/* Its parent first (one level; /run itself exists). */
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		(void)mkdir(dir, 0755);
		*slash = '/';
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return light_error(c, errno, "create marker directory %s", dir);
	snprintf(tmp, sizeof(tmp), "%s/.%s.%ld", dir, uuid, (long)getpid());
	snprintf(mk->path, sizeof(mk->path), "%s/%s.%ld", dir, uuid, (long)getpid());
	fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return light_error(c, errno, "create marker %s", tmp);
	if (flock(fd, LOCK_EX) < 0 || rename(tmp, mk->path) < 0) {
		int e = errno;
		(void)unlink(tmp);
		close(fd);
		light_error(c, e, "create marker %s", mk->path);
		mk->path[0] = '\0';
		return -1;
	}
	mk->fd = fd;
	return 0;
}

/* One line at the end of the marker.  Best effort: a line that could not
 * be written costs only the cleanup of what it names. */
static void mark_line(struct light_create_marker *mk, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void mark_line(struct light_create_marker *mk, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	int n;

	if (mk->fd < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(buf))
		(void)!write(mk->fd, buf, (size_t)n);
}

void light_create_mark_domid(struct light_create_marker *mk, uint32_t domid)
{
	mark_line(mk, "domid %" PRIu32 "\n", domid);
}

void light_create_mark_host(struct light_create_marker *mk, const char *kind,
                            const char *devpath, const struct hb_identity *file)
{
	if (file && file->has_file)
		mark_line(mk, "%s %s %ju %ju\n", kind, devpath,
		          (uintmax_t)file->dev, (uintmax_t)file->ino);
	else
		mark_line(mk, "%s %s\n", kind, devpath);
}

void light_create_unmark(struct light_create_marker *mk)
{
	if (mk->fd < 0)
		return;
	/* Unlinked before the lock goes, so no reaper finds it unlocked. */
	(void)unlink(mk->path);
	close(mk->fd);
	mk->fd = -1;
	mk->path[0] = '\0';
}

/*
 * Read a dead create's marker: detach the host devices it names (a loop
 * device only while it is still bound to the file recorded), and return
 * the domid it recorded, or -1 when it has none (the create died before
 * Xen gave one, or between that and writing it).
 */
static long marker_replay(int fd)
{
	char buf[4096], *line, *save = NULL, err[256];
	long domid = -1;
	ssize_t n;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char kind[8], dev[HB_DEVPATH_MAX];
		uintmax_t fdev, fino;
		struct hb_identity id;
		uint32_t d;
		int k;

		k = sscanf(line, "%7s %31s %ju %ju", kind, dev, &fdev, &fino);
		if (k == 2 && strcmp(kind, "domid") == 0) {
			if (light_parse_domid(dev, &d) == 0)
				domid = d;
		} else if (k == 4 && strcmp(kind, "loop") == 0 &&
		           strncmp(dev, "/dev/loop", 9) == 0) {
			if (hb_identity(dev, &id, err, sizeof(err)) == 0 && id.has_file &&
			    (uintmax_t)id.dev == fdev && (uintmax_t)id.ino == fino)
				(void)hb_loop_detach(dev, err, sizeof(err));
		} else if (k == 2 && strcmp(kind, "nbd") == 0 &&
		           strncmp(dev, "/dev/nbd", 8) == 0) {
			(void)hb_nbd_detach(dev, err, sizeof(err));
		}
	}
	return domid;
}

/*
 * The domain a dead create left, or -1 for none: the recorded id if that
 * domain still has the marker's uuid, else (no id recorded) the one live
 * domain with that uuid that has no monitor record, which only a create
 * that has not reached its xenstore step lacks.
 */
static long abandoned_domain(struct light_ctx *c, const uint8_t uuid[16], long recorded)
{
	struct ctrl_dominfo *list = NULL, info;
	enum light_monitor_mode mode;
	size_t n = 0, i;
	long found = -1;

	if (recorded > 0) {
		if (ctrl_domain_getinfo(c->ctrl, (uint32_t)recorded, &info) == 0 &&
		    !info.dying && memcmp(info.handle, uuid, 16) == 0)
			return recorded;
		return -1;
	}
	if (ctrl_domain_list(c->ctrl, &list, &n) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (list[i].domid == 0 || list[i].dying ||
		    memcmp(list[i].handle, uuid, 16) != 0)
			continue;
		if (light_domain_monitor_mode(c, list[i].domid, &mode) == 0)
			continue;       /* a finished create's domain */
		if (found >= 0) {
			found = -1;     /* two candidates: touch neither */
			break;
		}
		found = list[i].domid;
	}
	free(list);
	return found;
}

int light_reap_abandoned(struct light_ctx *c, uint32_t *domids, size_t max)
{
	char dir[PATH_MAX - 300], path[PATH_MAX], keep[sizeof(c->err)];
	struct dirent *de;
	DIR *d;
	int reaped = 0;

	if (light_need_ctrl(c) < 0 || light_need_xs(c) < 0)
		return -1;
	if (creating_dir(dir, sizeof(dir)) < 0)
		return light_error(c, errno, "create marker directory");
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : light_error(c, errno, "%s", dir);
	/* A cleanup: what it finds must not replace the caller's message. */
	snprintf(keep, sizeof(keep), "%s", c->err);
	while ((domids == NULL || (size_t)reaped < max) &&
	       (de = readdir(d)) != NULL) {
		char uuid_str[37];
		uint8_t uuid[16];
		long domid;
		int fd;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			continue;
		/* A dot name is a marker being made: its create may not
		 * have locked it yet.  Only an old one is a dead create's
		 * (which made nothing before its rename). */
		if (de->d_name[0] == '.') {
			struct stat st;

			if (fstat(fd, &st) < 0 || time(NULL) - st.st_mtime < 60) {
				close(fd);
				continue;
			}
		}
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			close(fd);      /* its create is alive */
			continue;
		}
		/* Ours now. */
		if (de->d_name[0] != '.' && strlen(de->d_name) > 36 &&
		    de->d_name[36] == '.') {
			memcpy(uuid_str, de->d_name, 36);
			uuid_str[36] = '\0';
			if (uuid_parse(uuid_str, uuid) == 0) {
				domid = abandoned_domain(c, uuid, marker_replay(fd));
				if (domid > 0 &&
				    light_domain_destroy(c, (uint32_t)domid) == 0) {
					if (domids)
						domids[reaped] = (uint32_t)domid;
					reaped++;
				}
			}
		}
		(void)unlink(path);
		close(fd);
	}
	closedir(d);
	snprintf(c->err, sizeof(c->err), "%s", keep);
	return reaped;
}
