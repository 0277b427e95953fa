/*
 * domain_ops.c - small operations on a running domain: rename, sysrq and
 * triggers (light_core.h).
 *
 * Rename touches the four places a name lives, as libxl_domain_rename
 * does plus Lightstack's index: /local/domain/D/name (the truth),
 * /vm/U/name, the name index entry and the stored configuration's
 * c_info.name (what `xl list -l` shows and a restart reuses).  The file is
 * rewritten first and put back if the xenstore transaction fails, so a
 * failure leaves the old name everywhere.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "light_lifecycle.h"
#include "json_tree.h"

#include <xen/domctl.h>          /* XEN_DOMCTL_SENDTRIGGER_* */

/* ---- The stored configuration's name ------------------------------ */

/*
 * Write the parsed file back as it was, except that c_info's "name"
 * member (c_info being a member of the top-level object) becomes `name`.
 */
static bool gen_renamed(yajl_gen g, yajl_val root, const char *name)
{
	size_t i, j;
	bool ok = light_gen_ok(yajl_gen_map_open(g));

	for (i = 0; ok && i < root->u.object.len; i++) {
		const char *k = root->u.object.keys[i];
		yajl_val v = root->u.object.values[i];

		ok = light_gen_str(g, k);
		if (!ok || strcmp(k, "c_info") != 0 || !YAJL_IS_OBJECT(v)) {
			ok = ok && light_gen_value(g, v);
			continue;
		}
		ok = light_gen_ok(yajl_gen_map_open(g));
		for (j = 0; ok && j < v->u.object.len; j++) {
			const char *ck = v->u.object.keys[j];

			ok = light_gen_str(g, ck) &&
			     (strcmp(ck, "name") == 0 ?
			          light_gen_str(g, name) :
			          light_gen_value(g, v->u.object.values[j]));
		}
		ok = ok && light_gen_ok(yajl_gen_map_close(g));
	}
	return ok && light_gen_ok(yajl_gen_map_close(g));
}

char *light_config_json_rename(const char *json, const char *name)
{
	char perr[128];
	yajl_val root;
	yajl_gen g = NULL;
	const unsigned char *buf;
	size_t len;
	char *out = NULL;

	root = yajl_tree_parse(json, perr, sizeof(perr));
	if (root == NULL || !YAJL_IS_OBJECT(root)) {
		errno = EINVAL;
		goto out;
	}
	/* The layout store.c writes: libxl's, 4-space indented. */
	g = light_gen_alloc_libxl();
	if (g == NULL)
		goto out;
	if (!gen_renamed(g, root, name) ||
	    !light_gen_ok(yajl_gen_get_buf(g, &buf, &len))) {
		errno = EIO;
		goto out;
	}
	out = strndup((const char *)buf, len);
out:
	if (g != NULL)
		yajl_gen_free(g);
	yajl_tree_free(root);
	return out;
}

/*
 * Rewrite the stored configuration at path with c_info.name = name.
 * *old receives the previous text (malloc'd) so the caller can put it
 * back.  1 when rewritten, 0 when there is no stored file (a domain not
 * created by Lightstack), -1 on error.
 */
static int store_rename(struct light_ctx *c, const char *path,
                        const char *name, char **old)
{
	char *text;
	int rc = -1;

	*old = light_config_read(path);
	if (*old == NULL)
		return errno == ENOENT ? 0 :
		       light_error(c, errno, "cannot read %s", path);
	text = light_config_json_rename(*old, name);
	if (text == NULL)
		return lc_fail(c, errno, "%s: not a stored configuration",
		               path);
	if (light_config_write(path, text) < 0)
		light_error(c, errno, "cannot write %s", path);
	else
		rc = 1;
	free(text);
	return rc;
}

/* ---- Rename ----------------------------------------------------------- */

