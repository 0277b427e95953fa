#!/bin/sh
# 87-pvh: a PVH guest built and run by Lightstack on real Xen.
#
# What counts:
#   - xl create of type = "pvh" (the Debian kernel's PVH entry, the test
#     initramfs, 2 vcpus) starts a guest whose init prints
#     LIGHTSTACK-GUEST-UP on its PV console; Xen sees an HVM container;
#   - the guest booted as PVH and sees both vcpus (the MADT's LAPICs), its
#     disk (blkback, a file on a loop device) and its vif (netback, on a
#     bridge): asked over its console through xenconsole, it answers;
#   - xl list -l and upstream's xl list -l (same boot) show c_info.type
#     "pvh"; upstream's xl list shows the guest;
#   - with vcpus = 1 and maxvcpus = 2 it boots on one vCPU and has the
#     second as a possible (hot-pluggable) CPU;
#   - xl shutdown -w powers it off cleanly and returns when it is gone;
#     create again and xl destroy; afterwards xenstore is exactly as before
#     and no domain is left;
#   - options that do not apply to PVH are refused at their file:line;
#   - an injected failure at every create step leaves nothing behind.
#
# At the quick depth (CI) one PVH guest boots: the first one, given
# maxvcpus = 3, so that it also shows the vcpus-below-maxvcpus behaviour
# (two vCPUs online, the third possible); a triple-faulted boot (see
# below) is retried up to 5 times; and the failure is injected at four
# create steps: the first (vbd_host: only the loop device to undo),
# createdomain (a domain, nothing in xenstore yet), vif_hotplug (xenstore
# and both devices half set up) and the last (unpause: every undo, the
# stored config too).  The full depth also boots a second guest, with
# vcpus = 1 and maxvcpus = 2 (10 retries in all), and injects the
# failure at every step.
. "$LIGHTSTACK_TESTLIB"

B=$LIGHTSTACK_BUILD
XL=$B/xl/xl
UXL=/usr/sbin/xl
[ -x "$XL" ] || skip_all "xl not built ($XL)"
[ -r "${GUEST_KERNEL:-}" ] || skip_all "no guest kernel"
[ -r "${GUEST_RAMDISK:-}" ] || skip_all "no guest ramdisk"
export XENSTORED_PATH=/run/xenstored/socket
XSLS="/usr/bin/xenstore-ls -f"
[ -x /usr/bin/xenstore-ls ] || XSLS="$B/xenstored/xenstore-ls -f"
XSR="$B/xenstored/xenstore-read"

K=/tmp/87-vmlinuz
R=/tmp/87-initrd
cp "$GUEST_KERNEL" $K && cp "$GUEST_RAMDISK" $R || bail "cannot copy guest images"
NAME=pvh1
LOGDIR=/var/log/xen/console
GLOG=$LOGDIR/guest-$NAME.log
T="timeout 300"
mkdir -p /var/run/xen /run/lock
IMG=/tmp/87-disk.img
dd if=/dev/zero of=$IMG bs=1M count=8 2>/dev/null || bail "cannot make $IMG"
BR=xenbr87
ip link add $BR type bridge && ip link set $BR up || bail "cannot make bridge $BR"

CFG=/tmp/87-pvh.cfg
cat >$CFG <<EOF
name = "$NAME"
type = "pvh"
kernel = "$K"
ramdisk = "$R"
cmdline = "console=hvc0"
memory = 256
vcpus = 2
on_poweroff = "destroy"
on_reboot = "destroy"
disk = [ 'file:$IMG,xvda,w' ]
vif = [ 'bridge=$BR' ]
EOF
# Quick: the first guest also has a third vCPU, not online at boot (4b).
CFG1=$CFG
if ! full; then
	CFG1=/tmp/87-pvh1.cfg
	sed 's/^vcpus = 2$/vcpus = 2\nmaxvcpus = 3/' $CFG >$CFG1
