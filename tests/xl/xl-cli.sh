#!/bin/sh
# xl-cli.sh - xl's command line as a user sees it: exit statuses and the
# one-line messages for bad input, help, and running without Xen.  These
# match upstream xl 4.17 (values noted per case).  Prints TAP.

XL=${top_builddir:-../..}/xl/xl
CFG=${top_srcdir:-../..}/examples/guest.cfg
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
# The host's own /etc/xen/xl.conf must not change what is tested: a
# missing file gives upstream's defaults.
export LIGHTSTACK_XL_CONF="$tmp/no-xl.conf"
n=0
fail=0

# check NAME WANT_STATUS STDOUT_PATTERN STDERR_PATTERN -- ARGS...
# A pattern is a grep -E regex over the whole stream ('' = must be empty,
# '*' = anything).
check() {
	name=$1 want=$2 outpat=$3 errpat=$4
	shift 5
	n=$((n + 1))
	"$XL" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	got=$?
	ok=1
	[ "$got" -eq "$want" ] || ok=0
	for s in out err; do
		if [ $s = out ]; then pat=$outpat; else pat=$errpat; fi
		case $pat in
		'*') ;;
		'') [ ! -s "$tmp/$s" ] || ok=0 ;;
		*) grep -Eq -- "$pat" "$tmp/$s" || ok=0 ;;
		esac
	done
	if [ $ok = 1 ]; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		echo "# xl $*: status $got (want $want)"
		sed 's/^/# out: /' "$tmp/out" | head -5
		sed 's/^/# err: /' "$tmp/err" | head -5
		fail=1
	fi
}

# Lines of stderr must be exactly one.
one_line_err() {
	n=$((n + 1))
	if [ "$(wc -l <"$tmp/err")" -eq 1 ]; then
		echo "ok $n - $1: one line on stderr"
	else
		echo "not ok $n - $1: one line on stderr"
		sed 's/^/# err: /' "$tmp/err"
		fail=1
	fi
}

echo "1..39"

# Upstream: no command prints the full help and exits 1.
check "no command" 1 '^Usage xl \[-vfNT\] <subcommand> \[args\]$' '' --
check "xl help" 0 '^ list +List information about all/some domains$' '' -- help
check "xl help list" 0 '^Usage: xl \[-vT\] list \[options\] \[Domain\]$' '' -- help list
check "xl help unknown" 0 '^command "frob" not implemented$' '' -- help frob
check "unknown command" 1 '' '^command not implemented$' -- frob
one_line_err "unknown command"
check "unknown global option" 1 '' '^unknown global option$' -- -z list
check "-N on a command without dry run" 1 '' \
    '^command does not implement -N \(dryrun\) option$' -- -N list
check "list --help" 0 '^Usage: xl \[-vT\] list ' '' -- list --help
check "list -h" 0 '^Options:$' '' -- list -h
check "info -h" 0 '^Get information about Xen host\.$' '' -- info -h
# Upstream: a bad option is exit 2.
check "list bad option" 2 '' "^option \`q' not supported\.$" -- list -q
check "dmesg bad option" 2 '' "^option \`x' not supported\.$" -- dmesg -x
# Upstream: too few arguments is exit 2 with the help on stdout.
check "domid without argument" 2 '^Usage: xl \[-vT\] domid <DomainName>$' \
    "^'xl domid' requires at least 1 argument\.$" -- domid
check "domname without argument" 2 '^Usage: xl \[-vT\] domname ' \
    "^'xl domname' requires at least 1 argument\.$" -- domname
check "mem-set with one argument" 2 '^Usage: xl \[-vTf\] mem-set <Domain> <MemMB' \
    "^'xl mem-set' requires at least 2 arguments\.$" -- mem-set 1
check "mem-max without arguments" 2 '^Usage: xl \[-vTf\] mem-max <Domain> <MemMB' \
    "^'xl mem-max' requires at least 2 arguments\.$" -- mem-max
