#!/bin/sh
# xl-shell.sh - `xl shell` fed through a pipe (no Xen needed): the same
# output as one-shot xl, failures reported as "(exit status N)" without
# ending the shell (also for commands that exit() inside, like --help,
# a missing argument or no hypervisor), quoting, builtins, the status at
# end of input, no history off a terminal; then xl-shell-pty.py for the
# terminal half (completion, history).  Prints TAP.
set -u
XL=${top_builddir:-../..}/xl/xl
SRC=${top_srcdir:-../..}
EX=$SRC/examples
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
export LIGHTSTACK_XL_CONF="$T/no-xl.conf"
export XL_HISTORY="$T/history"
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
check() { if eval "$2"; then ok "$1"; else notok "$1" "$3"; fi; }
run() { printf '%s\n' "$@" | "$XL" shell >"$T/out" 2>"$T/err"; rc=$?; }

# 13 points here and xl-shell-pty.py's 8.
echo "1..21"

"$XL" config-convert "$EX/guest.cfg" >"$T/one" 2>&1
run "config-convert $EX/guest.cfg"
check "a line gives what one-shot xl prints, status 0" \
	'[ $rc = 0 ] && cmp -s "$T/one" "$T/out" && [ ! -s "$T/err" ]' \
	"rc=$rc $(cat "$T/err") $(diff "$T/one" "$T/out" | head -5)"

run bogus "config-convert $EX/guest.cfg"
check "an unknown command: upstream's message, (exit status 1), the shell goes on" \
	'[ $rc = 0 ] && cmp -s "$T/one" "$T/out" &&
	 [ "$(cat "$T/err")" = "command not implemented
(exit status 1)" ]' "rc=$rc $(cat "$T/err")"

"$XL" domid >"$T/one2" 2>"$T/one2.err"; one_rc=$?
run domid "config-convert $EX/guest.cfg"
check "a missing argument (exit() in the command): status 2 as one-shot, then on" \
	'[ $one_rc = 2 ] && grep -q "requires at least 1 argument" "$T/err" &&
	 grep -qx "(exit status 2)" "$T/err" && grep -q "<name>guest</name>" "$T/out"' \
	"one-shot rc=$one_rc; $(cat "$T/err")"

run "dumpxml --help" "help dumpxml"
check "--help inside the shell prints the usage, status 0, twice" \
	'[ $rc = 0 ] && [ $(grep -c "^Usage: xl .*dumpxml <Domain>" "$T/out") = 2 ] && [ ! -s "$T/err" ]' \
	"rc=$rc $(cat "$T/out" "$T/err")"

run "bogus"
check "end of input: the shell exits with the last command's status" '[ $rc = 1 ]' "rc=$rc"
run "bogus" "quit 3" "config-convert $EX/guest.cfg"
check "quit N leaves at once with N" '[ $rc = 3 ] && [ ! -s "$T/out" ]' "rc=$rc $(cat "$T/out")"
run "bogus" "" "  # a comment" "exit"
check "blank and comment lines run nothing; exit keeps the last status" \
	'[ $rc = 1 ] && [ $(grep -c "exit status" "$T/err") = 1 ]' "rc=$rc $(cat "$T/err")"

mkdir "$T/a dir" && cp "$EX/guest.cfg" "$T/a dir/it's.cfg"
run "config-convert --to xml \"$T/a dir/it's.cfg\"" \
	"config-convert --to xml '$T/a dir/it'\\''s.cfg'" \
	"config-convert --to xml $(printf '%s' "$T/a dir/it's.cfg" | sed "s/[ ']/\\\\&/g")"
check "quotes and backslashes make one word of a path with spaces" \
	'[ $rc = 0 ] && [ $(grep -c "<name>guest</name>" "$T/out") = 3 ]' "rc=$rc $(cat "$T/err")"

run "config-convert \"unterminated" "config-convert $EX/guest.cfg"
check "an unterminated quote is refused, the shell goes on" \
	'[ $rc = 0 ] && grep -q "unterminated \" quote" "$T/err" && grep -q "<name>guest</name>" "$T/out"' \
	"rc=$rc $(cat "$T/err")"

run "help"
check "help lists xl's commands and the shell's own" \
	'grep -q "^ dumpxml " "$T/out" && grep -q "^ create " "$T/out" && grep -q "^ quit, exit" "$T/out"' \
	"$(head -5 "$T/out")"

run "shell" "config-convert $EX/guest.cfg"
check "a shell in the shell is refused" \
	'[ $rc = 0 ] && grep -q "already in a shell" "$T/err"' "rc=$rc $(cat "$T/err")"

# No Xen here: a command that needs it fails as one-shot xl does, and
# the shell survives (xl_ctx() exits inside the command).
"$XL" list >/dev/null 2>"$T/one3"; one_rc=$?
run "list" "config-convert $EX/guest.cfg"
check "a command without Xen: its message and status, the shell goes on" \
	'[ $one_rc != 0 ] && grep -qx "(exit status $one_rc)" "$T/err" && grep -q "<name>guest</name>" "$T/out"' \
	"one-shot rc=$one_rc; $(cat "$T/err")"

check "no history is written when stdin is not a terminal" '[ ! -e "$XL_HISTORY" ]' \
	"$(ls -l "$XL_HISTORY" 2>&1)"

# The terminal half.
python3 "$SRC/tests/xl/xl-shell-pty.py" "$XL" "$EX/guest.cfg" >"$T/pty" 2>&1
prc=$?
# Renumber its points after ours.
sed -n 's/^\(not \)\{0,1\}ok \([0-9]*\)\(.*\)$/\1ok \2\3/p; /^#/p' "$T/pty" |
	awk -v base=$n '/^#/ { print; next }
		{ match($0, /ok [0-9]+/); num = substr($0, RSTART + 3, RLENGTH - 3) + base;
		  print substr($0, 1, RSTART - 1) "ok " num substr($0, RSTART + RLENGTH) }'
