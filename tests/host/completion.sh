#!/bin/bash
# completion.sh - drive completion/xl as bash does: set COMP_WORDS and
# COMP_CWORD, call _xl, compare COMPREPLY.  xl is the built one, except
# that `xl list` (which needs Xen) answers from a fixed domain list.
# Prints TAP.

src=${top_srcdir:-../..}
bld=${top_builddir:-../..}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
export LIGHTSTACK_XL_CONF="$tmp/no-xl.conf"
export LC_ALL=C

cat >"$tmp/xl" <<EOS
#!/bin/sh
if [ "\$1" = list ]; then
	printf '%s\n' 'Name                                        ID   Mem VCPUs	State	Time(s)' \
	    'Domain-0                                     0  1024     2     r-----      10.0' \
	    'web1                                         1   256     1     -b----       1.0' \
	    'web2                                         2   256     1     -b----       1.0' \
	    'db                                           3   512     2     -b----       2.0'
	exit 0
fi
exec "$bld/xl/xl" "\$@"
EOS
chmod +x "$tmp/xl"
export XL_COMPLETION_XL="$tmp/xl"
# shellcheck source=/dev/null
. "$src/completion/xl" || { echo "1..1"; echo "not ok 1 - source completion/xl"; exit 1; }

mkdir "$tmp/cfg" "$tmp/cfg/sub"
: >"$tmp/cfg/web1.cfg"
: >"$tmp/cfg/notes.txt"

n=0
fail=0
# comp WANT WORD... : complete the last WORD (possibly "") of "xl WORD...";
# WANT is the sorted answer, space separated.
comp() {
	local want=$1 got
	shift
	COMP_WORDS=(xl "$@")
	COMP_CWORD=$#
	COMPREPLY=()
	_xl
	got=$(printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort | tr '\n' ' ')
	got=${got% }
	n=$((n + 1))
	if [[ $got == "$want" ]]; then
		echo "ok $n - xl $* -> $want"
	else
		fail=1
		echo "not ok $n - xl $*: want '$want', got '$got'"
	fi
}
# has WORD ANSWER... : the answer contains WORD.
has() {
	local word=$1 w
	shift
	COMP_WORDS=(xl "$@")
	COMP_CWORD=$#
	COMPREPLY=()
	_xl
	n=$((n + 1))
	for w in "${COMPREPLY[@]}"; do
		[[ $w == "$word" ]] && { echo "ok $n - xl $* offers $word"; return; }
	done
	fail=1
	echo "not ok $n - xl $*: $word not among '${COMPREPLY[*]}'"
}

echo "1..25"
# Commands: every one xl help lists, and only those (plus help).
ncmd=$("$tmp/xl" help | awk 'NR > 4 && NF' | wc -l)
COMP_WORDS=(xl ""); COMP_CWORD=1; _xl
n=$((n + 1))
if [[ ${#COMPREPLY[@]} -eq $((ncmd + 1)) && $ncmd -ge 30 ]]; then
	echo "ok $n - xl <TAB> offers the $ncmd commands and help"
else
	fail=1; echo "not ok $n - xl <TAB> offers ${#COMPREPLY[@]}, xl help lists $ncmd"
fi
comp "create" cr
comp "sched-credit sched-credit2" sched
comp "list" -v li
comp "-N -T -f -v" -
# Options, from each command's help.
comp "--json" list --j
has "--wait" shutdown -
has "-F" shutdown -
has "-a" shutdown -
has "--dryrun" create -
has "-p" create -
has "--tslice_ms" sched-credit --ts
comp "-c" dmesg -
comp "--ignore-host" vcpu-set --
# Domain names, from xl list (not its header).
comp "web1 web2" destroy w
comp "Domain-0 db web1 web2" pause ""
comp "" destroy web1 ""
comp "db" vcpu-list web1 d
comp "db" sched-credit -d d
# Fixed value sets.
comp "nmi" trigger web1 n
comp "serial" console -t s
comp "sysrq" help sy
# Configuration files for create: *.cfg and directories, nothing else.
cd "$tmp/cfg" || exit 1
comp "sub web1.cfg" create ""
comp "web1.cfg" create w
comp "" create n
exit $fail
