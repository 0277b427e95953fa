#!/bin/sh
# 75-console-release: the console daemon's mapping of a guest's ring keeps
# a destroyed domain alive (dying, a "zombie") until the daemon lets go.
# With the daemon stopped (SIGSTOP) a destroyed guest must stay dying;
# once it runs again it must notice, release the ring and the event
# channel, and the domain must vanish.  This is the negative control for
# 70-console's "fully gone" check: it shows that check can fail.
#
# Also: the guest's output written while the daemon was stopped is still
# in the ring when the daemon resumes; the daemon drains it into the log
# before letting go (a line printed right before destroy is not lost), and
# SIGHUP (log reopen) keeps the daemon running and logging.
. "$LIGHTSTACK_TESTLIB"

B=$LIGHTSTACK_BUILD
LOGDIR=/var/log/xen/console
NAME=console-rel-$$
XSR="$B/xenstored/xenstore-read"
TG="$B/xenconsoled/console-testguest"

plan 9

[ -n "${GUEST_KERNEL:-}" ] && [ -r "$GUEST_KERNEL" ] || bail "no GUEST_KERNEL"
[ -n "${GUEST_RAMDISK:-}" ] && [ -r "$GUEST_RAMDISK" ] || bail "no GUEST_RAMDISK"
[ -x "$TG" ] || bail "console-testguest not built"

ours=""
for p in $(pgrep 'xenconsoled$' 2>/dev/null); do
	case $(readlink "/proc/$p/exe" 2>/dev/null) in
	"$B"/xenconsoled/*) ours=$p ;;
	esac
done
[ -n "$ours" ] || bail "our xenconsoled is not running"

# The fixture, not xl: this case is about the daemon, and `xl destroy`
# might wait for the domain to vanish, which it cannot while we hold the
# daemon stopped.
domid=$(timeout 180 "$TG" create "$NAME" "$GUEST_KERNEL" "$GUEST_RAMDISK" 128)
case $domid in
''|*[!0-9]*) bail "console-testguest create failed" ;;
esac
pass "guest $NAME created (domid $domid)"
LOG=$LOGDIR/guest-$NAME.log
marker_in_log() { grep -q "LIGHTSTACK-GUEST-UP" "$LOG"; }
ok "guest marker logged" wait_for 300 marker_in_log

# SIGHUP: logs reopened, daemon alive, logging continues (checked below).
kill -HUP "$ours"
sleep 1
ok "xenconsoled survives SIGHUP" kill -0 "$ours"

# A command that prints a line 8 s later, typed through xenconsole; once
# its echo is in the log (so logging works after the SIGHUP too) we stop
# the daemon: the late line lands in the ring while nobody drains it.
late=LATE-$$
printf 'sleep 8; echo %s\n\035' "$late" | timeout 120 xenconsole "$domid" >/dev/null 2>&1
typed() { tr -d '\r' <"$LOG" | grep -q "sleep 8; echo $late"; }
ok "typed line logged after SIGHUP" wait_for 120 typed
state() { "$TG" state "$domid" 2>/dev/null; }
kill -STOP "$ours"
sleep 20
timeout 120 "$TG" destroy "$domid" >&2
# Give Xen time to finish whatever it can; the domain must stay dying.
sleep 10
is "$(state)" dying "destroyed domain stays dying while the daemon is stopped"
kill -CONT "$ours"
gone() { [ "$(state)" = absent ]; }
if ok "domain vanishes once the daemon runs again" wait_for 60 gone; then :; else
	diag "state: $(state)"
fi
if tr -d '\r' <"$LOG" | grep -qx "$late"; then
	pass "output left in the ring is drained into the log at teardown"
else
	fail "output left in the ring is drained into the log at teardown" \
		"log tail: $(tr -d '\r' <"$LOG" | tail -n 3 | tr '\n' '|')"
fi
ok "xenconsoled still running" kill -0 "$ours"
ok "console/tty of the dead domain is not recreated" \
	sh -c "! $XSR /local/domain/$domid/console/tty"
done_testing
