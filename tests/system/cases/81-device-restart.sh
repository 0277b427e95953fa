#!/bin/sh
# 81-device-restart: a restarted guest comes back with exactly the devices
# it had when it stopped, hot plug included (the stored configuration
# follows block-attach/-detach and network-attach/-detach, as libxl's does).
#
#   D   created with xvda and vif 0; hot: xvdb attached, xvdc attached and
#       detached again, vif 1 (a MAC of ours) attached, vif 0 detached;
#       `xl reboot` (on_reboot=restart, applied by lightmond): the new
#       domain has xvda and xvdb (the image, not a stale loop device), no
#       xvdc, vif 1 alone with its MAC, and the guest reads xvdb
#   F   the same through `xl create -F` (the creating xl applies the
#       action): a hot-attached disk survives its restart too
#   after  both destroyed: no loop device, backend or vif left
#
# At the quick depth F never boots: it is created paused (xl create -F -p)
# while D boots, gets its hot-attached xvdb, and `xl reboot -F` has Xen
# reboot it (a guest that never ran has not said it handles
# control/shutdown); the creating xl restarts it all the same, and it is
# destroyed once the new domain's disks are checked.  So the quick depth
# boots D twice and F never; the full depth also boots F next to D and
# reboots it through control/shutdown after D's checks, as a user would.
. "$LIGHTSTACK_TESTLIB"

B=$LIGHTSTACK_BUILD
XSR="$B/xenstored/xenstore-read"
XSL="$B/xenstored/xenstore-ls"
XSD="$B/xenstored/xenstore-list"
P=devr$$
W=/tmp/devr-$$
MAC1=00:16:3e:5e:00:02
export LIGHTSTACK_DEVICE_TIMEOUT_MS=120000

[ -r "${GUEST_KERNEL:-}" ] || bail "no GUEST_KERNEL"
[ -r "${GUEST_RAMDISK:-}" ] || bail "no GUEST_RAMDISK"
have xl || bail "xl not on PATH"
[ -x "$XSD" ] || XSD=/usr/bin/xenstore-list
modprobe loop 2>/dev/null
mkdir -p "$W"

made_br=""
cleanup() {
	[ -n "${fpid:-}" ] && kill "$fpid" 2>/dev/null
	for n in D F; do
		d=$(xl domid "$P$n" 2>/dev/null) && timeout 120 xl destroy "$d" >&2
	done
	[ -n "$made_br" ] && ip link del xenbr0 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

# ---- helpers ------------------------------------------------------------

mkimg() {
	dd if=/dev/zero of="$1" bs=1M count=4 2>/dev/null &&
	printf '%s\n' "$2" | dd of="$1" conv=notrunc 2>/dev/null
}
loops() { losetup -a 2>/dev/null | wc -l; }
vifs() { ls /sys/class/net 2>/dev/null | grep -c '^vif'; }
# Domains with backends of any kind: the empty kind directories a first
# device leaves (backend/vbd, backend/vif) are Dom0's, not a guest's.
backends() {
	_n=0
	for _k in $($XSL /local/domain/0/backend 2>/dev/null); do
		_n=$((_n + $($XSL /local/domain/0/backend/$_k 2>/dev/null | wc -l)))
	done
	echo $_n
}
snapshot() { echo "loops=$(loops) vifs=$(vifs) backends=$(backends)"; }
flat() { [ "$(snapshot)" = "$before" ]; }
domid_of() { xl domid "$1" 2>/dev/null; }
newid() { n=$(domid_of "$1") && [ "$n" != "$2" ]; }
ready() { [ "$($XSR /local/domain/$(domid_of $1)/control/feature-poweroff 2>/dev/null)" = 1 ]; }
# The device numbers of a domain's backends of kind $2, sorted, one line.
devs() { $XSD /local/domain/0/backend/$2/$1 2>/dev/null | sort -n | tr '\n' ' '; }

writecfg() {   # writecfg FILE NAME DISKS VIFS
	cat >"$1" <<EOF
name = "$2"
kernel = "$GUEST_KERNEL"
ramdisk = "$GUEST_RAMDISK"
extra = "console=hvc0"
memory = 128
vcpus = 1
on_reboot = "restart"
disk = [ $3 ]
vif = [ $4 ]
EOF
}

# The guest's console: gcmd sends a command line, gwait TAG PATTERN waits
# for the line "TAG:<result>" it prints (80-disks does the same).
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
	wait_for "${3:-300}" _seen || return 1
	case ${gline#"$_t":} in
	$_p) return 0 ;;
	esac
	return 1
}

