#!/bin/sh
# tap-run-test.sh: tests/tap-run, the LOG_COMPILER every test directory
# runs its tests through, keeps what a TAP stream says except for cmocka's
# skip line, and automake's TAP driver then counts a skip as SKIP, a
# failure as FAIL and a bad exit as ERROR.
top=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
run=$top/tests/tap-run
driver=$top/build-aux/tap-driver.sh
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0
bad=0
check() {	# DESC GOT WANT
	n=$((n + 1))
	if [ "$2" = "$3" ]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		echo "#   got:  $2"
		echo "#   want: $3"
		bad=1
	fi
}
# A pretend test program printing $1 as its TAP and exiting with $2.
fake() { printf '%s\n' "$1" >"$tmp/tap"; cat >"$tmp/prog" <<EOS
#!/bin/sh
cat "$tmp/tap"
exit $2
EOS
	chmod +x "$tmp/prog"; }
# The driver's verdicts for the pretend program run through tap-run.
verdicts() {
	rm -f "$tmp/r.trs" "$tmp/r.log"
	env AM_TAP_AWK="${AWK:-awk}" sh "$driver" --test-name r --log-file "$tmp/r.log" \
		--trs-file "$tmp/r.trs" --color-tests no --enable-hard-errors yes \
		--expect-failure no -- sh "$run" "$tmp/prog" >/dev/null 2>&1
	sed -n 's/^:test-result: \([A-Z]*\).*/\1/p' "$tmp/r.trs" | tr '\n' ' '
}

echo "1..8"
fake "$(printf '1..1\nnot ok 1 # SKIP test_x')" 0
check "cmocka's skip line becomes a TAP skip" "$(sh "$run" "$tmp/prog")" \
	"$(printf '1..1\nok 1 # SKIP test_x')"
check "the driver counts it as SKIP" "$(verdicts)" "SKIP "
fake "$(printf '1..2\nnot ok 1 - test_a\nnot ok 2 - test_b # SKIP')" 0
check "failures pass through unchanged" "$(sh "$run" "$tmp/prog")" \
	"$(printf '1..2\nnot ok 1 - test_a\nnot ok 2 - test_b # SKIP')"
check "the driver counts them as FAIL" "$(verdicts)" "FAIL FAIL "
fake "$(printf '1..1\nok 1 - test_a')" 3
sh "$run" "$tmp/prog" >/dev/null
check "the exit status passes through" "$?" 3
check "a bad exit is an ERROR to the driver" "$(verdicts)" "PASS ERROR "
fake "$(printf '1..1\nok 1 - test_a')" 0
check "a clean pass stays a pass" "$(verdicts)" "PASS "
sh "$run" >/dev/null 2>&1
check "without a program: usage error 99" "$?" 99
exit $bad
