#!/bin/sh
# 80-disks: guests use virtual disks (vbd) that Lightstack serves through
# Dom0's xen-blkback: raw images (loop), qcow2 (qemu-nbd), a read-only
# image and a block device (phy: a loop device the test made).
#
# The guest (busybox, with xen-blkfront loaded before it prints its
# marker) is driven through its console: a xenconsole client reads a FIFO
# we write commands into; each command prints a tagged line we wait for.
#
# Checked: the xenstore layout and states, the guest reads what Dom0 wrote
# and writes what Dom0 then finds in the images after shutdown, the ro
# disk refuses writes and its image is unchanged, hot attach and detach,
# the sharing (w!) check, a missing image named, a failure injected at
# each create step leaves nothing (no domain, loop/nbd device, xenstore
# node), nothing left after destroy, and 20 create/destroy cycles of a
# guest with two disks and a bridged vif keep loop devices, vifs, bridge
# ports and xenstore nodes flat.
#
# At the quick depth the failure is injected at three create steps:
# vbd_host (the first: only its loop and nbd devices to undo),
# vbd_backend (in the middle: the disks' xenstore halves just written,
# undone with the domain and its xenstore nodes) and unpause (the last:
# every undo runs), and the guest with two disks and a vif goes through
# two create/destroy cycles (the second must leave the xenstore tree as
# the first left it); the full depth also injects at every other step
# (createdomain, xenstore, vbd_wait, introduce, save_config) and runs 20
# cycles.
. "$LIGHTSTACK_TESTLIB"

B=$LIGHTSTACK_BUILD
XSR="$B/xenstored/xenstore-read"
XSL="$B/xenstored/xenstore-ls"
NAME=disk-test-$$
W=/tmp/disks-$$
export LIGHTSTACK_DEVICE_TIMEOUT_MS=120000

[ -n "${GUEST_KERNEL:-}" ] && [ -r "$GUEST_KERNEL" ] || bail "no GUEST_KERNEL"
[ -n "${GUEST_RAMDISK:-}" ] && [ -r "$GUEST_RAMDISK" ] || bail "no GUEST_RAMDISK"
have xl || bail "xl not on PATH"
mkdir -p "$W"
modprobe loop 2>/dev/null
modprobe xen-blkback 2>/dev/null

# ---- helpers ----------------------------------------------------------

# An image of $2 MiB whose first sector starts with the text $3.
mkimg() {
	dd if=/dev/zero of="$1" bs=1M count="$2" 2>/dev/null &&
	printf '%s\n' "$3" | dd of="$1" conv=notrunc 2>/dev/null
}
# The text at sector $2 of file $1 (the first line there).
sector_text() { dd if="$1" bs=512 skip="$2" count=1 2>/dev/null | tr -d '\0' | head -n 1; }

# What must be flat: loop devices bound, nbd devices connected, the
# xenstore tree's size, vbd backends.
loops() { losetup -a 2>/dev/null | wc -l; }
nbds() {
	n=0
	for s in /sys/block/nbd*/size; do
		[ -r "$s" ] && [ "$(cat "$s")" != 0 ] && n=$((n + 1))
	done
	echo $n
}
xsnodes() { $XSL / 2>/dev/null | wc -l; }
vbd_backends() { $XSL /local/domain/0/backend/vbd 2>/dev/null | wc -l; }
vifs() { ls /sys/class/net 2>/dev/null | grep -c '^vif'; }
vif_backends() { $XSL /local/domain/0/backend/vif 2>/dev/null | wc -l; }
snapshot() { echo "loops=$(loops) nbds=$(nbds) vbd=$(vbd_backends) vifs=$(vifs) vif=$(vif_backends)"; }
# Backends let go of loop devices a moment after their nodes went.
flat() { [ "$(snapshot)" = "$before" ]; }

