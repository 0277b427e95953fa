#!/bin/sh
# 87-hvm: an HVM guest built and run by Lightstack on real Xen: hvmloader
# and SeaBIOS in the guest, QEMU (qemu-system-xen) as its device model.
#
# What counts:
#   - xl create of type = "hvm" (vga = "none", a serial port to a file,
#     the Debian kernel booted directly by QEMU, a disk and a vif on a
#     bridge) exits 0, and its QEMU runs: -xen-domid D, its pid where
#     libxl keeps it, its QMP socket;
#   - the firmware boots the kernel, whose init prints LIGHTSTACK-GUEST-UP
#     on the PV console; xl list, /libxl/D/type, xl list --json and -l,
#     and upstream's xl list -l (same boot) say type hvm;
#   - asked over the PV console (xenconsole), the guest says it is an HVM
#     guest, writes a line to its serial port that lands in the serial
#     file, and sees its disk (blkfront) and vif (netfront): the PV
#     drivers of an HVM guest, on Dom0's blkback and netback;
#   - xl shutdown -w powers it off cleanly (PV control/shutdown); the
#     domain, its QEMU and QMP socket are gone and xenstore is as before;
#   - a guest created paused (-p) has its QEMU already, and with
#     serial = "pty" its pty is recorded (asked over QMP) where xl console
#     -t serial finds it, and xl console picks it by default; unpaused and
#     its QEMU killed, lightmond reports the death; xl destroy leaves
#     nothing;
#   - SeaBIOS boots a disk: a guest with no kernel and boot = "c" runs the
#     boot sector of its disk image (emulated IDE; a few bytes of real
#     mode that print a line on the serial port);
#   - a QEMU that cannot start (device_model_override= a missing file) and
#     an injected failure at the steps around the device model leave
#     nothing: no domain, no QEMU, no socket, no xenstore node, no vif or
#     loop device.
# The full depth also reboots the guest from inside (on_reboot =
# "restart": a new domain, a new QEMU, the marker again) and injects the
# failure at every create step.
#
# Under TCG an HVM guest's boot sometimes triple-faults, as a PVH guest's
# does (87-pvh.sh says more): seen once in the first 7 two-vCPU boots
# (vCPU 1, while init loaded the frontend modules); 3 boots by upstream's
# xl in the same boot all came up.  A boot that Xen reports as
# triple-faulted is retried, up to 3 times in the case.
. "$LIGHTSTACK_TESTLIB"

B=$LIGHTSTACK_BUILD
XL=$B/xl/xl
UXL=/usr/sbin/xl
[ -x "$XL" ] || skip_all "xl not built ($XL)"
[ -r "${GUEST_BZIMAGE:-}" ] || skip_all "no guest bzImage"
[ -r "${GUEST_RAMDISK:-}" ] || skip_all "no guest ramdisk"
[ -x /usr/libexec/xen-qemu-system-i386 ] || skip_all "no qemu-system-xen in Dom0"
export XENSTORED_PATH=/run/xenstored/socket
XSLS="/usr/bin/xenstore-ls -f"
[ -x /usr/bin/xenstore-ls ] || XSLS="$B/xenstored/xenstore-ls -f"
XSR="$B/xenstored/xenstore-read"

# QEMU loads the kernel itself (fw_cfg and its linuxboot option ROM), as a
# bzImage.
K=/tmp/87h-vmlinuz
R=/tmp/87h-initrd
cp "$GUEST_BZIMAGE" $K && cp "$GUEST_RAMDISK" $R || bail "cannot copy guest images"
NAME=hvm1
LOGDIR=/var/log/xen/console
GLOG=$LOGDIR/guest-$NAME.log
SERIAL=/tmp/87h-serial.log
T="timeout 300"
mkdir -p /var/run/xen /run/lock
IMG=/tmp/87h-disk.img
dd if=/dev/zero of=$IMG bs=1M count=8 2>/dev/null || bail "cannot make $IMG"
BR=xenbr87h
ip link add $BR type bridge && ip link set $BR up || bail "cannot make bridge $BR"

# loglevel=4: the kernel's boot messages go to the emulated UART too, one
# trapped port write per character, which under TCG doubles the boot.
CFG=/tmp/87h.cfg
cat >$CFG <<EOF
name = "$NAME"
type = "hvm"
kernel = "$K"
ramdisk = "$R"
cmdline = "console=ttyS0 console=hvc0 loglevel=4"
memory = 256
vcpus = 2
vga = "none"
serial = "file:$SERIAL"
on_poweroff = "destroy"
on_reboot = "$(pick destroy restart)"
on_crash = "destroy"
disk = [ 'file:$IMG,xvda,w' ]
vif = [ 'bridge=$BR' ]
EOF

