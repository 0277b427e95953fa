#!/bin/sh
# 86-vcpu-sched: vCPUs, affinity, schedulers and cpupools on real Xen.
#
# One PV guest with vcpus=1, maxvcpus=2 and cpus= / cpus_soft= in its
# config.  We check what create wrote (cpu/N/availability, the affinities
# Xen applied), bring vCPU 1 up and down with `xl vcpu-set` and watch the
# guest's own /sys/devices/system/cpu/online through its console shell,
# pin with `xl vcpu-pin` (hard, soft, "-", "all", bad input), and read and
# change the weight, cap and a pool parameter of Pool-0's scheduler.  Upstream's xl
# (from the image, a reader only here) must print the same lines for
# vcpu-list (apart from Time(s), which moves), sched-credit2 and
# cpupool-list, and fail the same way for sched-credit on this credit2
# host (Xen 4.17's default scheduler).  `xl list -l`, ours and upstream's,
# follows vcpu-set (avail_vcpus) and the weight and cap (sched_params) and
# keeps the configured affinity after vcpu-pin, as libxl does.  A create
# asking for a CPU the host does not have must fail and leave no domain
# behind.
. "$LIGHTSTACK_TESTLIB"

B=$LIGHTSTACK_BUILD
XL=$B/xl/xl
UP=/usr/lib/xen-4.17/bin/xl
[ -x $UP ] || UP=/usr/sbin/xl
XSR="$B/xenstored/xenstore-read"
NAME=vcpu-test-$$
LOGDIR=/var/log/xen/console
T="timeout 60"

[ -x "$XL" ] || bail "$XL not built"
[ -x "$UP" ] || bail "no upstream xl in the image"
[ -n "${GUEST_KERNEL:-}" ] && [ -r "$GUEST_KERNEL" ] || bail "no GUEST_KERNEL"
[ -n "${GUEST_RAMDISK:-}" ] && [ -r "$GUEST_RAMDISK" ] || bail "no GUEST_RAMDISK"

plan 47

