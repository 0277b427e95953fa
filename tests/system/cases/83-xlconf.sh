#!/bin/sh
# 83-xlconf: /etc/xen/xl.conf as xl reads it, and output for scripts.
#
#   conf    a bad value in xl.conf fails every command with file:line;
#           a missing file is fine
#   vif     xl.conf's vif.default.bridge places a vif that names no bridge
#           (create); vif.default.script and .gatewaydev give a hot-added
#           vif with no script= a routed vif (network-attach)
#   sxp     output_format = "sxp" in /etc/xen/xl.conf, read by both xls:
#           `xl create -n` prints the same S-expression as upstream's xl,
#           field by field; `xl list -l` of the running guest prints it with
#           the domain's id and handle
#   json    --json of list, vm-list, info, uptime, network-list and
#           block-list parses (python3) and agrees with the text output
#   limits  xl.conf's max_maptrack_frames and the guest's own
#           max_grant_frames reach Xen (its 'g' debug key prints each
#           domain's grant table limits); vm.cpumask is every vcpu's hard
#           affinity without cpus= (vcpu-list, ours and upstream's), ANDs
#           cpus= and vcpu-pin, is ignored with
#           --ignore-global-affinity-masks, and an empty result is refused;
#           claim_mode: a guest bigger than Xen's free memory fails at the
#           claim (with claim_mode = 0 only later, in the build), and
#           either way leaves no domain
#
# Addresses: TEST-NET-1 and -2 only; nothing leaves the emulated machine.
. "$LIGHTSTACK_TESTLIB"

B=$LIGHTSTACK_BUILD
P=xlc$$
BR=xlcbr$$
XSR="$B/xenstored/xenstore-read"
UP=/usr/lib/xen-4.17/bin/xl
[ -x $UP ] || UP=/usr/sbin/xl
LOGDIR=/var/log/xen/console
BOOT=900
export LIGHTSTACK_DEVICE_TIMEOUT_MS=120000

plan 50

[ -r "${GUEST_KERNEL:-}" ] || bail "no GUEST_KERNEL"
[ -r "${GUEST_RAMDISK:-}" ] || bail "no GUEST_RAMDISK"
[ -x "$UP" ] || bail "no upstream xl in the image"
have python3 || bail "no python3 in Dom0 to parse JSON"
have ip || bail "no ip(8) in Dom0"

SAVED=/tmp/$P.xl.conf.saved
cp /etc/xen/xl.conf $SAVED 2>/dev/null || : >$SAVED
cleanup() {
	unset LIGHTSTACK_XL_CONF
	d=$(xl domid ${P}A 2>/dev/null) && timeout 120 xl destroy "$d" >&2
	cp $SAVED /etc/xen/xl.conf
	ip link del $BR 2>/dev/null
	rm -f /tmp/$P*
}
trap cleanup EXIT

log_of() { echo "$LOGDIR/guest-$1.log"; }
up() { tr -d '\r' <"$(log_of "$1")" 2>/dev/null | grep -q '^LIGHTSTACK-GUEST-UP'; }
backend() { echo /local/domain/0/backend/vif/$1/$2; }

# The guest: one vif that names no bridge and no script.
cat >/tmp/$P.cfg <<EOF
name = "${P}A"
kernel = "$GUEST_KERNEL"
ramdisk = "$GUEST_RAMDISK"
extra = "console=hvc0"
memory = 128
maxmem = 128
vcpus = 1
vif = [ 'mac=00:16:3e:00:83:01' ]
EOF
# For the dry runs only: the same plus a disk (never created).
cp /tmp/$P.cfg /tmp/$P-n.cfg
echo "disk = [ 'format=raw,vdev=xvda,access=rw,backendtype=phy,target=/tmp/$P.img' ]" >>/tmp/$P-n.cfg

# ---- conf: bad and missing files -------------------------------------------

printf 'lockfile = "/tmp/%s.lock"\n\noutput_format = "xml"\n' $P >/tmp/$P.bad
out=$(LIGHTSTACK_XL_CONF=/tmp/$P.bad xl list 2>&1)
rc=$?
is "$rc $out" "1 xl: /tmp/$P.bad:3: output_format: expected \"json\" or \"sxp\", not \`xml'" \
	"conf: a bad value fails the command, naming file:line"
