#!/bin/sh
# 66-xs-restart: xenstored dies (kill -9) with guests running and comes back
# with nothing lost, on real Xen.
#
# Three guests: r1 (on_poweroff=restart) and r2 boot, r3 is created paused
# (it is only destroyed; a boot would cost a minute under TCG).  Then:
#   1. kill -9 xenstored, start it again as dom0-init does: `xenstore-ls -p`
#      is the same before and after (the state came from the journal in
#      /var/lib/xenstored);
#   2. r2's console still answers through `xl console` (xenconsoled
#      reconnected to the new daemon and still serves and logs it);
#   3. kill -9 again and destroy r3 while no xenstored runs: once it is back
#      r3 leaves nothing (no /local/domain/<id>, no name entry, no xl list
#      line) and the domain vanishes (xenconsoled heard @releaseDomain);
#   4. a planned restart (SIGUSR2): same pid, same tree;
#   5. `xl shutdown -w r1` works (r1's xenbus saw control/shutdown through
#      the restored ring and watch) and lightmond, reconnected, applies
#      on_poweroff=restart: r1 runs again under a new id.
# The daemon this case leaves running is named in /run/xenstored/restarted.pid
# for dom0-init's end-of-run liveness check.
. "$LIGHTSTACK_TESTLIB"

B=$LIGHTSTACK_BUILD
XL=$B/xl/xl
XSD=$B/xenstored/xenstored
XSLS=$B/xenstored/xenstore-ls
XSR=$B/xenstored/xenstore-read
TG=$B/xenconsoled/console-testguest
CFG=$LIGHTSTACK_SRC/examples/guest.cfg
[ -x "$XL" ] && [ -x "$XSD" ] || skip_all "xl or xenstored not built"
[ -x "$TG" ] || skip_all "console-testguest not built"
[ -r "${GUEST_KERNEL:-}" ] && [ -r "${GUEST_RAMDISK:-}" ] || skip_all "no guest images"
[ -n "${XENSTORED_PID:-}" ] && kill -0 "$XENSTORED_PID" 2>/dev/null ||
	skip_all "our xenstored is not running"
export XENSTORED_PATH=/run/xenstored/socket
# lightmond, if this case starts it, logs here (kept with the results).
export LIGHTSTACK_LOG_DIR=$RESULTS/66-monitor
mkdir -p "$LIGHTSTACK_LOG_DIR"

plan 18

CONS=/var/log/xen/console
LOG=$RESULTS/xenstored.log
T="timeout 600"
ARGS="kernel=$GUEST_KERNEL ramdisk=$GUEST_RAMDISK memory=96 vcpus=1"
xsd=$XENSTORED_PID

domid_of() { $XL domid "$1" 2>/dev/null; }
ready() { [ "$($XSR /local/domain/$(domid_of $1)/control/feature-poweroff 2>/dev/null)" = 1 ]; }
newid() { n=$(domid_of "$1") && [ "$n" != "$2" ]; }
create() { # name, extra args...
	n=$1; shift
	rm -f "$CONS/guest-$n.log"
	$T "$XL" create -q "$CFG" $ARGS name=$n "$@" >&2 || diag "create $n failed"
}
ls_p() { $XSLS -p / 2>&1; }
# Kill xenstored the hard way and wait until it is gone.
kill9() {
	kill -9 "$xsd"
	wait_for 30 sh -c "! kill -0 $xsd 2>/dev/null"
}
# Start it as dom0-init does; wait for its socket to answer.
start() {
	rm -f /run/xenstored/socket
	"$XSD" ${XENSTORED_ARGS:--N} >>"$LOG" 2>&1 &
	xsd=$!
	echo "$xsd" >/run/xenstored/restarted.pid
	wait_for 60 "$XSR" /tool/xenstored
}
cleanup() {
	for g in r1 r2 r3; do
		timeout 60 $XL destroy "$g" >/dev/null 2>&1
	done
	rm -f /tmp/66-*
}
trap cleanup EXIT

