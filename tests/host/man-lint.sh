#!/bin/sh
# man-lint.sh - every manual page of the tree passes `mandoc -T lint` at
# warning level (style notes, such as .Os naming Lightstack, are allowed),
# and every .so link names a page that exists.  Prints TAP.

src=${top_srcdir:-../..}
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fail=1; echo "not ok $n - $1"; }

pages=$(ls "$src"/man/*.[1-8] "$src"/lightmond/*.8 2>/dev/null)
count=$(echo "$pages" | grep -c .)
echo "1..$((count + 1))"
# The list itself: a glob gone wrong must not pass as "nothing to lint".
if [ "$count" -ge 18 ]; then ok "found $count pages"; else notok "found only $count pages"; fi

if ! command -v mandoc >/dev/null 2>&1; then
	for p in $pages; do notok "$(basename "$p"): mandoc is not installed (scripts/deps)"; done
	exit 1
fi
for p in $pages; do
	b=$(basename "$p")
	first=$(head -n 1 "$p")
	case $first in
	.so\ *)
		target=${first#.so }
		if [ -f "$src/man/${target#*/}" ]; then ok "$b: links to $target"
		else notok "$b: links to missing $target"; fi
		continue ;;
	esac
	if out=$(mandoc -T lint -W warning "$p" 2>&1) && [ -z "$out" ]; then
		ok "$b: mandoc -T lint"
	else
		notok "$b: mandoc -T lint"
		echo "$out" | sed 's/^/# /'
	fi
done
exit $fail