xsdump() { $XSLS / 2>/dev/null | grep -v '^/vm = ""$' | grep -v '^/libxl = ""$' |
	grep -v '^/local/domain/0/backend\(/vbd\|/vif\)\{0,1\} = ""$' |
	grep -v '^/local/domain/0/device-model = ""$' | sort; }
ndomains() { $XL list 2>/dev/null | tail -n +2 | wc -l; }
domid_of() { $XL domid "$1" 2>/dev/null; }
gone() { ! $XL list "$1" >/dev/null 2>&1; }
QEMU=/usr/libexec/xen-qemu-system-i386
# Anchored at the program: a shell whose command line merely names
# -xen-domid is not a QEMU.
qemus() { pgrep -f "^$QEMU -xen-domid${1:+ $1 }" | tr '\n' ' '; }
no_qemu() { [ -z "$(qemus "$@")" ]; }
# No domain, xenstore as before, no QEMU, no QMP socket, no loop device on
# the image, no vif.
leftovers() {
	losetup -a 2>/dev/null | grep 87h-
	ip -o link show 2>/dev/null | grep ' vif[0-9]'
	[ -z "$(qemus)" ] || echo "qemu: $(qemus)"
	ls /var/run/xen/qmp-libxl-* 2>/dev/null
}
nothing_left() { # desc
	if [ "$(ndomains)" = "$n0" ] && xsdump | cmp -s /tmp/87h-before - &&
	   [ -z "$(leftovers)" ]; then
		pass "$1: nothing left behind"
	else
		fail "$1: nothing left behind" \
			"domains $(ndomains) (want $n0); $(leftovers | tr '\n' '|') $(xsdump | diff /tmp/87h-before - | head -n 10 | tr '\n' '|')"
	fi
}
marker() { grep -q LIGHTSTACK-GUEST-UP "$GLOG" 2>/dev/null; }
retries_left=3
up_or_gone() { marker || ! $XL list "$id" >/dev/null 2>&1; }
tripled() { $XL dmesg 2>/dev/null | grep "v[0-9]* Triple fault" | tail -n 1; }
retry_triple_fault() { # after a create: on a triple fault, create again; sets id
	while [ "$retries_left" -gt 0 ]; do
		[ -z "$id" ] || wait_for 300 up_or_gone
		marker && return 0
		[ -z "$id" ] || ! $XL list "$id" >/dev/null 2>&1 || return 0
		tf=$(tripled)
		[ -n "$tf" ] || return 0
		retries_left=$((retries_left - 1))
		diag "$tf; creating the guest again"
		$XL dmesg -c >/dev/null 2>&1
		rm -f "$GLOG" $SERIAL
		out=$($T "$XL" create -q $CFG 2>&1) || diag "create again: $out"
		id=$(domid_of $NAME)
	done
}

xsdump >/tmp/87h-before
n0=$(ndomains)
[ -z "$(leftovers)" ] || diag "before: $(leftovers | tr '\n' '|')"
rm -f "$GLOG" $SERIAL

# ---- 1. create: the domain and its QEMU ------------------------------------
$XL dmesg -c >/dev/null 2>&1
t0=$(date +%s.%N)
out=$($T "$XL" create $CFG 2>&1); rc=$?
t1=$(date +%s.%N)
is "$rc" 0 "xl create of a type=hvm guest exits 0" || diag "$out"
diag "xl create took $(awk "BEGIN{printf \"%.1f\", $t1 - $t0}") s"
id=$(domid_of $NAME)
like "$id" "[1-9]*" "xl domid $NAME ($id)"
[ -n "$id" ] || bail "xl create failed: $out"
pid=$($XSR /local/domain/$id/image/device-model-pid 2>/dev/null)
like "$(tr '\0' ' ' </proc/${pid:-0}/cmdline 2>/dev/null)" \
	"*xen-qemu-system-i386 -xen-domid $id *-smp 2,maxcpus=2 *-machine xenfv*" \
	"its QEMU runs (pid $pid, in /local/domain/$id/image/device-model-pid), machine xenfv, 2 vCPUs"