fi
cpus_re='^ONLINE-[0-9,-]*-POSSIBLE-[0-9,-]*-END$'

# The empty containers a first device leaves (backend/, backend/vbd, /vif)
# are Dom0's, not the guest's: only what is below them counts.
xsdump() { $XSLS / 2>/dev/null | grep -v '^/vm = ""$' | grep -v '^/libxl = ""$' |
	grep -v '^/local/domain/0/backend\(/vbd\|/vif\)\{0,1\} = ""$' | sort; }
ndomains() { $XL list 2>/dev/null | tail -n +2 | wc -l; }
domid_of() { $XL domid "$1" 2>/dev/null; }
gone() { ! $XL list "$1" >/dev/null 2>&1; }
# No domain, xenstore exactly as before, no loop device on the image, no vif.
leftovers() {
	losetup -a 2>/dev/null | grep 87-disk
	ip -o link show 2>/dev/null | grep ' vif[0-9]'
}
nothing_left() { # desc
	if [ "$(ndomains)" = "$n0" ] && xsdump | cmp -s /tmp/87-before - &&
	   [ -z "$(leftovers)" ]; then
		pass "$1: nothing left behind"
	else
		fail "$1: nothing left behind" \
			"domains $(ndomains) (want $n0); $(leftovers | tr '\n' '|') $(xsdump | diff /tmp/87-before - | head -n 10 | tr '\n' '|')"
	fi
}

xsdump >/tmp/87-before
n0=$(ndomains)
rm -f "$GLOG"

# Under TCG, on Debian's current Xen (4.17.7+13, bookworm-security), a
# PVH guest's boot sometimes triple-faults, mostly early, before its
# console is up; Xen logs "d<id>v<n> Triple fault".  On 2026-12-02 a
# throw-away case booting this guest (2 vCPUs) over and over saw it in 10
# of 23 boots by Lightstack and 1 of 5 by upstream's xl, with the point
# release's kernel as with the security one, and with the CPUID topology
# and timer mode set as libxl sets them; on the point release's Xen
# (4.17.5+72) it saw it in none of 8.  Not the toolstack's doing, and not
# ours to fix: a boot that Xen reports as triple-faulted is retried, up
# to 6 boots in all, each retry reported.  Any other failure fails at
# once, and 6 triple faults in a row fail the points that need the guest.
# The retries are counted over the case: 5 at the quick depth, which
# boots one guest (6 boots at most), 10 at the full depth, which boots two.
retries_left=$(pick 5 10)
marker() { grep -q LIGHTSTACK-GUEST-UP "$GLOG"; }
up_or_gone() { marker || ! $XL list "$id" >/dev/null 2>&1; }
# Xen's console ring is cleared before each create (the serial log keeps
# it all), so a triple fault in it is this guest's, even one so early that
# the domain is gone before xl domid could name it.
tripled() { $XL dmesg 2>/dev/null | grep "v[0-9]* Triple fault" | tail -n 1; }
retry_triple_fault() { # cfg: on a triple fault, create again; sets id
	tries=1
	while [ $tries -lt 6 ]; do
		[ -z "$id" ] || wait_for 300 up_or_gone
		marker && break
		[ -z "$id" ] || ! $XL list "$id" >/dev/null 2>&1 || break
		tf=$(tripled)
		[ -n "$tf" ] || break
		if [ "$retries_left" -le 0 ]; then
			diag "boot $tries: $tf; no retry left"
			break
		fi
		retries_left=$((retries_left - 1))
		diag "boot $tries: $tf; creating it again"
		$XL dmesg -c >/dev/null 2>&1
		rm -f "$GLOG"
		out=$($T "$XL" create -q "$1" 2>&1) || diag "create again: $out"
		id=$(domid_of $NAME)
		tries=$((tries + 1))
	done
}
# ---- 1. create and boot ---------------------------------------------------
$XL dmesg -c >/dev/null 2>&1
t0=$(date +%s.%N)
out=$($T "$XL" create $CFG1 2>&1); rc=$?
t1=$(date +%s.%N)
printf '%s\n' "$out" >&2
is "$rc" 0 "xl create of a type=pvh guest exits 0" || diag "$out"
diag "xl create took $(awk "BEGIN{printf \"%.1f\", $t1 - $t0}") s"
id=$(domid_of $NAME)
retry_triple_fault $CFG1
like "$id" "[1-9]*" "xl domid $NAME ($id)"
[ -n "$id" ] || bail "xl create failed: $out"