/* The xenstore half of a rename, in transaction t. */
static int rename_nodes(struct light_ctx *c, xsc_tx t, uint32_t domid,
                        const char *old, const char *name)
{
	char path[128], *vm = NULL;
	int rc = -1;

	snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
	if (xsc_write_str(c->xs, t, path, name) < 0) {
		light_error_xs(c, "cannot write the name");
		goto out;
	}
	vm = light_xs_readf(c, t, "/local/domain/%u/vm", domid);
	if (vm != NULL && strlen(vm) < sizeof(path) - 8) {
		snprintf(path, sizeof(path), "%s/name", vm);
		if (xsc_write_str(c->xs, t, path, name) < 0) {
			light_error_xs(c, "cannot write the vm name");
			goto out;
		}
	}
	if (old != NULL && old[0] != '\0' &&
	    light_name_index_remove(c, t, old) < 0)
		goto out;
	rc = light_name_index_add(c, t, name, domid);
out:
	free(vm);
	return rc;
}

int light_domain_rename(struct light_ctx *c, uint32_t domid,
                        const char *name)
{
	struct ctrl_dominfo info;
	char store[4200], *old = NULL, *old_text = NULL;
	struct light_userdata_lock lk = { .fd = -1 };
	uint32_t other;
	xsc_tx t;
	int stored = 0, tries, rc = -1;

	if (light_need_ctrl(c) < 0 || light_need_xs(c) < 0)
		return -1;
	if (name[0] == '\0')
		return lc_fail(c, EINVAL, "new domain name not specified");
	if (domid == 0)
		return lc_fail(c, EPERM, "cannot rename Domain-0");
	if (ctrl_domain_getinfo(c->ctrl, domid, &info) < 0)
		return light_error_ctrl(c, "cannot find the domain");
	/* Names are unique, as upstream: another domain's name is refused,
	 * the domain's own name is a no-op rename. */
	if (light_domain_by_name(c, name, &other) == 0) {
		if (other != domid)
			return lc_fail(c, EEXIST, "domain with name \"%s\" "
			               "already exists.", name);
	} else if (errno != ENOENT) {
		return -1;      /* xenstore failed us: the message says how */
	}
	old = light_domain_name(c, domid);

	if (light_config_store_path(domid, info.handle, store,
	                            sizeof(store)) < 0) {
		lc_fail(c, ENAMETOOLONG, "state directory path too long");
		goto out;
	}
	/* The file is rewritten, and put back on failure, under libxl's
	 * userdata lock, held until the nodes are renamed too. */
	if (light_userdata_lock(domid, info.handle, &lk) < 0) {
		light_error(c, errno, "cannot take the userdata lock of domain %u",
		            domid);
		goto out;
	}
	stored = store_rename(c, store, name, &old_text);
	if (stored < 0)
		goto out;

	for (tries = 0; tries < 10; tries++) {
		if (xsc_transaction_start(c->xs, &t) < 0) {
			light_error_xs(c, "cannot start a transaction");
			goto undo;
		}
		if (rename_nodes(c, t, domid, old, name) < 0) {
			(void)xsc_transaction_end(c->xs, t, false);
			goto undo;
		}
		if (xsc_transaction_end(c->xs, t, true) == 0) {
			rc = 0;
			goto out;
		}
		if (errno != EAGAIN) {
			light_error_xs(c, "cannot commit the rename");
			goto undo;
		}
	}
	lc_fail(c, EAGAIN, "xenstore transaction kept conflicting");
undo:
	if (stored > 0)
		(void)light_config_write(store, old_text);
out:
	light_userdata_unlock(&lk);
	free(old);
	free(old_text);
	return rc;
}

/* ---- Sysrq and triggers ------------------------------------------- */