ok "conf: a missing xl.conf is fine" env LIGHTSTACK_XL_CONF=/tmp/$P.none xl list

# ---- vif: defaults from xl.conf --------------------------------------------

ip link add $BR type bridge && ip addr add 192.0.2.1/24 dev $BR &&
	ip link set $BR up || bail "cannot make bridge $BR"
cat >/tmp/$P.conf <<EOF
# xl.conf for this case (unknown keys are ignored)
vif.default.bridge = "$BR"
some.future.key = "x"
EOF
export LIGHTSTACK_XL_CONF=/tmp/$P.conf
timeout 600 xl create /tmp/$P.cfg >&2
A=$(xl domid ${P}A 2>/dev/null)
if [ -n "$A" ] && wait_for $BOOT up ${P}A; then pass "vif: guest up (domid $A)"
else fail "vif: guest up" "domid '$A' $(tail -c 300 "$(log_of ${P}A)" 2>&1)"; fi
A=${A:-0}
ok "vif: vif$A.0 (no bridge=) is a port of xl.conf's $BR" sh -c "ip -o link show vif$A.0 | grep -q 'master $BR'"
is "$($XSR "$(backend "$A" 0)/bridge" 2>/dev/null)" "$BR" "vif: backend bridge node is xl.conf's"
like "$(xl list -l ${P}A 2>&1)" "*\"bridge\": \"$BR\"*" "vif: the stored config records the bridge"

cat >/tmp/$P.conf2 <<EOF
vif.default.bridge = "$BR"
vif.default.script = "vif-route"
vif.default.gatewaydev = "$BR"
EOF
out=$(LIGHTSTACK_XL_CONF=/tmp/$P.conf2 timeout 300 xl network-attach ${P}A ip=198.51.100.10 2>&1)
is "$?" 0 "vif: network-attach with no script= exits 0 ($out)"
is "$($XSR "$(backend "$A" 1)/script" 2>/dev/null)" /etc/xen/scripts/vif-route \
	"vif: hot vif's script is xl.conf's vif.default.script"
ok "vif: routed through xl.conf's gatewaydev, not bridged" sh -c \
	"ip route show dev vif$A.1 | grep -q '^198.51.100.10 .*src 192.0.2.1' && ! ip -o link show vif$A.1 | grep -q master"
out=$(timeout 300 xl network-detach ${P}A 1 2>&1)
is "$?" 0 "vif: network-detach of the routed vif ($out)"

# ---- sxp: output_format in /etc/xen/xl.conf, both xls read it ----------------

unset LIGHTSTACK_XL_CONF
printf 'output_format = "sxp"\n' >/etc/xen/xl.conf
xl create -n /tmp/$P-n.cfg >/tmp/$P.ours 2>/tmp/$P.ours.err
is "$?" 0 "sxp: our xl create -n exits 0"
timeout 120 $UP create -n /tmp/$P-n.cfg >/tmp/$P.up 2>/tmp/$P.up.err
is "$?" 0 "sxp: upstream's xl create -n exits 0 ($(tail -n 1 /tmp/$P.up.err))"
like "$(head -n 2 /tmp/$P.up)" "(domain*(domid -1)" "sxp: upstream really printed SXP"
# Field by field: every line, in order.
n_up=$(wc -l </tmp/$P.up)
n_diff=$(diff /tmp/$P.ours /tmp/$P.up | grep -c '^[<>]')
if [ "$n_diff" -eq 0 ] && [ "$n_up" -gt 20 ]; then
	pass "sxp: create -n: all $n_up lines identical to upstream's"
else
	fail "sxp: create -n: all lines identical to upstream's" \
		"$(diff /tmp/$P.ours /tmp/$P.up | head -30 | tr '\n' '|')"
fi
xl list -l ${P}A >/tmp/$P.list 2>&1
is "$?" 0 "sxp: xl list -l exits 0"
uuid=$(xl vm-list | awk -v n=${P}A '$3 == n { print $1 }')
like "$(cat /tmp/$P.list)" "(domain
	(domid $A)
	(create_info)*	(uuid $uuid)*" "sxp: list -l shows the domain's id and handle"
