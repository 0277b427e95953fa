#!/bin/sh
# test-hostnet.sh - hostnet against the real kernel, inside network
# namespaces this test creates and deletes: "D" plays Dom0, "GB"/"GR"/"GN"
# play guests (the far ends of veth pairs whose near ends stand in for
# vifs) and "O" plays the outside world for NAT.  Every check looks at the
# result from outside the library: ip(8), nft(8), /proc/sys and real
# pings.  Only TEST-NET addresses are used; nothing leaves the namespaces.
set -u
TOOL="$top_builddir/tests/hostnet/hn-tool"
P="lshn$$"
D="${P}d" GB="${P}gb" GR="${P}gr" GN="${P}gn" O="${P}o"
LOCK=/run/lightstack-hostnet-nat.lock
T=$(mktemp -d)
n=0
failed=0
had_lock=no
[ -e "$LOCK" ] && had_lock=yes

cleanup() {
	for ns in "$D" "$GB" "$GR" "$GN" "$O"; do
		ip netns del "$ns" 2>/dev/null
	done
	[ "$had_lock" = no ] && rm -f "$LOCK"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ok() { n=$((n+1)); echo "ok $n - $1"; }
notok() { n=$((n+1)); failed=1; echo "not ok $n - $1"; shift; for l in "$@"; do printf '%s\n' "$l" | sed 's/^/# /'; done; }
check() { # name, condition (eval'd), details
	if eval "$2"; then ok "$1"; else notok "$1" "$3"; fi
}
skip_all() { echo "1..0 # SKIP $1"; exit 0; }

d() { ip netns exec "$D" "$@"; }
hn() { ip netns exec "$D" "$TOOL" "$@"; }
conf() { d cat "/proc/sys/net/ipv4/conf/$1/$2"; }

# Dom0's whole network state, for "teardown left nothing" checks.
snapshot() {
	{
		d ip -o link show | sed 's/ qdisc [^ ]*//'
		d ip -o addr show
		d ip route show table all
		d nft list ruleset
		for i in $(d ls /proc/sys/net/ipv4/conf); do
			echo "$i $(conf "$i" proxy_arp) $(conf "$i" forwarding)"
		done
	} >"$T/$2"
}
same() { cmp -s "$T/$1" "$T/$2"; }
difftext() { diff "$T/$1" "$T/$2" | head -20; }

[ "$(id -u)" = 0 ] || skip_all "needs root (network namespaces)"
command -v ip >/dev/null || skip_all "ip(8) missing (iproute2)"
command -v nft >/dev/null || skip_all "nft(8) missing (nftables)"
command -v busybox >/dev/null || skip_all "busybox missing (its ping)"
ip netns add "$D" 2>/dev/null || skip_all "cannot create a network namespace"
for ns in "$GB" "$GR" "$GN" "$O"; do ip netns add "$ns" || exit 1; done

# A veth pair: $1 in D, $2 in namespace $3.
veth() { d ip link add "$1" type veth peer name "$2" netns "$3"; }

# --- the stage -------------------------------------------------------------
# No IPv6 in D: link-local addresses appearing late would upset the
# before/after snapshots, and hostnet does IPv4 only.
d sh -c 'echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6'
d ip link set lo up
d ip link add xenbr0 address 02:00:00:00:00:01 type bridge
d ip link set xenbr0 mtu 1400 up
# A port of its own keeps the bridge's carrier steady while vifs come and go.
d ip link add brkeep mtu 1400 type veth peer name brkeep-p
d ip link set brkeep master xenbr0 up
d ip link set brkeep-p up
# Links that are not vifs, as veth pairs within D (no dummy module needed).
d ip link add notabridge type veth peer name nb-peer
d ip link add eth0 type veth peer name eth0-peer
d ip addr add 192.0.2.1/24 dev eth0
d ip link set eth0-peer up
d ip link set eth0 up
d ip link add noaddr type veth peer name noaddr-peer
# The vifs, with their guest ends up from the start.
veth vif1.0 eth1 "$GB"
veth vif2.0 eth0 "$GB"
veth vif3.0 eth0 "$GR"
veth vif4.0 eth0 "$GN"
veth vif4.1 eth1 "$GN"
veth out0 eth0 "$O"
for ns in "$GB" "$GR" "$GN" "$O"; do
	ip netns exec "$ns" sh -c 'echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6'
	ip netns exec "$ns" ip link set lo up
done
ip netns exec "$GB" ip link set eth1 up
ip netns exec "$GB" ip addr add 198.51.100.2/24 dev eth0
ip netns exec "$GB" ip link set eth0 up
ip netns exec "$GR" ip link set eth0 up
ip netns exec "$GR" ip addr add 192.0.2.10/32 dev eth0
ip netns exec "$GR" ip route add 192.0.2.1 dev eth0
ip netns exec "$GN" ip addr add 198.51.100.20/24 dev eth0
ip netns exec "$GN" ip link set eth0 up
ip netns exec "$GN" ip route add default via 198.51.100.147 dev eth0
ip netns exec "$GN" ip link set eth1 up
ip netns exec "$O" ip addr add 203.0.113.2/24 dev eth0
ip netns exec "$O" ip link set eth0 up
d ip addr add 203.0.113.1/24 dev out0
d ip link set out0 up
d ip route add default via 203.0.113.2 dev out0
# Upstream's network-nat turns forwarding on for good; so does NAT attach
# on the outgoing device.  Have it on from the start so the snapshots
# compare what a vif's teardown must restore.
d sh -c 'echo 1 >/proc/sys/net/ipv4/conf/out0/forwarding'
# Somebody else's NAT table, which we must never touch.
d nft -f - <<'NFT'
table ip usertab {
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		ip saddr 203.0.113.0/24 oifname "out0" masquerade comment "user rule"
	}
}
NFT
d nft list table ip usertab >"$T/usertab.before"
snapshot x base

