#!/bin/sh
# 63-killed-create: an `xl create` killed half-way (SIGKILL: no undo can
# run) is cleaned up by the next create, or by lightmond when it runs
# (liblight's create markers, light_reap_abandoned in light_domain.h).
#
# For each step of a create with a file-backed disk and a bridged vif
# (four of them at the quick depth, every one at the full depth),
# the create kills itself right after that step (the test build's
# LIGHTSTACK_CREATE_FAIL=kill:STEP).  Checked each time:
#   - it died by SIGKILL and left its marker, unlocked, and (from
#     createdomain on) a domain: what the cleanup must deal with;
#   - steps in turn: the next `xl create` of the same name succeeds
#     (the name is free again), or lightmond, running, removes it alone;
#   - then nothing is left: no domain, marker, loop device, vbd or vif
#     backend, vif, bridge port, /local/domain home, /libxl or /vm entry.
. "$LIGHTSTACK_TESTLIB"

B=$LIGHTSTACK_BUILD
XL=$B/xl/xl
MOND=${LIGHTSTACK_LIGHTMOND:-$B/lightmond/lightmond}
[ -x "$XL" ] || skip_all "xl not built"
[ -x "$MOND" ] || skip_all "lightmond not built ($MOND)"
[ -r "${GUEST_KERNEL:-}" ] && [ -r "${GUEST_RAMDISK:-}" ] || skip_all "no guest images"
export XENSTORED_PATH=/run/xenstored/socket
XSL=/usr/bin/xenstore-list
[ -x $XSL ] || XSL=$B/xenstored/xenstore-list

# The full depth kills at every step; the quick depth (CI) at four that
# leave each kind of state (a loop device and no domain yet; a domain with
# its disk; its vif on the bridge; everything, saved config included),
# two cleaned up by the next create and two by lightmond.
STEPS=$(pick "vbd_host vbd_wait vif_hotplug save_config" \
	"mark vbd_host createdomain build xenstore vbd_backend vbd_wait vif_backend vif_hotplug vif_wait introduce save_config")
set -- $STEPS
plan $(($# * 4 + 1))

W=/tmp/63
NAME=k63
MARKS=${LIGHTSTACK_RUN_DIR:-/run/lightstack}/creating
export LIGHTSTACK_LOG_DIR=$RESULTS/63-monitor
mkdir -p "$LIGHTSTACK_LOG_DIR" $W || bail "cannot make $W"
cp "$GUEST_KERNEL" $W/vmlinuz && cp "$GUEST_RAMDISK" $W/initrd || bail "cannot copy guest images"
dd if=/dev/zero of=$W/disk.img bs=1M count=16 2>/dev/null || bail "cannot make the disk image"
BR=lsk63
ip link add $BR type bridge && ip link set $BR up || bail "cannot make bridge $BR"
cat >$W/k.cfg <<EOF
name = "$NAME"
kernel = "$W/vmlinuz"
ramdisk = "$W/initrd"
cmdline = "console=hvc0 quiet"
memory = 96
vcpus = 1
disk = [ 'file:$W/disk.img,xvda,w' ]
vif = [ 'bridge=$BR' ]
EOF

ndoms() { $XL list 2>/dev/null | awk 'NR > 1' | wc -l; }
marks() { ls -A "$MARKS" 2>/dev/null | wc -l; }
loops() { losetup -a 2>/dev/null | wc -l; }
vifs() { ls /sys/class/net 2>/dev/null | grep -c '^vif'; }
snapshot() {
	echo "doms=$(ndoms) marks=$(marks) loops=$(loops) vifs=$(vifs)" \
		"vbd=$($XSL /local/domain/0/backend/vbd 2>/dev/null | wc -l)" \
		"vif=$($XSL /local/domain/0/backend/vif 2>/dev/null | wc -l)" \
		"ports=$(ls /sys/class/net/$BR/brif 2>/dev/null | wc -l)" \
		"homes=$($XSL /local/domain 2>/dev/null | wc -l)" \
		"libxl=$($XSL /libxl 2>/dev/null | wc -l)" \
		"vms=$($XSL /vm 2>/dev/null | wc -l)"
}
flat() { [ "$(snapshot)" = "$before" ]; }
stop_mond() {
	for p in $(pgrep -x lightmond); do kill "$p"; done
	wait_for 30 sh -c '! pgrep -x lightmond'
}
cleanup() {
	d=$($XL domid $NAME 2>/dev/null) && timeout 120 $XL destroy "$d" >/dev/null 2>&1
	ip link del $BR 2>/dev/null
	rm -rf $W
}
trap cleanup EXIT

# The next create, not the daemon, must do the cleanup in the first
# half: no daemon yet (each create below is -e, so none starts one).
stop_mond
# One create and destroy first, so that directories every guest shares
# (backend/vbd, ...) exist in the "before" picture.
timeout 600 $XL create -e $W/k.cfg >&2 && timeout 120 $XL destroy $NAME >&2
wait_for 60 sh -c "! $XL domid $NAME"
before=$(snapshot)
diag "before: $before"

i=0
for step in $STEPS; do
	i=$((i + 1))
	by=create
	[ $((i % 2)) = 0 ] && by=lightmond
	# The daemon's half: it runs while the create is killed, and must
	# find the leftovers on its own.
	if [ $by = lightmond ]; then
		$MOND >&2
		wait_for 30 sh -c 'pgrep -x lightmond'
	fi
	n0=$(ndoms)
	LIGHTSTACK_CREATE_FAIL=kill:$step timeout 600 $XL create -e $W/k.cfg >$W/out 2>&1
	rc=$?
	is "$rc" 137 "kill:$step: the create died by SIGKILL"
	left="marks=$(marks) doms=$(ndoms)"
	if [ $by = lightmond ]; then
		# It may have cleaned up already: the marker is its cue.
		pass "kill:$step: (lightmond running; left $left at first look)"
	else
		want_doms=$n0
		case $step in mark|vbd_host) ;; *) want_doms=$((n0 + 1)) ;; esac
		is "$left" "marks=1 doms=$want_doms" "kill:$step: it left its marker and, from createdomain on, its domain"
	fi
	if [ $by = create ]; then
		if timeout 600 $XL create -e $W/k.cfg >$W/out2 2>&1; then
			pass "kill:$step: the next create of the same name succeeds"
		else
			fail "kill:$step: the next create of the same name succeeds" "$(cat $W/out2)"
		fi
		timeout 120 $XL destroy $NAME >&2
	else
		ok "kill:$step: lightmond removes what it left" wait_for 60 sh -c "[ \$(ls -A $MARKS 2>/dev/null | wc -l) = 0 ] && ! $XL domid $NAME"
	fi
	wait_for 60 flat
	is "$(snapshot)" "$before" "kill:$step: cleaned up by the $by: nothing left"
	if [ $by = lightmond ]; then
		stop_mond
	fi
done
log=$LIGHTSTACK_LOG_DIR/lightmond.log
n=$(grep -c "create died half-way" "$log" 2>/dev/null)
want=0
i=0
for step in $STEPS; do
	i=$((i + 1))
	[ $((i % 2)) = 0 ] || continue
	case $step in mark|vbd_host) ;; *) want=$((want + 1)) ;; esac
done
is "${n:-0}" "$want" "lightmond logged each domain it removed"
done_testing