ok "QEMU's QMP socket /var/run/xen/qmp-libxl-$id" test -S /var/run/xen/qmp-libxl-$id
is "$($XSR /local/domain/0/device-model/$id/state 2>&1)" running "QEMU reported running"
is "$($XSR /libxl/$id/type 2>&1)" hvm "/libxl/$id/type is hvm"
is "$($XSR /local/domain/$id/hvmloader/bios 2>&1)" seabios "hvmloader/bios is seabios"
like "$($XL list --json $NAME 2>&1)" "*\"type\": \"hvm\"*" "xl list --json says type hvm"

# ---- 2. it boots, and what the guest itself sees ---------------------------
retry_triple_fault
if ok "guest marker LIGHTSTACK-GUEST-UP on its PV console within 300 s" wait_for 300 marker; then
	t2=$(date +%s.%N)
	diag "create to marker: $(awk "BEGIN{printf \"%.1f\", $t2 - $t0}") s"
	diag "$(grep LIGHTSTACK-GUEST-UP "$GLOG" | tail -n 1 | tr -d '\r')"
else
	diag "guest log: $(tail -c 1500 "$GLOG" 2>&1 | tr -d '\r' | tail -n 15 | tr '\n' '|')"
	diag "serial: $(tail -c 1500 $SERIAL 2>&1 | tr -d '\r' | tail -n 10 | tr '\n' '|')"
	diag "xl dmesg: $($XL dmesg 2>&1 | tail -n 15 | tr '\n' '|')"
	diag "qemu log: $(tail -n 5 /var/log/xen/qemu-dm-$NAME.log 2>&1 | tr '\n' '|')"
fi
# The firmware ran: hvmloader and SeaBIOS log on Xen's console.
like "$($XL dmesg 2>&1 | grep "(d$id)" | tr '\n' ' ')" "*HVM Loader*SeaBIOS*" \
	"Xen's console shows hvmloader, then SeaBIOS, for d$id"

fifo=/tmp/87h.fifo
cout=/tmp/87h.out
rm -f $fifo $cout $cout.notify
mkfifo $fifo
xenconsole --start-notify-fd 3 "$id" <$fifo >$cout 2>$cout.err 3>$cout.notify &
xc=$!
exec 4>$fifo
ok "xenconsole attached to the HVM guest's PV console" wait_for 120 test -s $cout.notify
printf '\necho HVM-SERIAL-LINE-$((6*7)) >/dev/ttyS0; echo TYPE-$(cat /sys/hypervisor/guest_type 2>/dev/null || echo none)-END\n' >&4
type_re='^TYPE-[A-Za-z]*-END$'
ans=""
wait_for 120 sh -c "tr -d '\r' <$cout | grep -q '$type_re'" &&
	ans=$(tr -d '\r' <$cout | grep "$type_re" | tail -n 1)
is "$ans" TYPE-HVM-END "the guest is an HVM guest (/sys/hypervisor/guest_type)"
ok "its serial port writes to $SERIAL (QEMU's -serial file:)" \
	wait_for 30 grep -q HVM-SERIAL-LINE-42 $SERIAL
printf '\nfor i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do [ -e /sys/block/xvda ] && [ -e /sys/class/net/eth0 ] && break; sleep 3; done; echo DEV-$(cat /sys/block/xvda/size)-$(cat /sys/class/net/eth0/address)-END\n' >&4
dev_re='^DEV-[0-9]*-[0-9a-f:]*-END$'
ans=""
wait_for 150 sh -c "tr -d '\r' <$cout | grep -q '$dev_re'" &&
	ans=$(tr -d '\r' <$cout | grep "$dev_re" | tail -n 1)
diag "guest says: ${ans:-nothing}"
is "$(echo "$ans" | cut -d- -f2)" 16384 "the guest sees its 8 MiB disk xvda (blkfront on blkback)"
like "$(echo "$ans" | cut -d- -f3)" "00:16:3e:*" "the guest has its vif as eth0 (netfront on netback)"
[ -n "$ans" ] || diag "console: $(tr -d '\r' <$cout | tail -n 5 | tr '\n' '|')"
printf '\035' >&4
wait_for 60 sh -c "! kill -0 $xc"
kill $xc 2>/dev/null
wait $xc 2>/dev/null
exec 4>&-

# ---- 3. the stored config, ours and upstream's view -----------------------
like "$($XL list -l $NAME 2>&1)" "*\"type\": \"hvm\"*" "xl list -l: c_info.type is hvm"
if [ -x $UXL ]; then
	out=$($T $UXL list -l $NAME 2>&1); rc=$?
	if [ $rc = 0 ] && case $out in *'"type": "hvm"'*) true ;; *) false ;; esac; then
		pass "upstream xl list -l reads c_info.type hvm"
	else
		fail "upstream xl list -l reads c_info.type hvm" "rc=$rc $(echo "$out" | head -n 12 | tr '\n' '|')"
	fi
