#!/bin/sh
# 81-disk-script: disks with script= (xl-disk-configuration(5)) run the
# user's block script as libxl runs it: "SCRIPT add" once blkback waits,
# with script=, XENBUS_TYPE=vbd, XENBUS_PATH=backend/vbd/D/N and
# XENBUS_BASE_PATH=backend; the script writes physical-device and blkback
# serves what it names; "SCRIPT remove" at detach and destroy, while the
# nodes are still there to read.
#
# The script is the test's own: its target "testimg:FILE" means nothing
# to anyone but it; it puts FILE on a loop device of its own.  A target
# containing "refuse" makes it fail with a hotplug-error.
#
# Both depths run all of it: one guest boot and one failing create,
# nothing repeated or swept (the count is the same).
. "$LIGHTSTACK_TESTLIB"


B=$LIGHTSTACK_BUILD
XSR="$B/xenstored/xenstore-read"
XSL="$B/xenstored/xenstore-ls"
NAME=dscript$$
W=/tmp/dscript-$$
S=$W/block-test
LOG=$W/script.log
export LIGHTSTACK_DEVICE_TIMEOUT_MS=120000

plan 21

[ -r "${GUEST_KERNEL:-}" ] || bail "no GUEST_KERNEL"
[ -r "${GUEST_RAMDISK:-}" ] || bail "no GUEST_RAMDISK"
have xl || bail "xl not on PATH"
modprobe loop 2>/dev/null
mkdir -p "$W"

