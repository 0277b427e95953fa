#!/bin/sh
# client-compare.sh - our xenstore-* tools against Debian's xenstore-utils,
# both talking to OUR xenstored on a temporary socket.
#
# Each case resets the subtree /t, runs one tool invocation with our tools
# and again with Debian's, and reports three TAP results:
#   ours   - exit code and stdout are what the case expects (and the store
#            afterwards, for cases that change it);
#   debian - the same expectations hold for Debian's tool (this checks our
#            daemon: upstream's client must see upstream behaviour);
#   same   - stdout, stderr, exit code and resulting store are identical.
# Debian's results are skipped (TAP "# SKIP") only when
# /usr/bin/xenstore-read is absent.
#
# XSC_TEST_XENSTORED may name another daemon binary (started with the same
# "-N -D --socket PATH" arguments), for debugging.
set -u

B=${top_builddir:-$(cd "$(dirname "$0")/../.." && pwd)}
OURS=$B/xenstored
DEB=/usr/bin
XSD=${XSC_TEST_XENSTORED:-$B/xenstored/xenstored}
tmp=$(mktemp -d /tmp/xsc-compare.XXXXXX)
SOCK=$tmp/sock
n=0
xsd_pid=

cleanup() {
	[ -n "$xsd_pid" ] && kill "$xsd_pid" 2>/dev/null && wait "$xsd_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

have_debian=yes
[ -x $DEB/xenstore-read ] || have_debian=no

ok() { n=$((n + 1)); printf 'ok %d - %s\n' $n "$*"; }
notok() { n=$((n + 1)); printf 'not ok %d - %s\n' $n "$*"; }
skip() { n=$((n + 1)); printf 'ok %d - %s # SKIP /usr/bin/xenstore-read absent\n' $n "$*"; }

if [ ! -x "$XSD" ]; then
	echo "1..1"
	echo "not ok 1 - xenstored binary $XSD not built"
	exit 1
fi
"$XSD" -N -D --socket "$SOCK" >"$tmp/xsd.log" 2>&1 &
xsd_pid=$!
i=0
# The socket file appears at bind(), before listen(): wait for an answer.
while ! XENSTORED_PATH=$SOCK "$OURS/xenstore-exists" / 2>/dev/null &&
      [ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
if ! XENSTORED_PATH=$SOCK "$OURS/xenstore-exists" / 2>/dev/null; then
	echo "1..1"
	echo "not ok 1 - xenstored does not answer on $SOCK"
	sed 's/^/# /' "$tmp/xsd.log"
	exit 1
fi
export XENSTORED_PATH="$SOCK"

# Our tools do the set-up, so it never depends on Debian's.
xs() { "$OURS/xenstore-$@"; }

fixture_base() {
	xs rm /t 2>/dev/null
	xs write /t/a 1 /t/b/c hello /t/b/d "" /t/e 'tab\there'
}
fixture() { fixture_base; }

# Store below /t, dumped by one fixed tool so both runs are judged alike.
state() {
	if [ $have_debian = yes ]; then
		$DEB/xenstore-ls -p /t 2>&1
	else
		xs ls -p /t 2>&1
	fi
}

# run DIR TAG PROG ARGS...: run DIR/PROG, keep stdout, stderr (program
# paths removed, so usage lines compare), exit code and the store.
run() {
	dir=$1 tag=$2 prog=$3
	shift 3
	timeout 20 "$dir/$prog" "$@" >"$tmp/$tag.out" 2>"$tmp/$tag.err.raw"
	echo $? >"$tmp/$tag.rc"
	sed 's|[^ ]*/\(lt-\)\{0,1\}xenstore|xenstore|g' "$tmp/$tag.err.raw" \
		>"$tmp/$tag.err"
	state >"$tmp/$tag.state"
}

# expect TAG WHO NAME: judge one run against EXP_RC / EXP_OUT / EXP_STATE.
expect() {
	tag=$1 who=$2 name=$3
	printf '%s' "$EXP_OUT" >"$tmp/exp.out"
	why=
	[ "$(cat "$tmp/$tag.rc")" = "$EXP_RC" ] ||
		why="exit $(cat "$tmp/$tag.rc"), want $EXP_RC"
	cmp -s "$tmp/$tag.out" "$tmp/exp.out" || why="$why; stdout differs"
	if [ -n "$EXP_STATE" ]; then
		printf '%s\n' "$EXP_STATE" >"$tmp/exp.state"
		cmp -s "$tmp/$tag.state" "$tmp/exp.state" || why="$why; store differs"
	fi
	if [ -z "$why" ]; then
		ok "$who: $name"
	else
		notok "$who: $name ($why)"
		for f in out err state; do
			sed "s/^/# $who $f: /" "$tmp/$tag.$f"
		done
		sed 's/^/# expected out: /' "$tmp/exp.out"
		[ -n "$EXP_STATE" ] && sed 's/^/# expected store: /' "$tmp/exp.state"
	fi
}

# check NAME PROG ARGS...  with EXP_RC, EXP_OUT (exact stdout; a trailing
# newline is added unless EXP_RAW=1) and optional EXP_STATE set by caller.
check() {
	name=$1
	shift
	[ "${EXP_RAW:-0}" = 1 ] || [ -z "$EXP_OUT" ] || EXP_OUT="$EXP_OUT
"
	fixture
	run "$OURS" ours "$@"
	expect ours ours "$name"
	if [ $have_debian = no ]; then
		skip "debian: $name"
		skip "same: $name"
	else
		fixture
		run "$DEB" deb "$@"
		expect deb debian "$name"
		if cmp -s "$tmp/ours.out" "$tmp/deb.out" &&
		   cmp -s "$tmp/ours.err" "$tmp/deb.err" &&
		   cmp -s "$tmp/ours.rc" "$tmp/deb.rc" &&
		   cmp -s "$tmp/ours.state" "$tmp/deb.state"; then
			ok "same: $name"
		else
			notok "same: $name"
			for f in out err rc state; do
				diff "$tmp/deb.$f" "$tmp/ours.$f" | sed "s/^/# $f: /"
			done
		fi
	fi
	EXP_RC=0 EXP_OUT= EXP_STATE= EXP_RAW=0
}

# pl DEPTH NAME VALUE PERMS: one line of "xenstore-ls -p" laid out as
# upstream does: indent, name = "value", a ". . ." filler to column 60,
# then the permissions.
pl() {
	line=$(printf '%*s%s = "%s"' "$1" '' "$2" "$3")
	w=${#line}
	line="$line "
	w=$((w + 1))
	while [ $w -lt 60 ]; do
		if [ $((w % 2)) = 1 ]; then line="$line."; else line="$line "; fi
		w=$((w + 1))
	done
	printf '%s  (%s)\n' "$line" "$4"
}

EXP_RC=0 EXP_OUT= EXP_STATE= EXP_RAW=0
TAB=$(printf '\t')

# ---- reads -----------------------------------------------------------
EXP_OUT=1
check "read one key" xenstore-read /t/a

EXP_OUT="/t/a: 1
/t/b/c: hello"
check "read -p two keys (in a transaction)" xenstore-read -p /t/a /t/b/c

EXP_OUT='tab\there'
check "read escapes control characters" xenstore-read /t/e

EXP_OUT="tab${TAB}here" EXP_RAW=1
check "read -R prints raw bytes, no newline" xenstore-read -R /t/e

EXP_RC=1
check "read of a missing node fails" xenstore-read /t/nope

EXP_RC=1 EXP_OUT=1
check "read stops at the first missing key" xenstore-read /t/a /t/nope /t/b/c

EXP_OUT=hello
check "multi-call 'xenstore read'" xenstore read /t/b/c

EXP_OUT="/t/a: 1"
check "read --prefix -s (long option; -s accepted and ignored)" xenstore-read --prefix -s /t/a

EXP_RC=1
check "read without a key is a usage error" xenstore-read

EXP_RC=1
check "read -h exits 1 like 4.17" xenstore-read -h

# ---- exists / list --------------------------------------------------
check "exists on a node" xenstore-exists /t/b

EXP_RC=1
check "exists on a missing node" xenstore-exists /t/nope

EXP_RC=1
check "exists fails if any of several keys is missing" xenstore-exists /t/a /t/nope /t/e

EXP_OUT="a
b
e"
check "list children" xenstore-list /t

EXP_OUT="/t/b/c
/t/b/d"
check "list -p prefixes the path" xenstore-list -p /t/b

EXP_RC=1
check "list of a missing node fails" xenstore-list /t/nope

# 4.17 prints "//name" for "/" (fixed upstream only in 4.18).  The daemon
# starts with /tool/xenstored, like upstream's.
EXP_OUT="//tool
//t"
check "list -p / keeps 4.17's double slash" xenstore-list -p /

# ---- ls -------------------------------------------------------------
EXP_OUT='a = "1"
b = ""
 c = "hello"
 d = ""
e = "tab\there"'
check "ls tree with indentation and quoting" xenstore-ls /t

EXP_OUT='/t/a = "1"
/t/b = ""
/t/b/c = "hello"
/t/b/d = ""
/t/e = "tab\there"'
check "ls -f full paths" xenstore-ls -f /t

EXP_OUT=$(pl 0 c hello n0; pl 0 d '' n0)
check "ls -p permissions column" xenstore-ls -p /t/b

EXP_OUT='/t/b/c = "hello"   (n0)
/t/b/d = ""   (n0)'
check "ls -f -p: full paths, permissions without filler" xenstore-ls -f -p /t/b

EXP_RC=1
check "ls of a missing node fails" xenstore-ls /t/nope

EXP_OUT='tool = ""
 xenstored = ""
t = ""
 a = "1"
 b = ""
  c = "hello"
  d = ""
 e = "tab\there"'
check "ls without a path starts at /" xenstore-ls

long=0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789
fixture() { fixture_base; xs write /t/long/v $long; }
EXP_OUT='v = "01234567890123456789012345678901234567890123456789012345678901234567890\..."'
check "ls cuts long values at 80 columns" xenstore-ls /t/long
EXP_OUT="/t/long/v = \"$long\""
check "ls -f does not cut" xenstore-ls -f /t/long
fixture() { fixture_base; }

# ---- writes -----------------------------------------------------------
EXP_STATE=$(pl 0 a '1' n0
	pl 0 b '' n0
	pl 1 c 'changed' n0
	pl 1 d '' n0
	pl 0 e 'tab\there' n0
	pl 0 new 'v1' n0)
check "write two keys (in a transaction)" xenstore-write /t/new v1 /t/b/c changed

EXP_STATE=$(pl 0 a '1' n0
	pl 0 b '' n0
	pl 1 c 'hello' n0
	pl 1 d '' n0
	pl 0 e 'tab\there' n0
	pl 0 x 'aAAz\\b\n' n0)
check "write unescapes hex, octal, backslash, newline" xenstore-write /t/x 'a\x41\101z\\b\n'

EXP_STATE=$(pl 0 a '1' n0
	pl 0 b '' n0
	pl 1 c 'hello' n0
	pl 1 d '' n0
	pl 0 e 'tab\there' n0
	pl 0 x 'a\\x41\\101' n0)
check "write -R stores backslashes as is" xenstore-write -R /t/x 'a\x41\101'

EXP_STATE=$(pl 0 a '1' n0
	pl 0 b '' n0
	pl 1 c 'hello' n0
	pl 1 d '' n0
	pl 0 e 'tab\there' n0
	pl 0 x 'abc\000' n0)
check "write: a trailing backslash stores a NUL byte, as upstream" xenstore-write /t/x 'abc\'

EXP_RC=1
check "write with a key but no value is a usage error" xenstore-write /t/a

# ---- removals -----------------------------------------------------------
EXP_STATE=$(pl 0 a '1' n0
	pl 0 e 'tab\there' n0)
check "rm removes a subtree" xenstore-rm /t/b

fixture_state=$(pl 0 a '1' n0
	pl 0 b '' n0
	pl 1 c 'hello' n0
	pl 1 d '' n0
	pl 0 e 'tab\there' n0)
EXP_STATE=$fixture_state
check "rm of a missing node under an existing parent succeeds" xenstore-rm /t/nope

EXP_RC=1
check "rm below a missing node fails" xenstore-rm /t/nope/deeper

EXP_STATE=$(pl 0 a '1' n0
	pl 0 b '' n0
	pl 1 c 'hello' n0
	pl 0 e 'tab\there' n0)
check "rm -t keeps a parent that still has children" xenstore-rm -t /t/b/d

fixture() { fixture_base; xs write /t/q/r/s 1; }
EXP_STATE=$fixture_state
check "rm -t removes emptied parents" xenstore-rm -t /t/q/r/s
fixture() { fixture_base; }

# ---- permissions --------------------------------------------------------
EXP_STATE=$(pl 0 a '1' n0
	pl 0 b '' n0,r5
	pl 1 c 'hello' n0
	pl 1 d '' n0
	pl 0 e 'tab\there' n0)
check "chmod one node" xenstore-chmod /t/b n0 r5

EXP_STATE=$(pl 0 a '1' n0
	pl 0 b '' b7
	pl 1 c 'hello' b7
	pl 1 d '' b7
	pl 0 e 'tab\there' n0)
check "chmod -r recurses" xenstore-chmod -r /t/b b7

EXP_STATE=$(pl 0 a '1' n0
	pl 0 b '' n0,w3
	pl 1 c 'hello' n0,w3
	pl 1 d '' n0
	pl 0 e 'tab\there' n0)
check "chmod -u applies to parents" xenstore-chmod -u /t/b/c n0 w3
# -u also changed /t itself; the fixture's "rm /t" puts it back.

EXP_STATE=$(pl 0 a '1' n0
	pl 0 b '' n0
	pl 1 c 'hello' b0
	pl 1 d '' n0
	pl 0 e 'tab\there' n0)
check "chmod: a bare letter means domain 0" xenstore-chmod /t/b/c b

EXP_RC=1
check "chmod with a bad permission letter" xenstore-chmod /t/a x5

EXP_RC=1
check "chmod of a missing node fails" xenstore-chmod /t/nope n0

# ---- watches ------------------------------------------------------------
# xenstore-watch -n 2: the first event is the watch firing on registration,
# the second our write.  Wait for the first before writing, so the write
# cannot race the registration.
watch_case() {
	dir=$1 tag=$2
	fixture
	timeout 20 "$dir/xenstore-watch" -n 2 /t/b >"$tmp/$tag.out" 2>"$tmp/$tag.err" &
	wpid=$!
	i=0
	while [ ! -s "$tmp/$tag.out" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	xs write /t/b/c changed
	wait $wpid
	echo $? >"$tmp/$tag.rc"
}
watch_case "$OURS" ours
want="/t/b
/t/b/c"
if [ "$(cat "$tmp/ours.rc")" = 0 ] && [ "$(cat "$tmp/ours.out")" = "$want" ]; then
	ok "ours: watch -n 2 sees registration and one write"
else
	notok "ours: watch -n 2 sees registration and one write"
	sed 's/^/# /' "$tmp/ours.out" "$tmp/ours.err"
fi
if [ $have_debian = yes ]; then
	watch_case "$DEB" deb
	if [ "$(cat "$tmp/deb.rc")" = 0 ] && [ "$(cat "$tmp/deb.out")" = "$want" ]; then
		ok "debian: watch -n 2 sees registration and one write"
	else
		notok "debian: watch -n 2 sees registration and one write"
		sed 's/^/# /' "$tmp/deb.out" "$tmp/deb.err"
	fi
	if cmp -s "$tmp/ours.out" "$tmp/deb.out" && cmp -s "$tmp/ours.rc" "$tmp/deb.rc"; then
		ok "same: watch"
	else
		notok "same: watch"
	fi
else
	skip "debian: watch"
	skip "same: watch"
fi

# ---- transactions, through our library (Debian's tools only use them
# implicitly, which the multi-key cases above cover) -----------------------
if [ -x "$B/tests/xenstored/client-txn" ]; then
	fixture
	out=$("$B/tests/xenstored/client-txn" 2>&1)
	rc=$?
	if [ $rc = 0 ]; then
		ok "transactions: commit, abort and conflict (client-txn)"
	else
		notok "transactions: commit, abort and conflict (client-txn)"
		printf '%s\n' "$out" | sed 's/^/# /'
	fi
	# What the committed transaction left must look the same to Debian's read.
	if [ $have_debian = yes ]; then
		v=$($DEB/xenstore-read /t/txn/counter 2>&1)
		w=$("$OURS/xenstore-read" /t/txn/counter 2>&1)
		if [ "$v" = 2 ] && [ "$w" = 2 ]; then
			ok "same: transaction result read by both tools"
		else
			notok "same: transaction result read by both tools (debian '$v', ours '$w')"
		fi
	else
		skip "same: transaction result"
	fi
else
	notok "transactions: client-txn not built"
fi

kill "$xsd_pid" 2>/dev/null && wait "$xsd_pid" 2>/dev/null
xsd_pid=
echo "1..$n"