# Xen counts a vCPU online once it runs: a PVH guest's kernel brings up
# the second itself, so the count reaches 2 as the guest boots.
listed() { set -- $($XL list $NAME 2>&1 | tail -n 1); [ "$1:$2:$3:$4" = "$NAME:$id:256:2" ]; }
ok "xl list: name, id, 256 MB, 2 vcpus (once the guest brought up its second)" \
	wait_for 300 listed || diag "$($XL list $NAME 2>&1 | tail -n 1)"
is "$($XSR /libxl/$id/type 2>&1)" pvh "/libxl/$id/type is pvh"
like "$($XL list --json $NAME 2>&1)" "*\"type\": \"pvh\"*" "xl list --json says type pvh"

if ok "guest marker LIGHTSTACK-GUEST-UP on its PV console within 300 s" wait_for 300 marker; then
	t2=$(date +%s.%N)
	diag "create to marker: $(awk "BEGIN{printf \"%.1f\", $t2 - $t0}") s"
	diag "$(grep LIGHTSTACK-GUEST-UP "$GLOG" | tail -n 1 | tr -d '\r')"
else
	diag "guest log: $(tail -c 1500 "$GLOG" 2>&1 | tr -d '\r' | tail -n 15 | tr '\n' '|')"
	diag "xl dmesg: $($XL dmesg 2>&1 | tail -n 15 | tr '\n' '|')"
fi

# ---- 2. its console answers, and what the guest itself sees ----------------
fifo=/tmp/87.fifo
cout=/tmp/87.out
rm -f $fifo $cout $cout.notify
mkfifo $fifo
xenconsole --start-notify-fd 3 "$id" <$fifo >$cout 2>$cout.err 3>$cout.notify &
xc=$!
exec 4>$fifo
ok "xenconsole attached to the PVH guest" wait_for 120 test -s $cout.notify
# The answers are computed in the guest; the typed line itself is echoed
# back before them, so match whole lines of output only.
# PVH-<dmesg lines naming Xen PVH>-<the kernel's own /sys/hypervisor/guest_type>:
# the boot banner may have left a small log buffer, guest_type does not.
printf '\necho PVH-$(dmesg | grep -c "Xen PVH")-$(cat /sys/hypervisor/guest_type 2>/dev/null || echo none)-CPUS-$(grep -c ^processor /proc/cpuinfo)-PKG-$(sed -n "s/^physical id[^0-9]*//p" /proc/cpuinfo | sort -u | tr "\\n" .)-END\n' >&4
seen() { tr -d '\r' <$cout | grep -qx "$1"; }
if ok "the guest answers on its console" wait_for 120 sh -c "tr -d '\r' <$cout | grep -q '^PVH-[0-9]*-[A-Za-z]*-CPUS-[0-9]*-PKG-[0-9.]*-END$'"; then
	ans=$(tr -d '\r' <$cout | grep '^PVH-[0-9]*-[A-Za-z]*-CPUS-[0-9]*-PKG-[0-9.]*-END$' | tail -n 1)
	diag "guest says: $ans"
	pvh=${ans%%-CPUS-*}
	case $pvh in
	PVH-*-PVH | PVH-[1-9]*) pass "the guest booted as PVH (guest_type or dmesg says so)" ;;
	*) fail "the guest booted as PVH (guest_type or dmesg says so)" "got '$pvh'" ;;
	esac
	is "$(echo "$ans" | sed 's/.*-CPUS-\([0-9]*\)-PKG-.*/\1/')" 2 "the guest sees 2 vcpus (ACPI MADT)"
	# APIC ids are 0 and 2: the CPUID topology libxl sets (cores of one
	# package, no SMT) puts both in package 0.
	is "$(echo "$ans" | sed 's/.*-PKG-\([0-9.]*\)-END/\1/')" "0." "both vcpus in one package (CPUID topology)"