# The same fields as a dry run of the guest's own config (no disk) but
# for what creating filled in.
xl create -n /tmp/$P.cfg >/tmp/$P.ours1 2>/dev/null
strip() { sed -e '/(domid /d; /(frontend_domid /d; /(uuid /d; /(mtu /d; /(nomigrate /d; /(e820_host /d' "$1"; }
strip /tmp/$P.list >/tmp/$P.l1
strip /tmp/$P.ours1 >/tmp/$P.l2
is "$(diff /tmp/$P.l1 /tmp/$P.l2 | head -20)" "" "sxp: list -l has the dry run's fields"
like "$(cat /tmp/$P.list)" "*(mtu 1500)*(mac 00163e008301)*" "sxp: list -l's vif: mtu filled in, mac as given"
cp $SAVED /etc/xen/xl.conf

# ---- json ------------------------------------------------------------------

# pyget PYEXPR CMD...: run CMD, parse its stdout as one JSON document
# (python3's json) and print the expression over it (d); "BADJSON ..." if
# it does not parse.
pyget() {
	expr=$1
	shift
	"$@" 2>/dev/null | python3 -c "
import json, sys
try:
    d = json.load(sys.stdin)
except Exception as e:
    print('BADJSON', e); sys.exit(0)
print($expr)"
}
is "$(pyget "[x['name'] for x in d['domains'] if x['domid'] == $A]" xl list --json)" "['${P}A']" \
	"json: list: the guest by domid"
is "$(pyget "[(x['vcpus'], x['max_memory_kb'] >= 131072, x['type']) for x in d['domains'] if x['domid'] == $A]" xl list --json)" \
	"[(1, True, 'pv')]" "json: list: vcpus, max_memory_kb, type"
is "$(pyget "d['domains'][0]['name'] + ' ' + str(d['domains'][0]['domid'])" xl list --json)" "Domain-0 0" \
	"json: list: Domain-0 first"
is "$(pyget "[x['uuid'] for x in d['domains'] if x['domid'] == $A]" xl vm-list --json)" "['$uuid']" \
	"json: vm-list: the guest's uuid as the text shows it"
is "$(pyget "str(d['nr_cpus']) + ' ' + d['xen_version']" xl info --json)" \
	"$(xl info nr_cpus) $(xl info xen_version)" "json: info: nr_cpus and xen_version as the text"
is "$(pyget "[(x['name'], type(x['uptime_s']).__name__) for x in d['domains']]" xl uptime --json ${P}A)" \
	"[('${P}A', 'int')]" "json: uptime: one domain, whole seconds"
is "$(pyget "[(x['devid'], x['mac'], x['backend_id']) for x in d['nics']]" xl network-list --json ${P}A)" \
	"[(0, '00:16:3e:00:83:01', 0)]" "json: network-list: the vif"
is "$(pyget "d" xl block-list --json ${P}A)" "{'disks': []}" "json: block-list: no disks"
out=$(xl network-list --json nosuchdomain$$ 2>/dev/null)
is "$? [$out]" "1 []" "json: a bad domain: exit 1, nothing on stdout"

# ---- limits: grant tables, vm.cpumask, claim_mode ---------------------------

# Paused guests: nothing here needs them to run.
cat >/tmp/$P-g.cfg <<EOF
name = "${P}G"
kernel = "$GUEST_KERNEL"
ramdisk = "$GUEST_RAMDISK"
memory = 128
vcpus = 2
max_grant_frames = 24
EOF
printf 'max_maptrack_frames = 100\nmax_grant_frames = 40\n' >/tmp/$P.lim
export LIGHTSTACK_XL_CONF=/tmp/$P.lim
out=$(timeout 600 xl create -p /tmp/$P-g.cfg 2>&1)
is "$?" 0 "limits: a guest with max_grant_frames = 24 under max_maptrack_frames = 100 ($out)"
G=$(xl domid ${P}G 2>/dev/null)
# Xen's own view: debug key 'g' prints every domain's grant table.
$UP dmesg -c >/dev/null 2>&1
$UP debug-keys g >/dev/null 2>&1
gt=$(xl dmesg 2>/dev/null | tr -d '\r' | grep -A1 "grant-table for remote d${G:-x} " | tail -n 1)
like "$gt" "*frames (24 max), * maptrack frames (100 max)*" \
	"limits: Xen gives d$G 24 grant frames (the guest's) and 100 maptrack frames (xl.conf's)"