writecfg() {   # writecfg FILE NAME DISK-LIST
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

# Console: a xenconsole reading FIFO $fifo (held open on fd 4), writing
# to $out.  gcmd TAG CMD runs CMD in the guest, which prints "TAG:<result>";
# gwait TAG PATTERN waits for that line and leaves it in $gline.
attach_console() {
	fifo=$W/fifo out=$W/out
	rm -f "$fifo" "$out"
	mkfifo "$fifo"
	xenconsole "$1" <"$fifo" >"$out" 2>"$W/out.err" &
	xc=$!
	exec 4>"$fifo"
}
detach_console() {
	printf '\035' >&4
	exec 4>&-
	sleep 1
	kill "$xc" 2>/dev/null
	wait "$xc" 2>/dev/null
}
gcmd() { printf '%s\n' "$2" >&4; }
gline_of() { tr -d '\r' <"$out" | grep "^$1:" | tail -n 1; }
gwait() {
	_t=$1 _p=$2
	_seen() { gline=$(gline_of "$_t"); [ -n "$gline" ]; }
	wait_for "${3:-180}" _seen || return 1
	case ${gline#"$_t":} in
	$_p) return 0 ;;
	esac
	return 1
}

# ---- images -----------------------------------------------------------
RAW=$W/raw.img RO=$W/ro.img QRAW=$W/q.raw QCOW=$W/q.qcow2 PHYF=$W/phy.img
mkimg "$RAW" 8 "LIGHTSTACK-RAW-$$"
mkimg "$RO" 8 "LIGHTSTACK-RO-$$"
mkimg "$QRAW" 8 "LIGHTSTACK-QCOW-$$"
mkimg "$PHYF" 8 "LIGHTSTACK-PHY-$$"
ro_sum=$(md5sum <"$RO")
have_qcow=""
if have qemu-img && have qemu-nbd && qemu-img convert -f raw -O qcow2 "$QRAW" "$QCOW" 2>/dev/null; then
	have_qcow=y
fi
PHY=$(losetup -f --show "$PHYF" 2>/dev/null)

before=$(snapshot)
nodes_before=$(xsnodes)
diag "before: $before xenstore=$nodes_before"

# ---- 1. a guest with four disks ----------------------------------------
disks="'file:$RAW,xvdb,w', 'format=raw,vdev=xvdc,access=ro,target=$RO'"
[ -z "$have_qcow" ] || disks="$disks, 'format=qcow2,vdev=xvdd,target=$QCOW'"
[ -z "$PHY" ] || disks="$disks, 'phy:$PHY,xvde,w'"
writecfg "$W/g.cfg" "$NAME" "$disks"
out1=$(timeout 600 xl create "$W/g.cfg" 2>&1); rc=$?
is "$rc" 0 "xl create of a guest with disks exits 0" || diag "$out1"
domid=$(xl domid "$NAME" 2>/dev/null)
case $domid in
''|*[!0-9]*) fail "the guest exists" "no domid"; done_testing ;;
esac
BE=/local/domain/0/backend/vbd/$domid
FE=/local/domain/$domid/device/vbd