tmp=$(mktemp -d)
domid=""
cleanup() {
	[ -n "$domid" ] && timeout 120 $XL destroy "$domid" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT

# The guest's lines of a vcpu-list without the Time(s) column (field 6),
# which moves between two calls.
no_time() { awk '{ $6 = ""; print }'; }

# Both xl's output of the same command, compared.  The state column of a
# vCPU may flip between running and blocked between the two calls, so a
# mismatch is retried a few times before it counts.
same_as_upstream() {
	_desc=$1
	_filter=$2
	shift 2
	_i=0
	while [ $_i -lt 5 ]; do
		$T "$XL" "$@" >"$tmp/ours" 2>"$tmp/ours.err"
		_r1=$?
		$T "$UP" "$@" >"$tmp/up" 2>"$tmp/up.err"
		_r2=$?
		if [ "$_filter" = time ]; then
			no_time <"$tmp/ours" >"$tmp/ours.f"
			no_time <"$tmp/up" >"$tmp/up.f"
		else
			cp "$tmp/ours" "$tmp/ours.f"
			cp "$tmp/up" "$tmp/up.f"
		fi
		if [ $_r1 -eq $_r2 ] && cmp -s "$tmp/ours.f" "$tmp/up.f"; then
			pass "$_desc (exit $_r1)"
			return 0
		fi
		_i=$((_i + 1))
		sleep 1
	done
	fail "$_desc" "exit ours $_r1 upstream $_r2"
	diff "$tmp/ours.f" "$tmp/up.f" | sed 's/^/#   /'
	sed 's/^/#   ours stderr: /' "$tmp/ours.err"
	sed 's/^/#   upstream stderr: /' "$tmp/up.err"
	return 1
}

# b_info.$3 of `$1 list -l $2` (ours or upstream's), as python prints it:
# list -l is the domain as it is now (libxl_retrieve_domain_configuration).
binfo() {
	$T "$1" list -l "$2" 2>/dev/null | python3 -c "
import json, sys
print(json.load(sys.stdin)[0]['config']['b_info'].get('$3'))" 2>&1
}

# b_info.sched_params of the same: scheduler, weight, cap.
bsched() {
	$T "$1" list -l "$2" 2>/dev/null | python3 -c "
import json, sys
p = json.load(sys.stdin)[0]['config']['b_info'].get('sched_params', {})
print(p.get('sched'), p.get('weight'), p.get('cap'))" 2>&1
}

# The affinity column ("H / S") of vCPU $1 of the guest.
affinity() {
	$T "$XL" vcpu-list "$NAME" 2>/dev/null |
		awk -v v="$1" '$3 == v { sub(/.*  /, ""); print }'
}
state() {
	$T "$XL" vcpu-list "$NAME" 2>/dev/null | awk -v v="$1" '$3 == v { print $5 }'
}

# Type a command into the guest's console shell and print its output
# line: the line is tagged so that the echo of what we typed (which
# shows "$(...)") is not mistaken for it.  Empty if nothing came back.
guest_run() {
	_tag=R$$-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
	rm -f "$tmp/fifo" "$tmp/con"
	mkfifo "$tmp/fifo"
	xenconsole --start-notify-fd 3 "$domid" <"$tmp/fifo" >"$tmp/con" \
		2>"$tmp/con.err" 3>"$tmp/con.notify" &
	_xc=$!
	exec 4>"$tmp/fifo"
	wait_for 120 test -s "$tmp/con.notify"
	printf '\necho %s:$(%s)\n' "$_tag" "$1" >&4
	_seen() { tr -d '\r' <"$tmp/con" | grep -q "^$_tag:"; }
	wait_for 120 _seen
	printf '\035' >&4
	wait_for 30 sh -c "! kill -0 $_xc"
	kill "$_xc" 2>/dev/null
	wait "$_xc" 2>/dev/null
	exec 4>&-
	rm -f "$tmp/con.notify"
	tr -d '\r' <"$tmp/con" | grep "^$_tag:" | head -n 1 | sed "s/^$_tag://"
}

# 1-2. A create asking for a CPU this 2-CPU host lacks fails, leaving
# nothing; NUMA node ranges are refused with a config error.
cat >"$tmp/bad.cfg" <<EOF
name = "$NAME-bad"
kernel = "$GUEST_KERNEL"
ramdisk = "$GUEST_RAMDISK"
memory = 96
cpus = "7"
EOF
timeout 180 $XL create "$tmp/bad.cfg" >"$tmp/bad.out" 2>&1
rc=$?
if [ $rc -ne 0 ] && ! $XL domid "$NAME-bad" >/dev/null 2>&1; then
	pass "create with cpus=\"7\" fails, no domain left ($(tail -n 1 "$tmp/bad.out"))"
else
	fail "create with cpus=\"7\" fails, no domain left" "exit $rc: $(cat "$tmp/bad.out")"
	d=$($XL domid "$NAME-bad" 2>/dev/null) && timeout 120 $XL destroy "$d" >&2
fi
sed -i 's/^cpus = .*/cpus = "nodes:0"/' "$tmp/bad.cfg"
msg=$(timeout 60 $XL create "$tmp/bad.cfg" 2>&1)
rc=$?
like "$rc $msg" "[1-9]*bad.cfg:5: cpus: *NUMA node ranges are not supported*" \
	"cpus=\"nodes:0\" is refused naming file:line"

# 3. The guest: vCPU 0 pinned to CPU 0, vCPU 1 anywhere, both preferring
# CPU 1; only vCPU 0 online at boot.
cat >"$tmp/g.cfg" <<EOF
name = "$NAME"
kernel = "$GUEST_KERNEL"
ramdisk = "$GUEST_RAMDISK"
extra = "console=hvc0"
memory = 128
vcpus = 1
maxvcpus = 2
cpus = ["0", "all"]
cpus_soft = "1"
EOF
timeout 300 $XL create "$tmp/g.cfg" >&2
rc=$?
[ $rc -eq 0 ] && domid=$($XL domid "$NAME" 2>/dev/null)
case $domid in
''|*[!0-9]*) fail "xl create $NAME" "exit $rc, no domid"; domid=""; done_testing ;;
esac
pass "xl create $NAME with vcpus=1 maxvcpus=2 cpus= cpus_soft= (domid $domid)"

# 4-5. xenstore availability as libxl writes it.
is "$($XSR /local/domain/$domid/cpu/0/availability 2>&1)" online "cpu/0/availability online"
is "$($XSR /local/domain/$domid/cpu/1/availability 2>&1)" offline "cpu/1/availability offline"

# 6-7. The affinities Xen applied, as vcpu-list shows them.
is "$(affinity 0)" "0 / 1" "vcpu 0: hard 0, soft 1 (cpus=[\"0\", ...], cpus_soft=\"1\")"
is "$(affinity 1)" "all / 1" "vcpu 1: hard all, soft 1"

# list -l: one vcpu available, the affinity as configured ("all" is this
# host's two CPUs); upstream's list -l reads the same.
is "$(binfo $XL $NAME avail_vcpus) $(binfo $UP $NAME avail_vcpus)" "[0] [0]" \
	"list -l avail_vcpus at boot, ours and upstream's"