else
	diag "console: $(tr -d '\r' <$cout | tail -n 5 | tr '\n' '|')"
	fail "the guest booted as PVH (guest_type or dmesg says so)" "no answer"
	fail "the guest sees 2 vcpus (ACPI MADT)" "no answer"
	fail "both vcpus in one package (CPUID topology)" "no answer"
fi
# The frontends connect while the guest boots: the command waits for them.
printf '\nfor i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do [ -e /sys/block/xvda ] && [ -e /sys/class/net/eth0 ] && break; sleep 3; done; echo DEV-$(cat /sys/block/xvda/size)-$(cat /sys/class/net/eth0/address)-END\n' >&4
dev_re='^DEV-[0-9]*-[0-9a-f:]*-END$'
if wait_for 150 sh -c "tr -d '\r' <$cout | grep -q '$dev_re'"; then
	ans=$(tr -d '\r' <$cout | grep "$dev_re" | tail -n 1)
	diag "guest says: $ans"
	is "$(echo "$ans" | cut -d- -f2)" 16384 "the guest sees its 8 MiB disk xvda (blkfront)"
	like "$(echo "$ans" | cut -d- -f3)" "00:16:3e:*" "the guest has its vif as eth0 (netfront)"
else
	diag "console: $(tr -d '\r' <$cout | tail -n 5 | tr '\n' '|')"
	fail "the guest sees its 8 MiB disk xvda (blkfront)" "no answer"
	fail "the guest has its vif as eth0 (netfront)" "no answer"
fi
# Quick: vcpus = 2 below maxvcpus = 3, as 4b's guest shows it at the full
# depth (the MADT enables the first two of three).
if ! full; then
	printf '\necho ONLINE-$(cat /sys/devices/system/cpu/online)-POSSIBLE-$(cat /sys/devices/system/cpu/possible)-END\n' >&4
	ans=""
	wait_for 120 sh -c "tr -d '\r' <$cout | grep -q '$cpus_re'" &&
		ans=$(tr -d '\r' <$cout | grep "$cpus_re" | tail -n 1)
	diag "guest says: ${ans:-nothing}"
	is "$(echo "$ans" | sed -n 's/^ONLINE-\(.*\)-POSSIBLE-.*/\1/p')" 0-1 "vcpus = 2: the guest runs on two vCPUs (/sys/devices/system/cpu/online)"
	is "$(echo "$ans" | sed -n 's/.*-POSSIBLE-\(.*\)-END$/\1/p')" 0-2 "maxvcpus = 3: the third is a possible CPU (/sys/devices/system/cpu/possible)"
fi
printf '\035' >&4
wait_for 60 sh -c "! kill -0 $xc"
kill $xc 2>/dev/null
wait $xc 2>/dev/null
exec 4>&-

# ---- 3. the stored config, ours and upstream's view -----------------------
like "$($XL list -l $NAME 2>&1)" "*\"type\": \"pvh\"*" "xl list -l: c_info.type is pvh"
if [ -x $UXL ]; then
	like "$($T $UXL list 2>&1)" "*$NAME*$id*256*2*" "upstream xl list shows the PVH guest"
	out=$($T $UXL list -l $NAME 2>&1); rc=$?
	if [ $rc = 0 ] && case $out in *'"type": "pvh"'*) true ;; *) false ;; esac; then
		pass "upstream xl list -l reads c_info.type pvh"
	else
		fail "upstream xl list -l reads c_info.type pvh" "rc=$rc $(echo "$out" | head -n 12 | tr '\n' '|')"
	fi
