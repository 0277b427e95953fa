#!/bin/sh
# 82-network: guests' network interfaces on real Xen, set up by Lightstack
# itself (netback's vifs connected by hostnet, no hotplug scripts).
#
#   bridge  guests A and B on xenbr0 (Dom0 192.0.2.1): Dom0 and A ping
#           each other, A pings B; the xenstore layout is libxl's, the MAC
#           a stable 00:16:3e one shown by `xl list -l` and network-list
#   hot     network-attach gives A an eth1, network-detach takes it away
#   route   guest C's ip= 198.51.100.10 reached by Dom0 over vif-route
#   nat     C's second vif (198.51.100.20) pings "outside" (a network
#           namespace with no route back), only through the masquerade
#   fail    a missing bridge, and an injected failure at each vif step of
#           create, leave no domain, vif, route, rule or xenstore node
#   after   with every guest gone, Dom0's network and xenstore are as
#           before the case
#
# At the quick depth the failure is injected at vif_backend (the first
# vif step with an undo: the backends just written, no hotplug yet) and
# at vif_wait (the last: hotplug's NAT and bridge set-up undone with the
# backends); a failure in vif_check is the missing bridge's.  And there
# is no guest C: B gets C's routed and NATed vifs as its vifs 1 and 2
# (eth1, eth2) and takes C's checks, so two guests boot, not three.  The
# full depth also injects at vif_check and vif_hotplug, and boots C with
# the two vifs as its 0 and 1.
#
# The guests are the busybox test guest; they are configured by typing
# into their console (xenconsole), whose output lands in xenconsoled's log.
# Addresses: TEST-NET-1 and -2 only; nothing leaves the emulated machine.
. "$LIGHTSTACK_TESTLIB"

B=$LIGHTSTACK_BUILD
LOGDIR=/var/log/xen/console
P=net$$
XSL="$B/xenstored/xenstore-ls"
XSR="$B/xenstored/xenstore-read"
EXT=ext$$                       # the "outside" network namespace
BOOT=900                        # guest boot bound (TCG, loaded host)
export LIGHTSTACK_DEVICE_TIMEOUT_MS=120000

[ -r "${GUEST_KERNEL:-}" ] || bail "no GUEST_KERNEL"
[ -r "${GUEST_RAMDISK:-}" ] || bail "no GUEST_RAMDISK"
have ip || bail "no ip(8) in Dom0"
have nft || bail "no nft(8) in Dom0"

cleanup() {
	for n in A B C F; do
		d=$(xl domid "$P$n" 2>/dev/null) && timeout 120 xl destroy "$d" >&2
	done
	ip netns del "$EXT" 2>/dev/null
	ip link del out0 2>/dev/null
	ip link del xenbr0 2>/dev/null
	rm -f /tmp/$P*
}
trap cleanup EXIT

# ---- helpers ---------------------------------------------------------------

# cfg NAME VIFSPEC...: a guest config with these vif= entries.
cfg() {
	name=$1
	shift
	vifs=""
	for v in "$@"; do vifs="$vifs${vifs:+, }'$v'"; done
	cat >/tmp/$name.cfg <<EOF
name = "$name"
kernel = "$GUEST_KERNEL"
ramdisk = "$GUEST_RAMDISK"
extra = "console=hvc0"
memory = 128
vcpus = 1
vif = [ $vifs ]
EOF
	echo /tmp/$name.cfg
}

log_of() { echo "$LOGDIR/guest-$1.log"; }
up() { tr -d '\r' <"$(log_of "$1")" 2>/dev/null | grep -q '^LIGHTSTACK-GUEST-UP'; }

# start NAME VIFSPEC...: create and wait for the guest's marker; prints
# its domid.  False (with diagnostics on stderr) if either fails.
start() {
	name=$1
	shift
	if ! timeout 600 xl create "$(cfg "$name" "$@")" >&2; then
		echo "xl create $name failed" >&2
		return 1
	fi
	xl domid "$name"
	wait_for $BOOT up "$name" || { echo "$name: no marker" >&2; return 1; }
}

# gsh NAME TAG CMD: CMD in the guest's console shell (lib.sh's guest_sh).
gsh() { GUEST_CONSOLE_DIR=$LOGDIR guest_sh "$@"; }

