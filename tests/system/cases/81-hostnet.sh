#!/bin/sh
# 81-hostnet: hostnet's own tests (tests/hostnet/test-hostnet.sh) in Dom0,
# on the Debian kernel the vifs really live on: bridge ports and MTU,
# routes and proxy ARP, NAT rules in nftables, user scripts, all inside
# network namespaces the test makes and deletes.  One test point; the
# failed sub-tests are its diagnostics.
. "$LIGHTSTACK_TESTLIB"

plan 1
out=/tmp/81-hostnet.tap
top_builddir=$LIGHTSTACK_BUILD top_srcdir=$LIGHTSTACK_SRC \
	timeout 900 sh "$LIGHTSTACK_SRC/tests/hostnet/test-hostnet.sh" >$out 2>&1
rc=$?
n=$(grep -c '^ok ' $out)
bad=$(grep -c '^not ok ' $out)
if [ $rc -eq 0 ] && [ "$bad" -eq 0 ] && [ "$n" -gt 0 ] && ! grep -q '# SKIP' $out; then
	pass "tests/hostnet in Dom0: $n passed"
else
	fail "tests/hostnet in Dom0: $n passed, $bad failed, exit $rc" \
		"$(grep -A3 '^not ok\|SKIP' $out | head -30 | tr '\n' '|')"
fi
rm -f $out
done_testing