else
	skip "upstream xl list shows the PVH guest" "no $UXL"
	skip "upstream xl list -l reads c_info.type pvh" "no $UXL"
fi

# ---- 4. shutdown -w, then create + destroy -----------------------------------
feature() { [ "$($XSR /local/domain/$id/control/feature-poweroff 2>/dev/null)" = 1 ]; }
wait_for 120 feature || diag "guest did not write control/feature-poweroff"
t0=$(date +%s.%N)
out=$(timeout 200 "$XL" shutdown -w $NAME 2>&1); rc=$?
t1=$(date +%s.%N)
is "$rc" 0 "xl shutdown -w $NAME exits 0" || diag "$out"
diag "shutdown -w took $(awk "BEGIN{printf \"%.1f\", $t1 - $t0}") s"
ok "the domain is gone" gone $id || $XL destroy $id >/dev/null 2>&1
nothing_left "after shutdown"

# This boot triple-faults as often as the first (a CI run saw the guest
# gone, destroyed by its on_crash, before xl destroy could name it): the
# same retry, and the destroy once it is up.
$XL dmesg -c >/dev/null 2>&1
rm -f "$GLOG"
out=$($T "$XL" create -q $CFG 2>&1); rc=$?
is "$rc" 0 "create again exits 0" || diag "$out"
id=$(domid_of $NAME)
retry_triple_fault $CFG
ok "xl destroy $NAME" $XL destroy $NAME
ok "the domain is gone" gone $id
nothing_left "after destroy"

# ---- 4b. vcpus= below maxvcpus=: the guest starts with vcpus ---------------
# The MADT lists both vCPUs but enables only the first, as libxl's does:
# Linux then boots on one and keeps the other as a possible CPU to hot-plug.
# (With every entry enabled it brought both up, ignoring vcpus=.)
# Full depth only: the quick depth checked this on the first guest.
if full; then
	sed -e 's/^vcpus = 2$/vcpus = 1\nmaxvcpus = 2/' -e '/^disk/d' -e '/^vif/d' \
		$CFG >/tmp/87-vcpus.cfg
	rm -f "$GLOG"
	$XL dmesg -c >/dev/null 2>&1
	out=$($T "$XL" create /tmp/87-vcpus.cfg 2>&1); rc=$?
	is "$rc" 0 "create with vcpus = 1, maxvcpus = 2 exits 0" || diag "$out"
	id=$(domid_of $NAME)
	retry_triple_fault /tmp/87-vcpus.cfg
	ans=""
	if [ -n "$id" ] && wait_for 300 marker; then
		rm -f $fifo $cout $cout.notify
		mkfifo $fifo
		xenconsole --start-notify-fd 3 "$id" <$fifo >$cout 2>$cout.err 3>$cout.notify &
		xc=$!
		exec 4>$fifo
		wait_for 120 test -s $cout.notify
		printf '\necho ONLINE-$(cat /sys/devices/system/cpu/online)-POSSIBLE-$(cat /sys/devices/system/cpu/possible)-END\n' >&4
		wait_for 120 sh -c "tr -d '\r' <$cout | grep -q '$cpus_re'" &&
			ans=$(tr -d '\r' <$cout | grep "$cpus_re" | tail -n 1)
		printf '\035' >&4
		wait_for 60 sh -c "! kill -0 $xc"
		kill $xc 2>/dev/null
		wait $xc 2>/dev/null
		exec 4>&-
	fi
	diag "guest says: ${ans:-nothing}"
	[ -n "$ans" ] || diag "guest log: $(tail -c 1500 "$GLOG" 2>&1 | tr -d '\r' | tail -n 8 | tr '\n' '|'); xl dmesg: $($XL dmesg 2>&1 | tail -n 4 | tr '\n' '|')"
	is "$(echo "$ans" | sed -n 's/^ONLINE-\(.*\)-POSSIBLE-.*/\1/p')" 0 "vcpus = 1: the guest runs on one vCPU (/sys/devices/system/cpu/online)"
	is "$(echo "$ans" | sed -n 's/.*-POSSIBLE-\(.*\)-END$/\1/p')" 0-1 "maxvcpus = 2: the other is a possible CPU (/sys/devices/system/cpu/possible)"
	set -- $($XL list $NAME 2>&1 | tail -n 1)
	is "${4:-}" 1 "xl list counts 1 vCPU online"
	ok "xl destroy of the vcpus = 1 guest" $XL destroy $NAME
	nothing_left "after the vcpus = 1 guest"
