#!/bin/sh
# 85-qdisk: disks that QEMU serves (backendtype=qdisk) instead of blkback:
# Lightstack starts Debian's qemu-system-xen in Dom0 for the guest, as
# libxl does, and QEMU opens the images itself (a qcow2 needs no nbd).
#
# Checked: xl create of a guest with a raw and a qcow2 qdisk; one QEMU
# for the guest; libxl's layout (backend/qdisk/D/N, params FORMAT:PATH,
# the vbd frontend naming it) and both backends Connected; the guest
# reads what Dom0 wrote and writes lines Dom0 then finds in both images;
# xl block-list shows them; hot attach of a read-only cdrom the guest
# sees and cannot write, and its detach; what bookworm's QEMU cannot serve
# (a read-only disk, an empty cdrom) refused with the reason and nothing
# left; the sharing check across blkback and QEMU; a missing QEMU named
# with nothing created; a failure injected
# at the steps around QEMU's start leaves nothing; shutdown and destroy
# stop QEMU and leave no node, no QEMU, no domain.
#
# At the quick depth the failure is injected at vbd_devmodel (QEMU just
# started: its undo stops it) and at unpause (the last step: every undo
# runs, QEMU's with the backends it serves); the full depth also injects
# at vbd_wait, which adds no undo of its own.  The count is the same at
# both depths.
. "$LIGHTSTACK_TESTLIB"

B=$LIGHTSTACK_BUILD
XSL=$B/xenstored/xenstore-list
XSR=$B/xenstored/xenstore-read
T="timeout 600"
NAME=qdisk$$
W=/tmp/85-qdisk-$$
QEMU=/usr/libexec/xen-qemu-system-i386
export LIGHTSTACK_DEVICE_TIMEOUT_MS=120000

[ -r "${GUEST_KERNEL:-}" ] && [ -r "${GUEST_RAMDISK:-}" ] || skip_all "no guest images"
[ -x $QEMU ] || bail "no $QEMU in Dom0 (qemu-system-xen)"
have qemu-img || bail "no qemu-img in Dom0 (qemu-utils)"
plan 40
mkdir -p "$W" || bail "cannot make $W"

qemus() { pgrep -f -- '-xen-domid [0-9]* -xen-attach' | wc -l; }
qemu_of() { pgrep -f -- "-xen-domid $1 -xen-attach"; }
loops() { losetup -a 2>/dev/null | wc -l; }
snapshot() {
	echo "qemus=$(qemus) loops=$(loops)" \
		"qdisk=$($XSL /local/domain/0/backend/qdisk 2>/dev/null | wc -l)" \
		"vbd=$($XSL /local/domain/0/backend/vbd 2>/dev/null | wc -l)" \
		"dm=$($XSL /local/domain/0/device-model 2>/dev/null | wc -l)"
}
flat() { [ "$(snapshot)" = "$before" ]; }
sector() { dd if="$1" bs=512 skip="$2" count=1 2>/dev/null | tr -d '\0' | head -n 1; }
up() { tr -d '\r' <"/var/log/xen/console/guest-$NAME.log" 2>/dev/null | grep -q '^LIGHTSTACK-GUEST-UP'; }
state_is() { [ "$($XSR "$1/state" 2>/dev/null)" = "$2" ]; }

cleanup() {
	d=$(xl domid "$NAME" 2>/dev/null) && timeout 120 xl destroy "$d" >&2
	rm -rf "$W"
}
trap cleanup EXIT

mkraw() { # FILE MiB TEXT: TEXT in sector 2048
	dd if=/dev/zero of="$1" bs=1M count="$2" 2>/dev/null &&
		echo "$3" | dd of="$1" bs=512 seek=2048 conv=notrunc 2>/dev/null
}
mkraw $W/d.img 16 "DOM0-RAW-$$" || bail "cannot make the raw image"
mkraw $W/q.raw 16 "DOM0-QCOW-$$" &&
	qemu-img convert -f raw -O qcow2 $W/q.raw $W/q.qcow2 2>&1 >&2 ||
	bail "cannot make the qcow2 image"