# Layout as libxl writes it.
is "$($XSR $BE/51728/params)" "$RAW" "xvdb: backend params is the image"
is "$($XSR $BE/51728/mode)" "w" "xvdb: mode w"
is "$($XSR $BE/51744/mode)" "r" "xvdc: mode r"
is "$($XSR $BE/51728/frontend)" "$FE/51728" "xvdb: backend names its frontend"
is "$($XSR $FE/51728/backend)" "$BE/51728" "xvdb: frontend names its backend"
is "$($XSR $FE/51728/virtual-device)" "51728" "xvdb: virtual-device 51728"
like "$($XSR $BE/51728/physical-device)" "7:*" "xvdb: physical-device is a loop device (7:N, hex)"
[ -z "$have_qcow" ] || like "$($XSR $BE/51760/physical-device)" "2b:*" "xvdd: physical-device is an nbd device (0x2b:N)"
bl=$(xl block-list "$domid" 2>&1)
like "$(printf '%s\n' "$bl" | head -n 1)" "Vdev  BE  handle state evt-ch ring-ref BE-path*" "xl block-list header"
like "$bl" "*51728 0   $domid*$BE/51728*" "xl block-list lists xvdb"
# Upstream's xl reads the same layout (/libxl/D/device/vbd and the
# backends).  The state, evt-ch and ring-ref columns move while the
# guest's frontends connect: compare the others.
UP=/usr/lib/xen-4.17/bin/xl
cols() { awk 'NR > 1 { print $1, $2, $3, $7 }'; }
if [ -x "$UP" ]; then
	up=$(timeout 120 "$UP" block-list "$domid" 2>&1 | cols)
	is "$up" "$(xl block-list "$domid" | cols)" "upstream's xl block-list shows the same disks"
else
	skip "upstream's xl block-list shows the same disks" "no upstream xl in the image"
fi

# ---- 2. the guest uses them ---------------------------------------------
attach_console "$domid"
gcmd R "echo R:\$(head -n 1 /dev/xvdb)"
gwait R "LIGHTSTACK-RAW-$$" 400; rc=$?
if [ $rc -eq 0 ]; then pass "the guest reads what Dom0 wrote into the raw image"
else fail "the guest reads what Dom0 wrote into the raw image" "saw '$gline'; console: $(tr -d '\r' <"$out" | tail -n 5 | tr '\n' '|')"; fi
gcmd RO "echo RO:\$(head -n 1 /dev/xvdc)"
gwait RO "LIGHTSTACK-RO-$$"; is "$?" 0 "the guest reads the ro disk ($gline)"
gcmd WB "echo GUEST-WROTE-RAW-$$ | dd of=/dev/xvdb bs=512 seek=2048 conv=fsync 2>/dev/null; echo WB:\$?"
gwait WB "0"; is "$?" 0 "the guest writes to the raw disk ($gline)"
gcmd WC "echo GUEST-WROTE-RO | dd of=/dev/xvdc bs=512 seek=2048 conv=fsync 2>/dev/null; echo WC:\$?"
gwait WC "[1-9]*"; is "$?" 0 "a write to the ro disk fails inside the guest ($gline)"
if [ -n "$have_qcow" ]; then
	gcmd Q "echo Q:\$(head -n 1 /dev/xvdd)"
	gwait Q "LIGHTSTACK-QCOW-$$"; is "$?" 0 "the guest reads the qcow2 disk ($gline)"
	gcmd WQ "echo GUEST-WROTE-QCOW-$$ | dd of=/dev/xvdd bs=512 seek=2048 conv=fsync 2>/dev/null; echo WQ:\$?"
	gwait WQ "0"; is "$?" 0 "the guest writes to the qcow2 disk"
else
	skip "the guest reads the qcow2 disk" "no qemu-img/qemu-nbd in Dom0"
fi
if [ -n "$PHY" ]; then
	gcmd P "echo P:\$(head -n 1 /dev/xvde)"
	gwait P "LIGHTSTACK-PHY-$$"; is "$?" 0 "the guest reads the phy: disk ($gline)"
	gcmd WP "echo GUEST-WROTE-PHY-$$ | dd of=/dev/xvde bs=512 seek=2048 conv=fsync 2>/dev/null; echo WP:\$?"
	gwait WP "0"; is "$?" 0 "the guest writes to the phy: disk"
else
	skip "the guest reads the phy: disk" "losetup failed"
fi

