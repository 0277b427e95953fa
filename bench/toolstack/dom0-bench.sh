#!/bin/sh
# dom0-bench: time `xl create`, `xl list` and `xl destroy` in Dom0 with the
# toolstack that brought Dom0 up (LIGHTSTACK_TOOLSTACK, set by dom0-init:
# lightstack or upstream).  Run by bench/toolstack/run through
# `tests/system/run-qemu --case`, once per toolstack; never part of the
# tests (it lives outside tests/system/cases, so --all does not find it).
#
# Output is TAP (one test point per step that must work) plus one
# diagnostic line per metric, the median in milliseconds, which the host
# driver reads back from results/cases/dom0-bench.tap ("# bench NAME MS"):
#
#   true_ms          starting /bin/true: a calibration (see below)
#   true_9p_ms       the same with LD_LIBRARY_PATH at the 9p build tree
#   create_ms        `xl create` of a bare guest (kernel, ramdisk, no
#                    devices), until xl returns
#   up_ms            the same clock, until the guest's marker line is in
#                    its console log (its init ran, frontends loaded)
#   list_ms          `xl list` with that guest
#   attach_dev_ms    `xl block-attach` of a file-backed disk and `xl
#                    network-attach` of a vif on bridge xenbr0 to that
#                    running guest, until both backends are Connected
#   detach_dev_ms    `xl block-detach` and `xl network-detach` of them
#   attach_vif_ms    `xl network-attach` of the vif alone, until Connected
#                    (upstream runs vif-bridge, Lightstack plugs it in C)
#   detach_vif_ms    `xl network-detach` of it
#   attach_phy_ms    `xl block-attach` of `phy:` a loop device this script
#                    made beforehand, until Connected (upstream's block
#                    script has no losetup to do; under TCG it still
#                    outlasted libxl's 40 s hotplug timeout in every run
#                    so far, as for the file disk, so upstream has no
#                    value here yet and the vif rows are the device
#                    ratio)
#   detach_phy_ms    `xl block-detach` of it
#   destroy_ms       `xl destroy` of that running guest
#   destroy_paused_ms  `xl destroy` of a guest made with `xl create -p`,
#                    which never ran
#   create_dev_ms    `xl create` of the guest with one file-backed disk (a
#                    raw image: Lightstack attaches a loop device itself,
#                    upstream runs its block script) and one vif on bridge
#                    xenbr0 (Lightstack plugs it in C, upstream runs
#                    vif-bridge), until xl returns
#   up_dev_ms        the same clock, until both backends are Connected
#                    (state 4: the guest's blkfront and netfront are up)
#                    and the marker is in the console log
#   destroy_dev_ms   `xl destroy` of that guest
#   dev_setup_ms     up_dev_ms - up_ms: what the two devices cost, from
#                    create to a guest that uses them (the guest's own boot
#                    is in both terms and cancels out)
#   dev_setup_xl_ms  create_dev_ms - create_ms: what they cost inside
#                    `xl create` alone (both toolstacks set devices up
#                    before xl returns)
#   create_pvh_ms    `xl create -p` of the bare guest as type "pvh" (the
#                    ELF kernel), until xl returns: the PVH build
#   destroy_pvh_ms   `xl destroy` of it
#   create_hvm_ms    `xl create -p` of it as type "hvm" (vga "none", the
#                    kernel QEMU loads): the HVM build, hvmloader and
#                    SeaBIOS loaded, and QEMU started until "running"
#   destroy_hvm_ms   `xl destroy` of it, QEMU stopped
#
# Environment: BENCH_N iterations (default 5, 1..100), BENCH_LIST_N `xl
# list` runs per iteration (default 10, 1..100).
#
# Clock: /proc/uptime read with the shell's `read` builtin.  It is
# monotonic and costs no process start, which under TCG (~150 ms a
# process) would otherwise be a large, constant bias towards a ratio of 1.
# Its resolution is 10 ms, well under the shortest command timed here.
# The waits for "up" poll every ~0.1 s plus one process start (the
# console log is read with builtins; the backend states with one
# xenstore-read of both nodes), alike for both toolstacks.
#
# Fairness: everything the timed commands start runs from Dom0's tmpfs
# with the same environment in both boots.  Lightstack's programs are
# copied out of the 9p build tree (its libtool wrappers are bash scripts,
# and the build tree is a network file system), and LD_LIBRARY_PATH names
# only that tmpfs copy.  Pointing it at the 9p build tree made every
# process, /bin/true included, look for libc there first: that made
# Lightstack's true_ms twice upstream's (issue 13).
. "$LIGHTSTACK_TESTLIB"

