#!/bin/sh
# 25-interop: Lightstack and upstream side by side on one host.
#
# With Lightstack's daemons (the default boot):
#   - a Lightstack guest seen by upstream's xl: list, list -l (it reads
#     the stored config from libxl's file, /var/lib/xen/userdata-d.*),
#     block-list, destroy; the destroy by the other tool also removes
#     Lightstack's name index entry (our xenstored drops it on release);
#   - an upstream guest (upstream xl create against our xenstored and
#     xenconsoled) seen by Lightstack's xl: list, list -l (libxl's file),
#     destroy;
#   - examples/events: 3 guests and their events: disk connected, memory
#     target reached, shutdown with its reason, crash, destroy;
#   - examples/parallel: 4 threads, one context each, creating and
#     destroying guests at once.
# With upstream's daemons (LIGHTSTACK_TOOLSTACK=upstream: oxenstored,
# upstream xenconsoled; tests/system/system-upstream.test boots so):
# Lightstack's xl create, list, list -l, destroy, and upstream's xl on
# the same guest.
# In both boots each tool finds the other's guests by name, shuts one
# down (shutdown -w) and destroys one, and whichever tool it was, nothing
# of the guest is left in xenstore or Dom0 (nothing_left).
. "$LIGHTSTACK_TESTLIB"

UXL=/usr/sbin/xl
RD=/usr/bin/xenstore-read
WR=/usr/bin/xenstore-write
RM=/usr/bin/xenstore-rm
T="timeout 120"
W=/tmp/25-interop-$$
export LIGHTSTACK_DEVICE_TIMEOUT_MS=120000

[ -n "${GUEST_KERNEL:-}" ] && [ -r "$GUEST_KERNEL" ] || skip_all "no GUEST_KERNEL"
[ -x $UXL ] || skip_all "no upstream xl in the image"
have xl || bail "xl not on PATH"
mkdir -p "$W"
modprobe loop 2>/dev/null
modprobe xen-blkback 2>/dev/null

writecfg() {   # writecfg FILE NAME [DISK-LIST]
	cat >"$1" <<EOF
name = "$2"
kernel = "$GUEST_KERNEL"
ramdisk = "$GUEST_RAMDISK"
extra = "console=hvc0 sysrq_always_enabled"
memory = 128
vcpus = 1
on_crash = "preserve"
EOF
	[ -z "${3:-}" ] || echo "disk = [ $3 ]" >>"$1"
}

udomid() { $T $UXL domid "$1" 2>/dev/null; }
lgone() { ! $T xl domid "$1" >/dev/null 2>&1; }
ugone() { ! $T $UXL domid "$1" >/dev/null 2>&1; }
stored() { ls /var/lib/xen/userdata-d."$1".*.libxl-json 2>/dev/null; }
# Nothing of domain $1 (vm path $2, name $3) is left: its xenstore
# directories, its backends, Lightstack's name index entry, its stored
# config (libxl's files).  Cleanup may lag the death a moment (a monitor
# acts on @releaseDomain), so this waits up to 30 s.  One test point; $4
# names who ended the guest.
leftovers() {
	for p in /local/domain/$1 /libxl/$1 $2 \
	    /local/domain/0/backend/vbd/$1 /local/domain/0/backend/vif/$1 \
	    /local/domain/0/backend/console/$1 /tool/lightstack/names/$3; do
		[ -n "$p" ] && [ "$p" != /vm/ ] || continue
		! $T $RD "$p" >/dev/null 2>&1 || echo "$p"
	done
	ls /var/lib/xen/userdata-d."$1".* 2>/dev/null
}
nothing_left() {
	none() { [ -z "$(leftovers "$@")" ]; }
	wait_for 30 none "$1" "$2" "$3"
	is "$(leftovers "$1" "$2" "$3" | tr '\n' ' ')" "" "nothing of $3 is left after $4"
}
vmpath() { $T $RD /local/domain/$1/vm 2>/dev/null; }
# Boot a guest and wait until its kernel listens on control/.
booted() {   # booted CFG-FILE NAME TOOL
	$T $3 create "$1" >/dev/null 2>&1 || return 1
	bd=$($T xl domid "$2" 2>/dev/null) || return 1
	wait_for 300 ready "$bd" && wait_for 300 guest_up "$2"
}
# The guest kernel listens on control/ (shutdown, sysrq) once it wrote this.
ready() { [ -n "$($RD /local/domain/$1/control/feature-poweroff 2>/dev/null)" ]; }
# But it answers a poweroff by running /sbin/poweroff, which the guest's
# init writes only later, before its marker: a request in between is
# acknowledged and lost (seen in a loaded run: upstream's shutdown -w then
# waited its whole bound).  So a guest is booted once the marker is out.
guest_up() {
	tr -d '\r' <"/var/log/xen/console/guest-$1.log" 2>/dev/null |
		grep -q '^LIGHTSTACK-GUEST-UP'
}