else
	skip "upstream xl list -l reads c_info.type hvm" "no $UXL"
fi

# ---- 3b. full: a reboot from inside makes a new domain and a new QEMU -------
if full; then
	feature() { [ "$($XSR /local/domain/$id/control/feature-reboot 2>/dev/null)" = 1 ]; }
	wait_for 120 feature
	old=$id
	rm -f "$GLOG"
	$XL reboot $NAME >/dev/null 2>&1
	newid() { i=$(domid_of $NAME); [ -n "$i" ] && [ "$i" != "$old" ]; }
	ok "on_reboot = restart: a new domain after the guest rebooted" wait_for 300 newid
	id=$(domid_of $NAME)
	retry_triple_fault
	ok "the rebooted guest prints the marker again" wait_for 300 marker
	pid=$($XSR /local/domain/$id/image/device-model-pid 2>/dev/null)
	like "$(tr '\0' ' ' </proc/${pid:-0}/cmdline 2>/dev/null)" "*-xen-domid $id *" \
		"the new domain has its own QEMU"
	ok "the old domain's QEMU is gone" wait_for 30 no_qemu $old
fi

# ---- 4. shutdown -w --------------------------------------------------------
feature() { [ "$($XSR /local/domain/$id/control/feature-poweroff 2>/dev/null)" = 1 ]; }
wait_for 120 feature || diag "guest did not write control/feature-poweroff"
t0=$(date +%s.%N)
out=$(timeout 200 "$XL" shutdown -w $NAME 2>&1); rc=$?
t1=$(date +%s.%N)
is "$rc" 0 "xl shutdown -w $NAME exits 0" || diag "$out"
diag "shutdown -w took $(awk "BEGIN{printf \"%.1f\", $t1 - $t0}") s"
ok "the domain is gone" gone $id || $XL destroy $id >/dev/null 2>&1
ok "its QEMU is gone" wait_for 30 no_qemu
nothing_left "after shutdown"

# ---- 5. created paused: QEMU is up before the guest runs; destroy ------------
out=$($T "$XL" create -p $CFG serial=pty 2>&1); rc=$?
is "$rc" 0 "xl create -p (serial = \"pty\") exits 0" || diag "$out"
id=$(domid_of $NAME)
set -- $($XL list $NAME 2>/dev/null | tail -n 1)
like "${5:-}" "*p*" "the guest is paused"
is "$($XSR /local/domain/0/device-model/${id:-0}/state 2>&1)" running "its QEMU is running already"
tty=$($XSR /local/domain/${id:-0}/serial/0/tty 2>&1)
if like "$tty" "/dev/pts/*" "serial/0/tty names QEMU's serial pty ($tty), asked over QMP"; then
	ok "the pty exists" test -c "$tty"
else
	fail "the pty exists" "no tty recorded"
fi
# Without -t, xl console picks an HVM guest's serial port, as upstream's.
$XL console $NAME </dev/null >/dev/null 2>&1 &
xcp=$!
serial_client() { tr '\0' ' ' </proc/$xcp/cmdline | grep -q -- '--type serial'; }
ok "xl console (no -t) of an HVM guest attaches its serial console" wait_for 30 serial_client
kill $xcp 2>/dev/null
wait $xcp 2>/dev/null
# QEMU killed under a running guest: lightmond says so (in its log, its
# standard error), once.
mpid=$(pgrep -x lightmond | head -n 1)
mlog=$(readlink /proc/${mpid:-0}/fd/2 2>/dev/null)
qpid=$($XSR /local/domain/${id:-0}/image/device-model-pid 2>/dev/null)
$XL unpause $NAME
kill -9 ${qpid:-0} 2>/dev/null
reported() { grep -q "domain $id: its device model (QEMU, pid $qpid) is gone" "$mlog"; }
if [ -n "$mlog" ]; then
	ok "lightmond reports the death of a running guest's QEMU ($mlog)" wait_for 60 reported
else
	fail "lightmond reports the death of a running guest's QEMU" "no lightmond log (pid '${mpid}')"
fi
ok "xl destroy of the guest whose QEMU died" $XL destroy $NAME
nothing_left "after destroy"