# Dom0's network and device state, to compare before and after.
snapshot() {
	{
		echo "## links (name, master)"
		ip -o link show | awk '{m=""; for (i = 1; i <= NF; i++) if ($i == "master") m = $(i + 1); print $2, m}'
		echo "## addresses"
		ip -4 -o addr show | awk '{print $2, $4}'
		# (without "linkdown": a bridge's carrier follows its ports,
		# which is the kernel's business, not ours)
		echo "## routes"
		ip -4 route show table all | sed 's/ linkdown//'
		echo "## nft"
		nft list ruleset
		echo "## xenstore"
		$XSL /local/domain/0/backend/vif 2>/dev/null
		$XSL /libxl 2>/dev/null | grep -i vif
	} >"/tmp/$P.$1" 2>&1
}
same_as_base() { snapshot now; cmp -s /tmp/$P.base /tmp/$P.now; }
show_diff() { diff /tmp/$P.base /tmp/$P.now | head -20 | tr '\n' '|'; }

backend() { echo /local/domain/0/backend/vif/$1/$2; }
bstate() { [ "$($XSR "$(backend "$1" "$2")/state" 2>/dev/null)" = "$3" ]; }

# route_nat LABEL NAME DOMID R N: the checks of a guest whose vif R is
# routed (ip=198.51.100.10, gatewaydev=xenbr0) and vif N NATed
# (ip=198.51.100.20, gatewaydev=out0): C's vifs 0 and 1, or at the quick
# depth B's 1 and 2.  route_nat_gone: after that guest's destroy.
route_nat() {
	rl=$1 rg=$2 rd=$3 rr=$4 rn=$5
	ok "route: Dom0 routes 198.51.100.10 to vif$rd.$rr from 192.0.2.1" sh -c \
		"ip route show dev vif$rd.$rr | grep -q '^198.51.100.10 scope link src 192.0.2.1 metric 2'"
	is "$(cat /proc/sys/net/ipv4/conf/vif$rd.$rr/proxy_arp 2>&1)" 1 "route: proxy_arp on for vif$rd.$rr"
	ok "nat: masquerade rule for vif$rd.$rn in table ip lightstack" sh -c \
		"nft list table ip lightstack | grep -q 'ip saddr 198.51.100.20 oifname \"out0\" masquerade comment \"lightstack:vif$rd.$rn\"'"
	ok "nat: router 198.51.100.147 on vif$rd.$rn, host route to the guest" sh -c \
		"ip -o addr show dev vif$rd.$rn | grep -q 'inet 198.51.100.147/32' && ip route show dev vif$rd.$rn | grep -q '^198.51.100.20 '"
	ok "route+nat: guest $rl configures eth$rr and eth$rn" gsh $rg cfg \
		"ip link set eth$rr up && ip addr add 198.51.100.10/32 dev eth$rr && ip route add 192.0.2.1 dev eth$rr && ip link set eth$rn up && ip addr add 198.51.100.20/32 dev eth$rn && ip route add 198.51.100.147 dev eth$rn && ip route add default via 198.51.100.147"
	ok "route: Dom0 pings the guest's ip= over the routed vif" wait_for 120 ping -c1 -W3 198.51.100.10
	ok "nat: the guest reaches the outside through the masquerade" gsh $rg ping \
		"ping -c1 -W5 198.51.100.242 || ping -c1 -W5 198.51.100.242"
}
route_nat_gone() {
	ok "route: after destroy the route is gone" wait_for 60 sh -c "! ip route show | grep -q 198.51.100.10"
	ok "nat: after destroy Lightstack's nft table is gone" wait_for 60 sh -c "! nft list table ip lightstack"
}

# ---- the stage -------------------------------------------------------------

ip link add xenbr0 type bridge && ip addr add 192.0.2.1/24 dev xenbr0 &&
	ip link set xenbr0 up || bail "cannot make bridge xenbr0"
# "Outside": a namespace behind out0 (198.51.100.240/29) that knows no
# route to the NAT guest's 198.51.100.20.
ip netns add $EXT && ip link add out0 type veth peer name eth0 netns $EXT &&
	ip addr add 198.51.100.241/29 dev out0 && ip link set out0 up &&
	ip -n $EXT addr add 198.51.100.242/29 dev eth0 &&
	ip -n $EXT link set eth0 up && ip -n $EXT link set lo up ||
	bail "cannot make the outside namespace"
echo 1 >/proc/sys/net/ipv4/conf/out0/forwarding   # NAT leaves it on
snapshot base

# ---- a failing create leaves nothing ---------------------------------------

out=$(timeout 300 xl create "$(cfg ${P}F 'bridge=nosuchbr')" 2>&1)
rc=$?
if [ $rc -ne 0 ] && printf '%s' "$out" | grep -q "bridge nosuchbr does not exist"; then
	pass "fail: missing bridge: create fails and says so"
else
	fail "fail: missing bridge: create fails and says so" "rc=$rc $out"