int light_domain_sysrq(struct light_ctx *c, uint32_t domid, char key)
{
	struct ctrl_dominfo info;
	/* The guest's own node, as create makes it: Linux clears the key
	 * before running it and does nothing if it cannot. */
	const struct xsc_perm rw[] = { { domid, 'n' } };
	char path[64], val[2] = { key, '\0' };
	xsc_tx t;
	int tries;

	if (light_need_ctrl(c) < 0 || light_need_xs(c) < 0)
		return -1;
	if (key == '\0')
		return lc_fail(c, EINVAL, "Invalid sysrq.");
	if (ctrl_domain_getinfo(c->ctrl, domid, &info) < 0)
		return light_error_ctrl(c, "cannot find the domain");
	snprintf(path, sizeof(path), "/local/domain/%u/control/sysrq", domid);
	/* Key and permissions in one transaction, so the guest never sees
	 * a key it may not clear (a domain made before create set them). */
	for (tries = 0; tries < 10; tries++) {
		if (xsc_transaction_start(c->xs, &t) < 0)
			return light_error_xs(c, "cannot start a transaction");
		if (xsc_write_str(c->xs, t, path, val) < 0 ||
		    xsc_set_perms(c->xs, t, path, rw, 1) < 0) {
			light_error_xs(c, "cannot send the sysrq");
			(void)xsc_transaction_end(c->xs, t, false);
			return -1;
		}
		if (xsc_transaction_end(c->xs, t, true) == 0)
			return 0;
		if (errno != EAGAIN)
			return light_error_xs(c, "cannot send the sysrq");
	}
	return lc_fail(c, EAGAIN, "xenstore transaction kept conflicting");
}

/* libxl_trigger's names, in its order, and what Xen calls each. */
static const struct {
	const char *name;
	int xen;                /* XEN_DOMCTL_SENDTRIGGER_*, -1: none */
} triggers[] = {
	[LIGHT_TRIGGER_POWER] = { "power", XEN_DOMCTL_SENDTRIGGER_POWER },
	[LIGHT_TRIGGER_SLEEP] = { "sleep", XEN_DOMCTL_SENDTRIGGER_SLEEP },
	[LIGHT_TRIGGER_NMI] = { "nmi", XEN_DOMCTL_SENDTRIGGER_NMI },
	[LIGHT_TRIGGER_INIT] = { "init", XEN_DOMCTL_SENDTRIGGER_INIT },
	[LIGHT_TRIGGER_RESET] = { "reset", XEN_DOMCTL_SENDTRIGGER_RESET },
	[LIGHT_TRIGGER_S3RESUME] = { "s3resume", -1 },
};

int light_trigger_from_string(const char *s, enum light_trigger *out)
{
	size_t i;

	for (i = 0; i < sizeof(triggers) / sizeof(triggers[0]); i++)
		if (triggers[i].name != NULL &&
		    strcmp(triggers[i].name, s) == 0) {
			*out = (enum light_trigger)i;
			return 0;
		}
	errno = EINVAL;
	return -1;
}

int light_domain_trigger(struct light_ctx *c, uint32_t domid,
                         enum light_trigger trig, unsigned vcpu)
{
	struct ctrl_dominfo info;
	const char *name;

	if (light_need_ctrl(c) < 0)
		return -1;
	if ((unsigned)trig >= sizeof(triggers) / sizeof(triggers[0]) ||
	    triggers[trig].name == NULL)
		return lc_fail(c, EINVAL, "unknown trigger %d", (int)trig);
	name = triggers[trig].name;
	if (ctrl_domain_getinfo(c->ctrl, domid, &info) < 0)
		return light_error_ctrl(c, "cannot find the domain");
	/* s3resume wakes an HVM guest's device model (QMP system_wakeup);
	 * a PV guest has no ACPI sleep state, and upstream refuses it. */
	if (triggers[trig].xen < 0)
		return lc_fail(c, info.hvm ? ENOTSUP : EINVAL,
		               "Send trigger '%s' failed: %s", name,
		               info.hvm ? "no device model to wake" :
		               strerror(EINVAL));
	if (ctrl_domain_send_trigger(c->ctrl, domid,
	                             (unsigned)triggers[trig].xen, vcpu) < 0)
		return light_error(c, errno, "Send trigger '%s' failed", name);
	return 0;
}