# ---- 5b. SeaBIOS boots a disk ------------------------------------------------
# A boot sector: DS=0, then print the string at 0x7c16 on COM1 (port
# 0x3f8) and halt.  31c0 8ed8 fc be167c baf803 | ac 84c0 7403 ee ebf8 |
# f4 ebfd, the string, and 55 aa at byte 510.
MBR=/tmp/87h-mbr.img
MSERIAL=/tmp/87h-mbr-serial.log
dd if=/dev/zero of=$MBR bs=1M count=1 2>/dev/null
printf '\061\300\216\330\374\276\026\174\272\370\003\254\204\300\164\003\356\353\370\364\353\375LIGHTSTACK-MBR-UP\r\n\000' |
	dd of=$MBR conv=notrunc 2>/dev/null
printf '\125\252' | dd of=$MBR bs=1 seek=510 conv=notrunc 2>/dev/null
cat >/tmp/87h-mbr.cfg <<EOF
name = "hvmmbr"
type = "hvm"
memory = 64
vga = "none"
boot = "c"
serial = "file:$MSERIAL"
disk = [ 'file:$MBR,hda,w' ]
on_poweroff = "destroy"
on_reboot = "destroy"
on_crash = "destroy"
EOF
rm -f $MSERIAL
out=$($T "$XL" create /tmp/87h-mbr.cfg 2>&1); rc=$?
is "$rc" 0 "xl create of a guest that boots its disk (no kernel, boot = \"c\") exits 0" || diag "$out"
mid=$(domid_of hvmmbr)
like "$(tr '\0' ' ' </proc/$($XSR /local/domain/${mid:-0}/image/device-model-pid 2>/dev/null)/cmdline 2>/dev/null)" \
	"*-drive file=$MBR,if=ide,index=0,media=disk,format=raw,*-boot order=c *" \
	"QEMU has the disk as IDE drive 0 and boots it"
if ok "SeaBIOS ran the disk's boot sector: its line on the serial port" \
	wait_for 300 grep -q LIGHTSTACK-MBR-UP $MSERIAL; then :; else
	diag "serial: $(tail -c 500 $MSERIAL 2>&1 | tr -d '\r' | tr '\n' '|')"
	diag "xl dmesg: $($XL dmesg 2>&1 | grep "(d$mid)" | tail -n 8 | tr '\n' '|')"
fi
ok "xl destroy of the disk-booted guest" $XL destroy hvmmbr
nothing_left "after the disk-booted guest"

# ---- 6. failures leave nothing -----------------------------------------------
out=$($XL create $CFG device_model_override=/nonexistent/qemu 2>&1); rc=$?
like "$rc:$out" "1:*/nonexistent/qemu*" "a missing device model: exit 1, names it"
diag "$out"
nothing_left "missing device model"
bad_steps=""
grep -q '^#define LIGHTSTACK_FAULT_INJECTION 1' "$B/config.h" 2>/dev/null ||
	bad_steps=" (this build lacks --enable-fault-injection: use scripts/build)"
STEPS=$(pick "build introduce devmodel save_config unpause" \
	"vbd_host vif_check autoballoon createdomain max_vcpus affinity max_mem evtchn claim build unclaim xenstore vbd_backend vbd_wait vif_backend vif_hotplug vif_wait introduce devmodel save_config unpause")
for step in $STEPS; do
	out=$(LIGHTSTACK_CREATE_FAIL=$step $T "$XL" create -e $CFG 2>&1); rc=$?
	case $rc:$out in
	1:*"create step $step: injected failure"*) ;;
	*) bad_steps="$bad_steps $step(rc=$rc:$out)" ;;
	esac
	if [ "$(ndomains)" != "$n0" ] || ! xsdump | cmp -s /tmp/87h-before -; then
		bad_steps="$bad_steps $step(left:$(xsdump | diff /tmp/87h-before - | head -n 5 | tr '\n' '|'))"
		$XL destroy $NAME >/dev/null 2>&1
	fi
	ls /var/lib/xen 2>/dev/null | grep -q "^userdata-d\." && bad_steps="$bad_steps $step(config file left)"
	[ -z "$(leftovers)" ] || bad_steps="$bad_steps $step(left: $(leftovers | tr '\n' '|'))"
done
is "$bad_steps" "" "an injected failure at $(pick "each of the create steps $(echo $STEPS | tr ' ' ,)" "each of the $(echo $STEPS | wc -w) create steps") of an HVM guest (disk, vif, QEMU) leaves nothing"
nothing_left "after the injected failures"

ip link del $BR 2>/dev/null
rm -f $fifo $cout $cout.notify $cout.err $CFG $K $R $IMG $SERIAL $MBR $MSERIAL /tmp/87h-mbr.cfg
done_testing