is "$(binfo $XL $NAME vcpu_hard_affinity)" "[[0], [0, 1]]" "list -l vcpu_hard_affinity (cpus=[\"0\", \"all\"])"
is "$(binfo $UP $NAME vcpu_soft_affinity)" "[[1], [1]]" "upstream's list -l reads vcpu_soft_affinity (cpus_soft=\"1\")"

# 8. The header and both vCPUs, as upstream prints them.
same_as_upstream "vcpu-list $NAME matches upstream (but Time(s))" time vcpu-list "$NAME"

# Wait for the guest's shell before talking to it.
LOG=$LOGDIR/guest-$NAME.log
marker() { grep -q "LIGHTSTACK-GUEST-UP" "$LOG"; }
ok "guest marker on its console within 300 s" wait_for 300 marker

# 10. vCPU 1 is offline in the guest too.
is "$(guest_run 'cat /sys/devices/system/cpu/online')" 0 "guest sees cpus online: 0"

# 11-14. vcpu-set 2: availability online; the guest's kernel makes cpu1
# present and (as a udev rule would) the shell onlines it; Xen then runs
# vCPU 1.
ok "xl vcpu-set $NAME 2" $T $XL vcpu-set "$NAME" 2
is "$($XSR /local/domain/$domid/cpu/1/availability 2>&1)" online "cpu/1/availability online"
got=$(guest_run 'for i in 1 2 3 4 5 6 7 8 9 10; do [ -e /sys/devices/system/cpu/cpu1/online ] && break; sleep 3; done; echo 1 >/sys/devices/system/cpu/cpu1/online; cat /sys/devices/system/cpu/online')
is "$got" 0-1 "guest brought cpu1 up: cpus online 0-1"
vcpu1_up() { s=$(state 1); [ -n "$s" ] && [ "$s" != "--p" ]; }
ok "xl vcpu-list shows vcpu 1 online" wait_for 60 vcpu1_up
is "$(binfo $XL $NAME avail_vcpus) $(binfo $UP $NAME avail_vcpus)" "[0, 1] [0, 1]" \
	"list -l avail_vcpus after vcpu-set 2, ours and upstream's"

# 15-17. vcpu-set 1: the guest's kernel takes cpu1 down by itself.
ok "xl vcpu-set $NAME 1" $T $XL vcpu-set "$NAME" 1
vcpu1_down() { [ "$(state 1)" = "--p" ]; }
ok "xl vcpu-list shows vcpu 1 offline (--p) within 120 s" wait_for 120 vcpu1_down
is "$(guest_run 'cat /sys/devices/system/cpu/online')" 0 "guest took cpu1 down: cpus online 0"
is "$(binfo $XL $NAME avail_vcpus) $(binfo $UP $NAME avail_vcpus)" "[0] [0]" \
	"list -l avail_vcpus after vcpu-set 1, ours and upstream's"

# 18-20. vcpu-set bad input.
msg=$($T $XL vcpu-set "$NAME" 3 2>&1)
rc=$?
like "$rc $msg" "[1-9]*You are overcommmitting!*" "vcpu-set 3 on a 2-CPU host refused"
msg=$($T $XL vcpu-set -i "$NAME" 3 2>&1)
rc=$?
like "$rc $msg" "[1-9]*requested 3 vcpus, but the maximum of domain $domid is 2*" \
	"vcpu-set -i 3 above maxvcpus refused"
msg=$($T $XL vcpu-set "$NAME" 1x 2>&1)
rc=$?
is "$rc $msg" "1 Error: Invalid argument." "vcpu-set 1x: Error: Invalid argument."

# 21-25. vcpu-pin: hard only ("-" keeps soft), soft only, all vCPUs.
ok "xl vcpu-pin $NAME 1 1 -" $T $XL vcpu-pin "$NAME" 1 1 -
is "$(affinity 1)" "1 / 1" "vcpu 1 hard now 1, soft kept"
ok "xl vcpu-pin $NAME all - 0" $T $XL vcpu-pin "$NAME" all - 0
is "$(affinity 0) | $(affinity 1)" "0 / 0 | 1 / 0" "soft 0 on every vcpu, hard kept"
$T $XL vcpu-pin "$NAME" 0 all all >&2
is "$(affinity 0)" "all / all" "vcpu-pin 0 all all"

# 26. Upstream reads the same pinning.
same_as_upstream "vcpu-list $NAME after pinning matches upstream (but Time(s))" \
	time vcpu-list "$NAME"
