#!/bin/sh
# 00-boot: Dom0 runs on real Xen with Lightstack's xenstored as Dom0's
# xenstored.  The Dom0 kernel's own xenbus client (/dev/xen/xenbus, served
# through the ring xenstored mapped from /proc/xen/xsd_kva) and clients on
# the Unix socket must see one and the same store.
#
# Debian's xenstore-utils (/usr/bin/xenstore-*) are used as an independent
# reference client; our own tools come first on PATH, so Debian's are always
# called by absolute path.
. "$LIGHTSTACK_TESTLIB"

B=$LIGHTSTACK_BUILD
SOCK=/run/xenstored/socket
# A blocked xenbus read never returns: bound every client call.
T="timeout 60"

plan 10

like "$(cat /proc/xen/capabilities 2>&1)" "*control_d*" \
	"Dom0 has control_d in /proc/xen/capabilities"
ok "/sys/bus/xen exists" test -d /sys/bus/xen

if [ -n "${XENSTORED_PID:-}" ] && kill -0 "$XENSTORED_PID" 2>/dev/null; then
	pass "our xenstored ($B/xenstored/xenstored) is running"
else
	fail "our xenstored ($B/xenstored/xenstored) is running" \
		"not started or exited; see $RESULTS/xenstored.log"
fi
ok "xenstored listens on $SOCK" test -S $SOCK

# Our client over the socket.
if [ -x "$B/xenstored/xenstore-read" ]; then
	got=$($T "$B/xenstored/xenstore-read" /local/domain/0/name 2>&1)
	rc=$?
	is "$got" Domain-0 "our xenstore-read over the socket: /local/domain/0/name" ||
		diag "exit status $rc"
else
	fail "our xenstore-read over the socket: /local/domain/0/name" "$B/xenstored/xenstore-read not built"
fi

# Debian's client over the socket: wire-protocol interoperability.
is "$(XENSTORED_PATH=$SOCK $T /usr/bin/xenstore-read /local/domain/0/domid 2>&1)" 0 \
	"Debian xenstore-read over the socket: /local/domain/0/domid"

# Debian's client through the Dom0 kernel's xenbus: proves our xenstored
# serves Dom0's ring, i.e. is Dom0's xenstored.
is "$(XENSTORED_PATH=/dev/xen/xenbus $T /usr/bin/xenstore-read /local/domain/0/name 2>&1)" Domain-0 \
	"Debian xenstore-read via /dev/xen/xenbus (Dom0's ring): /local/domain/0/name"

# A value written on one path is seen on the other, both ways.
v1="socket-$$-$(cut -d' ' -f1 /proc/uptime)"
XENSTORED_PATH=$SOCK $T /usr/bin/xenstore-write /lightstack-test/boot/a "$v1" >&2
is "$(XENSTORED_PATH=/dev/xen/xenbus $T /usr/bin/xenstore-read /lightstack-test/boot/a 2>&1)" "$v1" \
	"written on the socket, read via xenbus"
v2="xenbus-$$"
XENSTORED_PATH=/dev/xen/xenbus $T /usr/bin/xenstore-write /lightstack-test/boot/b "$v2" >&2
is "$(XENSTORED_PATH=$SOCK $T /usr/bin/xenstore-read /lightstack-test/boot/b 2>&1)" "$v2" \
	"written via xenbus, read on the socket"
XENSTORED_PATH=$SOCK $T /usr/bin/xenstore-rm /lightstack-test >&2

# No upstream daemon may run while Lightstack is the toolstack.
upstream=""
for p in $(pgrep -x -d ' ' 'oxenstored|xenstored|xenconsoled' 2>/dev/null); do
	exe=$(readlink "/proc/$p/exe" 2>/dev/null)
	case $exe in
	"$B"/*) ;;
	*) upstream="$upstream $p:$exe" ;;
	esac
done
is "$upstream" "" "no upstream Xen daemon is running"
done_testing
