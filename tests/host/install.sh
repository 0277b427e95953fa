#!/bin/sh
# install.sh - `make install` and `make uninstall` with DESTDIR handle
# exactly the same files: install into a temporary root, check what a host
# needs is there, uninstall, and check nothing is left but empty
# directories, and that nothing was written outside DESTDIR.  Prints TAP.

bld=${top_builddir:-../..}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
MAKE=${MAKE:-make}
# A fresh make, not the caller's: make check's command-line variables and
# jobserver must not leak into the install.
unset MAKEFLAGS MFLAGS MAKELEVEL
# The build's own directories, as configure set them.
var() { sed -n "s|^$1 = ||p" "$bld/Makefile"; }
# The values refer to each other (${prefix}/etc); sh expands them in order.
for v in prefix exec_prefix bindir sbindir libdir libexecdir sysconfdir \
    includedir datarootdir datadir mandir SYSTEMD_UNIT_DIR BASH_COMPLETION_DIR; do
	eval "$v=\"$(var $v)\""
done

n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fail=1; echo "not ok $n - $1"; }

echo "1..7"
# To see afterwards that install wrote nothing outside DESTDIR.
: >"$tmp/stamp"
sleep 1
if $MAKE -s -C "$bld" install DESTDIR="$root" >"$tmp/install.log" 2>&1; then
	ok "make install DESTDIR"
else
	notok "make install DESTDIR"; sed 's/^/# /' "$tmp/install.log" | tail -20
fi
(cd "$root" && find . ! -type d | sort) >"$tmp/installed"
count=$(wc -l <"$tmp/installed")
# A host needs these; their absence means a Makefile lost them.
missing=
for f in $sbindir/xl $sbindir/xenstored $sbindir/xenconsoled \
    $sbindir/lightmond $sbindir/xen-init-dom0 $bindir/xenstore-read \
    $bindir/xenconsole $mandir/man1/xl.1 $mandir/man5/xl.cfg.5 \
    $mandir/man8/lightmond.8 $mandir/man1/xenstore-ls.1 \
    $BASH_COMPLETION_DIR/xl $SYSTEMD_UNIT_DIR/xenstored.service \
    $SYSTEMD_UNIT_DIR/proc-xen.mount $sysconfdir/init.d/xendomains \
    $sysconfdir/default/xendomains $libexecdir/lightstack/xendomains \
    $includedir/lightstack/liblight.h $libdir/pkgconfig/lightstack-light.pc; do
	[ -e "$root$f" ] || missing="$missing $f"
done
if [ -z "$missing" ]; then ok "install put $count files, the host's set among them"
else notok "not installed:$missing"; fi
if [ -x "$root$libexecdir/lightstack/xendomains" ] &&
    [ -x "$root$sysconfdir/init.d/xenstored" ]; then
	ok "scripts installed executable"
else
	notok "xendomains or the init scripts not executable"
fi
if grep -q "^ExecStart=$sbindir/xenstored " "$root$SYSTEMD_UNIT_DIR/xenstored.service" &&
    grep -q "^ExecStart=$libexecdir/lightstack/xendomains start" "$root$SYSTEMD_UNIT_DIR/xendomains.service"; then
	ok "units name the installed programs"
else
	notok "xenstored.service or xendomains.service does not run $sbindir/xenstored, $libexecdir/lightstack/xendomains"
fi

if $MAKE -s -C "$bld" uninstall DESTDIR="$root" >"$tmp/uninstall.log" 2>&1; then
	ok "make uninstall DESTDIR"
else
	notok "make uninstall DESTDIR"; sed 's/^/# /' "$tmp/uninstall.log" | tail -20
fi
left=$(cd "$root" && find . ! -type d | sort)
if [ -z "$left" ]; then ok "uninstall removed all $count files"
else notok "uninstall left: $(echo $left)"; fi
# The real paths of what was installed must not have changed meanwhile
# (only those: other programs may write elsewhere under the prefix).
outside=$(sed 's|^\.||' "$tmp/installed" | while read -r f; do
	[ -e "$f" ] && [ "$f" -nt "$tmp/stamp" ] && echo "$f"
done)
if [ -z "$outside" ]; then ok "nothing written outside DESTDIR"
else notok "written outside DESTDIR: $(echo $outside)"; fi
exit $fail
