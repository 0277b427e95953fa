#!/bin/sh
# 64-race: domain names stay unique when creates race.
#
# Eight `xl create -p` of one name start at once.  The name check before
# creating is not enough (none of them sees another yet); what decides is
# the name claim inside each create's xenstore transaction: exactly one
# wins, the seven others fail with "domain with name ... already exists",
# exit 1 and leave nothing (no domain, no xenstore node).  Then, with the
# real daemon, upstream's own test-xenstore from the image passes.
. "$LIGHTSTACK_TESTLIB"

B=$LIGHTSTACK_BUILD
XL=$B/xl/xl
CFG=$LIGHTSTACK_SRC/examples/guest.cfg
[ -x "$XL" ] || skip_all "xl not built ($XL)"
[ -r "${GUEST_KERNEL:-}" ] || skip_all "no guest kernel"
[ -r "${GUEST_RAMDISK:-}" ] || skip_all "no guest ramdisk"
export XENSTORED_PATH=/run/xenstored/socket
XSLS="/usr/bin/xenstore-ls -f"
[ -x /usr/bin/xenstore-ls ] || XSLS="$B/xenstored/xenstore-ls -f"

plan 8

K=/tmp/64-vmlinuz
R=/tmp/64-initrd
cp "$GUEST_KERNEL" $K && cp "$GUEST_RAMDISK" $R || bail "cannot copy guest images"
NAME=race
N=8
export LIGHTSTACK_LOG_DIR=$RESULTS/64-monitor
mkdir -p "$LIGHTSTACK_LOG_DIR"
xsdump() { $XSLS / 2>/dev/null | grep -v '^/vm = ""$' | grep -v '^/libxl = ""$' | sort; }
ndomains() { $XL list 2>/dev/null | tail -n +2 | wc -l; }

xsdump >/tmp/64-before
n0=$(ndomains)

# All eight at once; each one's exit status and output in its own files.
i=1
while [ $i -le $N ]; do
	( timeout 600 "$XL" create -p "$CFG" kernel=$K ramdisk=$R name=$NAME \
		memory=128 vcpus=1 >/tmp/64-out.$i 2>&1; echo $? >/tmp/64-rc.$i ) &
	i=$((i + 1))
done
wait

won=0 lost=0 other=""
i=1
while [ $i -le $N ]; do
	rc=$(cat /tmp/64-rc.$i 2>/dev/null)
	out=$(cat /tmp/64-out.$i 2>/dev/null)
	printf 'create %d: rc=%s %s\n' $i "$rc" "$out" >&2
	if [ "$rc" = 0 ]; then
		won=$((won + 1))
	elif [ "$rc" = 1 ] && case $out in
		*"domain with name \"$NAME\" already exists"*) true ;; *) false ;; esac; then
		lost=$((lost + 1))
	else
		other="$other [$i: rc=$rc $(printf '%s' "$out" | tail -n 2 | tr '\n' ' ')]"
	fi
	i=$((i + 1))
done
is "$won" 1 "exactly one of $N concurrent creates of '$NAME' succeeds"
is "$lost" $((N - 1)) "the other $((N - 1)) fail with 'domain with name \"$NAME\" already exists'" ||
	diag "others:$other"
is "$($XL list 2>/dev/null | awk -v n=$NAME '$1 == n' | wc -l)" 1 "one domain named $NAME runs"
is "$(ndomains)" "$((n0 + 1))" "no other domain was left behind"
id=$($XL domid $NAME 2>/dev/null)
is "$(/usr/bin/xenstore-read /tool/lightstack/names/$NAME 2>&1)" "$id" \
	"the name index names the winner ($id)"

ok "xl destroy $NAME" timeout 120 "$XL" destroy $NAME
xsdump >/tmp/64-after
if cmp -s /tmp/64-before /tmp/64-after; then
	pass "xenstore afterwards is exactly as before"
else
	fail "xenstore afterwards is exactly as before" \
		"$(diff /tmp/64-before /tmp/64-after | head -n 20 | tr '\n' '|')"
fi

# Upstream's own xenstore test program, against our running daemon.
TX=/usr/lib/xen-4.17/bin/test-xenstore
if [ -x $TX ]; then
	out=$(timeout 300 $TX 2>&1); rc=$?
	printf '%s\n' "$out" >&2
	is "$rc" 0 "upstream's test-xenstore passes against our xenstored" || diag "$out"
else
	skip "upstream's test-xenstore" "$TX not in the image"
fi
done_testing