# libxl needs the cpupool name that xen-init-dom0 writes; supply it if no
# init did (and take it away again afterwards).
wrote_pool=""
if ! $T $RD /local/pool/0/name >/dev/null 2>&1; then
	$T $WR /local/pool/0/name Pool-0 && wrote_pool=1
fi

IMG=$W/disk.img
dd if=/dev/zero of="$IMG" bs=1M count=8 2>/dev/null

# ---- Lightstack's guest, upstream's tools ---------------------------------
light_guest_upstream_tools() {
	n=ia-light-$$
	writecfg "$W/l.cfg" "$n" "'file:$IMG,xvda,w'"
	ok "Lightstack xl create $n" $T xl create "$W/l.cfg"
	d=$($T xl domid "$n" 2>/dev/null)
	diag "$n is domain ${d:-none}"
	vm=$(vmpath "$d")
	is "$(udomid "$n")" "$d" "upstream xl domid finds the Lightstack guest by name"
	f=$(stored "$d")
	if [ -n "$f" ] && [ "$(tail -c 1 "$f" | od -An -tx1 | tr -d ' ')" = 00 ]; then
		pass "the config is in libxl's file, NUL-terminated as libxl writes it"
	else
		fail "the config is in libxl's file, NUL-terminated as libxl writes it" \
			"$(ls -l /var/lib/xen 2>&1)"
	fi
	like "$($T $UXL list 2>&1)" "*$n*" "upstream xl list shows the Lightstack guest"
	out=$($T $UXL list -l "$n" 2>&1); rc=$?
	if [ $rc = 0 ] && case $out in *"\"name\": \"$n\""*) true ;; *) false ;; esac &&
	   ! case $out in *"Fail to get"*) true ;; *) false ;; esac; then
		pass "upstream xl list -l reads the Lightstack guest's configuration"
	else
		fail "upstream xl list -l reads the Lightstack guest's configuration" \
			"rc=$rc $(echo "$out" | head -n 20)"
	fi
	like "$($T $UXL list -l "$n" 2>/dev/null)" "*\"pdev_path\": \"*\"*" \
		"upstream xl list -l shows the guest's disk"
	like "$($T $UXL block-list "$n" 2>&1)" "*51712*" "upstream xl block-list shows xvda"
	is "$($T $RD /tool/lightstack/names/ia-light-$$ 2>/dev/null)" "$d" \
		"Lightstack's name index has the guest"
	ok "upstream xl destroy of the Lightstack guest" $T $UXL destroy "$n"
	# Checked before any Lightstack lookup, which would drop a stale
	# entry itself: this is our xenstored's doing.
	entry_gone() { ! $RD /tool/lightstack/names/ia-light-$$ >/dev/null 2>&1; }
	ok "its name index entry went with it (xenstored, on release)" wait_for 30 entry_gone
	ok "Lightstack's xl sees it gone" wait_for 30 lgone "$n"
	# Upstream's block script does not know our loop device: let it go.
	for l in $(losetup -j "$IMG" 2>/dev/null | cut -d: -f1); do
		diag "upstream destroy left $l bound to the image; detaching"
		losetup -d "$l"
	done
	rm -f "$f"
	nothing_left "$d" "$vm" "$n" "upstream's destroy"

	upstream_shutdown_light_guest ia-ls-$$
}

# Upstream's xl shuts down a Lightstack guest: it powers off, Lightstack's
# monitor (on_poweroff = destroy) destroys it, upstream's xl waits.
upstream_shutdown_light_guest() {
	n=$1
	writecfg "$W/$n.cfg" "$n"
	if booted "$W/$n.cfg" "$n" xl; then
		d=$($T xl domid "$n"); vm=$(vmpath "$d")
		ok "upstream xl shutdown -w of a Lightstack guest" \
			timeout 300 $UXL shutdown -w "$n"
		ok "Lightstack's xl sees it gone" wait_for 30 lgone "$n"
		nothing_left "$d" "$vm" "$n" "upstream's shutdown -w"
		# A guest this left behind would be counted by later cases.
		if ! lgone "$n"; then
			diag "$n still exists: destroying it"
			$T xl destroy "$n" >&2
		fi
	else
		fail "upstream xl shutdown -w of a Lightstack guest" "it did not boot"
		skip "gone" "no guest"; skip "nothing left" "no guest"
		$T xl destroy "$n" >/dev/null 2>&1
	fi
}

