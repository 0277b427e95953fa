/*
 * devmodel_hvm.c - an HVM guest's device model: the QEMU that emulates
 * its PC, and the firmware it boots.
 *
 * Xen runs the guest's vCPUs and emulates the interrupt controllers and
 * timers (createdomain's emulation flags); everything else a PC has
 * (the PCI host bridge, the ISA bridge, the serial port, fw_cfg, the Xen
 * platform PCI device through which the guest's PV drivers unplug the
 * emulated disks and NICs) is QEMU's machine "xenfv", Debian's
 * qemu-system-xen.  QEMU registers itself with Xen as the domain's
 * ioreq server and maps the guest's memory; the domain stays paused
 * until QEMU says "running" in xenstore, and create unpauses it then.
 * Started as libxl starts it (libxl__build_device_model_args_new), with
 * the options Lightstack supports so far:
 *
 *     QEMU -xen-domid D -no-shutdown
 *          -chardev socket,id=libxl-cmd,path=/var/run/xen/qmp-libxl-D,
 *                   server=on,wait=off -mon chardev=libxl-cmd,mode=control
 *          -nodefaults -no-user-config -name NAME
 *          -vnc LISTEN:DISPLAY[,password=on][,to=99] | -vnc none
 *          -display none [-k KEYMAP]
 *          [-kernel K [-initrd R] [-append CMDLINE]] [-serial S]
 *          [-nographic] [-device VGA|cirrus-vga,vgamem_mb=V]
 *          [-drive file=DISK,if=ide,index=N,...]...
 *          -boot order=BOOT [-no-acpi] [-smp N,maxcpus=M]
 *          [-device MODEL,id=nicN,netdev=netN,mac=MAC
 *           -netdev type=tap,id=netN,ifname=vifD.N-emu,script=no,...]...
 *          | -net none
 *          -machine xenfv,suppress-vmdesc=on -m (memory - V) MiB
 *
 * -no-shutdown: when the guest powers off or resets, QEMU tells Xen
 * (the domain shuts down with that reason) and stays, so the monitor
 * sees an ordinary shutdown and applies on_poweroff/on_reboot; destroy
 * stops QEMU.  The QMP socket is libxl's, so upstream's tools find it.
 *
 * Where things are:
 *   /local/domain/D/image/device-model-pid  its pid (libxl's node; the
 *                                           guest may read, not write)
 *   /local/domain/D/serial/0/tty            the pty of serial = "pty",
 *                                           asked of QEMU over QMP (qmp.c)
 *   /local/domain/D/console/vnc-listen,     where its VNC server listens
 *                           vnc-port        (QMP query-vnc)
 *   /local/domain/0/device-model/D/state    QEMU's "running"
 *   /var/log/xen/qemu-dm-NAME.log           its output
 *                            ($LIGHTSTACK_DM_LOG_DIR instead: unit tests)
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "light_lifecycle.h"
#include "light_device.h"

#define QMP_DIR        "/var/run/xen"
#define DM_LOG_DIR     "/var/log/xen"

/* The first readable file of a NULL-terminated list. */
static const char *first_readable(const char *const *paths)
{
	for (; *paths; paths++)
		if (**paths && access(*paths, R_OK) == 0)
			return *paths;
	return NULL;
}

int light_hvm_firmware(struct light_ctx *c, const struct light_domain_config *dc,
                       const char **hvmloader, const char **seabios)
{
	const char *env_loader = getenv("LIGHTSTACK_HVMLOADER");
	const char *env_bios = getenv("LIGHTSTACK_SEABIOS");
	const char *loaders[] = { env_loader ? env_loader : "",
		"/usr/lib/lightstack/boot/hvmloader",
		"/usr/lib/xen-4.17/boot/hvmloader", NULL };
	const char *bioses[] = { env_bios ? env_bios : "",
		"/usr/share/seabios/bios-256k.bin", NULL };

	if (dc->hvm.bios_path) {
		if (access(dc->hvm.bios_path, R_OK) < 0)
			return light_error(c, errno, "bios_path_override %s",
			                   dc->hvm.bios_path);
		*seabios = dc->hvm.bios_path;
	} else if (!(*seabios = first_readable(bioses)))
		return lc_fail(c, ENOENT, "no SeaBIOS image for the HVM guest: "
		               "/usr/share/seabios/bios-256k.bin is missing "
		               "(install seabios, or set bios_path_override=)");
	if (!(*hvmloader = first_readable(loaders)))
		return lc_fail(c, ENOENT, "no hvmloader for the HVM guest: looked "
		               "for /usr/lib/lightstack/boot/hvmloader and "
		               "/usr/lib/xen-4.17/boot/hvmloader (see the README: "
		               "scripts/get-hvmloader)");
	return 0;
}

