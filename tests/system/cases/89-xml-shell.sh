#!/bin/sh
# 89-xml-shell: libvirt domain XML and `xl shell` on real Xen.
#
#   create   `xl create FILE.xml` of a guest with a file disk and a vif on a
#            bridge: it boots and sees its disk
#   dumpxml  of the running guest: validates against libvirt's domain.rng,
#            shows its id, UUID, console pty, vifD.0, the disk's source;
#            converts back to the same model as the file it came from; shows
#            the live memory target after mem-set and the new name after
#            rename; Domain-0 and a bad domain are one-line errors
#   shell    the same dumpxml through `xl shell` in a pipe, and tab
#            completion of the guest's name on a pty (xl-shell-pty.py)
#   destroy  leaves nothing: no domain, xenstore nodes, stored config, loop
#            device or vif
#
# Addresses: TEST-NET-1 only; nothing leaves the emulated machine.
#
. "$LIGHTSTACK_TESTLIB"

B=$LIGHTSTACK_BUILD
S=$LIGHTSTACK_SRC
P=xml$$
BR=xmlbr$$
XSR="$B/xenstored/xenstore-read"
VALIDATE="$B/tests/liblight/xml-validate"
RNG=/usr/share/libvirt/schemas/domain.rng
[ -r $RNG ] || RNG="$B/tests/liblight/libvirt-schemas/domain.rng"
LOGDIR=/var/log/xen/console
BOOT=900
export LIGHTSTACK_DEVICE_TIMEOUT_MS=120000
UUID=89a0c0de-0000-4000-8000-0000000089aa

plan 23

[ -r "${GUEST_KERNEL:-}" ] || bail "no GUEST_KERNEL"
[ -r "${GUEST_RAMDISK:-}" ] || bail "no GUEST_RAMDISK"
have ip || bail "no ip(8) in Dom0"
[ -x "$VALIDATE" ] || bail "no $VALIDATE in the build tree"

cleanup() {
	for n in ${P} ${P}b; do
		d=$(xl domid $n 2>/dev/null) && timeout 120 xl destroy "$d" >&2
	done
	ip link del $BR 2>/dev/null
	rm -f /tmp/$P*
}
trap cleanup EXIT

log_of() { echo "$LOGDIR/guest-$1.log"; }
up() { tr -d '\r' <"$(log_of "$1")" 2>/dev/null | grep -q '^LIGHTSTACK-GUEST-UP'; }

ip link add $BR type bridge && ip addr add 192.0.2.1/24 dev $BR &&
	ip link set $BR up || bail "cannot make bridge $BR"
dd if=/dev/zero of=/tmp/$P.img bs=1M count=16 2>/dev/null || bail "cannot make the disk image"

cat >/tmp/$P.xml <<EOF
<?xml version='1.0'?>
<domain type='xen'>
  <name>$P</name>
  <uuid>$UUID</uuid>
  <memory unit='MiB'>128</memory>
  <currentMemory unit='MiB'>128</currentMemory>
  <vcpu placement='static'>1</vcpu>
  <os>
    <type arch='x86_64' machine='xenpv'>linux</type>
    <kernel>$GUEST_KERNEL</kernel>
    <initrd>$GUEST_RAMDISK</initrd>
    <cmdline>console=hvc0</cmdline>
  </os>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <disk type='file' device='disk'>
      <driver name='phy' type='raw'/>
      <source file='/tmp/$P.img'/>
      <target dev='xvda' bus='xen'/>
    </disk>
    <interface type='bridge'>
      <mac address='00:16:3e:00:89:01'/>
      <source bridge='$BR'/>
    </interface>
    <console type='pty'><target type='xen' port='0'/></console>
  </devices>
</domain>
EOF

# ---- create ------------------------------------------------------------------

out=$(timeout 600 xl create /tmp/$P.xml 2>&1)
is "$?" 0 "create: xl create FILE.xml exits 0 ($out)"
D=$(xl domid $P 2>/dev/null)
if [ -n "$D" ] && wait_for $BOOT up $P; then pass "create: the guest boots (domid $D)"
else fail "create: the guest boots" "domid '$D' $(tail -c 300 "$(log_of $P)" 2>&1)"; fi
D=${D:-0}
like "$(tr -d '\r' <"$(log_of $P)" 2>/dev/null)" "*xen_blkfront*" "create: the guest loaded blkfront"
ok "create: vif$D.0 is a port of $BR" sh -c "ip -o link show vif$D.0 | grep -q 'master $BR'"

# ---- dumpxml -----------------------------------------------------------------

xl dumpxml $P >/tmp/$P.dump 2>/tmp/$P.dump.err
is "$?" 0 "dumpxml: exits 0 ($(cat /tmp/$P.dump.err))"
if [ -r "$RNG" ]; then
	out=$("$VALIDATE" "$RNG" /tmp/$P.dump 2>&1)
	is "$?" 0 "dumpxml: validates against libvirt's domain.rng ($out)"
else
	skip "dumpxml: validates against domain.rng" "$RNG absent (libvirt0 not on the build host)"
fi
like "$(head -n 3 /tmp/$P.dump)" "<domain type='xen' id='$D'>
  <name>$P</name>
  <uuid>$UUID</uuid>" "dumpxml: id, name and UUID of the running guest"
