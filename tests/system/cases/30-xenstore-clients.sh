#!/bin/sh
# 30-xenstore-clients: our xenstore client library and tools in a real Dom0,
# over both transports: our xenstored's Unix socket, and the Dom0 kernel's
# /dev/xen/xenbus (opened through privcmd's pc_xenbus_open, carried over
# Dom0's ring to our daemon).  Debian's xenstore-utils are the reference:
# the same invocation must print the same thing.
. "$LIGHTSTACK_TESTLIB"

B=$LIGHTSTACK_BUILD
X=$B/xenstored
SOCK=/run/xenstored/socket
BUS=/dev/xen/xenbus
# Generous bounds: a blocked xenbus read never returns, but a loaded TCG
# host can make each process start take seconds.
T="timeout 300"
W=/lightstack-test/xsc

plan 15

[ -x "$X/xenstore-read" ] || bail "$X/xenstore-read not built"

# ours PATH TOOL ARGS...: our tool with XENSTORED_PATH=PATH; same for deb.
ours() { p=$1 t=$2; shift 2; XENSTORED_PATH=$p $T "$X/xenstore-$t" "$@" 2>&1; }
deb() { p=$1 t=$2; shift 2; XENSTORED_PATH=$p $T "/usr/bin/xenstore-$t" "$@" 2>&1; }

is "$(ours $SOCK read /local/domain/0/name)" Domain-0 \
	"our xenstore-read over the socket"
is "$(ours $BUS read /local/domain/0/name)" Domain-0 \
	"our xenstore-read over /dev/xen/xenbus"

v="via-xenbus-$$"
ours $BUS write $W/a "$v" >&2
is "$(deb $SOCK read $W/a)" "$v" "written by ours via xenbus, read by Debian's on the socket"

is "$(ours $SOCK ls -p /local/domain/0)" "$(deb $SOCK ls -p /local/domain/0)" \
	"xenstore-ls -p /local/domain/0: ours = Debian's (socket)"
is "$(ours $BUS ls -p /local/domain/0)" "$(deb $BUS ls -p /local/domain/0)" \
	"xenstore-ls -p /local/domain/0: ours = Debian's (xenbus)"
is "$(ours $BUS list -p /local/domain)" "$(deb $SOCK list -p /local/domain)" \
	"xenstore-list -p /local/domain: ours (xenbus) = Debian's (socket)"

ours $BUS chmod $W/a n0 r3 >&2
is "$(deb $SOCK ls -p $W | sed 's/ *[. ]*  (/ (/')" 'a = "'"$v"'" (n0,r3)' \
	"chmod by ours via xenbus, seen by Debian's ls -p"

is "$(ours $BUS read /nonexistent/node; echo "rc=$?")" \
	"$(deb $BUS read /nonexistent/node; echo "rc=$?")" \
	"error for a missing node: same message and exit code (xenbus)"

# watch_case DIR TRANSPORT DESC: DIR/xenstore-watch -n 2 over TRANSPORT must
# print the registration event, then the event of a write made meanwhile
# on the socket.  Run for ours and Debian's, so a failure tells whether the
# client or the daemon is at fault.
watch_case() {
	out=$(mktemp)
	XENSTORED_PATH=$2 $T "$1/xenstore-watch" -n 2 $W/w >"$out" 2>&1 &
	wpid=$!
	if wait_for 240 test -s "$out"; then
		ours $SOCK write $W/w/x "$1" >&2
	else
		diag "no registration event within 240 s; write skipped"
	fi
	wait $wpid
	is "$(cat "$out")" "$W/w
$W/w/x" "$3"
	rm -f "$out"
}
watch_case "$X" $BUS "our xenstore-watch -n 2 over xenbus: registration and a write"
watch_case /usr/bin $BUS "Debian's xenstore-watch -n 2 over xenbus: registration and a write"
watch_case "$X" $SOCK "our xenstore-watch -n 2 over the socket: registration and a write"

if [ -x "$B/tests/xenstored/client-txn" ]; then
	ok "transactions over xenbus: commit, abort, EAGAIN on conflict" \
		env XENSTORED_PATH=$BUS $T "$B/tests/xenstored/client-txn"
	is "$(deb $SOCK read /t/txn/counter)" 2 "transaction result seen by Debian's read"
	ours $SOCK rm /t >&2
else
	skip "transactions over xenbus" "client-txn not built (make check builds it)"
	skip "transaction result seen by Debian's read" "client-txn not built"
fi

ours $BUS rm $W >&2
deb $SOCK exists $W >&2
is "$?" 1 "rm by ours via xenbus: Debian's exists says gone"

# Throughput of Dom0's xenstored as seen from Dom0 (TCG: compare ratios only).
if [ -x "$B/bench/xsbench" ]; then
	# TCG makes everything ~100x slower: few operations, a long timeout.
	tbl=$(timeout 600 "$B/bench/xsbench" --socket $SOCK --ops 50 --nodes 500 --clients 1,8 2>&1)
	rc=$?
	printf '%s\n' "$tbl" | sed 's/^/# /'
	is "$rc" 0 "xsbench runs against Dom0's xenstored"
else
	skip "xsbench" "bench/xsbench not built"
fi
done_testing
