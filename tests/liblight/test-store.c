/*
 * test-store.c - the stored configuration is libxl's file: its name
 * (userdata-d.<domid>.<uuid>.libxl-json), its bytes (the JSON text and a
 * NUL, as libxl_userdata_store writes) and libxl's JSON layout; and files
 * written by libxl (with the NUL) or by hand (without) read back.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <yajl/yajl_tree.h>

#include "light_lifecycle.h"

static char dir[] = "/tmp/test-store.XXXXXX";

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	setenv("LIGHTSTACK_STATE_DIR", dir, 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return rmdir(dir);
}

static const uint8_t uuid[16] = {
	0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0,
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
};

static void model(struct light_domain_config *dc)
{
	static const char text[] =
		"name = \"store1\"\n"
		"kernel = \"/boot/vmlinuz\"\n"
		"memory = 128\n"
		"vcpus = 2\n"
		"disk = [ 'phy:/dev/loop0,xvda,w' ]\n"
		"vif = [ 'mac=00:16:3e:00:00:01,bridge=xenbr0' ]\n";
	struct light_cfg *cfg = light_cfg_new();
	char err[256];

	assert_non_null(cfg);
	assert_int_equal(light_cfg_parse_data(cfg, "t.cfg", text, strlen(text),
	                                      err, sizeof(err)), 0);
	assert_int_equal(light_domain_config_from_cfg(cfg, dc, err, sizeof(err)), 0);
	light_cfg_free(cfg);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(1 << 20);

	assert_non_null(f);
	assert_non_null(buf);
	*len = fread(buf, 1, 1 << 20, f);
	fclose(f);
	return buf;
}

static const char *str_at(yajl_val root, const char **path)
{
	yajl_val v = yajl_tree_get(root, path, yajl_t_string);

	return v ? YAJL_GET_STRING(v) : NULL;
}

static void saved_as_libxl_does(void **state)
{
	struct light_domain_config dc;
	struct light_ctx *c = light_open(LIGHT_OPEN_NO_CTRL | LIGHT_OPEN_NO_XS,
	                                 NULL, 0);
	char path[4200], want[4200], *buf, *back, *printed, perr[128];
	const char *name[] = { "c_info", "name", NULL };
	const char *type[] = { "c_info", "type", NULL };
	const char *vdev[] = { "vdev", NULL };
	const char *bridge[] = { "bridge", NULL };
	const char *pv[] = { "b_info", "type.pv", NULL };
	const char *disks[] = { "disks", NULL };
	const char *nics[] = { "nics", NULL };
	yajl_val root, arr;
	size_t len;

	(void)state;
	assert_non_null(c);
	model(&dc);
	assert_int_equal(light_config_store_path(7, uuid, path, sizeof(path)), 0);
	snprintf(want, sizeof(want),
	         "%s/userdata-d.7.12345678-9abc-def0-0123-456789abcdef.libxl-json",
	         dir);
	assert_string_equal(path, want);
	assert_int_equal(light_config_save(c, &dc, 7, path), 0);

	/* The bytes: text, then exactly one NUL at the end. */
	buf = slurp(path, &len);
	assert_true(len > 2);
	assert_int_equal(buf[len - 1], '\0');
	assert_int_equal(strlen(buf), len - 1);

	/* libxl's layout. */
	root = yajl_tree_parse(buf, perr, sizeof(perr));
	assert_non_null(root);
	assert_string_equal(str_at(root, name), "store1");
	assert_string_equal(str_at(root, type), "pv");
	assert_non_null(yajl_tree_get(root, pv, yajl_t_object));
	arr = yajl_tree_get(root, disks, yajl_t_array);
	assert_non_null(arr);
	assert_int_equal(YAJL_GET_ARRAY(arr)->len, 1);
	assert_string_equal(str_at(YAJL_GET_ARRAY(arr)->values[0], vdev), "xvda");
	arr = yajl_tree_get(root, nics, yajl_t_array);
	assert_non_null(arr);
	assert_string_equal(str_at(YAJL_GET_ARRAY(arr)->values[0], bridge), "xenbr0");
	yajl_tree_free(root);

	/* Read back: the text without its NUL or trailing newline. */
	back = light_config_read(path);
	printed = light_domain_config_print(&dc);
	assert_non_null(back);
	assert_string_equal(back, printed);
	free(back);

	/* A file written without the NUL (by hand) reads the same. */
	{
		FILE *f = fopen(path, "wb");

		assert_non_null(f);
		fprintf(f, "%s\n", printed);
		fclose(f);
	}
	back = light_config_read(path);
	assert_string_equal(back, printed);
	free(back);
	free(printed);
	free(buf);

	light_config_forget(7);
	errno = 0;
	assert_null(light_config_read(path));
	assert_int_equal(errno, ENOENT);
	light_domain_config_dispose(&dc);
	light_close(c);
}