# ---- setup ----------------------------------------------------------------
if ! ip link show xenbr0 >/dev/null 2>&1; then
	ip link add xenbr0 type bridge && ip link set xenbr0 up && made_br=y
fi
BASE=$W/base.img HOT=$W/hot.img GONE=$W/gone.img FHOT=$W/fhot.img FBASE=$W/fbase.img
mkimg "$BASE" "LIGHTSTACK-BASE-$$"
mkimg "$HOT" "LIGHTSTACK-HOT-$$"
mkimg "$GONE" "LIGHTSTACK-GONE-$$"
mkimg "$FBASE" "LIGHTSTACK-FBASE-$$"
mkimg "$FHOT" "LIGHTSTACK-FHOT-$$"
before=$(snapshot)
diag "before: $before"

# F after its reboot: xl create -F made it again, with the disk attached.
f_restarted() {
	ok "F: restarted by xl create -F under a new domid" wait_for 600 newid ${P}F "$f0" ||
		diag "xl create -F: $(tr '\n' '|' <"$W/f.log")"
	f1=$(domid_of ${P}F)
}
f_devs() {
	is "$(devs $f1 vbd)" "51712 51728 " "F: the new domain has xvda and the hot-attached xvdb"
}
# Its xl logs the restart once the new domain's create is complete.
f_logged() { grep -q "restarted as domain $f1 " "$W/f.log"; }

writecfg "$W/d.cfg" "${P}D" "'file:$BASE,xvda,w'" "'bridge=xenbr0'"
writecfg "$W/f.cfg" "${P}F" "'file:$FBASE,xvda,w'" ""
o=$(timeout 600 xl create "$W/d.cfg" 2>&1)
is "$?" 0 "D: xl create with xvda and vif 0" || diag "$o"
if full; then
	# Both guests boot at once: under TCG a boot is the slow part.
	timeout 1800 xl create -F "$W/f.cfg" >"$W/f.log" 2>&1 &
	fpid=$!
	ok "D and F up (control/feature-poweroff) within 900 s" wait_for 900 sh -c \
		"[ \"\$($XSR /local/domain/\$(xl domid ${P}D)/control/feature-poweroff)\" = 1 ] &&
		 [ \"\$($XSR /local/domain/\$(xl domid ${P}F)/control/feature-poweroff)\" = 1 ]"
	f0=$(domid_of ${P}F)
else
	# F, paused, all of it while D boots.  Its xl logs "monitoring
	# domain N" once the create is done (the stored config written,
	# which block-attach then updates).
	timeout 1800 xl create -F -p "$W/f.cfg" >"$W/f.log" 2>&1 &
	fpid=$!
	f_created() { grep -q "monitoring domain [0-9]* \"${P}F\"" "$W/f.log"; }
	ok "F: xl create -F -p: created, its xl monitors it" wait_for 600 f_created ||
		diag "xl create -F: $(tr '\n' '|' <"$W/f.log")"
	f0=$(domid_of ${P}F)
	o=$(timeout 300 xl block-attach ${P}F "file:$FHOT,xvdb,w" 2>&1)
	is "$?" 0 "F: block-attach xvdb" || diag "$o"
	o=$(timeout 120 xl reboot -F ${P}F 2>&1)
	is "$?" 0 "F: xl reboot -F (Xen reboots the paused guest)" || diag "$o"
	f_restarted
	# (No destroy while that create is still under way.)
	wait_for 120 f_logged
	f_devs
	timeout 120 xl destroy ${P}F >&2
	wait "$fpid" 2>/dev/null
	fpid=""
	ok "D up (control/feature-poweroff) within 900 s" wait_for 900 ready ${P}D
fi
d0=$(domid_of ${P}D)

# ---- D: hot plug, then reboot -------------------------------------------
o=$(timeout 300 xl block-attach ${P}D "file:$HOT,xvdb,w" 2>&1)
is "$?" 0 "D: block-attach xvdb" || diag "$o"
o=$(timeout 300 xl block-attach ${P}D "file:$GONE,xvdc,r" 2>&1)
is "$?" 0 "D: block-attach xvdc" || diag "$o"
o=$(timeout 300 xl network-attach ${P}D bridge=xenbr0 mac=$MAC1 2>&1)
is "$?" 0 "D: network-attach vif 1 ($MAC1)" || diag "$o"
o=$(timeout 300 xl block-detach ${P}D xvdc 2>&1)
is "$?" 0 "D: block-detach xvdc" || diag "$o"
o=$(timeout 300 xl network-detach ${P}D 0 2>&1)
is "$?" 0 "D: network-detach vif 0" || diag "$o"
is "$(devs $d0 vbd)/$(devs $d0 vif)" "51712 51728 /1 " "D: before the reboot it has xvda, xvdb and vif 1"
l=$(xl list -l ${P}D 2>&1)
case $l in
*"$GONE"*) fail "D: xl list -l shows xvdb, not the detached xvdc" "xvdc is there" ;;
*"\"pdev_path\": \"$HOT\""*) pass "D: xl list -l shows xvdb, not the detached xvdc" ;;
*) fail "D: xl list -l shows xvdb, not the detached xvdc" "no $HOT" ;;
esac

