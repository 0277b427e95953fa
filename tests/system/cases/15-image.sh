#!/bin/sh
# 15-image: the test image has what guest devices need.  In Dom0: the
# loop, nbd (16 devices) and bridge modules next to the Xen backends,
# qemu-nbd/qemu-img (a qcow2 can be made and served), ip, ping and nft.
# In a plain test guest: the frontends xen-blkfront and xen-netfront and
# ext4 are loaded before the marker (guest-init's LIGHTSTACK-GUEST-MODULES
# line on the console).
. "$LIGHTSTACK_TESTLIB"

NAME=image15
CFG=/tmp/image15.cfg
IMG=/tmp/image15.qcow2
CONSOLE_LOG=/var/log/xen/console/guest-$NAME.log
T="timeout 300"

plan 17

ok "xen-blkback and xen-netback are loaded" \
	test -d /sys/module/xen_blkback -a -d /sys/module/xen_netback
ok "the loop module is loaded" test -d /sys/module/loop
ok "the nbd module is loaded" test -d /sys/module/nbd
is "$(cat /sys/module/nbd/parameters/nbds_max 2>&1)" 16 "nbd has nbds_max=16"
ok "/dev/nbd15 exists" test -b /dev/nbd15
ok "the bridge module is loaded" test -d /sys/module/bridge
ok "qemu-nbd is installed" have qemu-nbd
ok "qemu-img makes a qcow2 image" timeout 60 qemu-img create -q -f qcow2 $IMG 8M
like "$(timeout 60 qemu-img info $IMG 2>&1)" "*file format: qcow2*" "qemu-img reads it back as qcow2"
ok "ip, ping and nft are installed" sh -c 'command -v ip && command -v ping && command -v nft'
ok "nft lists the ruleset" timeout 60 nft list ruleset
rm -f $IMG

cat >$CFG <<CFGEOF
name = "$NAME"
kernel = "$GUEST_KERNEL"
ramdisk = "$GUEST_RAMDISK"
extra = "console=hvc0"
memory = 128
vcpus = 1
CFGEOF
if ! ok "xl create of the plain test guest" $T xl create $CFG; then
	for s in "guest marker" "guest loaded xen_blkfront" "guest loaded xen_netfront" \
		"guest loaded ext4" "no module failed to load"; do
		skip "$s" "xl create failed"
	done
	rm -f $CFG
	done_testing
fi
marker() { grep -q LIGHTSTACK-GUEST-UP "$CONSOLE_LOG"; }
ok "guest prints its marker within 180 s" wait_for 180 marker
mods=$(tr -d '\r' <"$CONSOLE_LOG" 2>/dev/null | grep '^LIGHTSTACK-GUEST-MODULES')
diag "console: $mods"
like "$mods" "* xen_blkfront *" "guest loaded xen_blkfront"
like "$mods" "* xen_netfront *" "guest loaded xen_netfront"
like "$mods" "* ext4 *" "guest loaded ext4"
# Debian builds the frontends as modules: a kernel with them built in
# would print an empty list, which the checks above catch.
if grep -q LIGHTSTACK-GUEST-INSMOD-FAILED "$CONSOLE_LOG"; then
	fail "no module failed to load" "$(grep LIGHTSTACK-GUEST-INSMOD-FAILED "$CONSOLE_LOG")"
else
	pass "no module failed to load"
fi
$T xl destroy $NAME >/dev/null 2>&1 || diag "xl destroy $NAME failed"
rm -f $CFG
done_testing
