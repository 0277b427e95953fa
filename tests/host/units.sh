#!/bin/sh
# units.sh - the systemd units and init scripts: every placeholder
# replaced, every program they run is one the build installs, the start
# order is Debian's for upstream's daemons (xenstored, xen-init-dom0, then
# xenconsoled and lightmond, guests last), each init script has the unit of
# the same name, and `systemd-analyze verify` accepts the units where it is
# available.  Prints TAP.

src=${top_srcdir:-../..}
bld=${top_builddir:-../..}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

UNITS="xenstored.service xen-init-dom0.service xenconsoled.service lightmond.service xendomains.service"
SCRIPTS="xenstored xen-init-dom0 xenconsoled lightmond xendomains"
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fail=1; echo "not ok $n - $1"; }
check() {  # check NAME COMMAND...
	name=$1; shift
	if "$@"; then ok "$name"; else notok "$name"; fi
}
unitfile() {
	case $1 in
	*.mount) echo "$src/systemd/$1" ;;
	*) echo "$bld/systemd/$1" ;;
	esac
}
# after UNIT OTHER: UNIT is ordered after OTHER (one of its After= lines).
after() {
	sed -n 's/^After=//p' "$(unitfile "$1")" | tr ' ' '\n' | grep -qx "$2"
}
# lsb SCRIPT FIELD WORD: the init script's LSB FIELD lists WORD.
lsb() {
	sed -n "s/^# $2: *//p" "$bld/sysvinit/$1" | tr ' ' '\n' | grep -qx "$3"
}
# The programs the build makes, by installed name.
ours() {
	case $1 in
	xenstored) echo "$bld/xenstored/xenstored" ;;
	xen-init-dom0) echo "$bld/xl/xen-init-dom0" ;;
	xenconsoled) echo "$bld/xenconsoled/xenconsoled" ;;
	lightmond) echo "$bld/lightmond/lightmond" ;;
	xendomains) echo "$bld/autostart/xendomains" ;;
	*) return 1 ;;
	esac
}

echo "1..31"
for u in proc-xen.mount $UNITS; do
	f=$(unitfile "$u")
	check "$u: exists, no @placeholder@ left" eval "[ -f '$f' ] && ! grep -q '@[a-z]*@' '$f'"
done
for s in $SCRIPTS; do
	f=$bld/sysvinit/$s
	check "init.d/$s: sh -n, no placeholder, a unit of the same name" eval \
	    "sh -n '$f' && ! grep -q '@[A-Za-z]*@' '$f' && [ -f '$bld/systemd/$s.service' ]"
done
# Every Exec line runs one of our programs (under its installed path) or a
# system tool.
bad=$(cat $(for u in $UNITS; do unitfile "$u"; done) |
	sed -n 's/^Exec[A-Za-z]*=-\{0,1\}\([^ ]*\).*/\1/p' | sort -u |
	while read -r p; do
		b=${p##*/}
		case $b in modprobe | grep) continue ;; esac
		ours "$b" >/dev/null || echo "$p"
	done)
check "units run only our programs and modprobe/grep${bad:+ (not: $bad)}" [ -z "$bad" ]

check "xenstored after proc-xen.mount" after xenstored.service proc-xen.mount
check "xen-init-dom0 after xenstored" after xen-init-dom0.service xenstored.service
check "xenconsoled after xenstored" after xenconsoled.service xenstored.service
check "xenconsoled after xen-init-dom0" after xenconsoled.service xen-init-dom0.service
check "lightmond after xen-init-dom0" after lightmond.service xen-init-dom0.service
check "xendomains after xenconsoled" after xendomains.service xenconsoled.service
check "xendomains after lightmond" after xendomains.service lightmond.service
check "xendomains after the network" after xendomains.service network-online.target
check "xendomains after remote filesystems" after xendomains.service remote-fs.target
check "xendomains stops guests (ExecStop)" grep -q '^ExecStop=.*xendomains stop$' "$bld/systemd/xendomains.service"
check "init.d/xen-init-dom0 requires xenstored" lsb xen-init-dom0 Required-Start xenstored
check "init.d/xenconsoled requires xen-init-dom0" lsb xenconsoled Required-Start xen-init-dom0
check "init.d/lightmond requires xenstored" lsb lightmond Required-Start xenstored
check "init.d/xendomains requires lightmond" lsb xendomains Required-Start lightmond
check "init.d/xendomains requires the network" lsb xendomains Required-Start '$network'
check "init.d/xendomains stops at shutdown" lsb xendomains Default-Stop 0
check "init.d/xenconsoled is xenconsoled's" grep -q '^DAEMON=.*/xenconsoled$' "$bld/sysvinit/xenconsoled"
check "init.d/xenstored refuses restart (an empty store)" eval \
    "[ \"\$(sed -n '/^restart/,/;;/p' '$bld/sysvinit/xenstored' | grep -c 'exit 1')\" -eq 1 ]"

# systemd-analyze verify: the units as installed, with our programs at
# their build-tree paths (the installed ones need not exist here) and the
# system tools this machine lacks (modprobe in a container) replaced by
# /bin/true.
if ! command -v systemd-analyze >/dev/null 2>&1; then
	ok "systemd-analyze verify # SKIP systemd-analyze not installed"
else
	for u in proc-xen.mount $UNITS; do
		f=$(unitfile "$u")
		: >"$tmp/$u"
		while IFS= read -r line; do
			case $line in
			Exec*=*)
				key=${line%%=*}; rest=${line#*=}; dash=
				case $rest in -*) dash=-; rest=${rest#-} ;; esac
				p=${rest%% *}; args=${rest#"$p"}
				if q=$(ours "${p##*/}"); then p=$(cd "$(dirname "$q")" && pwd)/${q##*/}
				elif [ ! -x "$p" ]; then echo "# $u: $p missing here, verified as /bin/true"; p=/bin/true
				fi
				line="$key=$dash$p$args" ;;
			esac
			printf '%s\n' "$line" >>"$tmp/$u"
		done <"$f"
	done
	# Documentation=man:... must name our pages: man looks in $MANPATH.
	for p in "$src"/man/*.[158] "$src"/lightmond/*.8; do
		sec=${p##*.}
		mkdir -p "$tmp/man/man$sec"
		cp "$p" "$tmp/man/man$sec/"
	done
	if (cd "$tmp" && MANPATH=$tmp/man systemd-analyze verify proc-xen.mount $UNITS) >"$tmp/verify" 2>&1 &&
	    ! grep -v -e 'Failed to put bus name' -e 'dbus' "$tmp/verify" | grep -q .; then
		ok "systemd-analyze verify"
	else
		notok "systemd-analyze verify"
		sed 's/^/# /' "$tmp/verify"
	fi
fi
exit $fail
