#!/bin/sh
# test-xl-create-n.sh - `xl create -n` (dry run, no Xen needed) on the
# example configs and on broken ones: the printed JSON, overrides, and
# one-line errors naming file:line with a non-zero exit.
set -u
XL="$top_builddir/xl/xl"
EX="$top_srcdir/examples"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0
failed=0
ok() { n=$((n+1)); echo "ok $n - $1"; }
notok() { n=$((n+1)); failed=1; echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
check() { # name, condition (eval'd), details
	if eval "$2"; then ok "$1"; else notok "$1" "$3"; fi
}

echo "1..16"

out=$("$XL" create -n "$EX/guest.cfg" 2>"$T/err"); rc=$?
check "guest.cfg: dry run exits 0" '[ $rc = 0 ]' "rc=$rc $(cat "$T/err")"
check "guest.cfg: 'Parsing config from' on stderr" \
	'grep -q "^Parsing config from .*guest.cfg$" "$T/err"' "$(cat "$T/err")"
check "guest.cfg: name, type, memory in JSON" \
	'printf "%s" "$out" | grep -q "\"name\": \"guest\"" &&
	 printf "%s" "$out" | grep -q "\"type\": \"pv\"" &&
	 printf "%s" "$out" | grep -q "\"target_memkb\": 131072"' "$out"

out=$("$XL" create -q -n "$EX/guest.cfg" memory=256 name=other 'cmdline="console=hvc0 x"' 2>"$T/err"); rc=$?
check "overrides: exit 0 and -q is quiet" '[ $rc = 0 ] && [ ! -s "$T/err" ]' "rc=$rc $(cat "$T/err")"
check "overrides: memory=256 name=other cmdline applied" \
	'printf "%s" "$out" | grep -q "\"target_memkb\": 262144" &&
	 printf "%s" "$out" | grep -q "\"name\": \"other\"" &&
	 printf "%s" "$out" | grep -q "\"cmdline\": \"console=hvc0 x\""' "$out"

out=$("$XL" create -n -f "$EX/full.cfg" 2>"$T/err"); rc=$?
check "full.cfg via -f: exit 0" '[ $rc = 0 ]' "rc=$rc $(cat "$T/err")"
check "full.cfg: devices and actions in JSON" \
	'printf "%s" "$out" | grep -q "\"pdev_path\": \"/srv/images/data.img\"" &&
	 printf "%s" "$out" | grep -q "\"mac\": \"00:16:3e:12:34:56\"" &&
	 printf "%s" "$out" | grep -q "\"on_crash\": \"preserve\"" &&
	 printf "%s" "$out" | grep -q "\"cmdline\": \"root=/dev/xvda1 ro console=hvc0 quiet\""' "$out"

# Global -N is the same dry run.
out=$("$XL" -N create -q "$EX/guest.cfg" 2>&1); rc=$?
check "xl -N create: dry run" '[ $rc = 0 ] && printf "%s" "$out" | grep -q "\"c_info\""' "rc=$rc $out"

printf 'name = "bad"\nmemory = 128\n\nvcpus = [1\nkernel = "/k"\n' >"$T/syntax.cfg"
out=$("$XL" create -q -n "$T/syntax.cfg" 2>&1); rc=$?
check "syntax error: exit 1, file:line" \
	'[ $rc = 1 ] && [ "$out" = "$T/syntax.cfg:5: expected \`,'"'"' or \`]'"'"' near \`kernel'"'"'" ]' "rc=$rc out=$out"

printf 'name = "bad"\nmemory = "lots"\n' >"$T/type.cfg"
out=$("$XL" create -q -n "$T/type.cfg" 2>&1); rc=$?
check "wrong type: exit 1, file:line" \
	'[ $rc = 1 ] && [ "$out" = "$T/type.cfg:2: memory: not a number: \`lots'"'"'" ]' "rc=$rc out=$out"

printf 'name = "s"\nkernel = "/k"\nextra = "oops\n' >"$T/str.cfg"
out=$("$XL" create -q -n "$T/str.cfg" 2>&1); rc=$?
check "unterminated string: exit 1, file:line" \
	'[ $rc = 1 ] && [ "$out" = "$T/str.cfg:3: unterminated string" ]' "rc=$rc out=$out"

out=$("$XL" create -q -n "$T/missing.cfg" 2>&1); rc=$?
check "missing file: exit 1, names the file" \
	'[ $rc = 1 ] && [ "$out" = "$T/missing.cfg: No such file or directory" ]' "rc=$rc out=$out"

out=$("$XL" create -q -n "$EX/guest.cfg" 'memory=[' 2>&1); rc=$?
check "bad override: exit 1, says command line" \
	'[ $rc = 1 ] && [ "$out" = "command line:1: expected a value at end of input" ]' "rc=$rc out=$out"

out=$("$XL" create -n 2>&1); rc=$?
check "no config file: exit 1" '[ $rc = 1 ] && [ "$out" = "Config file not specified" ]' "rc=$rc out=$out"

out=$("$XL" create -Z "$EX/guest.cfg" 2>&1); rc=$?
check "unknown option: exit 2" '[ $rc = 2 ]' "rc=$rc out=$out"

# Unknown keys are ignored (upstream does the same): vnc in full.cfg, and:
printf 'name = "u"\nkernel = "/k"\nfrobnicate = [ "x" ]\n' >"$T/unknown.cfg"
out=$("$XL" create -q -n "$T/unknown.cfg" 2>&1); rc=$?
check "unknown key ignored" '[ $rc = 0 ]' "rc=$rc out=$out"

exit 0
