#!/bin/sh
# client-pty.sh - xenconsole against a fake console backend, no Xen needed.
#
# Our xenstored runs on a private socket (-D: no domains, socket only).  A
# small Python "backend" opens a pty, publishes its slave path in
# /local/domain/$DOM/console/tty after a delay (so the client has to wait
# for it), and answers every chunk it reads with "GOT:" + the chunk in
# upper case, logging what it received.  xenconsole is then driven with
# piped input, exactly as a script (or the system test) does.
# Prints TAP.

top_builddir=${top_builddir:-$(cd "$(dirname "$0")/../.." && pwd)}
B=$top_builddir
XSD=$B/xenstored/xenstored
XSW=$B/xenstored/xenstore-write
XSRM=$B/xenstored/xenstore-rm
XC=$B/xenconsoled/xenconsole

if [ ! -x "$XSD" ] || [ ! -x "$XSW" ] || [ ! -x "$XC" ]; then
	echo "1..0 # SKIP xenstored, xenstore-write or xenconsole not built"
	exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "1..0 # SKIP no python3 for the fake backend"
	exit 0
fi

dir=$(mktemp -d /tmp/xcon-test.XXXXXX)
DOM=$((20000 + $$ % 10000))
n=0
failed=0
xsd_pid=""
be_pid=""