# Lightstack's tools shut down an upstream guest (upstream's xl keeps a
# monitor process for it, which destroys it on poweroff).
light_shutdown_upstream_guest() {
	n=$1
	writecfg "$W/$n.cfg" "$n"
	if booted "$W/$n.cfg" "$n" $UXL; then
		d=$(udomid "$n"); vm=$(vmpath "$d")
		is "$($T xl domid "$n" 2>/dev/null)" "$d" \
			"Lightstack xl domid finds the upstream guest by name"
		ok "Lightstack xl shutdown -w of an upstream guest" \
			timeout 300 xl shutdown -w "$n"
		ok "upstream xl sees it gone" wait_for 30 ugone "$n"
		nothing_left "$d" "$vm" "$n" "Lightstack's shutdown -w"
	else
		fail "Lightstack xl domid finds the upstream guest by name" "it did not boot"
		skip "shutdown" "no guest"; skip "gone" "no guest"; skip "nothing left" "no guest"
		$T $UXL destroy "$n" >/dev/null 2>&1
	fi
}

# ---- upstream's guest, Lightstack's tools ---------------------------------
upstream_guest_light_tools() {
	n=ia-up-$$
	writecfg "$W/u.cfg" "$n"
	ok "upstream xl create $n against Lightstack's xenstored and xenconsoled" \
		timeout 180 $UXL create "$W/u.cfg"
	d=$(udomid "$n")
	diag "$n is domain ${d:-none}"
	vm=$(vmpath "$d")
	ok "our xenconsoled published its console tty" \
		wait_for 30 sh -c "$RD /local/domain/$d/console/tty | grep -q /dev/pts/"
	like "$($T xl list 2>&1)" "*$n*" "Lightstack xl list shows the upstream guest"
	like "$($T xl list -l 2>&1)" "*\"name\": \"$n\"*" \
		"Lightstack xl list -l reads the config libxl stored"
	ok "Lightstack xl destroy of the upstream guest" $T xl destroy "$n"
	ok "upstream xl sees it gone" wait_for 30 ugone "$n"
	is "$(stored "$d")" "" "its libxl file is gone"
	nothing_left "$d" "$vm" "$n" "Lightstack's destroy"
	light_shutdown_upstream_guest ia-us-$$
}

# ---- examples/events ------------------------------------------------------
events_example() {
	have events || { for i in 1 2 3 4 5 6 7 8; do skip "events $i" "no examples/events"; done; return; }
	writecfg "$W/e.cfg" "ev$$" "'file:$IMG,xvda,r'"
	log=$W/events.log
	events "$W/e.cfg" 3 900 >"$log" 2>&1 &
	epid=$!
	created() { [ "$(grep -c '^created ' "$log")" = 3 ]; }
	wait_for 600 created
	gid() { sed -n "s/^created \([0-9]*\) ev$$-$1\$/\1/p" "$log"; }
	d1=$(gid 1) d2=$(gid 2) d3=$(gid 3)
	diag "guests $d1 $d2 $d3"
	conn() { [ "$(grep -c '^event device-connected .* vbd 51712$' "$log")" = 3 ]; }
	ok "events: each guest's disk connected" wait_for 300 conn
	allready() { ready "$d1" && ready "$d2" && ready "$d3"; }
	wait_for 300 allready || diag "not every guest wrote feature-poweroff"

	# Balloon ev-1 down to 120 MiB: Xen's page count tells when it is there.
	$T $WR /local/domain/$d1/memory/target 122880
	seen() { grep -q "$1" "$log"; }
	ok "events: memory target reached" wait_for 300 seen \
		"^event memory-target-reached $d1 ev$$-1 122880$" ||
		diag "$($T xl list 2>&1 | grep "ev$$-1")"

	# A poweroff: the reason is SHUTDOWN_poweroff (0); the example destroys it.
	$T xl shutdown "ev$$-1" >/dev/null 2>&1
	ok "events: shutdown with reason poweroff" wait_for 300 seen \
		"^event domain-shutdown $d1 ev$$-1 reason 0$"
	ok "events: destroyed after the reaction" wait_for 60 seen \
		"^event domain-destroyed $d1 ev$$-1$"

	# A crash (sysrq c through xenstore): SHUTDOWN_crash (3).
	$T $WR /local/domain/$d2/control/sysrq c
	ok "events: crash" wait_for 300 seen "^event domain-crashed $d2 ev$$-2 reason 3$"

	# Destroyed by someone else.
	$T xl destroy "ev$$-3" >/dev/null 2>&1
	ok "events: destroy by another process" wait_for 60 seen \
		"^event domain-destroyed $d3 ev$$-3$"
	# Past the bound it is a failure, not a wait for its own 900 s timeout.
	wait_for 120 sh -c "! kill -0 $epid 2>/dev/null" || kill $epid 2>/dev/null
	wait $epid; rc=$?
	is "$rc" 0 "events exits 0 when all its guests are gone"
	like "$(cat "$log")" "*all 3 guests gone*" "events says so"
	cp "$log" "$RESULTS/25-events.log" 2>/dev/null
	kill $epid 2>/dev/null
	for i in 1 2 3; do $T xl destroy "ev$$-$i" >/dev/null 2>&1; done
}

