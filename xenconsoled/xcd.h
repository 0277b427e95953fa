/*
 * xcd.h - internal interfaces of the console daemon (not installed).
 *
 * xenconsoled is split by concern, one file each:
 *   xenconsoled.c  the process: options, signals, pid file, daemonising,
 *                  start-up and shut-down, our own messages (say);
 *   guests.c       which guests exist: the domain list, watches on
 *                  @introduceDomain/@releaseDomain, adding and removing;
 *   console.c      one guest's console: reading its xenstore nodes,
 *                  mapping the ring, binding the event channel, copying
 *                  output to the log and the pty backlog;
 *   pty.c          the pseudo-terminal clients attach to, and its path in
 *                  xenstore;
 *   loop.c         the main loop over xenstore, the event channel device
 *                  and every pty.
 * The pure pieces (ring arithmetic, log files, options, escapes) are in
 * libconscore (ring.c, clog.c, opts.c, escape.c), shared with xenconsole
 * and the unit tests.  Data structures are explained here, where defined.
 */
#ifndef LIGHTSTACK_XCD_H
#define LIGHTSTACK_XCD_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/io/console.h>

#include "libctrl.h"
#include "xsclient.h"
#include "clog.h"
#include "opts.h"
#include "ring.h"

#define PROG "xenconsoled"

/* How often every known guest is checked against the hypervisor's domain
 * list even without a xenstore event: a safety net for a missed
 * @releaseDomain, since our mapping keeps a dying domain's memory alive. */
#define RESCAN_MS 10000

/* Ring-fulls (2 KiB each) copied from one guest before we look at the
 * others: a guest printing non-stop must not starve the rest.  What is
 * left is picked up on the next turn of the main loop. */
#define PUMP_ROUNDS 8

/*
 * struct guest - one domain's console.
 *
 * Created for every live domain other than Dom0, even before its console
 * nodes exist (we watch `conspath` and connect once they appear).  The
 * console is "connected" when `intf` is mapped and `local_port` bound;
 * `master_fd`/`slave_fd` are the pty, opened once and kept for the life of
 * the domain.  We hold the slave open ourselves so that the master never
 * reports EIO between two clients (Linux closes a pty when the last slave
 * fd goes away).
 */
struct guest {
	struct guest *next;
	uint32_t domid;
	char conspath[48];          /* /local/domain/<id>/console */
	char token[24];             /* watch token "dom<id>" */
	bool watched;
	bool connected;             /* ring mapped and port bound */
	char last_err[160];         /* last one-line problem, to log it once */

	struct xencons_interface *intf;  /* ring.page, NULL when unmapped */
	struct ctrl_ring ring;      /* the mapping, for ctrl_ring_unmap */
	uint64_t ring_ref;          /* frame from xenstore */
	uint32_t remote_port;       /* guest's end */
	int local_port;             /* our end, -1 when unbound */

	int master_fd, slave_fd;    /* pty, -1 when none */
	char tty[64];               /* slave path, as written to xenstore */

	struct cons_log log;
	bool log_open;
	bool log_failed;            /* a write failed; reported once */
	struct cons_obuf obuf;      /* pending pty output */
	bool more_output;           /* ring not drained: pump next turn */
	uint64_t dropped_reported;  /* obuf.dropped already reported */
	bool reap;                  /* tear down at the end of this loop */
};

/* Everything the daemon owns. */
struct daemon {
	struct cd_opts opts;
	struct xsc_handle *xs;
	struct ctrl_handle *ctrl;   /* domain list, ring mappings */
	struct ctrl_evtchn *evtchn;
	struct guest *guests;
	int pid_fd;
};

/* Set by the signal handler (xenconsoled.c), polled by the main loop; a
 * dead xenstore connection also sets got_term. */
extern volatile sig_atomic_t got_term, got_hup;
/* Messages go to syslog once daemonised, to stderr before. */
extern bool use_syslog;

/* Our own messages: stderr in the foreground, syslog as a daemon. */
void say(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- The pty (pty.c) --------------------------------------------- */

/* A pty in raw mode, master non-blocking, both ends kept open (fills
 * g->master_fd, slave_fd, tty); -1 with errno, nothing left open. */
int open_pty(struct guest *g);
/* Write g->tty to console/tty, only while console/ring-ref exists. */
int publish_tty(struct daemon *d, struct guest *g);
/* Backlog to the pty master, as much as it takes now. */
void pty_write(struct guest *g);
/* What was typed to the guest's input ring, as much as fits. */
void pty_read(struct daemon *d, struct guest *g);

/* ---- One guest's console (console.c) ------------------------------ */

/* (Re)read console/ring-ref, port and type and connect: map, bind, open
 * the pty and the log, publish the tty.  Quiet when nothing changed. */
void guest_connect(struct daemon *d, struct guest *g);
/* Ring output to the log and the pty backlog, at most PUMP_ROUNDS
 * ring-fulls; true when there may be more. */
bool pump_output(struct daemon *d, struct guest *g);
/* Kick the guest's end of the console event channel. */
void notify_guest(struct daemon *d, struct guest *g);
/* Report a problem with one guest once (until its message changes). */
void guest_problem(struct guest *g, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Undo the mapping / the binding (no-ops when there is none). */
void unmap_ring(struct daemon *d, struct guest *g);
void unbind_port(struct daemon *d, struct guest *g);

/* ---- Which guests exist (guests.c) ------------------------------- */

/* Follow the domain list: add new guests, remove dying and gone ones. */
void scan_domains(struct daemon *d);
/* Drain, release and free one guest. */
void guest_remove(struct daemon *d, struct guest *g);
/* Handle every queued xenstore watch event / pending event channel. */
void handle_watches(struct daemon *d);
void handle_events(struct daemon *d);

/* ---- The main loop (loop.c) -------------------------------------- */

/* Serve until got_term; waitmask is the signal mask inside ppoll. */
void run(struct daemon *d, const sigset_t *waitmask);

#endif /* LIGHTSTACK_XCD_H */