# --- links -----------------------------------------------------------------
out=$(hn exists vif1.0 2>&1); check "exists: a link that is there" '[ "$out" = yes ]' "$out"
out=$(hn exists vif9.9 2>&1); check "exists: a link that is not" '[ "$out" = no ]' "$out"
out=$(hn exists '../x' 2>&1); rc=$?
check "exists: a name that could escape /proc is refused" \
	'[ $rc = 1 ] && printf "%s" "$out" | grep -q "invalid interface name"' "rc=$rc $out"

out=$(hn wait vif9.8 200 2>&1); rc=$?
check "wait: times out with a clear message" \
	'[ $rc = 1 ] && printf "%s" "$out" | grep -q "vif9.8 did not appear within 200 ms"' "rc=$rc $out"
( sleep 0.3; d ip link add vif9.7 type veth peer name p9.7 ) &
out=$(hn wait vif9.7 5000 2>&1); rc=$?
wait
check "wait: returns once netback (here: us) creates the link" '[ $rc = 0 ]' "rc=$rc $out"
d ip link del vif9.7 2>/dev/null

d ip link add vif9.6 type veth peer name p9.6
d ip link set vif9.6 up
out=$(hn rename vif9.6 myguest 2>&1); rc=$?
check "rename: vifname= renames a running link" \
	'[ $rc = 0 ] && d ip link show myguest >/dev/null 2>&1 && ! d ip link show vif9.6 >/dev/null 2>&1' "rc=$rc $out"
out=$(hn rename myguest vif1.0 2>&1); rc=$?
check "rename: onto an existing name is refused" \
	'[ $rc = 1 ] && printf "%s" "$out" | grep -q "vif1.0 already exists" && d ip link show myguest >/dev/null 2>&1' "rc=$rc $out"
d ip link del myguest

# --- bridge ----------------------------------------------------------------
out=$(hn bridge-attach xenbr0 vif1.0 0 2>&1); rc=$?
check "bridge: attach with mtu 0 succeeds" '[ $rc = 0 ]' "rc=$rc $out"
check "bridge: vif is a port of xenbr0" \
	'd ip -o link show vif1.0 | grep -q "master xenbr0"' "$(d ip -o link show vif1.0)"
check "bridge: vif took the bridge's MTU (1400)" \
	'[ "$(hn mtu vif1.0)" = 1400 ]' "$(d ip -o link show vif1.0)"
