#!/bin/sh
# upstream-test-xenstore.sh - upstream's own xenstore test program against
# OUR xenstored on a temporary socket.
#
# test-xenstore (xen-utils-4.17) exercises reads, writes, directories,
# removal and transactions, including "ta err": a node read inside a
# transaction keeps its first-seen value after another connection changed
# it, and the commit fails with EAGAIN.  It runs every test once and exits
# non-zero on the first failure; each test is one TAP result here.
#
# The binary is looked for in $XSD_TEST_XENSTORE, Debian's place
# (/usr/lib/xen-4.17/bin), and where scripts/deps unpacks it without
# installing xen-utils-4.17 (/usr/local/lib/lightstack/xen-utils).  When
# none is there the test reports a skip, which is not a pass.
set -u

B=${top_builddir:-$(cd "$(dirname "$0")/../.." && pwd)}
XSD=$B/xenstored/xenstored
EXISTS=$B/xenstored/xenstore-exists
PROG=
for p in "${XSD_TEST_XENSTORE:-}" /usr/lib/xen-4.17/bin/test-xenstore \
         /usr/local/lib/lightstack/xen-utils/usr/lib/xen-4.17/bin/test-xenstore; do
	if [ -n "$p" ] && [ -x "$p" ]; then
		PROG=$p
		break
	fi
done
if [ -z "$PROG" ]; then
	echo "1..0 # SKIP test-xenstore not found (scripts/deps unpacks it)"
	exit 0
fi
if [ ! -x "$XSD" ]; then
	echo "1..1"
	echo "not ok 1 - xenstored binary $XSD not built"
	exit 1
fi

tmp=$(mktemp -d /tmp/xsd-upstream.XXXXXX)
xsd_pid=
cleanup() {
	[ -n "$xsd_pid" ] && kill "$xsd_pid" 2>/dev/null && wait "$xsd_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

SOCK=$tmp/sock
"$XSD" -N -D --socket "$SOCK" >"$tmp/xsd.log" 2>&1 &
xsd_pid=$!
i=0
while ! XENSTORED_PATH=$SOCK "$EXISTS" / 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done

# The list of tests comes from the program itself ("-l" prints
# "<name padded to 10>: <description>"; names hold spaces).
"$PROG" -l 2>/dev/null | sed -n 's/ *: .*//p' >"$tmp/names"
count=$(wc -l <"$tmp/names")
if [ "$count" -eq 0 ]; then
	echo "1..1"
	echo "not ok 1 - $PROG -l lists no tests"
	exit 1
fi
echo "1..$count"
n=0
rc=0
while IFS= read -r t; do
	n=$((n + 1))
	if XENSTORED_PATH=$SOCK timeout 120 "$PROG" -t "$t" >"$tmp/out" 2>&1 </dev/null; then
		echo "ok $n - test-xenstore $t"
	else
		echo "not ok $n - test-xenstore $t"
		sed 's/^/# /' "$tmp/out"
		rc=1
	fi
done <"$tmp/names"
if ! kill -0 "$xsd_pid" 2>/dev/null; then
	echo "# xenstored died:"
	sed 's/^/# /' "$tmp/xsd.log"
	rc=1
fi
exit $rc
