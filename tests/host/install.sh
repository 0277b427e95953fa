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
prefix=$(var prefix)

n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fail=1; echo "not ok $n - $1"; }

echo "1..7"
# To see afterwards that install wrote nothing under the real prefix.
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
for f in sbin/xl sbin/xenstored sbin/xenconsoled sbin/lightmond \
    sbin/xen-init-dom0 bin/xenstore-read bin/xenconsole \
    share/man/man1/xl.1 share/man/man5/xl.cfg.5 share/man/man8/lightmond.8 \
    share/man/man1/xenstore-ls.1 share/bash-completion/completions/xl \
    lib/systemd/system/xenstored.service lib/systemd/system/proc-xen.mount \
    etc/init.d/xendomains etc/default/xendomains libexec/lightstack/xendomains \
    include/lightstack/liblight.h lib/pkgconfig/lightstack-light.pc; do
	[ -e "$root$prefix/$f" ] || missing="$missing $f"
done
if [ -z "$missing" ]; then ok "install put $count files, the host's set among them"
else notok "not installed:$missing"; fi
if [ -x "$root$prefix/libexec/lightstack/xendomains" ] &&
    [ -x "$root$prefix/etc/init.d/xenstored" ]; then
	ok "scripts installed executable"
else
	notok "xendomains or the init scripts not executable"
fi
if grep -q "^ExecStart=$prefix/sbin/xenstored " "$root$prefix/lib/systemd/system/xenstored.service"; then
	ok "units name the installed programs"
else
	notok "xenstored.service does not run $prefix/sbin/xenstored"
fi

if $MAKE -s -C "$bld" uninstall DESTDIR="$root" >"$tmp/uninstall.log" 2>&1; then
	ok "make uninstall DESTDIR"
else
	notok "make uninstall DESTDIR"; sed 's/^/# /' "$tmp/uninstall.log" | tail -20
fi
left=$(cd "$root" && find . ! -type d | sort)
if [ -z "$left" ]; then ok "uninstall removed all $count files"
else notok "uninstall left: $(echo $left)"; fi
outside=$(find "$prefix" -newer "$tmp/stamp" 2>/dev/null | sort)
if [ -z "$outside" ]; then ok "nothing written under the real $prefix"
else notok "written outside DESTDIR: $(echo $outside)"; fi
exit $fail