tty=$($XSR /local/domain/$D/console/tty 2>/dev/null)
like "$(cat /tmp/$P.dump)" "*<console type='pty' tty='$tty'>*" "dumpxml: the console's pty ($tty)"
like "$(cat /tmp/$P.dump)" "*<source bridge='$BR'/>*<target dev='vif$D.0'/>*" \
	"dumpxml: the vif's bridge and its vifD.N"
like "$(cat /tmp/$P.dump)" "*<source file='/tmp/$P.img'/>*<target dev='xvda' bus='xen'/>*" \
	"dumpxml: the disk's source and target"
# The running guest's XML and the file it came from give the same model
# (the file names blkback, "phy", which the stored config records).
xl config-convert --to xml /tmp/$P.xml >/tmp/$P.a 2>&1
xl config-convert --to xml /tmp/$P.dump >/tmp/$P.b 2>&1
is "$(diff /tmp/$P.a /tmp/$P.b)" "" "dumpxml: converts back to the model of the file it was created from"
xl config-convert /tmp/$P.dump >/tmp/$P.cfg 2>&1 && xl config-convert /tmp/$P.cfg >/tmp/$P.c 2>&1
is "$(diff /tmp/$P.a /tmp/$P.c)" "" "dumpxml: -> xl.cfg -> XML round trip is stable"

out=$(timeout 60 xl mem-set $P 100m 2>&1)
is "$?" 0 "dumpxml: mem-set 100m ($out)"
like "$(xl dumpxml $P 2>&1)" "*<memory unit='KiB'>131072</memory>
  <currentMemory unit='KiB'>102400</currentMemory>*" "dumpxml: shows the live target after mem-set"
timeout 60 xl mem-set $P 128m >&2
out=$(timeout 60 xl rename $P ${P}b 2>&1)
is "$?" 0 "dumpxml: rename ($out)"
like "$(xl dumpxml ${P}b 2>&1)" "*<name>${P}b</name>*" "dumpxml: shows the new name"
timeout 60 xl rename ${P}b $P >&2

out=$(xl dumpxml 0 2>&1)
rc=$?
if [ $rc != 0 ] && [ $(printf '%s\n' "$out" | wc -l) = 1 ]; then pass "dumpxml of Domain-0: one-line error ($out)"
else fail "dumpxml of Domain-0: one-line error" "rc=$rc $out"; fi

# ---- shell -------------------------------------------------------------------

printf 'dumpxml %s\nbogus\ndumpxml %s\n' $P $P | timeout 120 xl shell >/tmp/$P.sh 2>/tmp/$P.sh.err
rc=$?
xl dumpxml $P >/tmp/$P.one 2>&1
cat /tmp/$P.one /tmp/$P.one >/tmp/$P.two
if [ $rc = 0 ] && cmp -s /tmp/$P.sh /tmp/$P.two && grep -qx '(exit status 1)' /tmp/$P.sh.err; then
	pass "shell: dumpxml twice through a pipe, as one-shot, a bad line between"
else
	fail "shell: dumpxml twice through a pipe" "rc=$rc $(cat /tmp/$P.sh.err) $(diff /tmp/$P.sh /tmp/$P.two | head -5)"
fi
if have python3; then
	timeout 300 python3 "$S/tests/xl/xl-shell-pty.py" "$B/xl/xl" /tmp/$P.xml --domain $P >/tmp/$P.pty 2>&1
	rc=$?
	like "$(cat /tmp/$P.pty)" "*ok 5 - tab completes a running domain's name*" \
		"shell: tab completes the guest's name on a pty"
	if [ $rc = 0 ]; then pass "shell: every point of xl-shell-pty.py on Xen"
	else fail "shell: every point of xl-shell-pty.py on Xen" "$(grep -v '^ok' /tmp/$P.pty | head -10 | tr '\n' '|')"; fi
else
	skip "shell: tab completes the guest's name" "no python3 in Dom0"
	skip "shell: xl-shell-pty.py on Xen" "no python3 in Dom0"
fi

# ---- destroy -----------------------------------------------------------------

out=$(timeout 120 xl destroy $P 2>&1)
is "$?" 0 "destroy: exits 0 ($out)"
wait_for 60 sh -c "! $XSR /local/domain/$D/name"
left=""
xl domid $P >/dev/null 2>&1 && left="$left domain"
$XSR /local/domain/$D >/dev/null 2>&1 && left="$left /local/domain/$D"
$XSR /vm/$UUID >/dev/null 2>&1 && left="$left /vm/$UUID"
ls /var/lib/xen 2>/dev/null | grep -q "^userdata-d\.$D\." && left="$left stored-config"
[ -n "$(losetup -j /tmp/$P.img 2>/dev/null)" ] && left="$left loop"
ip link show vif$D.0 >/dev/null 2>&1 && left="$left vif$D.0"
is "$left" "" "destroy: nothing left (domain, xenstore, stored config, loop, vif)"
out=$(xl dumpxml $P 2>&1)
rc=$?
if [ $rc = 1 ] && [ $(printf '%s\n' "$out" | wc -l) = 1 ]; then pass "dumpxml of a destroyed guest: exit 1, one line ($out)"
else fail "dumpxml of a destroyed guest: exit 1, one line" "rc=$rc $out"; fi

done_testing
