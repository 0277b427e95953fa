#!/bin/sh
# dom0-bench: time `xl create`, `xl list` and `xl destroy` in Dom0 with the
# toolstack that brought Dom0 up (LIGHTSTACK_TOOLSTACK, set by dom0-init:
# lightstack or upstream).  Run by bench/toolstack/run through
# `tests/system/run-qemu --case`, once per toolstack; never part of the
# tests (it lives outside tests/system/cases, so --all does not find it).
#
# Output is TAP (one test point per step that must work) plus one
# diagnostic line per metric, the median in milliseconds, which the host
# driver reads back from results/cases/dom0-bench.tap:
#
#   # bench create_ms 8120
#   # bench list_ms 370
#   # bench destroy_ms 610
#
# and true_ms, the cost of starting /bin/true, to calibrate (see below).
#
# Then the same guest with one file-backed disk (a raw image: Lightstack
# gives it a loop device itself, upstream runs its block hotplug script):
#
#   # bench create_disk_ms 9050    xl create until the disk's backend is
#                                  Connected (the guest's blkfront is up)
#   # bench destroy_disk_ms 700
#   # bench disk_setup_ms 930      create_disk_ms - create_ms: what the
#                                  disk costs on top of a bare guest
#
# Then with that disk and one bridged vif on xenbr0 (made here if Dom0
# has none), until both backends are Connected:
#
#   # bench create_dev_ms, destroy_dev_ms
#   # bench vif_setup_ms           create_dev_ms - create_disk_ms
#   # bench dev_setup_ms           create_dev_ms - create_ms: both devices
#
# Environment: BENCH_N iterations (default 5, 1..100), BENCH_LIST_N `xl
# list` runs per iteration (default 10, 1..100).
#
# Clock: /proc/uptime read with the shell's `read` builtin.  It is
# monotonic and costs no process start, which under TCG (~150 ms a
# process) would otherwise be a large, constant bias towards a ratio of 1.
# Its resolution is 10 ms, well under the shortest command timed here.
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

# The xl of the toolstack under test.  Lightstack's $B/xl/xl is libtool's
# wrapper script (a bash run before the real program): time the real
# binary, as installed it would run.  Upstream's /usr/sbin/xl is a wrapper
# too (xen-utils-wrapper): use the versioned binary directly.
TOOLSTACK=${LIGHTSTACK_TOOLSTACK:-lightstack}
B=$LIGHTSTACK_BUILD
case $TOOLSTACK in
lightstack)
	XL=$B/xl/xl
	[ -x "$B/xl/.libs/xl" ] && XL=$B/xl/.libs/xl
	LD_LIBRARY_PATH=$B/liblight/.libs:$B/libctrl/.libs:$B/xenstored/.libs
	export LD_LIBRARY_PATH
	;;
upstream)
	XL=/usr/lib/xen-4.17/bin/xl
	;;
*)
	bail "LIGHTSTACK_TOOLSTACK='$TOOLSTACK': want lightstack or upstream"
	;;
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

# timed CMD...: run CMD (output in $OUT), its duration in ms in $ms; keeps
# CMD's exit status.
timed() {
	now
	_t0=$now
	$T "$@" >$OUT 2>&1
	_rc=$?
	now
	ms=$((now - _t0))
	return $_rc
}

