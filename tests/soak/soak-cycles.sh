#!/bin/sh
# soak-cycles: SOAK_CYCLES (default 1000) create/destroy cycles of one PV
# guest with a disk and a vif, on real Xen (run by tests/system/run-qemu
# as a case; on demand, never in CI: see tests/soak/README.md).
#
# At cycle 0, the half-way point and the end it prints (diag) Dom0's free
# memory, our xenstored's RSS and open fds, the xenstore node count and
# Xen's free memory, and checks that they stayed flat: the same node
# count and fds as at 0, Xen's free memory within 1 MiB, xenstored's RSS
# and Dom0's free memory within SOAK_MEM_SLACK_KB (default 8192).
. "$LIGHTSTACK_TESTLIB"
# run-qemu passes no environment into Dom0: knobs come from this file.
[ -r "$LIGHTSTACK_SRC/tests/soak/soak.env" ] && . "$LIGHTSTACK_SRC/tests/soak/soak.env"

B=$LIGHTSTACK_BUILD
XL=$B/xl/xl
N=${SOAK_CYCLES:-1000}
SLACK=${SOAK_MEM_SLACK_KB:-8192}
[ -x "$XL" ] || skip_all "xl not built ($XL)"
[ -r "${GUEST_KERNEL:-}" ] || skip_all "no guest kernel"
[ -r "${GUEST_RAMDISK:-}" ] || skip_all "no guest ramdisk"
case $N in ''|*[!0-9]*|0) bail "SOAK_CYCLES must be a positive number, not '$N'" ;; esac
export XENSTORED_PATH=/run/xenstored/socket
XSLS="/usr/bin/xenstore-ls -f"
[ -x /usr/bin/xenstore-ls ] || XSLS="$B/xenstored/xenstore-ls -f"

plan 7

IMG=/tmp/soak-disk.img
dd if=/dev/zero of=$IMG bs=1M count=8 2>/dev/null || bail "cannot make $IMG"
ip link show xsoak0 >/dev/null 2>&1 ||
	{ ip link add xsoak0 type bridge && ip link set xsoak0 up; } ||
	bail "cannot make bridge xsoak0"
CFG=/tmp/soak.cfg
cat >$CFG <<EOF2
name = "soak"
kernel = "$GUEST_KERNEL"
ramdisk = "$GUEST_RAMDISK"
extra = "console=hvc0"
memory = 128
vcpus = 1
disk = [ 'format=raw,vdev=xvdb,access=rw,target=$IMG' ]
vif = [ 'bridge=xsoak0' ]
EOF2

xsd=${XENSTORED_PID:-$(pidof xenstored | awk '{print $1}')}
[ -n "$xsd" ] || bail "no xenstored pid"
dom0_free() { awk '/^MemAvailable:/ {print $2}' /proc/meminfo; }
xsd_rss() { awk '/^VmRSS:/ {print $2}' /proc/$xsd/status; }
xsd_fds() { ls /proc/$xsd/fd | wc -l; }
nodes() { $XSLS / 2>/dev/null | wc -l; }
xen_free() { $XL info 2>/dev/null | awk '/^free_memory/ {print $3}'; }
figures() {
	echo "$(dom0_free) $(xsd_rss) $(xsd_fds) $(nodes) $(xen_free)"
}
report() {
	set -- $2
	diag "at cycle $CYC: Dom0 MemAvailable $1 kB, xenstored RSS $2 kB, fds $3, xenstore nodes $4, Xen free $5 MiB"
}

# One warm-up cycle first: the first create starts the monitor daemon
# (a xenstore connection of its own) and makes the toolstack's own
# directories; a brief run (2 cycles) showed +5 nodes and +2 fds after
# cycle 1 and nothing more after it.  Cycle 0 is measured after that.
timeout 300 "$XL" create -q $CFG >/dev/null 2>&1
timeout 120 "$XL" destroy soak >/dev/null 2>&1
f0=$(figures); CYC=0 report x "$f0"
failed=0 i=1 half=$((N / 2)) fh=""
while [ $i -le $N ]; do
	if ! timeout 300 "$XL" create -q $CFG >/tmp/soak-create.out 2>&1; then
		failed=$((failed + 1))
		diag "cycle $i: create failed: $(tail -n 2 /tmp/soak-create.out | tr '\n' ' ')"
	fi
	timeout 120 "$XL" destroy soak >/dev/null 2>&1
	if [ $i -eq $half ]; then fh=$(figures); CYC=$i report x "$fh"; fi
	i=$((i + 1))
done
f1=$(figures); CYC=$N report x "$f1"

set -- $f0; d0=$1 r0=$2 n0=$3 x0=$4 m0=$5
set -- $f1; d1=$1 r1=$2 n1=$3 x1=$4 m1=$5
is "$failed" 0 "$N create/destroy cycles with a disk and a vif: none failed"
is "$($XL list 2>/dev/null | tail -n +2 | grep -vc '^Domain-0')" 0 "no domain left (no (null) zombie)"
is "$x1" "$x0" "xenstore node count flat ($x0 -> $x1)"
is "$n1" "$n0" "xenstored's open fds flat ($n0 -> $n1)"
if [ $((r1 - r0)) -le "$SLACK" ]; then pass "xenstored RSS flat ($r0 -> $r1 kB)"
else fail "xenstored RSS flat" "$r0 -> $r1 kB"; fi
if [ $((d0 - d1)) -le "$SLACK" ]; then pass "Dom0 free memory flat ($d0 -> $d1 kB)"
else fail "Dom0 free memory flat" "$d0 -> $d1 kB"; fi
if [ $((m0 - m1)) -le 1 ] && [ $((m1 - m0)) -le 1 ]; then pass "Xen free memory flat ($m0 -> $m1 MiB)"
else fail "Xen free memory flat" "$m0 -> $m1 MiB"; fi
ip link del xsoak0 2>/dev/null
rm -f $IMG $CFG