mkraw $W/h.img 4 "DOM0-HOT-$$" || bail "cannot make the hot image"
h_sum=$(md5sum <$W/h.img)
writecfg() { # FILE NAME DISKS
	cat >"$1" <<EOF
name = "$2"
kernel = "$GUEST_KERNEL"
ramdisk = "$GUEST_RAMDISK"
extra = "console=hvc0"
memory = 128
vcpus = 1
disk = [ $3 ]
EOF
}
DISKS="'format=raw,vdev=xvdb,access=rw,backendtype=qdisk,target=$W/d.img',
  'format=qcow2,vdev=xvdc,access=rw,backendtype=qdisk,target=$W/q.qcow2'"
writecfg $W/g.cfg "$NAME" "$DISKS"
before=$(snapshot)
diag "before: $before"
rm -f "/var/log/xen/console/guest-$NAME.log"

# ---- 1. create: QEMU and libxl's layout ---------------------------------
out=$($T xl create $W/g.cfg 2>&1); rc=$?
is "$rc" 0 "xl create of a guest with a raw and a qcow2 qdisk exits 0" || diag "$out"
d=$(xl domid "$NAME" 2>/dev/null) || bail "no domain: $out"
BE=/local/domain/0/backend/qdisk/$d
FE=/local/domain/$d/device/vbd
is "$(qemu_of "$d" | wc -l)" 1 "one QEMU runs for the guest (-xen-domid $d)"
is "$($XSR /local/domain/0/libxl/$d/qdisk-backend-pid)" "$(qemu_of "$d")" \
	"its pid is recorded where upstream records it"
is "$($XSR /local/domain/0/device-model/$d/state)" running "QEMU reported running"
is "$($XSR $BE/51728/params)" "aio:$W/d.img" "xvdb: params aio:PATH (raw)"
is "$($XSR $BE/51744/params)" "qcow2:$W/q.qcow2" "xvdc: params qcow2:PATH"
is "$($XSR $FE/51728/backend)" "$BE/51728" "xvdb: the vbd frontend names the qdisk backend"
ok "no blkback backend for them" sh -c "! $XSL /local/domain/0/backend/vbd/$d"

ok "the guest boots" wait_for 300 up
connected() { state_is $BE/51728 4 && state_is $BE/51744 4; }
ok "both backends Connected" wait_for 120 connected

# ---- 2. the guest uses them -----------------------------------------------
ok "the guest reads Dom0's line from the raw qdisk" guest_sh "$NAME" r1 \
	"dd if=/dev/xvdb bs=512 skip=2048 count=1 2>/dev/null | grep -q DOM0-RAW-$$"
ok "the guest reads Dom0's line from the qcow2 qdisk" guest_sh "$NAME" r2 \
	"dd if=/dev/xvdc bs=512 skip=2048 count=1 2>/dev/null | grep -q DOM0-QCOW-$$"
ok "the guest writes to both" guest_sh "$NAME" w1 \
	"echo GUEST-RAW-$$ | dd of=/dev/xvdb bs=512 seek=4096 conv=notrunc 2>/dev/null && echo GUEST-QCOW-$$ | dd of=/dev/xvdc bs=512 seek=4096 conv=notrunc 2>/dev/null && sync"
bl=$(xl block-list "$d" 2>&1)
like "$bl" "*51728 0   $d*$BE/51728*" "xl block-list shows xvdb with its qdisk backend"
like "$bl" "*51744 0   $d*$BE/51744*" "xl block-list shows xvdc"

# ---- 3. hot attach (a read-only cdrom) and detach ------------------------
# QEMU 7.2 fails a read-only *disk* ("Block node is read-only"): refused.
out=$($T xl block-attach "$d" "format=raw,vdev=xvdd,access=ro,backendtype=qdisk,target=$W/h.img" 2>&1); rc=$?
like "$rc:$out" "1:*cannot serve a read-only disk*" "a read-only qdisk disk is refused, saying why"
ok "the refusal left no node" sh -c "! $XSR $BE/51760/state && ! $XSR $FE/51760/state"
out=$($T xl block-attach "$d" "vdev=xvdd,devtype=cdrom,access=ro,backendtype=qdisk,target=$W/h.img" 2>&1); rc=$?
is "$rc" 0 "xl block-attach of a read-only qdisk cdrom exits 0" || diag "$out"
is "$(qemu_of "$d" | wc -l)" 1 "the guest's QEMU serves it (no second QEMU)"
ok "the guest sees xvdd and reads Dom0's line" guest_sh "$NAME" h1 \
	"for i in \$(seq 60); do [ -b /dev/xvdd ] && break; sleep 1; done; dd if=/dev/xvdd bs=512 skip=2048 count=1 2>/dev/null | grep -q DOM0-HOT-$$"