# ---- 3. hot attach and detach -----------------------------------------
HOT=$W/hot.img
mkimg "$HOT" 4 "LIGHTSTACK-HOT-$$"
o=$(timeout 300 xl block-attach "$domid" "file:$HOT" xvdf w 2>&1); rc=$?
is "$rc" 0 "xl block-attach file:hot.img xvdf w exits 0" || diag "$o"
gcmd H "for i in \$(seq 60); do [ -b /dev/xvdf ] && break; sleep 1; done; echo H:\$(head -n 1 /dev/xvdf)"
gwait H "LIGHTSTACK-HOT-$$"; is "$?" 0 "the guest sees the hot-attached xvdf ($gline)"
like "$(xl list -l "$domid" 2>&1)" "*\"pdev_path\": \"$HOT\"*" "xl list -l shows the hot-attached disk"
o=$(timeout 300 xl block-detach "$domid" xvdf 2>&1); rc=$?
is "$rc" 0 "xl block-detach xvdf exits 0" || diag "$o"
gcmd HG "for i in \$(seq 60); do [ -b /dev/xvdf ] || break; sleep 1; done; [ -b /dev/xvdf ]; echo HG:\$?"
gwait HG "1"; is "$?" 0 "xvdf is gone from the guest"
is "$(losetup -j "$HOT" 2>/dev/null | wc -l)" 0 "hot.img's loop device is detached"
case $(xl list -l "$domid" 2>&1) in
*"$HOT"*) fail "xl list -l no longer shows the detached disk" ;;
*"$RAW"*) pass "xl list -l no longer shows the detached disk" ;;
*) fail "xl list -l no longer shows the detached disk" "it shows no disks at all" ;;
esac
ok "no xenstore node left for xvdf" sh -c "! $XSR $BE/51792/state && ! $XSR $FE/51792/state"
o=$(xl block-detach "$domid" xvdq 2>&1); rc=$?
like "$rc:$o" "1:*Device xvdq not connected*" "block-detach of a disk the guest has not: exit 1, named"

# ---- 4. sharing: the same image writable twice ------------------------
l0=$(loops)
o=$(timeout 300 xl block-attach "$domid" "file:$RAW,xvdg,w" 2>&1); rc=$?
like "$rc:$o" "1:*already attached*w!*" "the raw image attached writable again is refused"
is "$(loops)" "$l0" "the refused attach left no loop device"
ok "the refused attach left no xenstore node" sh -c "! $XSR $BE/51808/state"
o=$(timeout 300 xl block-attach "$domid" "file:$RAW,xvdg,r" 2>&1); rc=$?
like "$rc:$o" "1:*already attached writable*" "the same image read-only while it is writable elsewhere is refused"
o=$(timeout 300 xl block-attach "$domid" "file:$RAW,xvdg,w!" 2>&1); rc=$?
is "$rc" 0 "with w! the second writable attach is allowed" || diag "$o"
timeout 300 xl block-detach -f "$domid" xvdg >&2

# ---- 5. a missing image is named, nothing is created --------------------
writecfg "$W/m.cfg" "$NAME-missing" "'file:$W/nope.img,xvda,w'"
o=$(timeout 300 xl create "$W/m.cfg" 2>&1); rc=$?
like "$rc:$o" "1:*$W/nope.img*No such file*" "a missing image: exit 1, the file named"
ok "no domain was created for it" sh -c "! xl domid $NAME-missing"

# ---- 6. shutdown: Dom0 finds the guest's writes ----------------------
detach_console
o=$(timeout 600 xl shutdown -w "$domid" 2>&1); rc=$?
is "$rc" 0 "xl shutdown -w exits 0" || diag "$o"
wait_for 120 sh -c "! $XSR /local/domain/$domid/name"
is "$(sector_text "$RAW" 2048)" "GUEST-WROTE-RAW-$$" "Dom0 finds the guest's write in the raw image"
is "$(md5sum <"$RO")" "$ro_sum" "the ro image is unchanged"
if [ -n "$have_qcow" ]; then
	qemu-img convert -f qcow2 -O raw "$QCOW" "$W/q.out" 2>&1 >&2
	is "$(sector_text "$W/q.out" 2048)" "GUEST-WROTE-QCOW-$$" "Dom0 finds the guest's write in the qcow2 image"