cleanup() {
	[ -z "$be_pid" ] || kill "$be_pid" 2>/dev/null
	[ -z "$xsd_pid" ] || kill "$xsd_pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }

echo "1..10"

"$XSD" -N -D --socket "$dir/socket" 2>"$dir/xenstored.log" &
xsd_pid=$!
i=0
while [ ! -S "$dir/socket" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if [ ! -S "$dir/socket" ]; then
	echo "Bail out! xenstored did not start: $(tail -n 3 "$dir/xenstored.log")"
	exit 1
fi
XENSTORED_PATH=$dir/socket
export XENSTORED_PATH

cat >"$dir/backend.py" <<'EOF'
import os, sys, time, tty, subprocess
xsw, node, delay, log = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
m, s = os.openpty()
tty.setraw(s)
time.sleep(delay)
subprocess.run([xsw, node, os.ttyname(s)], check=True)
open(sys.argv[5], "w").write(os.ttyname(s))
with open(log, "ab", buffering=0) as f:
    while True:
        data = os.read(m, 4096)
        f.write(data)
        if data.strip() == b"esc":
            os.write(m, b"\x1b[31mred\r\n")
        else:
            os.write(m, b"GOT:" + data.upper())
EOF

start_backend() {
	python3 "$dir/backend.py" "$XSW" "/local/domain/$DOM/console/tty" "$1" \
		"$dir/received" "$dir/ttyname" 2>"$dir/backend.err" &
	be_pid=$!
}

# 1-3: wait for the tty, round trip, Ctrl-] exits 0, nothing after it sent.
start_backend 1
( sleep 2; printf 'hello\n'; sleep 1; printf 'x\035after\n' ) |
	timeout 20 "$XC" --timeout 10 "$DOM" >"$dir/out" 2>"$dir/err"
rc=$?
if [ $rc -eq 0 ]; then ok "Ctrl-] detaches with exit 0 (after waiting for the tty)"
else notok "Ctrl-] detaches with exit 0" "exit $rc: $(cat "$dir/err")"; fi
if grep -q "GOT:HELLO" "$dir/out"; then ok "input reaches the pty and its answer comes back"
else notok "input reaches the pty and its answer comes back" "out: $(cat "$dir/out")"; fi
sleep 0.5
if grep -q after "$dir/received"; then notok "bytes after Ctrl-] are not sent" "received: $(cat "$dir/received")"
elif grep -q "x" "$dir/received"; then ok "bytes after Ctrl-] are not sent, bytes before it are"
else notok "bytes before Ctrl-] are sent" "received: $(cat "$dir/received")"; fi

# 4-5: ESC in output is shown as '.', unless -r.
( sleep 1; printf 'esc\n'; sleep 1; printf '\035' ) |
	timeout 20 "$XC" "$DOM" >"$dir/out" 2>"$dir/err"
if grep -q '\.\[31mred' "$dir/out"; then ok "ESC in guest output is replaced by '.'"
else notok "ESC in guest output is replaced by '.'" "out: $(od -c "$dir/out" | head -3)"; fi
( sleep 1; printf 'esc\n'; sleep 1; printf '\035' ) |
	timeout 20 "$XC" -r "$DOM" >"$dir/out" 2>"$dir/err"
if grep -q "$(printf '\033')\[31mred" "$dir/out"; then ok "-r passes ESC through"
else notok "-r passes ESC through" "out: $(od -c "$dir/out" | head -3)"; fi

# 6: --start-notify-fd gets one NUL byte once attached.
( sleep 1; printf '\035' ) |
	timeout 20 "$XC" --start-notify-fd 5 "$DOM" 5>"$dir/notify" >/dev/null 2>"$dir/err"
if [ "$(od -An -c "$dir/notify" | tr -d ' ')" = '\0' ]; then ok "--start-notify-fd writes one NUL byte"
else notok "--start-notify-fd writes one NUL byte" "got: $(od -An -c "$dir/notify")"; fi

# 7: when the console node goes away the client ends by itself, exit 0.
( sleep 30 ) | timeout 20 "$XC" "$DOM" >/dev/null 2>"$dir/err" &
cpid=$!
sleep 1.5
"$XSRM" "/local/domain/$DOM/console" 2>/dev/null
i=0
while kill -0 $cpid 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 $cpid 2>/dev/null; then
	kill $cpid
	notok "client ends when console/tty is removed" "still running after 5 s"
else
	wait $cpid
	rc=$?
	if [ $rc -eq 0 ]; then ok "client ends when console/tty is removed (exit 0)"
	else notok "client ends when console/tty is removed" "exit $rc: $(cat "$dir/err")"; fi
fi
# 8: on a terminal (script(1) gives us one): raw mode while attached, the
# user's modes restored after Ctrl-].
if command -v script >/dev/null 2>&1; then
	"$XSW" "/local/domain/$DOM/console/tty" "$(cat "$dir/ttyname")"
	( sleep 2; printf 'term\r'; sleep 1; printf '\035' ) |
		timeout 20 script -qec "stty -g >$dir/before; $XC $DOM; echo rc=\$? >$dir/rc; stty -g >$dir/after" \
		/dev/null >"$dir/out" 2>&1
	if [ -s "$dir/before" ] && cmp -s "$dir/before" "$dir/after" &&
	    grep -q rc=0 "$dir/rc" && grep -q "GOT:TERM" "$dir/out" &&
	    grep -q "$(printf 'term\r')" "$dir/received"; then
		ok "on a terminal: keys pass raw (CR kept), modes restored after Ctrl-]"
	else
		notok "on a terminal: keys pass raw, modes restored after Ctrl-]" \
			"before $(cat "$dir/before" 2>&1) after $(cat "$dir/after" 2>&1) $(cat "$dir/rc" 2>&1)" \
			"out: $(tr -d '\r' <"$dir/out" | tail -n 3)"
	fi
else
	ok "on a terminal # SKIP no script(1)"
fi
kill "$be_pid" 2>/dev/null
be_pid=""

# 9: no tty at all: one line on stderr, exit 1, after about --timeout.
t0=$(date +%s)
timeout 20 "$XC" --timeout 1 "$((DOM + 1))" </dev/null >/dev/null 2>"$dir/err"
rc=$?
t1=$(date +%s)
lines=$(wc -l <"$dir/err")
if [ $rc -eq 1 ] && [ "$lines" -eq 1 ] && [ $((t1 - t0)) -le 4 ]; then
	ok "missing tty: exit 1, one line ($(cat "$dir/err"))"
else
	notok "missing tty: exit 1, one line, quickly" "exit $rc, $lines lines, $((t1 - t0)) s: $(cat "$dir/err")"
fi

# 10: bad arguments: exit 1, a message naming the problem.
msg=$("$XC" --num 300 5 2>&1 >/dev/null)
rc=$?
case "$rc:$msg" in
"1:xenconsole: --num=300"*) ok "bad --num is refused: $(echo "$msg" | head -1)" ;;
*) notok "bad --num is refused" "exit $rc: $msg" ;;
esac

[ $failed -eq 0 ]
