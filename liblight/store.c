/*
 * store.c - the stored configuration of running domains.
 *
 * Each domain created here has its configuration saved where upstream's
 * libxl keeps its own (libxl_userdata_store with the userdata id
 * "libxl-json"), in the same layout:
 *     $LIGHTSTACK_STATE_DIR/userdata-d.<domid>.<uuid>.libxl-json
 * (default LIGHT_STATE_DIR_DEFAULT, /var/lib/xen, libxl's XEN_LIB_DIR).
 * So upstream's `xl list -l`, `xl block-list` and libvirt's libxl driver
 * read the domains Lightstack made, and Lightstack reads the files of
 * domains upstream made (a host switched over with guests running).
 *
 * The file holds the JSON text followed by a NUL byte: libxl stores
 * strlen + 1 bytes and hands the buffer it reads back straight to its
 * JSON parser as a C string, so a file without the NUL would make it read
 * past the end.  The uuid in the name guards against a stale file of an
 * earlier domain that had the same id: a file is only believed if its
 * uuid is the running domain's handle.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <uuid/uuid.h>

#include "light_lifecycle.h"

static const char *state_dir(void)
{
	const char *d = getenv("LIGHTSTACK_STATE_DIR");

	return d && *d ? d : LIGHT_STATE_DIR_DEFAULT;
}

int light_config_store_path(uint32_t domid, const uint8_t uuid[16],
                            char *buf, size_t len)
{
	char u[37];
	int n;

	uuid_unparse_lower(uuid, u);
	n = snprintf(buf, len, "%s/userdata-d.%u.%s.libxl-json", state_dir(), domid, u);
	return (n < 0 || (size_t)n >= len) ? -1 : 0;
}

/* mkdir -p for the state directory (two levels are plenty, but do it
 * properly for any path). */
static int make_dirs(const char *dir)
{
	char tmp[4096], *p;

	if (snprintf(tmp, sizeof(tmp), "%s", dir) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

int light_config_write(const char *path, const char *json)
{
	char tmp[4200];
	size_t len, off = 0;
	ssize_t w;
	int fd = -1, rc = -1, saved;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	len = strlen(json) + 1;         /* the NUL too, as libxl does */
	while (off < len) {
		w = write(fd, json + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			goto out;
		off += (size_t)w;
	}
	rc = close(fd);
	fd = -1;
	if (rc == 0)
		rc = rename(tmp, path);
out:
	saved = errno;
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		(void)unlink(tmp);
	errno = saved;
	return rc;
}

char *light_config_read(const char *path)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	ssize_t r;
	int fd, saved;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0)
		goto fail;
	if (st.st_size > LIGHT_CONFIG_MAX) {
		errno = EFBIG;
		goto fail;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		goto fail;
	while (got < (size_t)st.st_size) {
		r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	buf[got] = '\0';
	/* libxl's trailing NUL, and the newline yajl ends its text with. */
	got = strlen(buf);
	while (got > 0 && buf[got - 1] == '\n')
		buf[--got] = '\0';
	close(fd);
	return buf;
fail:
	saved = errno;
	free(buf);
	close(fd);
	errno = saved;
	return NULL;
}

int light_config_save(struct light_ctx *c, const struct light_domain_config *dc,
                      uint32_t domid, const char *path)
{
	char *json = NULL;
	int rc = -1;

	(void)domid;        /* the id is in the file name, not the file */
	json = light_domain_config_print(dc);
	if (!json)
		return lc_fail(c, ENOMEM, "cannot format the configuration as JSON");
	if (make_dirs(state_dir()) < 0) {
		light_error(c, errno, "cannot create %s", state_dir());
		goto out;
	}
	if (light_config_write(path, json) < 0) {
		light_error(c, errno, "cannot write %s", path);
		goto out;
	}
	rc = 0;
out:
	free(json);
	return rc;
}

int light_userdata_lock(uint32_t domid, const uint8_t uuid[16],
                        struct light_userdata_lock *lk)
{
	struct stat at_path, held;
	char u[37];
	int n, saved;

	lk->fd = -1;
	uuid_unparse_lower(uuid, u);
	n = snprintf(lk->path, sizeof(lk->path),
	             "%s/userdata-d.%u.%s.domain-userdata-lock", state_dir(),
	             domid, u);
	if (n < 0 || (size_t)n >= sizeof(lk->path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (make_dirs(state_dir()) < 0)
		return -1;
	for (;;) {
		lk->fd = open(lk->path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
		if (lk->fd < 0)
			return -1;
		while (flock(lk->fd, LOCK_EX) < 0) {
			if (errno != EINTR)
				goto fail;
		}
		if (fstat(lk->fd, &held) < 0)
			goto fail;
		if (stat(lk->path, &at_path) == 0 &&
		    at_path.st_dev == held.st_dev && at_path.st_ino == held.st_ino)
			return 0;
		/* The holder before us unlinked it when it let go (or the
		 * path names another file now): ours is an orphan, retry. */
		close(lk->fd);
		lk->fd = -1;
	}
fail:
	saved = errno;
	close(lk->fd);
	lk->fd = -1;
	errno = saved;
	return -1;
}

void light_userdata_unlock(struct light_userdata_lock *lk)
{
	int saved = errno;

	if (lk->fd < 0)
		return;
	(void)unlink(lk->path);
	close(lk->fd);
	lk->fd = -1;
	errno = saved;
}

void light_config_forget(uint32_t domid)
{
	char prefix[64], path[4200];
	DIR *d;
	struct dirent *e;
	size_t plen;

	snprintf(prefix, sizeof(prefix), "userdata-d.%u.", domid);
	plen = strlen(prefix);
	d = opendir(state_dir());
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, prefix, plen) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", state_dir(), e->d_name);
		(void)unlink(path);
	}
	closedir(d);
}

char *light_domain_config_json(struct light_ctx *c, uint32_t domid)
{
	struct ctrl_dominfo info;
	struct light_userdata_lock lk;
	char path[4200];
	char *buf;

	if (light_need_ctrl(c) < 0)
		return NULL;
	if (ctrl_domain_getinfo(c->ctrl, domid, &info) < 0) {
		lc_fail(c, ESRCH, "domain %u does not exist", domid);
		return NULL;
	}
	if (light_config_store_path(domid, info.handle, path, sizeof(path)) < 0) {
		lc_fail(c, ENAMETOOLONG, "state directory path too long");
		return NULL;
	}
	/* libxl_retrieve_domain_configuration reads under the lock too;
	 * nothing stored (Domain-0, another toolstack's domain) is ENOENT
	 * without creating a lock file for it. */
	if (access(path, F_OK) < 0) {
		light_error(c, errno, "no stored configuration for domain %u (%s)",
		            domid, path);
		return NULL;
	}
	if (light_userdata_lock(domid, info.handle, &lk) < 0) {
		light_error(c, errno, "cannot take the userdata lock of domain %u",
		            domid);
		return NULL;
	}
	buf = light_config_read(path);
	light_userdata_unlock(&lk);
	if (!buf) {
		light_error(c, errno, "no stored configuration for domain %u (%s)",
		            domid, path);
		return NULL;
	}
	/* As it is now (mem-set, vcpu-set, ...), not only as created.  A
	 * file that does not parse is returned as it is: the caller's own
	 * parse says what is wrong with it. */
	if (light_need_xs(c) == 0) {
		char *live = light_config_json_live(c, domid, &info, buf);

		if (live) {
			free(buf);
			buf = live;
		}
	}
	return buf;
}