static void pid_path(uint32_t domid, char *buf, size_t len)
{
	snprintf(buf, len, "/local/domain/%u/image/device-model-pid", domid);
}

void light_hvm_qmp_path(uint32_t domid, char *buf, size_t len)
{
	snprintf(buf, len, "%s/qmp-libxl-%u", QMP_DIR, domid);
}

/* The recorded QEMU of domain domid while it is still that QEMU; 0 when
 * there is none. */
static pid_t recorded(struct light_ctx *c, uint32_t domid)
{
	char p[96], *v;
	long long pid;
	pid_t rc = 0;

	pid_path(domid, p, sizeof(p));
	v = light_xs_readf(c, XSC_NO_TX, "%s", p);
	if (v && light_cfg_parse_int(v, 2, INT32_MAX, &pid) == 0 &&
	    light_dm_is_ours((pid_t)pid, domid))
		rc = (pid_t)pid;
	free(v);
	return rc;
}

bool light_hvm_dm_died(struct light_ctx *c, uint32_t domid, long *pid)
{
	char p[96], *v;
	long long n;
	bool died = false;

	pid_path(domid, p, sizeof(p));
	v = light_xs_readf(c, XSC_NO_TX, "%s", p);
	if (v && light_cfg_parse_int(v, 2, INT32_MAX, &n) == 0) {
		*pid = (long)n;
		died = !light_dm_is_ours((pid_t)n, domid);
	}
	free(v);
	return died;
}

/* The argument vector; the strings live in `buf` (one of ARGS_MAX
 * slots each, long enough for any path). */
#define ARG_LEN   (PATH_MAX + 64)
#define ARGS_MAX  112

struct dm_args {
	char *argv[ARGS_MAX + 1];
	char buf[ARGS_MAX][ARG_LEN];
	int n;
	bool overflow;
};