check "bridge: vif is up" \
	'd ip -o link show vif1.0 | grep -Eq "[<,]UP[,>]"' "$(d ip -o link show vif1.0)"
out=$(hn bridge-detach vif1.0 2>&1); rc=$?
check "bridge: detach takes the vif out and down" \
	'[ $rc = 0 ] && ! d ip -o link show vif1.0 | grep -q master && ! d ip -o link show vif1.0 | grep -Eq "[<,]UP[,>]"' \
	"rc=$rc $out $(d ip -o link show vif1.0)"
out=$(hn bridge-attach xenbr0 vif1.0 1280 2>&1); rc=$?
check "bridge: mtu=1280 is applied" \
	'[ $rc = 0 ] && [ "$(hn mtu vif1.0)" = 1280 ] && d ip -o link show vif1.0 | grep -q "master xenbr0"' "rc=$rc $out"
hn bridge-detach vif1.0
d ip link set vif1.0 mtu 1500
out=$(hn bridge-attach - vif1.0 0 2>&1); rc=$?
check "bridge: no bridge given means xenbr0" \
	'[ $rc = 0 ] && d ip -o link show vif1.0 | grep -q "master xenbr0"' "rc=$rc $out"
hn bridge-detach vif1.0
d ip link set vif1.0 mtu 1500
out=$(hn bridge-attach xenbr7 vif1.0 0 2>&1); rc=$?
check "bridge: a missing bridge is a clear error" \
	'[ $rc = 1 ] && printf "%s" "$out" | grep -q "bridge xenbr7 does not exist"' "rc=$rc $out"
out=$(hn bridge-attach notabridge vif1.0 0 2>&1); rc=$?
check "bridge: a link that is no bridge is refused" \
	'[ $rc = 1 ] && printf "%s" "$out" | grep -q "notabridge is not a bridge"' "rc=$rc $out"
out=$(hn bridge-detach vif9.5 2>&1); rc=$?
check "bridge: detach of a vanished vif succeeds" '[ $rc = 0 ]' "rc=$rc $out"
snapshot x after-bridge
check "bridge: Dom0 is exactly as before" 'same base after-bridge' "$(difftext base after-bridge)"

# Real traffic: Dom0 on the bridge pings the guest and back.
d ip addr add 198.51.100.1/24 dev xenbr0
hn bridge-attach xenbr0 vif2.0 0 >/dev/null 2>&1
check "bridge: Dom0 pings the guest over xenbr0" \
	'd busybox ping -c1 -W3 198.51.100.2 >/dev/null 2>&1' "$(d ip -o link show vif2.0)"
check "bridge: the guest pings Dom0" \
	'ip netns exec "$GB" busybox ping -c1 -W3 198.51.100.1 >/dev/null 2>&1' ""
hn bridge-detach vif2.0
d ip addr del 198.51.100.1/24 dev xenbr0
d ip link set vif2.0 mtu 1500

# --- route -----------------------------------------------------------------
out=$(hn route-attach vif1.0 "192.0.2.10 192.0.2.11,192.0.2.64/26" eth0 2>&1); rc=$?
check "route: attach succeeds" '[ $rc = 0 ]' "rc=$rc $out"
routes=$(d ip route show dev vif1.0)
check "route: one route per ip= address, src Dom0's address, metric 2" \
	'printf "%s\n" "$routes" | grep -q "^192.0.2.10 scope link src 192.0.2.1 metric 2" &&
	 printf "%s\n" "$routes" | grep -q "^192.0.2.11 scope link src 192.0.2.1 metric 2" &&
	 printf "%s\n" "$routes" | grep -q "^192.0.2.64/26 scope link src 192.0.2.1 metric 2"' "$routes"
check "route: Dom0's address is on the vif as a /32" \
	'd ip -o addr show dev vif1.0 | grep -q "inet 192.0.2.1/32"' "$(d ip -o addr show dev vif1.0)"
check "route: proxy_arp and forwarding on for the vif" \
	'[ "$(conf vif1.0 proxy_arp)" = 1 ] && [ "$(conf vif1.0 forwarding)" = 1 ]' ""