ok "a write to the read-only cdrom fails in the guest" guest_sh "$NAME" h2 \
	"[ -b /dev/xvdd ] && ! dd if=/dev/zero of=/dev/xvdd bs=512 count=1 conv=fsync 2>/dev/null"
out=$($T xl block-detach "$d" xvdd 2>&1); rc=$?
is "$rc" 0 "xl block-detach xvdd exits 0" || diag "$out"
ok "xvdd is gone from the guest and from xenstore" guest_sh "$NAME" h3 \
	"for i in \$(seq 60); do [ -b /dev/xvdd ] || break; sleep 1; done; [ ! -b /dev/xvdd ]"
ok "no node left for xvdd" sh -c "! $XSR $BE/51760/state && ! $XSR $FE/51760/state"

# ---- 4. sharing across blkback and QEMU -----------------------------------
l0=$(loops)
out=$($T xl block-attach "$d" "file:$W/d.img,xvde,w" 2>&1); rc=$?
like "$rc:$out" "1:*already attached writable*qdisk 51728*" \
	"the qdisk's image attached writable through blkback is refused, naming the qdisk"
is "$(loops)" "$l0" "the refused attach left no loop device"

# ---- 5. shutdown: QEMU goes, Dom0 finds the writes -------------------------
out=$($T xl shutdown -w "$d" 2>&1); rc=$?
is "$rc" 0 "xl shutdown -w exits 0" || diag "$out"
no_qemu() { [ -z "$(qemu_of "$d")" ]; }
ok "no QEMU is left for the guest" wait_for 60 no_qemu
is "$(sector $W/d.img 4096)" "GUEST-RAW-$$" "Dom0 finds the guest's line in the raw image"
qemu-img convert -f qcow2 -O raw $W/q.qcow2 $W/q.out 2>&1 >&2
is "$(sector $W/q.out 4096)" "GUEST-QCOW-$$" "Dom0 finds the guest's line in the qcow2 image"
is "$(md5sum <$W/h.img)" "$h_sum" "the read-only image is unchanged"
ok "nothing left: QEMU, qdisk backends, device-model and pid nodes" wait_for 60 flat
diag "after shutdown: $(snapshot)"

# ---- 6. failures leave nothing ---------------------------------------------
out=$(LIGHTSTACK_QEMU_XEN=/nonexistent/qemu $T xl create $W/g.cfg 2>&1); rc=$?
like "$rc:$out" "1:*qemu-system-xen*" "no QEMU: exit 1, the package named"
ok "no domain was created for it" sh -c "! xl domid $NAME"
writecfg $W/cd.cfg "$NAME" "'format=raw,vdev=xvdb,access=rw,backendtype=qdisk,target=$W/d.img', ',xvdc:cdrom,r'"
out=$($T xl create $W/cd.cfg 2>&1); rc=$?
like "$rc:$out" "1:*xvdc: an empty cdrom cannot be served*" "an empty cdrom is refused, saying why"
ok "nothing was created for it" sh -c "! xl domid $NAME"
bad=""
for step in $(pick "vbd_devmodel unpause" "vbd_devmodel vbd_wait unpause"); do
	out=$(LIGHTSTACK_CREATE_FAIL=$step $T xl create $W/g.cfg 2>&1); rc=$?
	wait_for 60 flat
	if [ $rc -eq 0 ] || xl domid "$NAME" >/dev/null 2>&1 || ! flat; then
		bad="$bad $step(rc=$rc: $(snapshot))"
	fi
done
is "$bad" "" "a failure injected at $(pick "vbd_devmodel and unpause" "vbd_devmodel, vbd_wait and unpause") leaves nothing"

# ---- 7. destroy stops QEMU and the domain goes -----------------------------
ok "create again" $T xl create $W/g.cfg
d=$(xl domid "$NAME" 2>/dev/null)
out=$(timeout 120 xl destroy "$d" 2>&1); rc=$?
is "$rc" 0 "xl destroy exits 0" || diag "$out"
all_gone() { ! xl list "$d" >/dev/null 2>&1 && flat; }
ok "after destroy: no domain, no QEMU, nothing left" wait_for 60 all_gone
diag "after destroy: $(snapshot); xl list: $(xl list 2>&1 | tail -n +2 | tr '\n' '|')"

done_testing