NAME=bench
CFG=/tmp/bench.cfg
OUT=/tmp/bench.out
CONSOLE_LOG=/var/log/xen/console/guest-$NAME.log
T="timeout 600"

# count VAR VALUE: bail unless VALUE is a whole number in 1..100.
count() {
	case $2 in
	''|*[!0-9]*) bail "$1='$2': want a whole number 1..100" ;;
	esac
	[ "${#2}" -le 3 ] && [ "$2" -ge 1 ] && [ "$2" -le 100 ] ||
		bail "$1=$2: out of range 1..100"
}
N=${BENCH_N:-5}
LIST_N=${BENCH_LIST_N:-10}
count BENCH_N "$N"
count BENCH_LIST_N "$LIST_N"

# The programs timed, copied to tmpfs (see "Fairness" above).  Lightstack:
# the real binaries behind libtool's wrappers and the libraries they
# need.  Upstream: /usr/sbin/xl is a wrapper too (xen-utils-wrapper), so
# use the versioned binary, which is on Dom0's own root.  Both boots poll
# the backends with Lightstack's xenstore-read, so the waits cost the
# same.
TOOLSTACK=${LIGHTSTACK_TOOLSTACK:-lightstack}
B=$LIGHTSTACK_BUILD
BIN=/tmp/bench-bin
rm -rf $BIN
mkdir -p $BIN || bail "cannot create $BIN"
for f in "$B"/libctrl/.libs/liblightstack-ctrl.so* \
	"$B"/liblight/.libs/liblightstack-light.so* \
	"$B"/xenstored/.libs/liblightstack-xs.so* \
	"$B"/xenstored/.libs/xenstore-read "$B"/xenstored/.libs/xenstore-list \
	"$B"/xl/.libs/xl; do
	cp -P "$f" $BIN/ || bail "cannot copy $f to $BIN"
done
LD_LIBRARY_PATH=$BIN
export LD_LIBRARY_PATH
XSREAD=$BIN/xenstore-read
XSLIST=$BIN/xenstore-list
case $TOOLSTACK in
lightstack) XL=$BIN/xl ;;
upstream)   XL=/usr/lib/xen-4.17/bin/xl ;;
*)          bail "LIGHTSTACK_TOOLSTACK='$TOOLSTACK': want lightstack or upstream" ;;
esac
[ -x "$XL" ] || bail "no xl at $XL"
[ -r "${GUEST_KERNEL:-}" ] || bail "no guest kernel (GUEST_KERNEL)"
[ -r "${GUEST_RAMDISK:-}" ] || bail "no guest ramdisk (GUEST_RAMDISK)"