static void arg(struct dm_args *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void arg(struct dm_args *a, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (a->n >= ARGS_MAX) {
		a->overflow = true;
		return;
	}
	va_start(ap, fmt);
	k = vsnprintf(a->buf[a->n], ARG_LEN, fmt, ap);
	va_end(ap);
	if (k < 0 || k >= ARG_LEN)
		a->overflow = true;
	a->argv[a->n] = a->buf[a->n];
	a->argv[++a->n] = NULL;
}

/*
 * The IDE drives SeaBIOS can boot from, as libxl gives them to QEMU:
 * disks 0-3 (xvda/hda ... xvdd/hdd), whole disks only, QEMU opening the
 * target itself.  The same disks are also the guest's PV disks (blkback):
 * Linux's PV drivers unplug the emulated ones through the platform
 * device before they use them.  A read-only hard disk has no IDE form
 * (QEMU refuses it), so it stays PV only, as with libxl.
 */
static void emulated_disks(const struct light_domain_config *dc,
                           struct dm_args *a)
{
	unsigned long disk, part;
	const char *fmt;
	size_t i;

	for (i = 0; i < dc->ndisks; i++) {
		const struct light_disk *d = &dc->disks[i];

		if (!d->target || light_disk_vdev_to_index(d->vdev, &disk, &part) < 0 ||
		    disk > 3 || part != 0 || strncmp(d->vdev, "sd", 2) == 0)
			continue;
		fmt = d->format ? d->format : "raw";
		if (d->cdrom) {
			arg(a, "-drive");
			arg(a, "file=%s,if=ide,index=%lu,readonly=on,media=cdrom,"
			    "format=%s,id=ide-%lu", d->target, disk, fmt, disk);
		} else if (d->readwrite) {
			arg(a, "-drive");
			arg(a, "file=%s,if=ide,index=%lu,media=disk,format=%s,"
			    "cache=writeback", d->target, disk, fmt);
		}
	}
}

/* -vnc as libxl builds it: vnclisten= with a display in it as it is,
 * else LISTEN:DISPLAY (127.0.0.1 by default); ",password=on" when a
 * password will be set over QMP; ",to=99" (last) lets QEMU take the
 * first free display from there. */
static void vnc_arg(const struct light_domain_config *dc, struct dm_args *a)
{
	const char *listen = dc->hvm.vnclisten ? dc->hvm.vnclisten : "127.0.0.1";
	const char *pw = dc->hvm.vncpasswd && *dc->hvm.vncpasswd ? ",password=on" : "";
	const char *to = dc->hvm.vncunused ? ",to=99" : "";

	arg(a, "-vnc");
	if (strchr(listen, ':'))
		arg(a, "%s%s%s", listen, pw, to);
	else
		arg(a, "%s:%u%s%s", listen, dc->hvm.vncdisplay, pw, to);
}

/* The emulated twin of each type=ioemu vif (libxl's arguments): the NIC
 * with the vif's MAC, on a tap QEMU creates under libxl's name, with no
 * script (device_vif.c puts it in the bridge once QEMU runs).  No NIC at
 * all: -net none, or QEMU would make its default one. */
static int emulated_nics(struct light_ctx *c, uint32_t domid,
                         const struct light_domain_config *dc, struct dm_args *a)
{
	char tap[32], mac[LIGHT_MAC_STRLEN];
	size_t i;
	int nemu = 0;

	for (i = 0; i < dc->nnics; i++) {
		const struct light_nic *n = &dc->nics[i];
		uint32_t devid = light_nic_devid(dc, i);

		if (!light_nic_emulated(dc, i))
			continue;
		if (light_nic_tap_name(dc, i, domid, tap, sizeof(tap)) < 0)
			return lc_fail(c, ENAMETOOLONG, "vif %u: the emulated NIC's tap "
			               "name is too long", devid);
		arg(a, "-device");
		light_mac_format(n->mac, mac);
		arg(a, "%s,id=nic%u,netdev=net%u,mac=%s",
		    n->model ? n->model : LIGHT_NIC_MODEL_DEFAULT, devid, devid, mac);
		arg(a, "-netdev");
		arg(a, "type=tap,id=net%u,ifname=%s,script=no,downscript=no",
		    devid, tap);
		nemu++;
	}
	if (nemu == 0) {
		arg(a, "-net");
		arg(a, "none");
	}
	return 0;
}

static int build_args(struct light_ctx *c, uint32_t domid,
                      const struct light_domain_config *dc, const char *qemu,
                      struct dm_args *a)
{
	char qmp[PATH_MAX];

	light_hvm_qmp_path(domid, qmp, sizeof(qmp));
	arg(a, "%s", qemu);
	arg(a, "-xen-domid");
	arg(a, "%u", domid);
	arg(a, "-no-shutdown");
	arg(a, "-chardev");
	arg(a, "socket,id=libxl-cmd,path=%s,server=on,wait=off", qmp);
	arg(a, "-mon");
	arg(a, "chardev=libxl-cmd,mode=control");
	arg(a, "-nodefaults");
	arg(a, "-no-user-config");
	arg(a, "-name");
	arg(a, "%s", dc->name);
	if (dc->hvm.vnc)
		vnc_arg(dc, a);
	else {
		arg(a, "-vnc");
		arg(a, "none");
	}
	arg(a, "-display");
	arg(a, "none");
	if (dc->hvm.keymap) {
		arg(a, "-k");
		arg(a, "%s", dc->hvm.keymap);
	}
	if (dc->kernel) {
		arg(a, "-kernel");
		arg(a, "%s", dc->kernel);
	}
	if (dc->ramdisk) {
		arg(a, "-initrd");
		arg(a, "%s", dc->ramdisk);
	}
	if (dc->cmdline) {
		arg(a, "-append");
		arg(a, "%s", dc->cmdline);
	}
	if (dc->hvm.serial) {
		arg(a, "-serial");
		arg(a, "%s", dc->hvm.serial);
	}
	if (dc->hvm.nographic && !dc->hvm.vnc)
		arg(a, "-nographic");
	/* The card, with the video memory create left out of the RAM. */
	if (dc->hvm.vga && strcmp(dc->hvm.vga, "stdvga") == 0) {
		arg(a, "-device");
		arg(a, "VGA,vgamem_mb=%llu",
		    (unsigned long long)dc->hvm.video_memkb / 1024);
	} else if (dc->hvm.vga && strcmp(dc->hvm.vga, "cirrus") == 0) {
		arg(a, "-device");
		arg(a, "cirrus-vga,vgamem_mb=%llu",
		    (unsigned long long)dc->hvm.video_memkb / 1024);
	}
	emulated_disks(dc, a);
	arg(a, "-boot");
	arg(a, "order=%s", dc->hvm.boot ? dc->hvm.boot : "cda");
	if (!dc->hvm.acpi)
		arg(a, "-no-acpi");
	if (dc->max_vcpus > 1) {
		arg(a, "-smp");
		arg(a, "%u,maxcpus=%u", dc->vcpus, dc->max_vcpus);
	}
	if (emulated_nics(c, domid, dc, a) < 0)
		return -1;
	arg(a, "-machine");
	arg(a, "xenfv,suppress-vmdesc=on");
	/* The guest's RAM: memory= less the video memory (libxl's -m). */
	arg(a, "-m");
	arg(a, "%llu", (unsigned long long)((dc->max_memkb - dc->hvm.video_memkb +
	                                     1023) / 1024));
	if (a->overflow)
		return lc_fail(c, E2BIG, "QEMU's command line for domain %u is "
		               "too long", domid);
	return 0;
}

int light_hvm_dm_start(struct light_ctx *c, uint32_t domid,
                       const struct light_domain_config *dc)
{
	const char *qemu = dc->hvm.device_model ? dc->hvm.device_model
	                                        : light_qdisk_qemu();
	const char *dir = getenv("LIGHTSTACK_DM_LOG_DIR");
	char log[PATH_MAX], sp[96], pp[96], pv[16], tail[300], qmp[PATH_MAX];
	struct dm_args *a;
	int exec_errno, bound = light_dm_start_bound(), up;
	pid_t pid;

	if (light_need_xs(c) < 0)
		return -1;
	if (access(qemu, X_OK) < 0)
		return lc_fail(c, errno, "an HVM guest needs QEMU's Xen build as "
		               "its device model: %s: %s (install qemu-system-xen)",
		               qemu, strerror(errno));
	a = calloc(1, sizeof(*a));
	if (!a)
		return lc_fail(c, ENOMEM, "out of memory");
	if (build_args(c, domid, dc, qemu, a) < 0) {
		free(a);
		return -1;
	}
	if (!dir || !*dir)
		dir = DM_LOG_DIR;
	(void)mkdir(dir, 0750);
	(void)mkdir(QMP_DIR, 0755);
	snprintf(log, sizeof(log), "%s/qemu-dm-%s.log", dir, dc->name);
	snprintf(sp, sizeof(sp), "/local/domain/0/device-model/%u/state", domid);
	pid_path(domid, pp, sizeof(pp));
	light_hvm_qmp_path(domid, qmp, sizeof(qmp));
	/* A socket or state an earlier QEMU of this domid left behind. */
	(void)unlink(qmp);
	(void)xsc_rm(c->xs, XSC_NO_TX, sp);

	pid = light_dm_spawn(qemu, a->argv, log, &exec_errno);
	free(a);
	if (pid < 0)
		return lc_fail(c, errno, "cannot start %s for domain %u: %s", qemu,
		               domid, strerror(errno));
	snprintf(pv, sizeof(pv), "%ld", (long)pid);
	if (xsc_write_str(c->xs, XSC_NO_TX, pp, pv) < 0) {
		light_error_xs(c, "xenstore write device-model-pid");
		(void)kill(pid, SIGKILL);
		return -1;
	}
	up = light_dm_wait_running(c, domid, pid, sp, bound);
	/* Running: what the toolstack finishes once QEMU is up.  The
	 * emulated NICs' taps go into their bridges; the VNC password is
	 * set and its address recorded; a pty serial port (QEMU chose the
	 * pty) is recorded where `xl console -t serial` finds it, as libxl
	 * does from QMP's query-chardev. */
	if (up == 1) {
		if (light_vif_plug_taps(c, domid, dc) == 0 &&
		    (!dc->hvm.vnc || light_hvm_setup_vnc(c, domid,
		                                         dc->hvm.vncpasswd) == 0) &&
		    (!dc->hvm.serial || strcmp(dc->hvm.serial, "pty") != 0 ||
		     light_hvm_record_serial(c, domid) == 0))
			return 0;
		/* A QEMU that died meanwhile says why in its log, not over
		 * the socket it dropped. */
		if (!light_dm_is_ours(pid, domid)) {
			light_dm_log_tail(log, tail, sizeof(tail));
			if (tail[0])
				lc_fail(c, EIO, "QEMU (device model) of domain %u exited: "
				        "%s%s (log: %s)", domid, tail,
				        dc->hvm.vncpasswd && strstr(tail, "DES") ?
				        "; this QEMU has no cipher for VNC passwords "
				        "(Debian's qemu-system-xen has none): drop "
				        "vncpasswd=" : "", log);
		}
		light_hvm_dm_stop(c, domid);
		return -1;
	}

	light_dm_log_tail(log, tail, sizeof(tail));
	light_hvm_dm_stop(c, domid);
	if (up == 0)
		return lc_fail(c, EIO, "QEMU (device model) of domain %u exited at "
		               "start%s%s (log: %s)", domid, tail[0] ? ": " : "",
		               tail, log);
	return lc_fail(c, ETIMEDOUT, "QEMU (device model) of domain %u did not "
	               "report running within %d ms (log: %s)", domid, bound, log);
}

void light_hvm_dm_stop(struct light_ctx *c, uint32_t domid)
{
	char p[PATH_MAX];
	pid_t pid;

	if (!c->xs)
		return;
	pid = recorded(c, domid);
	if (pid > 0)
		light_dm_kill(pid, domid);
	pid_path(domid, p, sizeof(p));
	(void)xsc_rm(c->xs, XSC_NO_TX, p);
	snprintf(p, sizeof(p), "/local/domain/%u/serial", domid);
	(void)xsc_rm(c->xs, XSC_NO_TX, p);
	light_hvm_qmp_path(domid, p, sizeof(p));
	(void)unlink(p);
	snprintf(p, sizeof(p), "/local/domain/0/device-model/%u", domid);
	(void)xsc_rm(c->xs, XSC_NO_TX, p);
}
