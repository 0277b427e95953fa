#!/bin/sh
# 20-xenstored-rings: Lightstack's xenstored serving shared-memory rings on
# real Xen, checked with upstream clients only (so that a bug elsewhere in
# Lightstack cannot hide or fake one here):
#   - Dom0's own ring (/proc/xen/xsd_kva): the kernel's /dev/xen/xenbus and
#     the Unix socket see the same store, watches cross between them;
#   - a guest created by upstream /usr/sbin/xl is INTRODUCEd, its kernel
#     talks over its own ring (it writes control/feature-* itself), it hears
#     control/shutdown through a watch (and clears it in a transaction),
#     and its death (VIRQ_DOM_EXC) fires @releaseDomain and releases it;
#   - the daemon survives all of it.
# Upstream libxl waits for the console daemon to publish the guest's tty:
# with no xenconsoled built the guest part fails.
. "$LIGHTSTACK_TESTLIB"

SOCK=/run/xenstored/socket
T="timeout 60"
RD=/usr/bin/xenstore-read
WR=/usr/bin/xenstore-write
RM=/usr/bin/xenstore-rm
WATCH=/usr/bin/xenstore-watch
UXL=/usr/sbin/xl
[ -x $RD ] || skip_all "Debian xenstore-utils not in the image"

plan 14

alive() { [ -n "${XENSTORED_PID:-}" ] && kill -0 "$XENSTORED_PID" 2>/dev/null; }

ok "our xenstored is running" alive

# Dom0 ring: write through the kernel, read through the socket and back.
$T env XENSTORED_PATH=/dev/xen/xenbus $WR /tool/xsd-ring-test via-kernel
is "$($T env XENSTORED_PATH=$SOCK $RD /tool/xsd-ring-test 2>&1)" via-kernel \
	"kernel xenbus write is seen on the socket"
$T env XENSTORED_PATH=$SOCK $WR /tool/xsd-ring-test via-socket
is "$($T env XENSTORED_PATH=/dev/xen/xenbus $RD /tool/xsd-ring-test 2>&1)" via-socket \
	"socket write is seen through the kernel ring"

# A watch set through the ring fires for a socket write.
out=/tmp/20-watch.out
(env XENSTORED_PATH=/dev/xen/xenbus timeout 60 $WATCH -n 2 /tool/xsd-ring-test >$out 2>&1) &
wpid=$!
# The first event says the watch is in place (this machine can be slow).
wait_for 40 grep -q xsd-ring-test $out
$T env XENSTORED_PATH=$SOCK $WR /tool/xsd-ring-test/child x
wait $wpid
like "$(cat $out)" "*/tool/xsd-ring-test/child*" "ring watch fires for a socket write"
$T env XENSTORED_PATH=$SOCK $RM /tool/xsd-ring-test

# A guest over its own ring, created by upstream xl.
if [ ! -x $UXL ] || [ ! -r "${GUEST_KERNEL:-}" ]; then
	for i in 1 2 3 4 5 6 7; do skip "guest ring check $i" "no upstream xl or guest kernel"; done
else
	cfg=/tmp/20-guest.cfg
	cat >$cfg <<EOF
name = "xsdring"
kernel = "$GUEST_KERNEL"
ramdisk = "$GUEST_RAMDISK"
memory = 128
vcpus = 1
extra = "console=hvc0"
on_poweroff = "destroy"
EOF
	# libxl needs the cpupool name xen-init-dom0 writes; supply it if no
	# init did (and take it away again afterwards).
	export XENSTORED_PATH=$SOCK
	wrote_pool=""
	if ! $T $RD /local/pool/0/name >/dev/null 2>&1; then
		$T $WR /local/pool/0/name Pool-0 && wrote_pool=1
	fi
	# Upstream xl takes its locks in /var/run/xen: Lightstack's
	# xen-init-dom0 must have made it (as Debian's init does upstream's).
	ok "xen-init-dom0 made upstream's /var/run/xen" test -d /var/run/xen
	rel=/tmp/20-release.out
	ok "upstream xl create with our xenstored" timeout 180 $UXL create $cfg
	domid=$($T $UXL domid xsdring 2>/dev/null)
	diag "guest domid ${domid:-none}"
	feat() { [ -n "$domid" ] && [ -n "$($RD /local/domain/$domid/control/feature-poweroff 2>/dev/null)" ]; }
	if [ -n "$domid" ] && wait_for 120 feat; then
		pass "the guest kernel wrote control/feature-poweroff over its ring"
	else
		fail "the guest kernel wrote control/feature-poweroff over its ring" \
			"$($T /usr/bin/xenstore-ls -f /local/domain/$domid 2>&1 | head -20)"
	fi
	intro=$($T $RD /local/domain/$domid/name 2>&1)
	is "$intro" xsdring "libxl's nodes for the guest are there"
	# Lightstack's xl finds another toolstack's domain by its name (its
	# name index is only a cache of /local/domain/*/name).
	is "$($T xl domid xsdring 2>&1)" "$domid" \
		"Lightstack's xl finds upstream's guest by name"
	gone() { ! $UXL domid xsdring >/dev/null 2>&1; }
	# The guest must hear control/shutdown through its ring watch: its
	# kernel reads and clears the node in a transaction before acting.
	# (Once its userspace runs it cannot actually power off: this
	# initramfs has no /sbin/poweroff.  Early in boot it forces it.)
	(env XENSTORED_PATH=$SOCK timeout 400 $WATCH -n 2 @releaseDomain >$rel 2>&1) &
	rpid=$!
	wait_for 30 grep -q @releaseDomain $rel    # the watch is in place
	acked() { gone || [ -z "$($RD /local/domain/$domid/control/shutdown 2>/dev/null)" ]; }
	if $T $UXL shutdown xsdring >/dev/null 2>&1 && wait_for 120 acked; then
		pass "the guest acknowledged control/shutdown (ring watch, guest transaction)"
	else
		fail "the guest acknowledged control/shutdown (ring watch, guest transaction)" \
			"control/shutdown = $($RD /local/domain/$domid/control/shutdown 2>&1)"
	fi
	# Its death reaches us through VIRQ_DOM_EXC.
	gone || $T $UXL destroy xsdring >/dev/null 2>&1
	ok "guest is gone" wait_for 30 gone
	cp /var/log/xen/console/*xsdring* "$RESULTS/" 2>/dev/null
	wait $rpid
	n=$(grep -c '@releaseDomain' $rel)
	if [ "$n" -ge 2 ]; then
		pass "@releaseDomain fired on the guest's death"
	else
		fail "@releaseDomain fired on the guest's death" "$(cat $rel)"
	fi
	is "$($T $RD /local/domain/$domid/name >/dev/null 2>&1; echo $?)" 1 \
		"the guest's home is removed"
	[ -z "$wrote_pool" ] || $T $RM /local/pool
	rm -f $cfg $rel
fi
ok "our xenstored is still running" alive
rm -f $out
done_testing