# median FILE: the median of the numbers in FILE, one a line (the mean of
# the two middle ones for an even count), rounded to whole ms.
median() {
	sort -n "$1" | awk '{ v[NR] = $1 }
		END { if (NR % 2) print v[(NR + 1) / 2];
		      else printf "%d\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 + 0.5 }'
}

# show DESC: the failed command's output as diagnostics.
show() { sed 's/^/#   /' $OUT; }

cat >$CFG <<EOF
name = "$NAME"
kernel = "$GUEST_KERNEL"
ramdisk = "$GUEST_RAMDISK"
extra = "console=hvc0"
memory = 128
vcpus = 1
EOF

plan $((N * 7))
diag "toolstack $TOOLSTACK, xl $XL, $N iterations, $LIST_N xl list each"
: >/tmp/bench.create
: >/tmp/bench.list
: >/tmp/bench.destroy
: >/tmp/bench.true
# Calibration, not a toolstack metric: starting a process costs the same
# with either toolstack on an equally busy machine, so a ratio of true_ms
# far from 1 says the two boots ran on differently loaded hosts (other
# QEMUs) and the other ratios are skewed by as much.
j=1
while [ $j -le 10 ]; do
	timed /bin/true && echo $ms >>/tmp/bench.true
	j=$((j + 1))
done
failed=0
i=1
while [ $i -le $N ]; do
	if timed "$XL" create $CFG; then
		echo $ms >>/tmp/bench.create
		pass "iteration $i: xl create ($ms ms)"
	else
		fail "iteration $i: xl create (exit $_rc)"
		show
		failed=1
		break
	fi
	# Let the guest finish booting, so that list and destroy see the same
	# idle guest with either toolstack (a booting guest competes with Dom0
	# for the emulated CPUs).
	wait_for 180 grep -q LIGHTSTACK-GUEST-UP "$CONSOLE_LOG" ||
		diag "iteration $i: no guest marker in $CONSOLE_LOG within 180 s"
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
	if timed "$XL" destroy $NAME; then
		echo $ms >>/tmp/bench.destroy
		pass "iteration $i: xl destroy ($ms ms)"
	else
		fail "iteration $i: xl destroy (exit $_rc)"
		show
		failed=1
		break
	fi
	rm -f "$CONSOLE_LOG"
	i=$((i + 1))
done

# ---- the same guest with one file-backed disk ---------------------------
DISK=/tmp/bench-disk.img
dd if=/dev/zero of=$DISK bs=1M count=16 2>/dev/null
echo "disk = [ 'file:$DISK,xvda,w' ]" >>$CFG
: >/tmp/bench.create_disk
: >/tmp/bench.destroy_disk
# connected: the guest's disk backend (devid 51712) reached state 4.
connected() {
	_d=$("$XL" domid $NAME 2>/dev/null) &&
	[ "$(xenstore-read /local/domain/0/backend/vbd/$_d/51712/state 2>/dev/null)" = 4 ]
}
create_connected() { $T "$XL" create $CFG && wait_for 300 connected; }
# timed_fn FN: timed, for a shell function (timeout cannot run one).
timed_fn() {
	now
	_t0=$now
	"$@" >$OUT 2>&1
	_rc=$?
	now
	ms=$((now - _t0))
	return $_rc
}
i=1
while [ $failed -eq 0 ] && [ $i -le $N ]; do
	if timed_fn create_connected; then
		echo $ms >>/tmp/bench.create_disk
		pass "iteration $i: xl create with a disk, until Connected ($ms ms)"
	else
		fail "iteration $i: xl create with a disk, until Connected (exit $_rc)"
		show
		failed=1
		break
	fi
	wait_for 180 grep -q LIGHTSTACK-GUEST-UP "$CONSOLE_LOG" ||
		diag "iteration $i: no guest marker in $CONSOLE_LOG within 180 s"
	if timed "$XL" destroy $NAME; then
		echo $ms >>/tmp/bench.destroy_disk
		pass "iteration $i: xl destroy with a disk ($ms ms)"
	else
		fail "iteration $i: xl destroy with a disk (exit $_rc)"
		show
		failed=1
		break
	fi
	rm -f "$CONSOLE_LOG"
	i=$((i + 1))
done

# ---- the same guest with the disk and one bridged vif -------------------
# (Lightstack connects the vif in C; upstream runs vif-bridge.)
made_br=""
if ! ip link show xenbr0 >/dev/null 2>&1; then
	ip link add xenbr0 type bridge && made_br=yes
fi
ip link set xenbr0 up
echo "vif = [ 'bridge=xenbr0' ]" >>$CFG
: >/tmp/bench.create_dev
: >/tmp/bench.destroy_dev
# dev_connected: both the disk's and the vif's backends reached state 4.
dev_connected() {
	connected &&
	[ "$(xenstore-read /local/domain/0/backend/vif/$_d/0/state 2>/dev/null)" = 4 ]
}
create_dev_connected() { $T "$XL" create $CFG && wait_for 300 dev_connected; }
i=1
while [ $failed -eq 0 ] && [ $i -le $N ]; do
	if timed_fn create_dev_connected; then
		echo $ms >>/tmp/bench.create_dev
		pass "iteration $i: xl create with a disk and a vif, until Connected ($ms ms)"
	else
		fail "iteration $i: xl create with a disk and a vif, until Connected (exit $_rc)"
		show
		failed=1
		break
	fi
	wait_for 180 grep -q LIGHTSTACK-GUEST-UP "$CONSOLE_LOG" ||
		diag "iteration $i: no guest marker in $CONSOLE_LOG within 180 s"
	if timed "$XL" destroy $NAME; then
		echo $ms >>/tmp/bench.destroy_dev
		pass "iteration $i: xl destroy with a disk and a vif ($ms ms)"
	else
		fail "iteration $i: xl destroy with a disk and a vif (exit $_rc)"
		show
		failed=1
		break
	fi
	rm -f "$CONSOLE_LOG"
	i=$((i + 1))
done
rm -f $DISK

# Medians only from a complete run: a partial one would compare unlike
# samples.
if [ $failed -eq 0 ]; then
	diag "bench disk_setup_ms $(($(median /tmp/bench.create_disk) - $(median /tmp/bench.create)))"
	diag "bench vif_setup_ms $(($(median /tmp/bench.create_dev) - $(median /tmp/bench.create_disk)))"
	diag "bench dev_setup_ms $(($(median /tmp/bench.create_dev) - $(median /tmp/bench.create)))"
	for m in true create list destroy create_disk destroy_disk create_dev destroy_dev; do
		diag "bench ${m}_ms $(median /tmp/bench.$m)"
		diag "samples ${m}_ms: $(tr '\n' ' ' </tmp/bench.$m)"
	done
fi
timeout 60 "$XL" destroy $NAME >/dev/null 2>&1
rm -f $CFG $OUT /tmp/bench.true /tmp/bench.create /tmp/bench.list /tmp/bench.destroy \
	/tmp/bench.create_disk /tmp/bench.destroy_disk /tmp/bench.create_dev \
	/tmp/bench.destroy_dev
[ -z "$made_br" ] || ip link del xenbr0
done_testing