# libxl keeps the configured affinity in list -l after vcpu-pin; so do we.
is "$(binfo $XL $NAME vcpu_hard_affinity) $(binfo $UP $NAME vcpu_hard_affinity)" \
	"[[0], [0, 1]] [[0], [0, 1]]" "list -l vcpu_hard_affinity after vcpu-pin: as configured, ours and upstream's"

# 27-29. vcpu-pin bad input: nothing changes.
msg=$($T $XL vcpu-pin "$NAME" 5 0 2>&1)
rc=$?
like "$rc $msg" "[1-9]*no vcpu 5*" "vcpu-pin of a vcpu the domain lacks fails"
msg=$($T $XL vcpu-pin "$NAME" 0 7 2>&1)
rc=$?
like "$rc $msg" "[1-9]*affinity of vcpu 0*" "vcpu-pin to a CPU the host lacks fails"
msg=$($T $XL vcpu-pin "$NAME" 0 nodes:0 2>&1)
rc=$?
like "$rc $msg" "[1-9]*NUMA node ranges are not supported*" "vcpu-pin nodes:0 refused"

# 30. --json.
$T $XL vcpu-list --json "$NAME" >"$tmp/j" 2>&1
if grep -q '"vcpus"' "$tmp/j" && grep -q '"hard_affinity": "all"' "$tmp/j" &&
   [ "$(grep -c '"vcpu":' "$tmp/j")" -eq 2 ]; then
	pass "vcpu-list --json: 2 vcpus, affinities"
else
	fail "vcpu-list --json: 2 vcpus, affinities" "$(head -c 600 "$tmp/j")"
fi

# 31-38. The scheduler of Pool-0 (Xen 4.17 defaults to credit2; a boot
# with sched=credit in LIGHTSTACK_XEN_CMDLINE takes the credit branch):
# the guest's weight and cap, the pool's parameters, and the other
# scheduler's command failing as upstream's does.
sched=$($T $XL cpupool-list 2>/dev/null | awk 'NR == 2 { print $3 }')
case $sched in
credit) other=credit2 ;;
*) sched=credit2 other=credit ;;
esac
diag "Pool-0 runs $sched"
ok "xl sched-$sched -d $NAME -w 512 -c 50" $T $XL sched-$sched -d "$NAME" -w 512 -c 50
got=$($T $XL sched-$sched -d "$NAME" | awk 'NR == 2 { print $3, $4 }')
is "$got" "512 50" "weight 512 cap 50 read back"
is "$(bsched $XL $NAME) | $(bsched $UP $NAME)" "$sched 512 50 | $sched 512 50" \
	"list -l sched_params after sched-$sched -w 512 -c 50, ours and upstream's"
same_as_upstream "sched-$sched -d $NAME matches upstream" - sched-$sched -d "$NAME"
same_as_upstream "sched-$sched (all pools and domains) matches upstream" - sched-$sched

# 35-36. A pool parameter: set, seen by upstream, restored.
if [ $sched = credit ]; then
	orig=$($T $XL sched-credit -s | sed -n 's/.*tslice=\([0-9]*\)ms.*/\1/p')
	$T $XL sched-credit -s -t 20 >&2
	same_as_upstream "sched-credit -s after -t 20 matches upstream" - sched-credit -s
	like "$($T $UP sched-credit -s 2>/dev/null)" "Cpupool Pool-0: tslice=20ms ratelimit=*" \
		"upstream reads tslice=20ms"
	[ -n "$orig" ] && $T $XL sched-credit -s -t "$orig" >&2
else
	orig=$($T $XL sched-credit2 -s | sed -n 's/.*ratelimit=\([0-9]*\)us.*/\1/p')
	$T $XL sched-credit2 -s -r 2000 >&2
	same_as_upstream "sched-credit2 -s after -r 2000 matches upstream" - sched-credit2 -s
	is "$($T $UP sched-credit2 -s 2>/dev/null)" "Cpupool Pool-0: ratelimit=2000us" \
		"upstream reads ratelimit=2000us"
	[ -n "$orig" ] && $T $XL sched-credit2 -s -r "$orig" >&2
fi

# 37-38. The other scheduler's command on this pool fails as upstream's.
same_as_upstream "sched-$other (no $other pool) matches upstream" - sched-$other
same_as_upstream "sched-$other -d 0 on $sched fails as upstream" - sched-$other -d 0

# 39-40. cpupool-list.
same_as_upstream "cpupool-list matches upstream" - cpupool-list
same_as_upstream "cpupool-list -c matches upstream" - cpupool-list -c

timeout 120 $XL destroy "$domid" >&2 && domid=""
done_testing
