#!/bin/sh
# 70-console: Lightstack's xenconsoled serves a real PV guest's console.
#
# A busybox guest ($GUEST_KERNEL, $GUEST_RAMDISK) prints
# "LIGHTSTACK-GUEST-UP" on hvc0 and keeps a shell there.  We check that
# the daemon published a pty in console/tty, that the marker reached the
# guest's log file while nobody was attached, that a command typed through
# `xenconsole` (input piped, not a terminal) runs in the guest and its
# output comes back, that Ctrl-] detaches with exit 0 and nothing after it
# reaches the guest, that garbage in the console nodes does not hurt the
# daemon, and that after destroy the domain really goes away (the daemon
# released its ring mapping and event channel).
#
# The guest is made with `xl create` when our xl has it, else with the
# test fixture console-testguest (xenconsoled/tests/testguest.c).
. "$LIGHTSTACK_TESTLIB"

B=$LIGHTSTACK_BUILD
LOGDIR=/var/log/xen/console
NAME=console-test-$$
T="timeout 20"
XSR="$B/xenstored/xenstore-read"
XSW="$B/xenstored/xenstore-write"

plan 15

[ -n "${GUEST_KERNEL:-}" ] && [ -r "$GUEST_KERNEL" ] || bail "no GUEST_KERNEL"
[ -n "${GUEST_RAMDISK:-}" ] && [ -r "$GUEST_RAMDISK" ] || bail "no GUEST_RAMDISK"
[ -x "$B/xenconsoled/xenconsoled" ] || bail "xenconsoled not built"
[ -x "$XSR" ] || bail "xenstore-read not built"

