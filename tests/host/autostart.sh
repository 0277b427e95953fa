#!/bin/sh
# autostart.sh - xendomains (autostart/xendomains) against a fake xl that
# keeps its domains in files: start creates what /etc/xen/auto names and is
# not running, stop asks every guest to shut down, destroys one that cannot
# be asked at once and one that ignores the request after the bounded
# wait, and never touches Domain-0.  Prints TAP.

bld=${top_builddir:-../..}
XD=$bld/autostart/xendomains
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
st=$tmp/state
mkdir "$st" "$tmp/auto"

# The fake xl.  A domain is $st/<id> holding "name mode": mode clean goes
# away when shut down, stubborn ignores shutdown, nopv refuses it.
cat >"$tmp/xl" <<EOS
#!/bin/sh
st=$st
echo "\$*" >>\$st/log
byname() { grep -l "^\$1 " \$st/[0-9]* 2>/dev/null | head -n 1; }
case \$1 in
help)
	printf 'Usage xl\n\nxl full list of subcommands:\n\n'
	for c in create destroy shutdown list domid; do echo " \$c  x"; done ;;
create)
	# create [-n] -q FILE: the name is the file's 'name = "..."' line.
	dry=0; [ "\$2" = -n ] && { dry=1; shift; }
	f=\$3
	name=\$(sed -n 's/^name *= *"\(.*\)"/\1/p' "\$f")
	[ -n "\$name" ] || { echo "\$f:1: no domain name" >&2; exit 1; }
	if [ \$dry = 1 ]; then
		printf '{\n    "c_info": {\n        "name": "%s",\n' "\$name"
		exit 0
	fi
	[ -n "\$(byname "\$name")" ] && { echo "domain \$name exists" >&2; exit 1; }
	id=\$(( \$(ls \$st | grep -c '^[0-9]') + 1 ))
	mode=\$(sed -n 's/^mode *= *"\(.*\)"/\1/p' "\$f")
	echo "\$name \${mode:-clean}" >\$st/\$id ;;
domid)
	f=\$(byname "\$2"); [ -n "\$f" ] || exit 1; basename "\$f" ;;
list)
	echo "Name ID Mem VCPUs State Time(s)"
	echo "Domain-0 0 1024 2 r----- 1.0"
	for f in \$st/[0-9]*; do
		[ -f "\$f" ] || continue
		set -- \$(cat "\$f"); echo "\$1 \$(basename "\$f") 256 1 -b---- 1.0"
	done ;;
shutdown)
	[ -f \$st/\$2 ] || exit 1
	set -- \$2 \$(cat \$st/\$2)
	case \$3 in
	clean) rm -f \$st/\$1 ;;
	stubborn) ;;
	nopv) echo "domain has no PV control interface" >&2; exit 1 ;;
	esac ;;
destroy)
	[ "\$2" != 0 ] || { echo "refusing Domain-0" >&2; exit 1; }
	rm -f \$st/\$2 ;;
*) exit 1 ;;
esac
EOS
chmod +x "$tmp/xl"
cat >"$tmp/default" <<EOS
XL=$tmp/xl
XENDOMAINS_AUTO="$tmp/auto"
XENDOMAINS_STOP_MAXWAIT=3
EOS
export XENDOMAINS_CONFIG="$tmp/default"

n=0
fail=0
check() {  # check NAME CONDITION...
	name=$1; shift
	n=$((n + 1))
	if "$@"; then echo "ok $n - $name"; else fail=1; echo "not ok $n - $name"; fi
}
running() { "$tmp/xl" domid "$1" >/dev/null 2>&1; }
notrunning() { ! running "$1"; }
logged() { grep -qx -- "$1" "$st/log"; }
notlogged() { ! grep -q -- "$1" "$st/log"; }
echo "1..21"

printf 'name = "alpha"\n' >"$tmp/auto/alpha.cfg"
printf 'name = "beta"\nmode = "stubborn"\n' >"$tmp/auto/beta.cfg"
printf 'name = "gamma"\nmode = "nopv"\n' >"$tmp/auto/with blank.cfg"
printf 'memory = 128\n' >"$tmp/auto/broken.cfg"
printf 'name = "old"\n' >"$tmp/auto/alpha.cfg~"
mkdir "$tmp/auto/subdir"
# beta runs already: start must not create it twice.
printf 'name = "beta"\nmode = "stubborn"\n' >"$tmp/beta-now.cfg"
"$tmp/xl" create -q "$tmp/beta-now.cfg"
: >"$st/log"

sh "$XD" start >"$tmp/out" 2>"$tmp/err"
rc=$?
check "start: a broken config makes start fail" [ $rc -eq 1 ]
check "start: alpha created" running alpha
check "start: the config with a blank in its name created gamma" running gamma
check "start: beta, already running, not created again" [ "$(grep -c 'create -q .*beta' "$st/log")" -eq 0 ]
check "start: says beta already runs" grep -q "beta already running" "$tmp/out"
check "start: editor backups are skipped" notrunning old
check "start: the broken file is named on stderr" grep -q "broken.cfg: not a valid domain configuration" "$tmp/err"

sh "$XD" status >"$tmp/out" 2>&1
rc=$?
check "status: 3 while broken.cfg's domain is not running" [ $rc -eq 3 ]
check "status: alpha shown running" grep -q "^alpha: running" "$tmp/out"

: >"$st/log"
t0=$(date +%s)
sh "$XD" stop >"$tmp/out" 2>"$tmp/err"
rc=$?
t1=$(date +%s)
check "stop: exit 0 once every guest is gone" [ $rc -eq 0 ]
check "stop: every guest asked to shut down" [ "$(grep -c '^shutdown ' "$st/log")" -eq 3 ]
check "stop: gamma (no PV control) destroyed without waiting" grep -q "gamma.*cannot be shut down cleanly" "$tmp/err"
check "stop: beta destroyed after the wait" grep -q "beta.*still running after 3s" "$tmp/err"
# Ids follow creation: beta 1, alpha 2, gamma 3.
check "stop: alpha shut down, not destroyed" notlogged "^destroy 2\$"
check "stop: no guest left" [ -z "$(ls "$st" | grep '^[0-9]')" ]
check "stop: Domain-0 untouched" notlogged " 0\$"
check "stop: bounded (3 s wait, took $((t1 - t0)) s)" [ $((t1 - t0)) -ge 3 ] && [ $((t1 - t0)) -le 10 ]

: >"$st/log"
sh "$XD" stop >"$tmp/out" 2>&1
check "stop with no guests: exit 0" [ $? -eq 0 ]
check "stop with no guests: nothing shut down" notlogged "^shutdown"

echo "XENDOMAINS_STOP_MAXWAIT=soon" >>"$tmp/default"
sh "$XD" stop >"$tmp/out" 2>&1
check "a bad XENDOMAINS_STOP_MAXWAIT: exit 2" [ $? -eq 2 ]
XENDOMAINS_CONFIG=/nonexistent sh "$XD" frobnicate >/dev/null 2>&1
check "an unknown action: exit 2" [ $? -eq 2 ]
exit $fail