check "mem-set bad option" 2 '' "^option \`q' not supported\.$" -- mem-set -q 1 2
# Upstream: more than one domain for list prints the help, exit 1.
check "list two domains" 1 '^Usage: xl \[-vT\] list ' '' -- list a b
# Strict numbers: rejected before talking to Xen.
check "domname junk" 1 '' '^Invalid domain id\.$' -- domname 12abc
check "domname negative" 1 '' '^Invalid domain id\.$' -- domname -- -1

# Global options that would do nothing are refused, never ignored.
check "-t refused" 1 '' '^xl: -t is not supported: no command shows progress messages$' -- -t list
one_line_err "-t refused"
# -f only lifts the xend check; upstream accepts it on any command.
check "-f accepted where nothing is modified" 1 '' '^Invalid domain id\.$' -- -f domname 12abc
check "-f accepted by create" 0 '"name": "guest"' '' -- -f create -q -n "$CFG"
# -T: date, time zone and pid before xl's messages (upstream's logger).
check "-T stamps messages" 1 '' \
    '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} [^ ]+ \[[0-9]+\] xl: create: -V \(VNC viewer\) is not supported$' \
    -- -T create -V "$CFG"
check "no -T, no stamp" 1 '' '^xl: create: -V \(VNC viewer\) is not supported$' -- create -V "$CFG"
# create -d: the parsed configuration, on stdout for a dry run.
check "create -d -n: config on stdout" 0 '"c_info": \{' '' -- create -q -d -n "$CFG"

# Without Xen: a clear one-line message and exit 1 (upstream: 1).

# xl.conf (upstream reads it before any command): a bad value fails every
# command naming file:line; output_format and vif.default.* apply.
printf '# test\nvif.default.bridge = "brconf"\noutput_format = "xml"\n' >"$tmp/bad.conf"
export LIGHTSTACK_XL_CONF="$tmp/bad.conf"
check "xl.conf: bad value names file:line" 1 '' \
    "^xl: $tmp/bad.conf:3: output_format: expected \"json\" or \"sxp\", not \`xml'\$" -- list
one_line_err "xl.conf: bad value"
printf 'name = "g"\nkernel = "/k"\nmemory = 64\nvcpus = 1\nvif = [ "mac=00:16:3e:00:00:01" ]\n' >"$tmp/g.cfg"
printf 'vif.default.bridge = "brconf"\nvif.default.script = "vif-route"\n' >"$tmp/vif.conf"
export LIGHTSTACK_XL_CONF="$tmp/vif.conf"
check "xl.conf: vif.default.bridge fills a vif without bridge=" 0 \
    '"bridge": "brconf"' '*' -- create -q -n "$tmp/g.cfg"
check "xl.conf: vif.default.script fills a vif without script=" 0 \
    '"script": "vif-route"' '*' -- create -q -n "$tmp/g.cfg"
printf 'output_format = "sxp"\n' >"$tmp/sxp.conf"
export LIGHTSTACK_XL_CONF="$tmp/sxp.conf"
check "xl.conf: output_format=sxp: create -n prints (domain (domid -1) ...)" 0 \
    '^	\(domid -1\)$' '*' -- create -q -n "$tmp/g.cfg"
check "xl.conf: output_format=sxp: the vif's mac" 0 \
    '^			\(mac 00163e000001\)$' '*' -- create -q -n "$tmp/g.cfg"
export LIGHTSTACK_XL_CONF="$tmp/no-xl.conf"

if [ -e /dev/xen/privcmd ]; then
	for c in list info dmesg uptime create-d; do
		n=$((n + 1))
		echo "ok $n # SKIP running on Xen"
	done
else
	# create -d shows the configuration on stderr before trying.
	check "create -d: config on stderr" 1 '' '"c_info": \{' -- create -q -d "$CFG"
	check "list without Xen" 1 '' \
	    '^xl: cannot open the hypervisor interface: ' -- list
	one_line_err "list without Xen"
	check "info without Xen" 1 '' \
	    '^xl: cannot open the hypervisor interface: ' -- info
	one_line_err "info without Xen"
fi
exit $fail
