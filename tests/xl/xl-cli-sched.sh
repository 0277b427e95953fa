#!/bin/sh
# xl-cli-sched.sh - the vcpu, sched and cpupool commands' command line:
# usage errors and option checks that are decided before Xen is asked,
# with upstream xl 4.17's statuses and messages.  Prints TAP.

XL=${top_builddir:-../..}/xl/xl
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0
fail=0

# check NAME WANT_STATUS STDERR_REGEX -- ARGS...: stdout must be empty
# (but for usage errors, status 2, where upstream prints the help there).
check() {
	name=$1 want=$2 errpat=$3
	shift 4
	n=$((n + 1))
	"$XL" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	got=$?
	if [ "$got" -eq "$want" ] && { [ "$want" -eq 2 ] || [ ! -s "$tmp/out" ]; } &&
	    grep -Eq -- "$errpat" "$tmp/err" &&
	    [ "$(wc -l <"$tmp/err")" -le 3 ]; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		echo "# xl $*: status $got (want $want)"
		sed 's/^/# out: /' "$tmp/out" | head -5
		sed 's/^/# err: /' "$tmp/err" | head -5
		fail=1
	fi
}

echo "1..11"

check "vcpu-pin needs 3 arguments" 2 "'xl vcpu-pin' requires at least 3 arguments" -- vcpu-pin d 0
check "vcpu-set needs 2 arguments" 2 "'xl vcpu-set' requires at least 2 arguments" -- vcpu-set d
check "vcpu-list: unknown option" 2 "option .x' not supported" -- vcpu-list -x
check "sched-credit -w without -d" 1 '^Must specify a domain\.$' -- sched-credit -w 300
check "sched-credit2 -c without -d" 1 '^Must specify a domain\.$' -- sched-credit2 -c 10
check "sched-credit -t without -s" 1 '^Must specify schedparam to set schedule parameter values\.$' -- sched-credit -t 10
check "sched-credit -p with -d" 1 '^Specifying a cpupool or schedparam is not allowed with domain options\.$' -- sched-credit -p Pool-0 -d 0
check "sched-credit2 -p with -d" 1 '^Specifying a cpupool is not allowed with other options\.$' -- sched-credit2 -p Pool-0 -d 0
check "sched-credit2 -w not a number" 1 "^xl: invalid weight .12x' \(a number from 0 to 65535\)$" -- sched-credit2 -d 0 -w 12x
check "sched-credit2 -t is credit's" 2 "option .t' not supported" -- sched-credit2 -s -t 5
check "sched-credit2 --json when setting" 1 '^xl: sched-credit2: --json only applies when showing parameters$' -- sched-credit2 -d 0 -w 5 --json
exit $fail
