#!/bin/sh
# 88-save-devices: xl save and xl restore of a PV guest with a disk and a
# vif: the devices go with the saved domain and come back with the
# restored one, and the guest goes on using them.
#   - before the save: the guest reads what Dom0 wrote into its raw image,
#     writes a line of its own, and answers pings over its bridged vif;
#   - xl save: the domain's loop device, vbd and vif backends, vif and
#     bridge port are gone, and Dom0 finds the guest's line in the image;
#   - xl restore: both backends are Connected for the new domain, the vif
#     is a port of the bridge again, the guest (whose address is in its
#     saved memory, not configured again) answers pings, reads its own
#     line back and writes another one;
#   - xl destroy: Dom0 finds the second line, and nothing is left.
. "$LIGHTSTACK_TESTLIB"

B=$LIGHTSTACK_BUILD
XSL=$B/xenstored/xenstore-list
XSR=$B/xenstored/xenstore-read
T="timeout 600"
NAME=savedev$$
W=/tmp/88-save-devices-$$
BR=svbr$$
GUEST_IP=198.51.100.88
DOM0_IP=198.51.100.1
export LIGHTSTACK_DEVICE_TIMEOUT_MS=120000

[ -r "${GUEST_KERNEL:-}" ] && [ -r "${GUEST_RAMDISK:-}" ] || skip_all "no guest images"
have ip || bail "no ip(8) in Dom0"
plan 16
mkdir -p "$W" || bail "cannot make $W"

loops() { losetup -a 2>/dev/null | wc -l; }
vifs() { ls /sys/class/net 2>/dev/null | grep -c '^vif'; }
snapshot() {
	echo "loops=$(loops) vifs=$(vifs) ports=$(ls /sys/class/net/$BR/brif 2>/dev/null | wc -l)" \
		"vbd=$($XSL /local/domain/0/backend/vbd 2>/dev/null | wc -l)" \
		"vif=$($XSL /local/domain/0/backend/vif 2>/dev/null | wc -l)"
}
flat() { [ "$(snapshot)" = "$before" ]; }
# sector IMAGE N: the text in 512-byte sector N of IMAGE.
sector() { dd if="$1" bs=512 skip="$2" count=1 2>/dev/null | tr -d '\0' | head -n 1; }
up() { tr -d '\r' <"/var/log/xen/console/guest-$NAME.log" 2>/dev/null | grep -q '^LIGHTSTACK-GUEST-UP'; }

cleanup() {
	d=$(xl domid "$NAME" 2>/dev/null) && timeout 120 xl destroy "$d" >&2
	ip link del $BR 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

ip link add $BR type bridge && ip addr add $DOM0_IP/24 dev $BR && ip link set $BR up ||
	bail "cannot make bridge $BR"
dd if=/dev/zero of=$W/d.img bs=1M count=16 2>/dev/null || bail "cannot make the image"
echo "DOM0-WROTE-$$" | dd of=$W/d.img bs=512 seek=2048 conv=notrunc 2>/dev/null
cat >$W/g.cfg <<EOF
name = "$NAME"
kernel = "$GUEST_KERNEL"
ramdisk = "$GUEST_RAMDISK"
extra = "console=hvc0"
memory = 128
vcpus = 1
disk = [ 'file:$W/d.img,xvdb,w' ]
vif = [ 'bridge=$BR,mac=00:16:3e:5a:88:01' ]
EOF
before=$(snapshot)
rm -f "/var/log/xen/console/guest-$NAME.log"

# 1-4. The guest and its devices, before the save.
ok "xl create of a guest with a disk and a vif" $T xl create $W/g.cfg
d1=$(xl domid "$NAME" 2>/dev/null)
ok "the guest is up" wait_for 600 up
ok "the guest reads Dom0's line from its disk" guest_sh "$NAME" rd1 \
	"dd if=/dev/xvdb bs=512 skip=2048 count=1 2>/dev/null | grep -q DOM0-WROTE-$$"
write_and_listen() {
	guest_sh "$NAME" wr1 "echo GUEST-BEFORE-$$ | dd of=/dev/xvdb bs=512 seek=4096 conv=notrunc 2>/dev/null && sync && ip addr add $GUEST_IP/24 dev eth0 && ip link set eth0 up" &&
		wait_for 120 ping -c1 -W3 $GUEST_IP
}
ok "the guest writes its line, sets its address, and Dom0 pings it" write_and_listen

# 5-8. xl save: the devices go with the domain.
ok "xl save $d1" $T xl save "$d1" $W/g.save
ok "the domain is gone" sh -c "! xl domid $NAME"
wait_for 60 flat
is "$(snapshot)" "$before" "after the save: no loop device, backend, vif or bridge port left"
is "$(sector $W/d.img 4096)" "GUEST-BEFORE-$$" "Dom0 finds the guest's line in the image"

# 9-14. xl restore: the devices come back and the guest uses them.
ok "xl restore" $T xl restore $W/g.save
d2=$(xl domid "$NAME" 2>/dev/null)
ok "a new domain ($d1 -> ${d2:-none})" test -n "$d2" -a "$d2" != "$d1"
ok "its vbd and vif backends are Connected" wait_for 120 sh -c \
	"[ \$($XSR /local/domain/0/backend/vbd/$d2/51728/state) = 4 ] && [ \$($XSR /local/domain/0/backend/vif/$d2/0/state) = 4 ]"
ok "its vif is a port of $BR" test -e /sys/class/net/$BR/brif/vif$d2.0
ok "Dom0 pings the restored guest at the address it had" wait_for 120 ping -c1 -W3 $GUEST_IP
ok "the restored guest reads its own line back and writes another" guest_sh "$NAME" rw2 \
	"dd if=/dev/xvdb bs=512 skip=4096 count=1 2>/dev/null | grep -q GUEST-BEFORE-$$ && echo GUEST-AFTER-$$ | dd of=/dev/xvdb bs=512 seek=6144 conv=notrunc 2>/dev/null && sync"

# 15-16. Destroy: the second line is in the image, nothing is left.
timeout 120 xl destroy "$d2" >&2
wait_for 60 flat
is "$(sector $W/d.img 6144)" "GUEST-AFTER-$$" "after destroy, Dom0 finds the restored guest's line"
is "$(snapshot)" "$before" "after destroy: nothing left"
done_testing