cleanup() {
	for n in "$NAME" "$NAME-bad"; do
		d=$(xl domid "$n" 2>/dev/null) && timeout 120 xl destroy "$d" >&2
	done
	for f in "$W"/*.img; do
		for l in $(losetup -j "$f" 2>/dev/null | cut -d: -f1); do losetup -d "$l"; done
	done
	rm -rf "$W"
}
trap cleanup EXIT

cat >"$S" <<EOF
#!/bin/sh
# A block script of the test's own: "add" puts the file named by the
# target "testimg:FILE" on a loop device and tells blkback; "remove"
# takes it off again.
echo "\$1 type=\$XENBUS_TYPE path=\$XENBUS_PATH base=\$XENBUS_BASE_PATH script=\$script" >>$LOG
case \$1 in
add)
	t=\$($XSR "\$XENBUS_PATH/params") || exit 1
	case \$t in
	*refuse*)
		$B/xenstored/xenstore-write "\$XENBUS_PATH/hotplug-error" "block-test refuses \$t"
		echo "block-test: refusing \$t" >&2
		exit 1 ;;
	esac
	f=\${t#testimg:}
	dev=\$(losetup -f --show "\$f") || exit 1
	$B/xenstored/xenstore-write "\$XENBUS_PATH/node" "\$dev" &&
	$B/xenstored/xenstore-write "\$XENBUS_PATH/physical-device-path" "\$dev" &&
	$B/xenstored/xenstore-write "\$XENBUS_PATH/physical-device" \\
		"\$(printf '%x:%x' 0x\$(stat -L -c %t "\$dev") 0x\$(stat -L -c %T "\$dev"))"
	;;
remove)
	dev=\$($XSR "\$XENBUS_PATH/node") && losetup -d "\$dev"
	;;
esac
EOF
chmod +x "$S"

mkimg() {
	dd if=/dev/zero of="$1" bs=1M count=4 2>/dev/null &&
	printf '%s\n' "$2" | dd of="$1" conv=notrunc 2>/dev/null
}
loops() { losetup -a 2>/dev/null | wc -l; }
vbds() { $XSL /local/domain/0/backend/vbd 2>/dev/null | wc -l; }
snapshot() { echo "loops=$(loops) vbd=$(vbds)"; }
flat() { [ "$(snapshot)" = "$before" ]; }
ready() { [ "$($XSR /local/domain/$1/control/feature-poweroff 2>/dev/null)" = 1 ]; }
logged() { grep -qx "$1" "$LOG" 2>/dev/null; }
writecfg() {   # writecfg FILE NAME DISKS
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

A=$W/a.img H=$W/h.img
mkimg "$A" "LIGHTSTACK-SCRIPT-A-$$"
mkimg "$H" "LIGHTSTACK-SCRIPT-H-$$"
before=$(snapshot)

# ---- create with a script disk --------------------------------------------
writecfg "$W/g.cfg" "$NAME" "'vdev=xvda,access=rw,script=$S,target=testimg:$A'"
o=$(timeout 600 xl create "$W/g.cfg" 2>&1)
is "$?" 0 "xl create with a script= disk" || diag "$o"
d=$(xl domid "$NAME" 2>/dev/null)
BE=/local/domain/0/backend/vbd/$d/51712
ok "the script ran 'add' with libxl's environment" \
	logged "add type=vbd path=backend/vbd/$d/51712 base=backend script=$S" ||
	diag "log: $(tr '\n' '|' <"$LOG")"
is "$($XSR $BE/script 2>&1)" "$S" "the backend's script node names it"
is "$($XSR $BE/params 2>&1)" "testimg:$A" "params is the target as given"
dev=$($XSR $BE/node 2>/dev/null)
like "$($XSR $BE/physical-device 2>&1)" "7:*" "physical-device is the script's loop device ($dev)"
like "$(losetup -j "$A" 2>/dev/null)" "$dev:*" "... which serves the image"
ok "the guest is up" wait_for 900 ready "$d"
fifo=$W/fifo out=$W/out
mkfifo "$fifo"
xenconsole "$d" <"$fifo" >"$out" 2>"$W/out.err" &
xc=$!
exec 4>"$fifo"
printf '%s\n' 'echo R:$(head -n 1 /dev/xvda)' >&4
seen() { tr -d '\r' <"$out" | grep -q "^R:LIGHTSTACK-SCRIPT-A-$$"; }
ok "the guest reads the disk the script set up" wait_for 300 seen ||
	diag "console: $(tr -d '\r' <"$out" | tail -n 5 | tr '\n' '|')"
printf '\035' >&4
exec 4>&-
sleep 1
kill "$xc" 2>/dev/null
wait "$xc" 2>/dev/null

# ---- hot attach and detach ------------------------------------------------
o=$(timeout 300 xl block-attach "$NAME" "vdev=xvdb,access=rw,script=$S,target=testimg:$H" 2>&1)
is "$?" 0 "block-attach of a script= disk" || diag "$o"
ok "... ran 'add' for xvdb" logged "add type=vbd path=backend/vbd/$d/51728 base=backend script=$S"
is "$(losetup -j "$H" 2>/dev/null | wc -l)" 1 "... whose image is on a loop device"
o=$(timeout 300 xl block-detach "$NAME" xvdb 2>&1)
is "$?" 0 "block-detach of it" || diag "$o"
ok "... ran 'remove' for xvdb" logged "remove type=vbd path=backend/vbd/$d/51728 base=backend script=$S"
is "$(losetup -j "$H" 2>/dev/null | wc -l)" 0 "... and the script took its loop device away"

# ---- failures leave nothing -----------------------------------------------
n0=$(vbds) l0=$(loops)
o=$(timeout 300 xl block-attach "$NAME" "vdev=xvdc,access=rw,script=$S,target=testimg:refuse" 2>&1); rc=$?
like "$rc:$o" "1:*block-test refuses testimg:refuse*" "a failing script: exit 1, its hotplug-error named"
is "$(vbds)/$(loops)" "$n0/$l0" "... and no backend node or loop device is left"
o=$(timeout 300 xl block-attach "$NAME" "vdev=xvdc,access=rw,script=$W/nope,target=testimg:$H" 2>&1); rc=$?
like "$rc:$o" "1:*$W/nope*No such file*" "a missing script: exit 1, named"
writecfg "$W/bad.cfg" "$NAME-bad" "'vdev=xvda,access=rw,script=$S,target=testimg:refuse'"
o=$(timeout 600 xl create "$W/bad.cfg" 2>&1); rc=$?
like "$rc:$o" "1:*block-test refuses*" "create with a failing script: exit 1, named"
ok "... and leaves no domain" sh -c "! xl domid $NAME-bad"

# ---- destroy ----------------------------------------------------------------
timeout 120 xl destroy "$NAME" >&2
ok "destroy ran 'remove' for xvda" \
	wait_for 60 logged "remove type=vbd path=backend/vbd/$d/51712 base=backend script=$S" ||
	diag "log: $(tr '\n' '|' <"$LOG")"
ok "... and no loop device or backend is left" wait_for 60 flat ||
	diag "now: $(snapshot), before: $before"
done_testing