is "$(pyget "[(x['config']['b_info'].get('max_grant_frames'), x['config']['b_info'].get('max_maptrack_frames'), x['config']['b_info'].get('max_grant_version', 0) > 0, x['config']['b_info'].get('claim_mode')) for x in d]" xl list -l ${P}G)" \
	"[(24, 100, True, 'True')]" "limits: list -l shows the limits, the grant version chosen, claim_mode"
timeout 120 xl destroy ${P}G >&2

# vm.cpumask: CPU 1 only (the machine has 2).
printf 'vm.cpumask = "1"\n' >/tmp/$P.mask
export LIGHTSTACK_XL_CONF=/tmp/$P.mask
out=$(timeout 600 xl create -p /tmp/$P-g.cfg 2>&1)
is "$?" 0 "cpumask: create under vm.cpumask = \"1\" ($out)"
hard() { xl vcpu-list "$1" 2>/dev/null | awk 'NR > 1 { print $7 }' | tr '\n' ' '; }
uphard() { $UP vcpu-list "$1" 2>/dev/null | awk 'NR > 1 { print $7 }' | tr '\n' ' '; }
is "$(hard ${P}G)" "1 1 " "cpumask: both vcpus' hard affinity is CPU 1"
is "$(uphard ${P}G)" "1 1 " "cpumask: upstream's vcpu-list sees the same"
is "$(pyget "[x['config']['b_info']['vcpu_hard_affinity'] for x in d]" xl list -l ${P}G)" \
	"[[[1], [1]]]" "cpumask: list -l's vcpu_hard_affinity"
xl vcpu-pin ${P}G 0 all >&2
is "$(hard ${P}G)" "1 1 " "cpumask: vcpu-pin 0 all is narrowed to the mask"
xl vcpu-pin --ignore-global-affinity-masks ${P}G 0 all >&2
is "$(hard ${P}G)" "all 1 " "cpumask: vcpu-pin --ignore-global-affinity-masks is not"
timeout 120 xl destroy ${P}G >&2
out=$(timeout 600 xl create -p --ignore-global-affinity-masks /tmp/$P-g.cfg 2>&1)
is "$?" 0 "cpumask: create --ignore-global-affinity-masks ($out)"
is "$(hard ${P}G)" "all all " "cpumask: ... leaves the vcpus on every CPU"
timeout 120 xl destroy ${P}G >&2
out=$(timeout 600 xl create -p /tmp/$P-g.cfg cpus=0 2>&1)
is "$?" 1 "cpumask: cpus=0 under vm.cpumask = \"1\" is refused"
like "$out" "*vcpu hard affinity map is empty*" "cpumask: ... with upstream's message"
ok "cpumask: ... and no domain is left" sh -c "! xl domid ${P}G"

# claim_mode: more memory than Xen has free, autoballoon off.
free=$(xl info free_memory 2>/dev/null)
big=$(( ${free:-0} + 64 ))
printf 'autoballoon = "off"\n' >/tmp/$P.claim
export LIGHTSTACK_XL_CONF=/tmp/$P.claim
out=$(timeout 600 xl create -p /tmp/$P-g.cfg memory=$big name=${P}C 2>&1)
is "$?" 1 "claim: a $big MB guest with $free MB free fails"
like "$out" "*cannot claim $big MB*" "claim: ... at the claim ($(echo "$out" | tail -n 1))"
ok "claim: ... and leaves no domain" sh -c "! xl domid ${P}C"
printf 'autoballoon = "off"\nclaim_mode = 0\n' >/tmp/$P.claim
out=$(timeout 600 xl create -p /tmp/$P-g.cfg memory=$big name=${P}C 2>&1)
is "$?" 1 "claim: with claim_mode = 0 it fails too"
case $out in
*claim*) fail "claim: ... but not at a claim" "$out" ;;
*) pass "claim: ... but not at a claim ($(echo "$out" | tail -n 1))" ;;
esac
ok "claim: ... and leaves no domain" sh -c "! xl domid ${P}C"
is "$(xl info free_memory 2>/dev/null)" "$free" "claim: Xen's free memory is as before"
unset LIGHTSTACK_XL_CONF

timeout 120 xl destroy "$A" >&2
ok "after: guest gone" sh -c "! xl domid ${P}A"
ok "after: its vif is gone" wait_for 60 sh -c "! ip link show vif$A.0"

done_testing