# now: milliseconds since boot, into $now.
now() {
	read -r _up _idle </proc/uptime
	_s=${_up%.*}
	_c=${_up#*.}
	now=$((_s * 1000 + ${_c#0} * 10))
}

# timed CMD...: run CMD (output in $OUT), its duration in ms in $ms, the
# clock at its start in $t0; keeps CMD's exit status.
timed() {
	now
	t0=$now
	$T "$@" >$OUT 2>&1
	_rc=$?
	now
	ms=$((now - t0))
	return $_rc
}

# median FILE: the median of the numbers in FILE, one a line (the mean of
# the two middle ones for an even count), rounded to whole ms.
median() {
	sort -n "$1" | awk '{ v[NR] = $1 }
		END { if (NR % 2) print v[(NR + 1) / 2];
		      else printf "%d\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 + 0.5 }'
}

# show: the failed command's output as diagnostics.
show() { sed 's/^/#   /' $OUT; }

# marker: the guest's marker line is in its console log.  Builtins only,
# so polling it costs no process start.
marker() {
	[ -r "$CONSOLE_LOG" ] || return 1
	while read -r _line; do
		case $_line in
		*LIGHTSTACK-GUEST-UP*) return 0 ;;
		esac
	done <"$CONSOLE_LOG"
	return 1
}

# devs_connected DOMID [DEVS]: the backends DEVS names ("KIND/DEVID"
# words; default "vbd/51712 vif/0": the disk xvda and vif 0) are all
# Connected (4), read with one xenstore-read.
devs_connected() {
	_paths=""
	_want=""
	for _k in ${2:-vbd/51712 vif/0}; do
		_paths="$_paths /local/domain/0/backend/${_k%%/*}/$1/${_k#*/}/state"
		_want="${_want}4 "
	done
	# shellcheck disable=SC2086 # the paths are words on purpose
	[ "$($XSREAD $_paths 2>/dev/null | tr '\n' ' ')" = "$_want" ]
}

# until_up START [DOMID [DEVS]]: wait (up to 300 s) for the marker and,
# with a DOMID, for its devices (DEVS, as devs_connected) to be
# Connected; then $ms is the time since START (a clock value from timed).
until_up() {
	_end=$(($1 + 300000))
	while :; do
		if marker && { [ -z "${2:-}" ] || devs_connected "$2" "${3:-}"; }; then
			now
			ms=$((now - $1))
			return 0
		fi
		now
		[ $now -lt $_end ] || return 1
		sleep 0.1
	done
}

# destroy_guest ROW DESC: xl destroy, timed into /tmp/bench.ROW; marks
# the run failed if it fails.
destroy_guest() {
	if timed "$XL" destroy $NAME; then
		echo $ms >>/tmp/bench.$1
		pass "iteration $i: xl destroy $2($ms ms)"
	else
		fail "iteration $i: xl destroy $2(exit $_rc)"
		show
		failed=1
	fi
	rm -f "$CONSOLE_LOG"
}

# hotplug ROW DEVS [DISK VDEV]: attach to the running guest $NAME (domid
# $d) the devices DEVS names (as devs_connected: vbd/DEVID is DISK, its
# vdev VDEV; vif/0 a vif on xenbr0), until they are Connected, timed into
# /tmp/bench.attach_ROW; then detach them, timed into
# /tmp/bench.detach_ROW.  A failure fails its test points and ends that
# row (later iterations skip it, $hp_failed_ROW), but keeps the others:
# the rest of the run does not depend on it, and each row's disk has a
# vdev of its own, so one row's disk left attached does not fail the
# next.  Two test points per call.
hotplug() {
	eval "_was=\${hp_failed_$1:-0}"
	if [ "$_was" -eq 1 ]; then
		skip "iteration $i: hot-plug $2 (it failed before)"
		skip "iteration $i: hot-unplug $2 (it failed before)"
		return
	fi
	: >$OUT
	now
	_a0=$now
	_ok=1
	for _k in $2; do
		case $_k in
		vbd/*) $T "$XL" block-attach $NAME "$3" >>$OUT 2>&1 || _ok=0 ;;
		vif/*) $T "$XL" network-attach $NAME bridge=xenbr0 >>$OUT 2>&1 || _ok=0 ;;
		esac
	done
	if [ $_ok -eq 1 ] && until_up $_a0 "$d" "$2"; then
		echo $ms >>/tmp/bench.attach_$1
		pass "iteration $i: hot-plug $2 until Connected ($ms ms)"
	else
		fail "iteration $i: hot-plug $2 until Connected"
		show
		eval "hp_failed_$1=1"
		skip "iteration $i: hot-unplug $2 (hot-plug failed)"
		# What did attach goes, so the next set starts clean.
		for _k in $2; do
			case $_k in
			vbd/*) $T "$XL" block-detach $NAME "$4" >/dev/null 2>&1 ;;
			vif/*) $T "$XL" network-detach $NAME "${_k#vif/}" >/dev/null 2>&1 ;;
			esac
		done
		return
	fi
	: >$OUT
	now
	_a0=$now
	for _k in $2; do
		case $_k in
		vbd/*) $T "$XL" block-detach $NAME "$4" >>$OUT 2>&1 || _ok=0 ;;
		vif/*) $T "$XL" network-detach $NAME "${_k#vif/}" >>$OUT 2>&1 || _ok=0 ;;
		esac
	done
	now
	ms=$((now - _a0))
	if [ $_ok -eq 1 ]; then
		echo $ms >>/tmp/bench.detach_$1
		pass "iteration $i: hot-unplug $2 ($ms ms)"
	else
		fail "iteration $i: hot-unplug $2"
		show
		eval "hp_failed_$1=1"
	fi
}

ROWS="true true_9p create up list attach_dev detach_dev attach_vif detach_vif attach_phy detach_phy destroy destroy_paused create_dev up_dev destroy_dev create_pvh destroy_pvh create_hvm destroy_hvm"

cat >$CFG <<EOF
name = "$NAME"
kernel = "${GUEST_BZIMAGE:-$GUEST_KERNEL}"
ramdisk = "$GUEST_RAMDISK"
extra = "console=hvc0"
memory = 128
vcpus = 1
EOF

plan $((N * 18))
diag "toolstack $TOOLSTACK, xl $XL, $N iterations, $LIST_N xl list each"
for m in $ROWS; do
	: >/tmp/bench.$m
done
# Calibration, not a toolstack metric: starting a process costs the same
# with either toolstack on an equally busy machine, so a ratio of true_ms
# far from 1 says the two boots ran on differently loaded hosts (other
# QEMUs) and the other ratios are skewed by as much.
j=1
while [ $j -le 10 ]; do
	timed /bin/true && echo $ms >>/tmp/bench.true
	j=$((j + 1))
done
# The same with LD_LIBRARY_PATH at the 9p build tree, as this script had
# it before: shows, in every boot, what that costs each process start.
LD_LIBRARY_PATH=$B/liblight/.libs:$B/libctrl/.libs:$B/xenstored/.libs
j=1
while [ $j -le 10 ]; do
	timed /bin/true && echo $ms >>/tmp/bench.true_9p
	j=$((j + 1))
done
LD_LIBRARY_PATH=$BIN

# The disk image and the bridge, for the hot-plug rows and the guest with
# devices.
DISK=/tmp/bench-disk.img
dd if=/dev/zero of=$DISK bs=1M count=16 2>/dev/null
PHYIMG=/tmp/bench-phy.img
dd if=/dev/zero of=$PHYIMG bs=1M count=16 2>/dev/null
LOOP=$(losetup -f --show $PHYIMG) || bail "cannot attach $PHYIMG to a loop device"
made_br=""
if ! ip link show xenbr0 >/dev/null 2>&1; then
	ip link add xenbr0 type bridge && made_br=yes
fi
ip link set xenbr0 up

# ---- a bare guest: create, up, list, hot-plug, destroy; a paused one ----
failed=0
i=1
while [ $failed -eq 0 ] && [ $i -le $N ]; do
	rm -f "$CONSOLE_LOG"
	if timed "$XL" create $CFG; then
		echo $ms >>/tmp/bench.create
		pass "iteration $i: xl create ($ms ms)"
	else
		fail "iteration $i: xl create (exit $_rc)"
		show
		failed=1
		break
	fi
	if until_up $t0; then
		echo $ms >>/tmp/bench.up
		pass "iteration $i: guest up ($ms ms after xl create started)"
	else
		fail "iteration $i: no guest marker in $CONSOLE_LOG within 300 s"
		failed=1
	fi
	j=1
	lfail=0
	while [ $j -le $LIST_N ]; do
		if timed "$XL" list && grep -q "^$NAME " $OUT; then
			echo $ms >>/tmp/bench.list
		else
			lfail=1
			show
		fi
		j=$((j + 1))
	done
	if [ $lfail -eq 0 ]; then
		pass "iteration $i: $LIST_N x xl list show the guest"
	else
		fail "iteration $i: xl list failed or did not show $NAME"
		failed=1
	fi
	# Hot-plug devices into the running guest (its frontends are
	# loaded), until Connected, and unplug them: device setup and
	# teardown with no guest boot in the clock.  Three sets, each its
	# own rows: the file-backed disk (xvda) with the vif, the vif
	# alone, the phy: disk alone (xvdb).
	d=$("$XL" domid $NAME 2>/dev/null)
	hotplug dev "vbd/51712 vif/0" "file:$DISK,xvda,w" xvda
	hotplug vif vif/0
	hotplug phy vbd/51728 "phy:$LOOP,xvdb,w" xvdb
	destroy_guest destroy ""
	[ $failed -eq 0 ] || break
	if $T "$XL" create -p $CFG >$OUT 2>&1; then
		destroy_guest destroy_paused "of a paused guest "
	else
		fail "iteration $i: xl create -p (exit $?)"
		show
		failed=1
	fi
	i=$((i + 1))
done

# ---- PVH and HVM: created paused (the build, QEMU for HVM), destroyed ----
# Paused, so the guest's boot (minutes under TCG for HVM) is not in the
# clock; what differs from the PV rows is each toolstack's work.
{ echo 'type = "pvh"'; grep -v '^kernel' $CFG; echo "kernel = \"$GUEST_KERNEL\""; } >$CFG.pvh
{ echo 'type = "hvm"'; echo 'vga = "none"'; cat $CFG; } >$CFG.hvm
for kind in pvh hvm; do
	i=1
	while [ $failed -eq 0 ] && [ $i -le $N ]; do
		if timed "$XL" create -p $CFG.$kind; then
			echo $ms >>/tmp/bench.create_$kind
			pass "iteration $i: xl create -p of a $kind guest ($ms ms)"
		else
			fail "iteration $i: xl create -p of a $kind guest (exit $_rc)"
			show
			failed=1
			break
		fi
		destroy_guest destroy_$kind "of a paused $kind guest "
		i=$((i + 1))
	done
done
rm -f $CFG.pvh $CFG.hvm

# ---- the same guest with one file-backed disk and one bridged vif ------
cat >>$CFG <<EOF
disk = [ 'file:$DISK,xvda,w' ]
vif = [ 'bridge=xenbr0' ]
EOF
i=1
while [ $failed -eq 0 ] && [ $i -le $N ]; do
	rm -f "$CONSOLE_LOG"
	if timed "$XL" create $CFG; then
		echo $ms >>/tmp/bench.create_dev
		pass "iteration $i: xl create with a disk and a vif ($ms ms)"
	else
		fail "iteration $i: xl create with a disk and a vif (exit $_rc)"
		show
		failed=1
		break
	fi
	# Its domid from its disk's backend directory, the only one there
	# (the guests before it are destroyed): one process start, the same
	# for both toolstacks, where `xl domid` would time each one's xl.
	start=$t0
	d=$($XSLIST /local/domain/0/backend/vbd 2>/dev/null)
	if [ -n "$d" ] && until_up $start "$d"; then
		echo $ms >>/tmp/bench.up_dev
		pass "iteration $i: guest up, disk and vif Connected ($ms ms after xl create started)"
	else
		fail "iteration $i: guest '$d' not up with disk and vif Connected within 300 s"
		$XSREAD /local/domain/0/backend/vbd/$d/51712/state \
			/local/domain/0/backend/vif/$d/0/state 2>&1 | sed 's/^/#   state: /'
		failed=1
	fi
	destroy_guest destroy_dev "with a disk and a vif "
	i=$((i + 1))
done
rm -f $DISK
losetup -d "$LOOP"
rm -f $PHYIMG

# A median only for a row with all its samples: a partial row would
# compare unlike samples.  The samples are printed anyway.  (Under heavy
# load upstream's block script can outlast libxl's hotplug timeout, which
# ends the device stage; the rows before it still count.)
want() {
	case $1 in
	true|true_9p) echo 10 ;;
	list) echo $((N * LIST_N)) ;;
	*) echo $N ;;
	esac
}
for m in $ROWS; do
	diag "samples ${m}_ms: $(tr '\n' ' ' </tmp/bench.$m)"
	if [ "$(wc -l </tmp/bench.$m)" -eq "$(want $m)" ]; then
		eval "med_$m=$(median /tmp/bench.$m)"
		eval "diag \"bench ${m}_ms \$med_$m\""
	else
		eval "med_$m="
	fi
done
[ -z "$med_up_dev" ] || [ -z "$med_up" ] ||
	diag "bench dev_setup_ms $((med_up_dev - med_up))"
[ -z "$med_create_dev" ] || [ -z "$med_create" ] ||
	diag "bench dev_setup_xl_ms $((med_create_dev - med_create))"
timeout 60 "$XL" destroy $NAME >/dev/null 2>&1
for m in $ROWS; do
	rm -f /tmp/bench.$m
done
rm -f $CFG $OUT
rm -rf $BIN
[ -z "$made_br" ] || ip link del xenbr0
done_testing