static void save_failure_leaves_nothing(void **state)
{
	struct light_domain_config dc;
	struct light_ctx *c = light_open(LIGHT_OPEN_NO_CTRL | LIGHT_OPEN_NO_XS,
	                                 NULL, 0);
	char path[4200], sub[4200];

	(void)state;
	model(&dc);
	/* The state directory's parent is a file: it cannot be made. */
	snprintf(sub, sizeof(sub), "%s/file", dir);
	fclose(fopen(sub, "w"));
	snprintf(sub, sizeof(sub), "%s/file/state", dir);
	setenv("LIGHTSTACK_STATE_DIR", sub, 1);
	assert_int_equal(light_config_store_path(8, uuid, path, sizeof(path)), 0);
	assert_int_equal(light_config_save(c, &dc, 8, path), -1);
	assert_non_null(strstr(light_errmsg(c), "file/state"));
	setenv("LIGHTSTACK_STATE_DIR", dir, 1);
	snprintf(sub, sizeof(sub), "%s/file", dir);
	assert_int_equal(unlink(sub), 0);
	light_domain_config_dispose(&dc);
	light_close(c);
}

/* Ours: the lock file exists while held and is gone after. */
static void userdata_lock_file(void **state)
{
	struct light_userdata_lock lk;
	struct stat st;

	(void)state;
	assert_int_equal(light_userdata_lock(9, uuid, &lk), 0);
	assert_non_null(strstr(lk.path, "/userdata-d.9.12345678-9abc-def0-"
	                       "0123-456789abcdef.domain-userdata-lock"));
	assert_int_equal(stat(lk.path, &st), 0);
	light_userdata_unlock(&lk);
	assert_int_equal(lk.fd, -1);
	assert_int_equal(stat(lk.path, &st), -1);
	assert_int_equal(errno, ENOENT);
}

/*
 * Against a holder that follows libxl's protocol by hand (flock, then
 * unlink and close to let go): we wait while it holds the file, and once
 * it lets go we hold a lock file that is at the path, not the unlinked
 * one we first opened.
 */
static void userdata_lock_waits_for_libxl(void **state)
{
	struct light_userdata_lock lk;
	struct stat st, held;
	struct pollfd pfd;
	int go[2], got[2], fd, status;
	char path[4200], b = 0;
	pid_t pid;

	(void)state;
	assert_int_equal(light_userdata_lock(10, uuid, &lk), 0);
	snprintf(path, sizeof(path), "%s", lk.path);
	light_userdata_unlock(&lk);

	fd = open(path, O_RDWR | O_CREAT, 0666);      /* "libxl" holds it */
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(got), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fd);
		if (light_userdata_lock(10, uuid, &lk) < 0)
			_exit(2);
		if (write(got[1], "x", 1) != 1)
			_exit(3);
		/* Held: the path names our descriptor's file. */
		if (stat(lk.path, &st) < 0 || fstat(lk.fd, &held) < 0 ||
		    st.st_ino != held.st_ino)
			_exit(4);
		if (read(go[0], &b, 1) != 1)
			_exit(5);
		light_userdata_unlock(&lk);
		_exit(0);
	}
	pfd.fd = got[0];
	pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, 300), 0);    /* still waiting */
	assert_int_equal(unlink(path), 0);          /* libxl lets go */
	close(fd);
	assert_int_equal(poll(&pfd, 1, 5000), 1);   /* now it holds one */
	assert_int_equal(read(got[0], &b, 1), 1);
	/* And while it does, a new libxl-style locker cannot have it. */
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), -1);
	assert_int_equal(errno, EWOULDBLOCK);
	close(fd);
	assert_int_equal(write(go[1], "x", 1), 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(stat(path, &st), -1);      /* it unlinked it */
	close(go[0]); close(go[1]); close(got[0]); close(got[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(saved_as_libxl_does),
		cmocka_unit_test(save_failure_leaves_nothing),
		cmocka_unit_test(userdata_lock_file),
		cmocka_unit_test(userdata_lock_waits_for_libxl),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