fi
if [ -n "$PHY" ]; then
	is "$(dd if="$PHY" bs=512 skip=2048 count=1 2>/dev/null | tr -d '\0' | head -n 1)" \
		"GUEST-WROTE-PHY-$$" "Dom0 finds the guest's write on the phy: device"
fi
wait_for 60 flat
is "$(snapshot)" "$before" "after the guest is gone: no loop, nbd or vbd backend left"
ok "no /libxl/$domid, no frontend nodes" sh -c "! $XSR /libxl/$domid/type && ! $XSL /local/domain/$domid"

# ---- 7. a failure at each create step leaves nothing ------------------
fdisks="'file:$RAW,xvdb,w'"
[ -z "$have_qcow" ] || fdisks="$fdisks, 'format=qcow2,vdev=xvdd,target=$QCOW'"
writecfg "$W/f.cfg" "$NAME-f" "$fdisks"
for step in $(pick "vbd_host vbd_backend unpause" \
	"vbd_host createdomain xenstore vbd_backend vbd_wait introduce save_config unpause"); do
	o=$(LIGHTSTACK_CREATE_FAIL=$step timeout 600 xl create "$W/f.cfg" 2>&1); rc=$?
	wait_for 30 sh -c "! xl domid $NAME-f"
	wait_for 30 flat
	now=$(snapshot)
	if [ $rc -ne 0 ] && ! xl domid "$NAME-f" >/dev/null 2>&1 && [ "$now" = "$before" ]; then
		pass "failure injected at $step: exit $rc, nothing left"
	else
		# An install build has no fault injection (configure
		# --enable-fault-injection, which scripts/build uses).
		hint=""
		[ $rc -ne 0 ] || hint=" (did this build enable fault injection?)"
		fail "failure injected at $step: exit $rc, nothing left$hint" "$now (before: $before); $o"
		d=$(xl domid "$NAME-f" 2>/dev/null) && xl destroy "$d" >&2
	fi
done

# ---- 8. destroy of a running guest, and 20 cycles (2 at the quick depth)
writecfg "$W/c.cfg" "$NAME-c" "'file:$RAW,xvdb,w', 'format=raw,vdev=xvdc,access=ro,target=$RO'"
# ...and a vif on a bridge of the case's own (netback's vifD.0 becomes a
# port of it at each create and must be gone after each destroy).
CBR=lscyc$$
ip link add $CBR type bridge && ip link set $CBR up || bail "cannot make bridge $CBR"
echo "vif = [ 'bridge=$CBR' ]" >>"$W/c.cfg"
ncyc=$(pick 2 20)
cyc_ok=0
for i in $(seq $ncyc); do
	if timeout 600 xl create "$W/c.cfg" >&2 2>&1; then
		d=$(xl domid "$NAME-c") && timeout 300 xl destroy "$d" >&2 && cyc_ok=$((cyc_ok + 1))
	fi
	# The first guest may leave directories every later one shares
	# (backend/vbd): count from after it.
	[ "$i" -ne 1 ] || { wait_for 30 flat; nodes_after1=$(xsnodes); }
done
is "$cyc_ok" $ncyc "$ncyc create/destroy cycles of a guest with two disks and a vif"
wait_for 60 flat
is "$(snapshot)" "$before" "after the cycles: loop and nbd devices, vbd and vif backends, vifs as before"
is "$(ls /sys/class/net/$CBR/brif 2>&1 | wc -l)" 0 "after the cycles: the bridge has no port left"
ip link del $CBR
is "$(xsnodes)" "$nodes_after1" "after the cycles: the xenstore tree as after the first cycle"
is "$(md5sum <"$RO")" "$ro_sum" "the ro image is still unchanged"

[ -z "$PHY" ] || losetup -d "$PHY"
rm -rf "$W"
done_testing
