#!/bin/sh
# debian.sh - the fast check of the packaging: every file `make install`
# puts down belongs to exactly one package's debian/*.install list (or is
# listed in debian/not-installed), and every line of those lists matches an
# installed file.  The build's directories are mapped to Debian's layout
# (/usr, /etc, /lib/systemd/system, the multiarch libdir).  The real build
# is scripts/build-deb.  Prints TAP.

src=${top_srcdir:-../..}
bld=${top_builddir:-../..}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
unset MAKEFLAGS MFLAGS MAKELEVEL
var() { sed -n "s|^$1 = ||p" "$bld/Makefile"; }
# The Makefile's values refer to each other (${prefix}/etc); sh expands
# them in order.
prefix=$(var prefix)
exec_prefix=$(var exec_prefix); eval "exec_prefix=$exec_prefix"
eval "sysconfdir=$(var sysconfdir)"
eval "libdir=$(var libdir)"
eval "unitdir=$(var SYSTEMD_UNIT_DIR)"

echo "# installing into $root"
if ! ${MAKE:-make} -s -C "$bld" install DESTDIR="$root" >"$tmp/log" 2>&1; then
	echo "1..1"; echo "not ok 1 - make install DESTDIR"; sed 's/^/# /' "$tmp/log"; exit 1
fi
(cd "$root" && find . ! -type d | sed 's|^\./|/|') | while read -r f; do
	case $f in
	"$sysconfdir"/*) echo "etc/${f#"$sysconfdir"/}" ;;
	"$unitdir"/*) echo "lib/systemd/system/${f#"$unitdir"/}" ;;
	"$libdir"/*) echo "usr/lib/x86_64-linux-gnu/${f#"$libdir"/}" ;;
	"$prefix"/*) echo "usr/${f#"$prefix"/}" ;;
	*) echo "OUTSIDE-PREFIX$f" ;;
	esac
done | sort >"$tmp/files"

lists=$(ls "$src"/debian/*.install)
nfiles=$(wc -l <"$tmp/files")
nlines=$(cat $lists | grep -vc '^#')
echo "1..$((1 + nfiles + nlines))"
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fail=1; echo "not ok $n - $1"; }
if [ "$nfiles" -ge 50 ]; then ok "$nfiles files installed"; else notok "only $nfiles files installed"; fi

# matches FILE PATTERN: dh_install's sense, a glob naming the file or a
# directory above it.
matches() {
	case $1 in
	$2 | $2/*) return 0 ;;
	esac
	return 1
}
while read -r f; do
	owners=
	for l in $lists; do
		while read -r pat; do
			case $pat in '#'* | '') continue ;; esac
			if matches "$f" "$pat"; then owners="$owners $(basename "$l" .install)"; break; fi
		done <"$l"
	done
	dropped=0
	while read -r pat; do
		case $pat in '#'* | '') continue ;; esac
		matches "$f" "$pat" && dropped=1
	done <"$src/debian/not-installed"
	set -- $owners
	if [ $# -eq 1 ] && [ $dropped = 0 ]; then ok "$f in $1"
	elif [ $# -eq 0 ] && [ $dropped = 1 ]; then ok "$f not installed (debian/not-installed)"
	else notok "$f: in${owners:- no package}$( [ $dropped = 1 ] && echo ' and not-installed')"
	fi
done <"$tmp/files"
for l in $lists; do
	while read -r pat; do
		case $pat in '#'* | '') continue ;; esac
		hit=0
		while read -r f; do matches "$f" "$pat" && { hit=1; break; }; done <"$tmp/files"
		if [ $hit = 1 ]; then ok "$(basename "$l"): $pat matches"
		else notok "$(basename "$l"): $pat matches no installed file"; fi
	done <"$l"
done
exit $fail
