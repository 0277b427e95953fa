#!/bin/sh
# 88-autostart: xendomains (autostart/xendomains) on real Xen, with the
# build tree's xl.
#
#   start   the configs in the auto directory are created; a second start
#           creates nothing; status says they run
#   stop    every guest is asked to shut down at once; one that shuts down
#           is gone without being destroyed, one that cannot act (paused
#           after it booted) is destroyed after XENDOMAINS_STOP_MAXWAIT;
#           nothing is left, Domain-0 is untouched
#
# No network: the guests have no vif.
#
# At the quick depth only the guest that shuts down boots: the other is
# paused as soon as start has created it, which xendomains cannot tell
# from a guest paused after its boot (neither acts on the request).  The
# full depth lets both boot and pauses the second only once its kernel
# listens on control/shutdown.
. "$LIGHTSTACK_TESTLIB"

B=$LIGHTSTACK_BUILD
P=xd$$
LOGDIR=/var/log/xen/console
WAIT=20

plan 15

[ -r "${GUEST_KERNEL:-}" ] || bail "no GUEST_KERNEL"
[ -r "${GUEST_RAMDISK:-}" ] || bail "no GUEST_RAMDISK"
[ -x "$B/autostart/xendomains" ] || bail "no $B/autostart/xendomains"

cleanup() {
	for n in ${P}a ${P}b; do
		d=$(xl domid $n 2>/dev/null) && timeout 120 xl destroy "$d" >&2
	done
	rm -rf /tmp/$P*
}
trap cleanup EXIT

mkdir /tmp/$P.auto
for n in a b; do
	printf '%s\n' "name = \"$P$n\"" "kernel = \"$GUEST_KERNEL\"" \
	    "ramdisk = \"$GUEST_RAMDISK\"" 'extra = "console=hvc0"' \
	    'memory = 128' 'vcpus = 1' >/tmp/$P.auto/$n.cfg
done
printf '%s\n' "XL=$(command -v xl)" "XENDOMAINS_AUTO=/tmp/$P.auto" \
    "XENDOMAINS_STOP_MAXWAIT=$WAIT" >/tmp/$P.default
export XENDOMAINS_CONFIG=/tmp/$P.default
XD=$B/autostart/xendomains
guests() { xl list | awk 'NR > 1 && $2 != 0' | wc -l; }
n0=$(guests)
up() { tr -d '\r' <"$LOGDIR/guest-$1.log" 2>/dev/null | grep -q '^LIGHTSTACK-GUEST-UP'; }
feature() {
	d=$(xl domid "$1" 2>/dev/null) &&
	[ "$(/usr/bin/xenstore-read /local/domain/$d/control/feature-poweroff 2>/dev/null)" = 1 ]
}

# ---- start --------------------------------------------------------------
out=$(timeout 600 sh "$XD" start 2>&1)
is "$?" 0 "start: exit 0 ($(echo $out))"
ok "start: ${P}a runs" xl domid ${P}a
ok "start: ${P}b runs" xl domid ${P}b
# Quick: b never boots (its vCPU is no longer shared with a's boot).
full || ok "${P}b paused right after start" xl pause ${P}b
out=$(timeout 300 sh "$XD" start 2>&1)
like "$?:$out" "0:*${P}a already running*${P}b already running*" "start again: both already running, exit 0"
is "$(guests)" "$((n0 + 2))" "start again: nothing created twice"
ok "status: exit 0 while both run" sh "$XD" status

# ---- stop ---------------------------------------------------------------
# Both kernels up and listening for shutdown; then b is paused, so it gets
# the request but cannot act on it.  (Quick: a's only; b is paused.)
if full; then
	if wait_for 600 up ${P}a && wait_for 600 up ${P}b && wait_for 120 feature ${P}a &&
	    wait_for 120 feature ${P}b; then
		pass "both guests booted and listen on control/shutdown"
	else
		fail "both guests booted and listen on control/shutdown" \
		    "$(tail -c 400 "$LOGDIR/guest-${P}b.log" 2>&1 | tr -d '\r' | tr '\n' '|')"
	fi
	ok "${P}b paused" xl pause ${P}b
elif wait_for 600 up ${P}a && wait_for 120 feature ${P}a; then
	pass "${P}a booted and listens on control/shutdown"
else
	fail "${P}a booted and listens on control/shutdown" \
	    "$(tail -c 400 "$LOGDIR/guest-${P}a.log" 2>&1 | tr -d '\r' | tr '\n' '|')"
fi
t0=$(date +%s)
out=$(timeout 600 sh "$XD" stop 2>&1)
rc=$?
t1=$(date +%s)
printf '%s\n' "$out" >&2
is "$rc" 0 "stop: exit 0"
like "$out" "*shutting down ${P}a*" "stop: ${P}a asked to shut down"
# Line by line: the output's last line destroys b.
if printf '%s\n' "$out" | grep "${P}a (" | grep -q destroying; then
	fail "stop: ${P}a shut down cleanly, not destroyed" "$out"
else
	pass "stop: ${P}a shut down cleanly, not destroyed"
fi
like "$out" "*${P}b (*) still running after ${WAIT}s: destroying it*" \
    "stop: the paused ${P}b destroyed after the ${WAIT} s bound"
# stop stops every guest, a leftover of an earlier case too.
is "$(guests)" 0 "stop: no guest left"
t=$((t1 - t0))
if [ $t -ge $WAIT ] && [ $t -lt $((WAIT + 120)) ]; then pass "stop: bounded (${t} s for a ${WAIT} s wait)"
else fail "stop: bounded" "took $t s for a $WAIT s wait"; fi
like "$(xl list Domain-0 | tail -n 1)" "Domain-0 *" "stop: Domain-0 still there"
done_testing