out=$(hn route-detach vif1.0 "192.0.2.10 192.0.2.11,192.0.2.64/26" 2>&1); rc=$?
check "route: detach succeeds" '[ $rc = 0 ]' "rc=$rc $out"
snapshot x after-route
check "route: routes, address and proxy_arp gone, nothing else changed" \
	'same base after-route' "$(difftext base after-route)"
out=$(hn route-attach vif1.0 "192.0.2.10 192.0.2.300" eth0 2>&1); rc=$?
check "route: a bad address is refused by name" \
	'[ $rc = 1 ] && printf "%s" "$out" | grep -q "invalid IPv4 address .192.0.2.300."' "rc=$rc $out"
out=$(hn route-attach vif1.0 "192.0.2.10" noaddr 2>&1); rc=$?
check "route: a gatewaydev without an address is a clear error" \
	'[ $rc = 1 ] && printf "%s" "$out" | grep -q "noaddr has no IPv4 address"' "rc=$rc $out"
snapshot x after-route-fail
check "route: failed attaches leave nothing behind" \
	'same base after-route-fail' "$(difftext base after-route-fail)"

# Real traffic: Dom0 reaches the guest's ip= over the routed vif.
hn route-attach vif3.0 192.0.2.10 eth0 >/dev/null 2>&1
check "route: Dom0 pings the guest's ip= through vif3.0" \
	'd busybox ping -c1 -W3 192.0.2.10 >/dev/null 2>&1' "$(d ip route show dev vif3.0)"
hn route-detach vif3.0 192.0.2.10
check "route: after detach the guest is unreachable" \
	'! d busybox ping -c1 -W1 192.0.2.10 >/dev/null 2>&1' ""

# --- NAT -------------------------------------------------------------------
out=$(hn nat-ips 5 0); check "nat: upstream's default addresses for domid 5, vif 0" \
	'[ "$out" = "10.0.5.1 10.0.5.128" ]' "$out"
out=$(hn nat-ips 300 1); check "nat: ... and for domid 300, vif 1" \
	'[ "$out" = "10.1.44.2 10.1.44.129" ]' "$out"

out=$(hn nat-attach vif4.0 198.51.100.20 - out0 2>&1); rc=$?
check "nat: attach succeeds" '[ $rc = 0 ]' "rc=$rc $out"
rules=$(d nft list table ip lightstack 2>&1)
check "nat: masquerade rule in table ip lightstack, tagged with the vif" \
	'printf "%s" "$rules" | grep -q "ip saddr 198.51.100.20 oifname \"out0\" masquerade comment \"lightstack:vif4.0\""' "$rules"
check "nat: router address 198.51.100.147/32 on the vif, host route to the guest" \
	'd ip -o addr show dev vif4.0 | grep -q "inet 198.51.100.147/32" &&
	 d ip route show dev vif4.0 | grep -q "^198.51.100.20 scope link src 198.51.100.147"' \
	"$(d ip -o addr show dev vif4.0; d ip route show dev vif4.0)"
out=$(hn nat-attach vif4.1 198.51.100.21 198.51.100.1 2>&1); rc=$?
check "nat: second vif, router given, outdev from the default route" \
	'[ $rc = 0 ] && d nft list table ip lightstack | grep -q "ip saddr 198.51.100.21 oifname \"out0\" masquerade comment \"lightstack:vif4.1\""' \
	"rc=$rc $out $(d nft list table ip lightstack 2>&1)"

# Real traffic: the guest reaches "outside", which has no route back to
# 198.51.100.0/24, so only a masqueraded packet gets an answer.
check "nat: the guest pings the outside through the masquerade" \
	'ip netns exec "$GN" busybox ping -c1 -W3 203.0.113.2 >/dev/null 2>&1' \
	"$(d nft list ruleset 2>&1)"

out=$(hn nat-detach vif4.0 198.51.100.20 2>&1); rc=$?
rules=$(d nft list table ip lightstack 2>&1)
check "nat: detach removes exactly that vif's rule" \
	'[ $rc = 0 ] && ! printf "%s" "$rules" | grep -q "lightstack:vif4.0" && printf "%s" "$rules" | grep -q "lightstack:vif4.1"' \
	"rc=$rc $out $rules"