create r1 on_poweroff=restart &
create r2 &
rm -f "$CONS/guest-r3.log"
$T "$XL" create -q -p "$CFG" $ARGS name=r3 >&2 || diag "create r3 failed" &
wait
all_up() { $XL domid r3 >/dev/null 2>&1 && ready r1 && ready r2; }
ok "r1 and r2 up (control/feature-poweroff), r3 created, within 600 s" wait_for 600 all_up
id1=$(domid_of r1) id2=$(domid_of r2) id3=$(domid_of r3)
diag "r1=$id1 r2=$id2 r3=$id3"

# ---- 1. kill -9, start again: the same store -----------------------------
ls_p >/tmp/66-before
kill9
ok "xenstored killed with SIGKILL" sh -c "! kill -0 $xsd 2>/dev/null"
start
ok "xenstored started again (pid $xsd)" kill -0 "$xsd"
ok "it restored its state from the journal" grep -q "state restored from" "$LOG"
ls_p >/tmp/66-after
if cmp -s /tmp/66-before /tmp/66-after; then
	pass "xenstore-ls -p before and after is the same ($(wc -l </tmp/66-after) lines)"
else
	fail "xenstore-ls -p before and after is the same" \
		"$(diff /tmp/66-before /tmp/66-after | head -n 8 | tr '\n' '|')"
fi

# ---- 2. r2's console answers through the reconnected xenconsoled ---------
word=xsr-$$-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
printf '\necho %s\n\035' "$word" | timeout 120 "$XL" console r2 >/dev/null 2>&1
in_log() { tr -d '\r' <"$CONS/guest-r2.log" | grep -qx "$word"; }
ok "xl console r2: the guest answered, xenconsoled logged it" wait_for 120 in_log
ok "xenconsoled still running" kill -0 "${XENCONSOLED_PID:-0}"

# ---- 3. a guest destroyed while xenstored is down leaves nothing --------
kill9
$T "$TG" destroy "$id3" >&2 2>/dev/null
start
ok "xenstored back after the second kill" kill -0 "$xsd"
nodes_gone() { ! $XSLS "/local/domain/$id3" >/dev/null 2>&1; }
ok "r3's /local/domain/$id3 is gone" wait_for 60 nodes_gone
ok "r3's name entry is gone" sh -c "! $XSR /tool/lightstack/names/r3 >/dev/null 2>&1"
vanished() { [ "$($TG state "$id3" 2>/dev/null)" = absent ]; }
ok "domain $id3 vanished (its console ring was let go)" wait_for 120 vanished
ok "xl list no longer shows r3" sh -c "! $XL list r3 >/dev/null 2>&1"
ok "the restart logged that it died meanwhile" \
	grep -q "domain $id3 died while xenstored was down" "$LOG"

# ---- 4. planned restart: same process, same store -----------------------
ls_p >/tmp/66-before
kill -USR2 "$xsd"
wait_for 30 grep -q "planned restart: exec" "$LOG"
sleep 1
ls_p >/tmp/66-after
ok "SIGUSR2: the same xenstored process serves on" kill -0 "$xsd"
if cmp -s /tmp/66-before /tmp/66-after; then
	pass "xenstore-ls -p the same across the planned restart"
else
	fail "xenstore-ls -p the same across the planned restart" \
		"$(diff /tmp/66-before /tmp/66-after | head -n 8 | tr '\n' '|')"
fi

# ---- 5. r1's xenbus and lightmond: shutdown, then the restart action ----
$T "$XL" shutdown -w r1 >&2
is "$?" 0 "xl shutdown -w r1 works after the restarts"
ok "lightmond applied on_poweroff=restart: r1 runs under a new id" \
	wait_for 300 newid r1 "$id1"
ok "r2 still listed and running" sh -c "$XL list r2 >/dev/null"
done_testing