fi
if ! xl domid ${P}F >/dev/null 2>&1 && wait_for 60 same_as_base; then
	pass "fail: missing bridge: no domain, nothing left in Dom0"
else
	fail "fail: missing bridge: no domain, nothing left in Dom0" "$(show_diff)"
fi
for step in $(pick "vif_backend vif_wait" "vif_check vif_backend vif_hotplug vif_wait"); do
	out=$(LIGHTSTACK_CREATE_FAIL=$step timeout 300 xl create \
		"$(cfg ${P}F 'script=vif-nat,ip=198.51.100.30,gatewaydev=out0' 'bridge=xenbr0')" 2>&1)
	rc=$?
	if [ $rc -ne 0 ] && ! xl domid ${P}F >/dev/null 2>&1 && wait_for 60 same_as_base; then
		pass "fail: injected failure at $step leaves nothing"
	else
		fail "fail: injected failure at $step leaves nothing" "rc=$rc $out $(show_diff)"
		d=$(xl domid ${P}F 2>/dev/null) && timeout 120 xl destroy "$d" >&2
	fi
done

# ---- bridge: guests A and B on xenbr0 --------------------------------------

A=$(start ${P}A 'bridge=xenbr0')
if [ -n "$A" ] && up ${P}A; then pass "bridge: guest A up (domid $A)"
else fail "bridge: guest A up" "domid '$A' $(tail -c 300 "$(log_of ${P}A)" 2>&1)"; fi
A=${A:-0}
BE=$(backend "$A" 0)
ok "bridge: vif$A.0 is a port of xenbr0" sh -c "ip -o link show vif$A.0 | grep -q 'master xenbr0'"
mac=$($XSR "$BE/mac" 2>/dev/null)
like "$mac" "00:16:3e:*" "bridge: backend mac is a 00:16:3e address ($mac)"
is "$($XSR "$BE/hotplug-status" 2>/dev/null) $($XSR "$BE/script" 2>/dev/null) $($XSR "$BE/type" 2>/dev/null) $($XSR "$BE/handle" 2>/dev/null) $($XSR "$BE/bridge" 2>/dev/null)" \
	"connected /etc/xen/scripts/vif-bridge vif 0 xenbr0" \
	"bridge: backend hotplug-status, script, type, handle, bridge as libxl writes them"
is "$($XSR /local/domain/$A/device/vif/0/mac 2>/dev/null) $($XSR /local/domain/$A/device/vif/0/backend 2>/dev/null)" \
	"$mac $BE" "bridge: frontend mac and backend link"
ok "bridge: netback Connected once the guest's netfront is up" wait_for 300 bstate "$A" 0 4
ok "bridge: xl list -l shows the same MAC" sh -c "xl list -l ${P}A | grep -q '\"mac\": \"$mac\"'"
nl=$(xl network-list ${P}A 2>&1)
like "$nl" "*0   0  $mac     0     4 *$BE*" "bridge: xl network-list shows vif 0 Connected"
up_nl=$(timeout 120 /usr/sbin/xl network-list ${P}A 2>&1)
like "$up_nl" "*$mac*" "bridge: upstream's xl network-list sees the same vif"

ok "bridge: guest A configures eth0 (192.0.2.10)" gsh ${P}A cfg \
	"ip addr add 192.0.2.10/24 dev eth0 && ip link set eth0 up"
ok "bridge: Dom0 pings guest A" wait_for 120 ping -c1 -W3 192.0.2.10
ok "bridge: guest A pings Dom0" gsh ${P}A ping "ping -c1 -W5 192.0.2.1"

# (At the quick depth B also gets C's two vifs and C's checks: route_nat.)
if full; then
	Bd=$(start ${P}B 'bridge=xenbr0,mac=00:16:3e:00:00:b2,vifname=guestb')
else
	Bd=$(start ${P}B 'bridge=xenbr0,mac=00:16:3e:00:00:b2,vifname=guestb' \
		'script=vif-route,ip=198.51.100.10,gatewaydev=xenbr0' \
		'script=vif-nat,ip=198.51.100.20,gatewaydev=out0')
fi
if [ -n "$Bd" ] && up ${P}B; then pass "bridge: guest B up (domid $Bd)"
else fail "bridge: guest B up" "domid '$Bd'"; fi
ok "bridge: vifname=guestb: renamed and on xenbr0" sh -c "ip -o link show guestb | grep -q 'master xenbr0'"
is "$($XSR "$(backend "${Bd:-0}" 0)/mac" 2>/dev/null)" 00:16:3e:00:00:b2 "bridge: mac= is used as given"
ok "bridge: guest B configures eth0 (192.0.2.11)" gsh ${P}B cfg \
	"ip addr add 192.0.2.11/24 dev eth0 && ip link set eth0 up"
