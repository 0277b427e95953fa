#!/bin/sh
# 16-hostblk: hostblk's unit tests (tests/hostblk) in Dom0, whose Debian
# kernel has the nbd module that a build host may lack: loop attach and
# detach, read-only loop devices, autoclear, concurrent attaches,
# identity, and qcow2 images through qemu-nbd on /dev/nbdN.  Each
# cmocka test becomes one test point here; in Dom0 none may skip.
. "$LIGHTSTACK_TESTLIB"

T=$LIGHTSTACK_BUILD/tests/hostblk
# test-hostblk's and test-hostblk-nbd's test counts.
N_LOOP=7
N_NBD=2

plan $((N_LOOP + N_NBD + 3))

# run PROG COUNT: re-emit PROG's TAP as this case's test points, exactly
# COUNT of them (missing ones fail), then one for its exit status.
run() {
	prog=$1
	want=$2
	out=/tmp/16-$prog.tap
	CMOCKA_MESSAGE_OUTPUT=TAP TMPDIR=/tmp timeout 600 "$T/$prog" >$out 2>&1
	rc=$?
	got=0
	while read -r line; do
		case $line in
		"not ok "*)
			got=$((got + 1)); fail "$prog: ${line#not ok * - }" ;;
		"ok "*)
			got=$((got + 1))
			case $line in
			*"# SKIP"*) fail "$prog: ${line#ok * - } (skipped in Dom0)" ;;
			*) pass "$prog: ${line#ok * - }" ;;
			esac ;;
		"1..0"*) diag "$prog: $line" ;;
		*) diag "$prog: $line" ;;
		esac
	done <$out
	while [ $got -lt $want ]; do
		got=$((got + 1))
		fail "$prog: test point $got did not run"
	done
	is "$rc" 0 "$prog exits 0"
	rm -f $out
}

if [ ! -x "$T/test-hostblk" ] || [ ! -x "$T/test-hostblk-nbd" ]; then
	bail "$T/test-hostblk{,-nbd} not built"
fi
run test-hostblk $N_LOOP
run test-hostblk-nbd $N_NBD
# Nothing may be left: no nbd device with a server attached.
left=$(ls /sys/block/nbd*/pid 2>/dev/null)
is "$left" "" "no nbd device left connected"
done_testing
