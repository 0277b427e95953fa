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
# The guest is made with our `xl create` and destroyed with `xl destroy`:
# either failing fails its test point (no fallback to a test fixture).
# console-testguest (xenconsoled/tests/testguest.c) only observes Xen's
# view of the domain afterwards.
. "$LIGHTSTACK_TESTLIB"

B=$LIGHTSTACK_BUILD
LOGDIR=/var/log/xen/console
NAME=console-test-$$
T="timeout 20"
XSR="$B/xenstored/xenstore-read"
XSW="$B/xenstored/xenstore-write"

plan 16

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
# dom0-init started it: one that is not running fails here, it is not
# replaced by a fresh one.
[ -n "$ours" ] || bail "our xenconsoled is not running (see xenconsoled.log)"
ok "our xenconsoled is running" kill -0 "$ours"

# 2. Create the guest with our xl.
domid=""
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
timeout 180 xl create "$cfg" >&2
rc=$?
[ $rc -eq 0 ] && domid=$(xl domid "$NAME" 2>/dev/null)
case $domid in
''|*[!0-9]*) fail "xl create $NAME" "exit $rc, no domid ('$domid')"
	d=$(xl domid "$NAME" 2>/dev/null) && timeout 120 xl destroy "$d" >&2
	rm -f "$cfg"
	done_testing ;;
esac
pass "xl create $NAME (domid $domid)"
CP=/local/domain/$domid/console

# 3. The daemon published a pty for it.
tty_ok() { t=$($XSR $CP/tty 2>/dev/null) && [ -c "$t" ]; }
ok "console/tty names a pty within 60 s" wait_for 60 tty_ok
diag "tty: $($XSR $CP/tty 2>&1)"

# 4. Output reached the log with nobody attached.
LOG=$LOGDIR/guest-$NAME.log
marker_in_log() { grep -q "LIGHTSTACK-GUEST-UP" "$LOG"; }
if ok "guest marker in $LOG within 300 s" wait_for 300 marker_in_log; then :; else
	diag "log: $(tail -c 600 "$LOG" 2>&1 | tr -d '\r' | tail -n 5)"
fi

# Attach a xenconsole whose stdin is a FIFO we hold open on fd 4, so the
# test types only once the client is attached and sends Ctrl-] only once
# the output it waits for arrived: no fixed sleeps (the host may be slow).
# --start-notify-fd tells us when it is attached.
attach() {
	rm -f "$fifo" "$out" "$out.err" "$out.notify"
	mkfifo "$fifo"
	xenconsole --start-notify-fd 3 "$domid" <"$fifo" >"$out" 2>"$out.err" \
		3>"$out.notify" &
	xc=$!
	exec 4>"$fifo"
	wait_for 120 test -s "$out.notify"
}
# Send Ctrl-] (and optionally more after it); the client's exit status.
detach() {
	printf '\035%s' "${1:-}" >&4
	wait_for 60 sh -c "! kill -0 $xc"
	kill "$xc" 2>/dev/null
	wait "$xc"
	_rc=$?
	exec 4>&-
	return $_rc
}
seen() { tr -d '\r' <"$out" | grep -qx "$1"; }
fifo=/tmp/$NAME.fifo
out=/tmp/$NAME.out

# 5-9. Round trip, a second client refused meanwhile, Ctrl-] detaches.
word=hello-$$-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
after=after-escape-$$
if attach; then
	pass "xenconsole attached (start notification received)"
else
	fail "xenconsole attached (start notification received)" "$(cat "$out.err")"
fi
printf '\necho %s\n' "$word" >&4
# The guest echoes the typed line ("echo hello-..."); the command's own
# output is the word alone on a line.
if ok "typed command ran in the guest, its output came back" wait_for 120 seen "$word"; then :; else
	diag "output: $(tr -d '\r' <"$out" | tail -n 5 | tr '\n' '|')"
fi
second=$(timeout 120 xenconsole "$domid" </dev/null 2>&1 >/dev/null)
rc=$?
if [ $rc -eq 1 ]; then
	like "$second" "*already attached*" "a second xenconsole is refused"
else
	fail "a second xenconsole is refused" "exit $rc: $second"
fi
detach "echo $after
"
is "$?" 0 "xenconsole exits 0 on Ctrl-]"
word_in_log() { tr -d '\r' <"$LOG" | grep -qx "$word"; }
ok "the round trip is in the log too" wait_for 30 word_in_log
# Anything after Ctrl-] would have been echoed by the guest within the
# time the first command took; give it a few seconds more.
sleep 5
if grep -q "$after" "$LOG"; then
	fail "input after Ctrl-] did not reach the guest" "found $after in $LOG"
else
	pass "input after Ctrl-] did not reach the guest"
fi

# 10. No pty for a domain that does not exist: a one-line error, exit 1.
msg=$(timeout 120 xenconsole --timeout 1 31000 </dev/null 2>&1 >/dev/null)
rc=$?
if [ $rc -eq 1 ] && [ "$(printf '%s\n' "$msg" | wc -l)" -eq 1 ]; then
	pass "xenconsole on a missing domain: exit 1, one line ($msg)"
else
	fail "xenconsole on a missing domain: exit 1, one line" "exit $rc: $msg"
fi

# 11-12. Garbage in the console nodes: the daemon logs and carries on.
port=$($XSR $CP/port)
ref=$($XSR $CP/ring-ref)
$XSW $CP/port "not-a-port" >&2
$XSW $CP/ring-ref "0x-garbage" >&2
$XSW $CP/port "$port" >&2
$XSW $CP/ring-ref "$ref" >&2
ok "xenconsoled survives garbage in console/port and console/ring-ref" kill -0 "$ours"
word2=again-$$
attach
printf 'echo %s\n' "$word2" >&4
if ok "console still works after the garbage" wait_for 120 seen "$word2"; then :; else
	diag "output: $(tr -d '\r' <"$out" | tail -n 3 | tr '\n' '|')"
fi
detach

# 13-15. Destroy: the domain must vanish entirely, which needs the daemon
# to unmap the ring and unbind the port; the daemon itself lives on.
timeout 120 xl destroy "$domid" >&2
is "$?" 0 "xl destroy $domid exits 0"
gone() {
	# Xen keeps a dying domain while anyone maps its pages; the console
	# daemon is the only mapper left after the toolstack is done.
	[ "$("$B/xenconsoled/console-testguest" state "$domid" 2>/dev/null)" = absent ]
}
if ok "domain $domid fully gone within 60 s" wait_for 60 gone; then :; else
	diag "state: $("$B/xenconsoled/console-testguest" state "$domid" 2>&1)"
fi
ok "xenconsoled still running after destroy" kill -0 "$ours"

rm -f "$out" "$out.err" "$out.notify" "$fifo" /tmp/$NAME.cfg
done_testing