ok "bridge: guest A pings guest B over the bridge" gsh ${P}A pingb "ping -c1 -W5 192.0.2.11"
full || route_nat B ${P}B "${Bd:-0}" 1 2
timeout 120 xl destroy "${Bd:-0}" >&2
ok "bridge: after B's destroy, guestb is gone" wait_for 60 sh -c "! ip link show guestb"
full || route_nat_gone

# ---- hot attach and detach on A --------------------------------------------

out=$(timeout 300 xl network-attach ${P}A bridge=xenbr0 mtu=1400 2>&1)
is "$?" 0 "hot: xl network-attach exits 0 ($out)"
ok "hot: vif$A.1 on xenbr0 with mtu 1400" sh -c "ip -o link show vif$A.1 | grep -q 'mtu 1400 .*master xenbr0'"
ok "hot: the guest sees eth1 appear" gsh ${P}A eth1 \
	"n=0; while [ ! -e /sys/class/net/eth1 ] && [ \$n -lt 100 ]; do sleep 1; n=\$((n+1)); done; test -e /sys/class/net/eth1"
nl=$(xl network-list ${P}A 2>&1)
like "$nl" "*
1   0  00:16:3e:*" "hot: network-list shows vif 1"
mac1=$($XSR "$(backend "$A" 1)/mac" 2>/dev/null)
ok "hot: xl list -l shows the new vif ($mac1)" sh -c "[ -n '$mac1' ] && xl list -l ${P}A | grep -q '\"mac\": \"$mac1\"'"
out=$(timeout 300 xl network-detach ${P}A 1 2>&1)
is "$?" 0 "hot: xl network-detach exits 0 ($out)"
ok "hot: the guest sees eth1 disappear" gsh ${P}A noeth1 \
	"n=0; while [ -e /sys/class/net/eth1 ] && [ \$n -lt 100 ]; do sleep 1; n=\$((n+1)); done; test ! -e /sys/class/net/eth1"
ok "hot: vif$A.1 and its backend are gone" wait_for 60 sh -c \
	"! ip link show vif$A.1 && ! $XSR $(backend "$A" 1)/state"
ok "hot: xl list -l no longer shows it" sh -c "[ -n '$mac1' ] && ! xl list -l ${P}A | grep -q '$mac1'"
out=$(timeout 60 xl network-detach ${P}A 7 2>&1)
rc=$?
if [ $rc -eq 1 ] && [ "$out" = "Unknown device 7." ]; then pass "hot: detach of a missing vif: 'Unknown device 7.', exit 1"
else fail "hot: detach of a missing vif: 'Unknown device 7.', exit 1" "rc=$rc $out"; fi
out=$(timeout 300 xl network-attach ${P}A bridge=nosuchbr 2>&1)
rc=$?
if [ $rc -eq 1 ] && printf '%s' "$out" | grep -q "bridge nosuchbr does not exist" &&
   ! $XSR "$(backend "$A" 1)/state" >/dev/null 2>&1; then
	pass "hot: attach to a missing bridge fails clearly, leaves no backend"
else
	fail "hot: attach to a missing bridge fails clearly, leaves no backend" "rc=$rc $out"
fi
timeout 120 xl destroy "$A" >&2
ok "bridge: after A's destroy, vif$A.0 is gone" wait_for 60 sh -c "! ip link show vif$A.0"

# ---- route and nat: guest C, eth0 routed (198.51.100.10), eth1 NATed ------
# (198.51.100.20 behind out0).  One guest for both saves a boot; at the
# quick depth B is that guest too (its vifs 1 and 2), see above.

if full; then
	C=$(start ${P}C 'script=vif-route,ip=198.51.100.10,gatewaydev=xenbr0' \
		'script=vif-nat,ip=198.51.100.20,gatewaydev=out0')
	if [ -n "$C" ] && up ${P}C; then pass "route+nat: guest C up (domid $C)"
	else fail "route+nat: guest C up" "domid '$C'"; fi
	route_nat C ${P}C "${C:-0}" 0 1
	timeout 120 xl destroy "${C:-0}" >&2
	route_nat_gone
fi

# ---- nothing left ----------------------------------------------------------

ok "after: no vif interfaces left" wait_for 60 sh -c "! ip -o link show | grep -q ': vif'"
if wait_for 60 same_as_base; then pass "after: Dom0's links, ports, addresses, routes, nft and xenstore as before"
else fail "after: Dom0's links, ports, addresses, routes, nft and xenstore as before" "$(show_diff)"; fi

done_testing