# ---- examples/parallel ----------------------------------------------------
parallel_example() {
	have parallel || { for i in 1 2 3; do skip "parallel $i" "no examples/parallel"; done; return; }
	writecfg "$W/p.cfg" "par$$"
	out=$(timeout 1200 parallel "$W/p.cfg" 4 2 2>&1); rc=$?
	echo "$out" >"$RESULTS/25-parallel.log" 2>/dev/null
	is "$rc" 0 "4 threads, one context each, create and destroy 2 guests each" ||
		diag "$(echo "$out" | tail -n 20)"
	is "$(echo "$out" | grep -c ' created ')/$(echo "$out" | grep -c ' destroyed ')" \
		"8/8" "all 8 creates and 8 destroys were made"
	left() { $T xl list 2>/dev/null | grep -c "par$$" ; }
	is "$(left)" 0 "none of the threads' guests is left"
}

# ---- Lightstack's tools against upstream's daemons --------------------------
light_on_upstream_daemons() {
	n=ia-lu-$$
	writecfg "$W/lu.cfg" "$n"
	ok "Lightstack xl create against oxenstored" $T xl create "$W/lu.cfg"
	d=$($T xl domid "$n" 2>/dev/null)
	diag "$n is domain ${d:-none}"
	vm=$(vmpath "$d")
	is "$(udomid "$n")" "$d" "upstream xl domid finds the Lightstack guest by name"
	like "$($T xl list 2>&1)" "*$n*" "Lightstack xl list shows it"
	like "$($T $UXL list 2>&1)" "*$n*" "upstream xl list shows it"
	like "$($T $UXL list -l "$n" 2>&1)" "*\"name\": \"$n\"*" \
		"upstream xl list -l reads its configuration"
	tty() { $RD /local/domain/$d/console/tty 2>/dev/null | grep -q /dev/pts/; }
	ok "upstream's xenconsoled serves its console" wait_for 60 tty
	ok "Lightstack xl destroy" $T xl destroy "$n"
	ok "upstream xl sees it gone" wait_for 30 ugone "$n"
	nothing_left "$d" "$vm" "$n" "Lightstack's destroy"

	# A Lightstack guest destroyed by upstream's xl: Lightstack's monitor
	# sees it vanish and drops its name index entry (oxenstored would
	# keep it forever).
	n=ia-lud-$$
	writecfg "$W/lud.cfg" "$n"
	ok "Lightstack xl create -p $n" $T xl create -p "$W/lud.cfg"
	d=$($T xl domid "$n" 2>/dev/null); vm=$(vmpath "$d")
	ok "upstream xl destroy of the Lightstack guest" $T $UXL destroy "$n"
	ok "Lightstack's xl sees it gone" wait_for 30 lgone "$n"
	nothing_left "$d" "$vm" "$n" "upstream's destroy"

	upstream_shutdown_light_guest ia-lus-$$

	# And an upstream guest destroyed by Lightstack's xl, on these daemons.
	n=ia-uu-$$
	writecfg "$W/uu.cfg" "$n"
	ok "upstream xl create" timeout 180 $UXL create "$W/uu.cfg"
	d=$(udomid "$n")
	vm=$(vmpath "$d")
	is "$($T xl domid "$n" 2>/dev/null)" "$d" \
		"Lightstack xl domid finds the upstream guest by name"
	like "$($T xl list -l 2>&1)" "*\"name\": \"$n\"*" \
		"Lightstack xl list -l reads libxl's file"
	ok "Lightstack xl destroy of the upstream guest" $T xl destroy "$n"
	ok "upstream xl sees it gone" wait_for 30 ugone "$n"
	is "$(stored "$d")" "" "its libxl file is gone"
	nothing_left "$d" "$vm" "$n" "Lightstack's destroy"
	light_shutdown_upstream_guest ia-uus-$$
}

if [ "${LIGHTSTACK_TOOLSTACK:-lightstack}" = upstream ]; then
	plan 27
	light_on_upstream_daemons
else
	plan 38
	light_guest_upstream_tools
	upstream_guest_light_tools
	events_example
	parallel_example
fi
[ -z "$wrote_pool" ] || $T $RM /local/pool
rm -rf "$W"
done_testing
