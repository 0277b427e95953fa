# lib.sh: TAP helpers for system-test cases (POSIX sh; bash works too).
#
# A case runs inside Dom0 (see README.md) and sources this file:
#
#   . "$LIGHTSTACK_TESTLIB"
#   plan 3
#   ok "xenstored answers" test -S /run/xenstored/socket
#   is "$(xenstore-read /local/domain/0/name)" Domain-0 "Dom0 is named"
#   skip "xl create not built yet"
#   done_testing
#
# Each check prints one TAP line: "ok N - what" or "not ok N - what" and,
# on failure, "# ..." diagnostics.  Cases print TAP on stdout and anything
# else on stderr (run-qemu keeps it in the results).  A case's exit status
# is its verdict too: done_testing exits 1 if any check failed.
#
# Functions:
#   plan N                    print the plan (once, before the checks); a
#                             case whose count depends on the depth leaves
#                             it out and done_testing prints it at the end
#   ok DESC CMD [ARG...]      run CMD; pass if it exits 0 (its output goes to
#                             stderr, and is shown as diagnostics on failure)
#   check DESC CMD [ARG...]   same as ok
#   pass DESC / fail DESC [WHY]   record a result decided by the case itself
#   is GOT WANT DESC          pass if the two strings are equal
#   like GOT PATTERN DESC     pass if GOT matches the shell case PATTERN
#   skip DESC [REASON]        a test point that could not run: "ok N - DESC # SKIP REASON"
#   skip_all REASON           the whole case cannot run: "1..0 # SKIP REASON", exit 0
#   bail REASON               stop the case: "Bail out! REASON", exit 1
#   diag TEXT...              "# TEXT" on stdout
#   have CMD                  true if CMD is an executable on PATH
#   wait_for SECS CMD [ARG...]  poll CMD every 0.2 s until it succeeds; false after SECS
#   full                      true at the full depth (run-qemu --full), false
#                             at the quick depth CI runs
#   pick QUICK FULL           print QUICK or FULL for this depth (a count, a
#                             list of steps)
#   done_testing              print the plan if none was printed; exit 0 if
#                             all passed, else 1 (a case that dies before
#                             it prints no plan, which run-qemu reports)
#
# Paths a case can rely on (exported by dom0-init): LIGHTSTACK_SRC,
# LIGHTSTACK_BUILD, GUEST_KERNEL, GUEST_RAMDISK, RESULTS; PATH starts with
# the build tree's xl/, xenstored/, xenconsoled/ directories.

_tap_n=0
_tap_failed=0
_tap_planned=no

plan() {
	_tap_planned=yes
	echo "1..$1"
}

diag() { echo "# $*"; }

pass() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $1"
}

fail() {
	_tap_n=$((_tap_n + 1))
	_tap_failed=$((_tap_failed + 1))
	echo "not ok $_tap_n - $1"
	[ $# -lt 2 ] || diag "$2"
}

ok() {
	_tap_desc=$1
	shift
	_tap_out=$("$@" 2>&1)
	_tap_rc=$?
	[ -z "$_tap_out" ] || printf '%s\n' "$_tap_out" >&2
	if [ $_tap_rc -eq 0 ]; then
		pass "$_tap_desc"
		return 0
	fi
	fail "$_tap_desc" "command failed (exit $_tap_rc): $*"
	[ -z "$_tap_out" ] || printf '%s\n' "$_tap_out" | tail -n 15 | sed 's/^/#   /'
	return 1
}

check() { ok "$@"; }

is() {
	if [ "$1" = "$2" ]; then
		pass "$3"
		return 0
	fi
	fail "$3" "got '$1', want '$2'"
	return 1
}

like() {
	# shellcheck disable=SC2254 # the pattern is meant to be a pattern
	case $1 in
	$2) pass "$3"; return 0 ;;
	esac
	fail "$3" "got '$1', want a match of '$2'"
	return 1
}

skip() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $1 # SKIP ${2:-}"
}

skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}

bail() {
	echo "Bail out! $1"
	exit 1
}

have() { command -v "$1" >/dev/null 2>&1; }

# Two depths.  CI must finish in an hour on two cores, and under TCG a
# guest boot takes seconds to tens of seconds, so CI runs every case at the
# quick depth: each behaviour once (a few create/destroy cycles where the
# full run does twenty, a few fault-injection steps where it does every
# one).  The full depth (run-qemu --full; tests/system/README.md, "Depth")
# repeats and sweeps; it is run before closing an issue that touches what
# it sweeps.
full() { [ "${LIGHTSTACK_SYSTEM_FULL:-0}" = 1 ]; }
pick() { if full; then echo "$2"; else echo "$1"; fi; }

# Bounded by wall time, not by a count of tries: under a loaded TCG one
# try (a process start) can take seconds.  /proc/uptime is read with the
# shell's own read, so the clock costs no process.
wait_for() {
	read -r _tap_up _tap_idle </proc/uptime
	_tap_end=$((${_tap_up%.*} + $1 + 1))
	shift
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		read -r _tap_up _tap_idle </proc/uptime
		[ "${_tap_up%.*}" -lt $_tap_end ] || return 1
		sleep 0.2
	done
}

# guest_sh NAME TAG CMD: type CMD into the shell on the console of the
# busybox test guest NAME (tests/system/image/guest-init) and wait (up to
# 300 s) for its answer in the console log xenconsoled writes
# ($GUEST_CONSOLE_DIR, default /var/log/xen/console/guest-NAME.log); true
# if CMD exited 0.  The guest echoes the typed line, so the result is
# matched as a line of its own ("TAG-<status>"), which the echo cannot
# be.  The log is per name, so it follows the guest across a restore.
_guest_sh_seq=0
guest_sh() {
	_guest_sh_seq=$((_guest_sh_seq + 1))
	_gs_tag="R$$x$_guest_sh_seq$2"
	_gs_log=${GUEST_CONSOLE_DIR:-/var/log/xen/console}/guest-$1.log
	_gs_d=$(xl domid "$1") || return 1
	printf '\n%s; echo %s-$?\n\035' "$3" "$_gs_tag" |
		timeout 120 xenconsole "$_gs_d" >/dev/null 2>&1
	_gs_done() { tr -d '\r' <"$_gs_log" | grep -q "^$_gs_tag-[0-9]"; }
	# A guest that dies meanwhile will not answer: no point waiting.
	_gs_done_or_gone() { _gs_done || ! xl domid "$1"; }
	wait_for 300 _gs_done_or_gone "$1"
	_gs_done || { echo "$1: no answer to '$3'$(xl domid "$1" >/dev/null 2>&1 || echo ': the domain is gone')" >&2; return 1; }
	tr -d '\r' <"$_gs_log" | grep -qx "$_gs_tag-0"
}

done_testing() {
	[ $_tap_planned = yes ] || echo "1..$_tap_n"
	[ $_tap_failed -eq 0 ] && exit 0
	diag "$_tap_failed of $_tap_n failed"
	exit 1
}