o=$(timeout 120 xl reboot ${P}D 2>&1)
is "$?" 0 "D: xl reboot" || diag "$o"
ok "D: restarted under a new domid" wait_for 600 newid ${P}D "$d0"
d1=$(domid_of ${P}D)
is "$(devs $d1 vbd)" "51712 51728 " "D: the new domain has xvda and xvdb, no xvdc"
is "$($XSR /local/domain/0/backend/vbd/$d1/51728/params 2>&1)" "$HOT" "D: its xvdb is the image attached before"
is "$(devs $d1 vif)" "1 " "D: the new domain has vif 1 only (vif 0 was detached)"
is "$($XSR /local/domain/0/backend/vif/$d1/1/mac 2>&1)" "$MAC1" "D: vif 1 keeps its MAC"
is "$(losetup -j "$GONE" 2>/dev/null | wc -l)" 0 "D: the detached image has no loop device"
ok "D: the restarted guest is up" wait_for 900 ready ${P}D
attach_console "$d1"
gcmd H "for i in \$(seq 60); do [ -b /dev/xvdb ] && break; sleep 1; done; echo H:\$(head -n 1 /dev/xvdb)"
gwait H "LIGHTSTACK-HOT-$$"; is "$?" 0 "D: the restarted guest reads xvdb ($gline)"
gcmd C "[ -b /dev/xvdc ]; echo C:\$?"
gwait C "1"; is "$?" 0 "D: the restarted guest has no xvdc ($gline)"
detach_console

# ---- F: the same with xl create -F (the quick depth did it above) ---------
if full; then
	o=$(timeout 300 xl block-attach ${P}F "file:$FHOT,xvdb,w" 2>&1)
	is "$?" 0 "F: block-attach xvdb" || diag "$o"
	o=$(timeout 120 xl reboot ${P}F 2>&1)
	is "$?" 0 "F: xl reboot" || diag "$o"
	f_restarted
	f_devs
fi

# ---- after ---------------------------------------------------------------
timeout 120 xl destroy ${P}D >&2
if full; then
	timeout 120 xl destroy ${P}F >&2
	wait "$fpid" 2>/dev/null
	fpid=""
fi
ok "after destroy: loop devices, vifs and backends as before" wait_for 60 flat ||
	diag "now: $(snapshot)"
done_testing