check "nat: the guest no longer gets out" \
	'! ip netns exec "$GN" busybox ping -c1 -W1 203.0.113.2 >/dev/null 2>&1' ""
out=$(hn nat-has vif4.1); check "nat: has-rule sees the remaining rule" '[ "$out" = yes ]' "$out"
out=$(hn nat-detach vif4.1 198.51.100.21 198.51.100.1 2>&1); rc=$?
check "nat: the last detach deletes Lightstack's table" \
	'[ $rc = 0 ] && ! d nft list table ip lightstack >/dev/null 2>&1' "rc=$rc $out"
out=$(hn nat-detach vif4.1 198.51.100.21 198.51.100.1 2>&1); rc=$?
check "nat: detach again is harmless" '[ $rc = 0 ]' "rc=$rc $out"
d nft list table ip usertab >"$T/usertab.after"
check "nat: the user's own nft table is untouched" \
	'cmp -s "$T/usertab.before" "$T/usertab.after"' "$(diff "$T/usertab.before" "$T/usertab.after")"
out=$(hn nat-attach vif4.0 198.51.100.250 - out0 2>&1); rc=$?
check "nat: an underivable router address is refused" \
	'[ $rc = 1 ] && printf "%s" "$out" | grep -q "cannot derive a router address"' "rc=$rc $out"
out=$(hn nat-attach vif4.0 198.51.100.20 - out9 2>&1); rc=$?
check "nat: a missing outgoing device is refused" \
	'[ $rc = 1 ] && printf "%s" "$out" | grep -q "out9 does not exist"' "rc=$rc $out"
snapshot x after-nat
check "nat: Dom0 is exactly as before (rules, routes, addresses)" \
	'same base after-nat' "$(difftext base after-nat)"

# --- user scripts ----------------------------------------------------------
S="$T/myscript"
cat >"$S" <<'SH'
#!/bin/sh
echo "args=$*" >"$OUT"
echo "path=$XENBUS_PATH type=$XENBUS_TYPE base=$XENBUS_BASE_PATH vif=$vif netdev=$netdev script=$script" >>"$OUT"
case "$1" in fail) echo "first line" >&2; echo "bridge br9 is missing" >&2; exit 3;; hang) sleep 30;; esac
exit 0
SH
chmod +x "$S"
out=$("$TOOL" script "$S" online 5000 OUT="$T/out" XENBUS_PATH=backend/vif/3/0 XENBUS_TYPE=vif \
	XENBUS_BASE_PATH=backend vif=vif3.0 netdev= script="$S" 2>&1); rc=$?
check "script: runs with upstream's arguments and environment" \
	'[ $rc = 0 ] && grep -qx "args=online type_if=vif" "$T/out" &&
	 grep -qx "path=backend/vif/3/0 type=vif base=backend vif=vif3.0 netdev= script=$S" "$T/out"' \
	"rc=$rc $out $(cat "$T/out" 2>&1)"
out=$("$TOOL" script "$S" fail 5000 OUT="$T/out" 2>&1); rc=$?
check "script: a failure reports the exit code and the last stderr line" \
	'[ $rc = 1 ] && printf "%s" "$out" | grep -q "failed (exit 3): bridge br9 is missing"' "rc=$rc $out"
start=$(date +%s)
out=$("$TOOL" script "$S" hang 500 OUT="$T/out" 2>&1); rc=$?
took=$(( $(date +%s) - start ))
check "script: a hanging script is killed when its time is up" \
	'[ $rc = 1 ] && printf "%s" "$out" | grep -q "killed after 500 ms" && [ $took -lt 20 ]' "rc=$rc took=${took}s $out"
out=$("$TOOL" script "$T/nonexistent" online 500 2>&1); rc=$?
check "script: a missing script is named" \
	'[ $rc = 1 ] && printf "%s" "$out" | grep -q "nonexistent: No such file"' "rc=$rc $out"

echo "1..$n"
exit $failed
