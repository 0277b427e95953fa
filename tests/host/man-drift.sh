#!/bin/sh
# man-drift.sh - the manual pages cannot drift from the code: every command
# in xl's table (as `xl help` lists it) has an entry in xl(1), every key the
# xl.cfg model reads appears in xl.cfg(5), and every xl.conf key in
# xl.conf(5).  Prints TAP.

src=${top_srcdir:-../..}
bld=${top_builddir:-../..}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
export LIGHTSTACK_XL_CONF="$tmp/no-xl.conf"

# The commands, from the built xl's own table.
"$bld/xl/xl" help >"$tmp/help" 2>&1
awk 'NR > 4 && NF { print $1 }' "$tmp/help" >"$tmp/cmds"
# The keys, from the calls that read them: get_*(&m, "key", ...) in the
# domain config model, get_*(&cv, "key", ...) in xl.conf's.
grep -ho 'get_[a-z_]*(&m, "[a-z0-9_.]*"' "$src"/liblight/config_*.c |
	sed 's/.*"\(.*\)"/\1/' | sort -u >"$tmp/cfgkeys"
grep -ho 'get_[a-z_]*(&cv, "[a-z0-9_.]*"' "$src"/liblight/xlconf*.c |
	sed 's/.*"\(.*\)"/\1/' | sort -u >"$tmp/confkeys"

ncmd=$(wc -l <"$tmp/cmds")
ncfg=$(wc -l <"$tmp/cfgkeys")
nconf=$(wc -l <"$tmp/confkeys")
echo "1..$((3 + ncmd + ncfg + nconf))"
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fail=1; echo "not ok $n - $1"; }
# The extraction itself must have found something, or the rest is vacuous.
if [ "$ncmd" -ge 30 ]; then ok "xl help lists $ncmd commands"; else notok "xl help lists only $ncmd commands"; fi
if [ "$ncfg" -ge 20 ]; then ok "$ncfg xl.cfg keys in the model"; else notok "only $ncfg xl.cfg keys found in liblight/config_*.c"; fi
if [ "$nconf" -ge 15 ]; then ok "$nconf xl.conf keys"; else notok "only $nconf xl.conf keys found in liblight/xlconf.c"; fi

# has PAGE WORD: an `.It Cm WORD` entry (alone or followed by arguments).
has() {
	grep -Eq "^\.It Cm $2( |$)" "$1"
}
while read -r c; do
	if has "$src/man/xl.1" "$c"; then ok "xl(1) documents $c"
	else notok "xl(1) has no '.It Cm $c' entry (man/xl.1)"; fi
done <"$tmp/cmds"
while read -r k; do
	if has "$src/man/xl.cfg.5" "$k"; then ok "xl.cfg(5) documents $k"
	else notok "xl.cfg(5) has no '.It Cm $k' entry (man/xl.cfg.5)"; fi
done <"$tmp/cfgkeys"
while read -r k; do
	if has "$src/man/xl.conf.5" "$k"; then ok "xl.conf(5) documents $k"
	else notok "xl.conf(5) has no '.It Cm $k' entry (man/xl.conf.5)"; fi
done <"$tmp/confkeys"
exit $fail