fi

# ---- 5. what does not apply to PVH -----------------------------------------
cp $CFG /tmp/87-vga.cfg
echo 'vga = "none"' >>/tmp/87-vga.cfg
out=$($XL create /tmp/87-vga.cfg 2>&1); rc=$?
like "$rc:$out" "1:*/tmp/87-vga.cfg:12: vga: not for type \"pvh\"*" "vga= on PVH: exit 1, file:line ($out)"
nothing_left "vga= refused"
printf 'name = "pvhbad"\ntype = "pvh"\nkernel = "%s"\nmemory = 128\nmaxmem = 256\n' $K >/tmp/87-maxmem.cfg
out=$($XL create /tmp/87-maxmem.cfg 2>&1); rc=$?
like "$rc:$out" "1:*/tmp/87-maxmem.cfg:5: maxmem*" "maxmem > memory on PVH: exit 1, file:line"
echo "this is not a kernel" >/tmp/87-notkernel
out=$($XL create $CFG kernel=/tmp/87-notkernel 2>&1); rc=$?
like "$rc:$out" "1:*cannot build the domain*87-notkernel*" "a non-kernel: exit 1, clear error"
nothing_left "non-kernel refused"

# ---- 6. failure at every create step ---------------------------------------
bad_steps=""
grep -q '^#define LIGHTSTACK_FAULT_INJECTION 1' "$B/config.h" 2>/dev/null ||
	bad_steps=" (this build lacks --enable-fault-injection: use scripts/build)"
STEPS=$(pick "vbd_host createdomain vif_hotplug unpause" \
	"vbd_host vif_check autoballoon createdomain max_vcpus affinity max_mem evtchn claim build unclaim xenstore vbd_backend vbd_wait vif_backend vif_hotplug vif_wait introduce save_config unpause")
for step in $STEPS; do
	# 128 MB: the guest never runs here, and populating its memory is
	# most of each attempt's time under TCG.
	out=$(LIGHTSTACK_CREATE_FAIL=$step $T "$XL" create -e $CFG memory=128 2>&1); rc=$?
	case $rc:$out in
	1:*"create step $step: injected failure"*) ;;
	*) bad_steps="$bad_steps $step(rc=$rc:$out)" ;;
	esac
	if [ "$(ndomains)" != "$n0" ] || ! xsdump | cmp -s /tmp/87-before -; then
		bad_steps="$bad_steps $step(left:$(xsdump | diff /tmp/87-before - | head -n 5 | tr '\n' '|'))"
		$XL destroy $NAME >/dev/null 2>&1
	fi
	ls /var/lib/xen 2>/dev/null | grep -q "^userdata-d\." && bad_steps="$bad_steps $step(config file left)"
	[ -z "$(leftovers)" ] || bad_steps="$bad_steps $step(left: $(leftovers | tr '\n' '|'))"
done
is "$bad_steps" "" "an injected failure at $(pick "each of the create steps $(echo $STEPS | tr ' ' ,)" "each of the $(echo $STEPS | wc -w) create steps") of a PVH guest (disk, vif) leaves nothing"
nothing_left "after the injected failures"

ip link del $BR 2>/dev/null
rm -f $fifo $cout $cout.notify $cout.err /tmp/87-*.cfg $CFG $K $R /tmp/87-notkernel $IMG
done_testing