# 1. Our daemon is running (dom0-init started it; it may have forked).
ours=""
# (libtool: the real binary is $B/xenconsoled/.libs/[lt-]xenconsoled.)
for p in $(pgrep 'xenconsoled$' 2>/dev/null); do
	case $(readlink "/proc/$p/exe" 2>/dev/null) in
	"$B"/xenconsoled/*) ours=$p ;;
	esac
done
started_here=""
if [ -z "$ours" ]; then
	mkdir -p $LOGDIR
	"$B/xenconsoled/xenconsoled" -i -v --log-dir=$LOGDIR 2>"$RESULTS/70-xenconsoled.log" &
	started_here=$!
	ours=$started_here
	sleep 1
	diag "started our own xenconsoled (pid $ours)"
fi
ok "our xenconsoled is running" kill -0 "$ours"

# 2. Create the guest: with our xl if it can, else with the fixture.
domid=""
how=""
if have xl && xl help 2>&1 | grep -qw create; then
	cfg=/tmp/$NAME.cfg
	cat >"$cfg" <<EOF
name = "$NAME"
kernel = "$GUEST_KERNEL"
ramdisk = "$GUEST_RAMDISK"
extra = "console=hvc0"
memory = 128
vcpus = 1
EOF
	# Under TCG on a loaded host a create can take a minute.
	if timeout 180 xl create "$cfg" >&2; then
		how="xl create"
		domid=$(xl domid "$NAME" 2>/dev/null)
	else
		diag "xl create failed (exit $?); trying console-testguest"
		d=$(xl domid "$NAME" 2>/dev/null) && timeout 60 xl destroy "$d" >&2
	fi
fi
if [ -z "$domid" ]; then
	how="console-testguest"
	domid=$(timeout 180 "$B/xenconsoled/console-testguest" create "$NAME" \
		"$GUEST_KERNEL" "$GUEST_RAMDISK" 128)
fi
case $domid in
''|*[!0-9]*) fail "guest created with $how" "no domid ('$domid')"
	[ -z "$started_here" ] || kill "$started_here"
	done_testing ;;
esac
pass "guest $NAME created with $how (domid $domid)"
CP=/local/domain/$domid/console

# 3. The daemon published a pty for it.
tty_ok() { t=$($XSR $CP/tty 2>/dev/null) && [ -c "$t" ]; }
ok "console/tty names a pty within 30 s" wait_for 30 tty_ok
diag "tty: $($XSR $CP/tty 2>&1)"

# 4. Output reached the log with nobody attached.
LOG=$LOGDIR/guest-$NAME.log
marker_in_log() { grep -q "LIGHTSTACK-GUEST-UP" "$LOG"; }
if ok "guest marker in $LOG within 120 s" wait_for 120 marker_in_log; then :; else
	diag "log: $(tail -c 600 "$LOG" 2>&1 | tr -d '\r' | tail -n 5)"
fi

# 5-7. Round trip through xenconsole with piped input, then Ctrl-].
word=hello-$$-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
after=after-escape-$$
out=/tmp/$NAME.out
t0=$(date +%s)
( sleep 2; printf '\n'; sleep 1; printf 'echo %s\n' "$word"; sleep 4
  printf '\035echo %s\n' "$after" ) | timeout 40 xenconsole "$domid" >"$out" 2>"$out.err"
rc=$?
t1=$(date +%s)
is "$rc" 0 "xenconsole exits 0 on Ctrl-] (took $((t1 - t0)) s)"
[ "$rc" = 0 ] || diag "stderr: $(cat "$out.err")"
# The guest echoes the typed line ("echo hello-..."); the command's own
# output is the word alone on a line.
if tr -d '\r' <"$out" | grep -qx "$word"; then
	pass "typed command ran in the guest and its output came back"
else
	fail "typed command ran in the guest and its output came back" \
		"output: $(tr -d '\r' <"$out" | tail -n 5 | tr '\n' '|')"
fi
word_in_log() { tr -d '\r' <"$LOG" | grep -qx "$word"; }
ok "the round trip is in the log too" wait_for 5 word_in_log
sleep 2
if grep -q "$after" "$LOG"; then
	fail "input after Ctrl-] did not reach the guest" "found $after in $LOG"
else
	pass "input after Ctrl-] did not reach the guest"
fi

# 8. A second client is refused while one is attached.
( sleep 6 ) | timeout 20 xenconsole "$domid" >/dev/null 2>&1 &
first=$!
sleep 2
second=$(timeout 10 xenconsole "$domid" </dev/null 2>&1 >/dev/null)
rc=$?
kill $first 2>/dev/null; wait $first 2>/dev/null
if [ $rc -eq 1 ]; then
	like "$second" "*already attached*" "a second xenconsole is refused"
else
	fail "a second xenconsole is refused" "exit $rc: $second"
fi

# 9. No pty for a domain that does not exist: a one-line error, exit 1.
msg=$(timeout 10 xenconsole --timeout 1 31000 </dev/null 2>&1 >/dev/null)
rc=$?
if [ $rc -eq 1 ] && [ "$(printf '%s\n' "$msg" | wc -l)" -eq 1 ]; then
	pass "xenconsole on a missing domain: exit 1, one line ($msg)"
else
	fail "xenconsole on a missing domain: exit 1, one line" "exit $rc: $msg"
fi

# 10-11. Garbage in the console nodes: the daemon logs and carries on.
port=$($XSR $CP/port)
ref=$($XSR $CP/ring-ref)
$XSW $CP/port "not-a-port" >&2
$XSW $CP/ring-ref "0x-garbage" >&2
sleep 1
$XSW $CP/port "$port" >&2
$XSW $CP/ring-ref "$ref" >&2
ok "xenconsoled survives garbage in console/port and console/ring-ref" kill -0 "$ours"
word2=again-$$
( sleep 1; printf 'echo %s\n' "$word2"; sleep 3; printf '\035' ) |
	timeout 30 xenconsole "$domid" >"$out" 2>&1
if tr -d '\r' <"$out" | grep -qx "$word2"; then
	pass "console still works after the garbage"
else
	fail "console still works after the garbage" \
		"output: $(tr -d '\r' <"$out" | tail -n 3 | tr '\n' '|')"
fi

# 12-14. Destroy: the domain must vanish entirely, which needs the daemon
# to unmap the ring and unbind the port; the daemon itself lives on.
if [ "$how" = "xl create" ]; then
	timeout 60 xl destroy "$domid" >&2
else
	timeout 60 "$B/xenconsoled/console-testguest" destroy "$domid" >&2
fi
pass "destroy requested"
gone() {
	# Xen keeps a dying domain while anyone maps its pages; the console
	# daemon is the only mapper left after the toolstack is done.
	[ "$("$B/xenconsoled/console-testguest" state "$domid" 2>/dev/null)" = absent ]
}
if ok "domain $domid fully gone within 30 s" wait_for 30 gone; then :; else
	diag "state: $("$B/xenconsoled/console-testguest" state "$domid" 2>&1)"
fi
ok "xenconsoled still running after destroy" kill -0 "$ours"

rm -f "$out" "$out.err" /tmp/$NAME.cfg
[ -z "$started_here" ] || kill "$started_here"
done_testing
