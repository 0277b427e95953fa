#!/bin/sh
# 90-demo: the README's demo, run in Dom0 by ./run-demo (and by --all, so
# CI proves the demo works): show the host with `xl info`, create a real PV
# guest with `xl create`, see it in `xl list` and its console log, destroy
# it and see it gone.  Every step's output is shown as TAP diagnostics.
# A step that does not work fails, and so do the steps after it that need
# its result: nothing here is skipped.
. "$LIGHTSTACK_TESTLIB"

NAME=demo
CFG=/tmp/demo.cfg
CONSOLE_LOG=/var/log/xen/console/guest-$NAME.log
# Generous bounds: with several QEMUs on two cores, xl create has taken
# over 60 s.  They are there only so that a hang cannot stall the run.
T="timeout 300"

# show CMD...: run CMD, print "$ CMD" and its output as diagnostics, keep
# its exit status.
show() {
	echo "# \$ $*"
	$T "$@" >/tmp/demo.out 2>&1
	_rc=$?
	sed 's/^/#   /' /tmp/demo.out
	[ $_rc -eq 0 ] || echo "#   (exit status $_rc$([ $_rc -eq 124 ] && echo ': timed out'))"
	return $_rc
}

plan 8

ok "xl is built" have xl
echo "# \$ xl info   (excerpt)"
timeout 60 xl info 2>&1 |
	grep -E '^(host|release|xen_version|total_memory|free_memory|nr_cpus) ' | sed 's/^/#   /'
show xl list
is $? 0 "xl list runs (before)"

ok "xl has create" sh -c "xl help 2>&1 | grep -qw create"

cat >$CFG <<EOF
name = "$NAME"
kernel = "$GUEST_KERNEL"
ramdisk = "$GUEST_RAMDISK"
extra = "console=hvc0"
memory = 128
vcpus = 1
EOF
diag "guest config $CFG:"
sed 's/^/#   /' $CFG

t0=$(date +%s)
show xl create $CFG
create_rc=$?
# Both: xl create's status, and the guest it says it made.
if ! ok "xl create $CFG exits 0, xl domid finds it (took $(($(date +%s) - t0)) s)" \
	sh -c "test $create_rc -eq 0 && xl domid $NAME"; then
	for s in "guest console marker" "xl list shows the guest" "xl destroy" \
		"xl list no longer shows the guest"; do
		fail "$s" "xl create failed"
	done
	rm -f $CFG /tmp/demo.out
	done_testing
fi
marker() { grep -q LIGHTSTACK-GUEST-UP "$CONSOLE_LOG"; }
if ok "guest prints its marker on its console within 120 s" wait_for 120 marker; then
	diag "console log $CONSOLE_LOG:"
	tr -d '\r' <"$CONSOLE_LOG" | grep -E 'LIGHTSTACK-GUEST-UP|Linux version' | sed 's/^/#   /'
fi
show xl list
like "$(cat /tmp/demo.out)" "*$NAME*" "xl list shows the guest"
show xl destroy $NAME
is $? 0 "xl destroy $NAME"
show xl list
case $(cat /tmp/demo.out) in
*"$NAME"*) fail "xl list no longer shows the guest" ;;
*) pass "xl list no longer shows the guest" ;;
esac
rm -f $CFG /tmp/demo.out
done_testing
