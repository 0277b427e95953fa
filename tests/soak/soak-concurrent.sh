#!/bin/sh
# soak-concurrent: SOAK_JOBS (default 8) scripts at once, each creating,
# listing and destroying its own guest in a loop for SOAK_MINUTES
# (default 30), on real Xen (a run-qemu case, on demand: see
# tests/soak/README.md).  Checks: no create, list or destroy failed, no
# domain is left (no "(null)" zombie), the xenstore node count and our
# xenstored's fds are what they were before.
. "$LIGHTSTACK_TESTLIB"
# run-qemu passes no environment into Dom0: knobs come from this file.
[ -r "$LIGHTSTACK_SRC/tests/soak/soak.env" ] && . "$LIGHTSTACK_SRC/tests/soak/soak.env"

B=$LIGHTSTACK_BUILD
XL=$B/xl/xl
J=${SOAK_JOBS:-8}
MIN=${SOAK_MINUTES:-30}
[ -x "$XL" ] || skip_all "xl not built ($XL)"
[ -r "${GUEST_KERNEL:-}" ] || skip_all "no guest kernel"
[ -r "${GUEST_RAMDISK:-}" ] || skip_all "no guest ramdisk"
case $J in ''|*[!0-9]*|0) bail "SOAK_JOBS must be a positive number, not '$J'" ;; esac
case $MIN in ''|*[!0-9]*|0) bail "SOAK_MINUTES must be a positive number, not '$MIN'" ;; esac
export XENSTORED_PATH=/run/xenstored/socket
XSLS="/usr/bin/xenstore-ls -f"
[ -x /usr/bin/xenstore-ls ] || XSLS="$B/xenstored/xenstore-ls -f"

plan 5

xsd=${XENSTORED_PID:-$(pidof xenstored | awk '{print $1}')}
nodes() { $XSLS / 2>/dev/null | wc -l; }
fds() { ls /proc/$xsd/fd | wc -l; }
# One warm-up cycle before the figures are taken, as soak-cycles does:
# the first create starts the monitor daemon (its own xenstore
# connection) and makes the toolstack's own directories (/vm, /libxl).
# Without it a clean 30-minute run ended at +2 nodes and +2 fds, which
# is that one-time cost, not a leak.
printf 'name = "soakc0"\nkernel = "%s"\nramdisk = "%s"\nmemory = 128\nvcpus = 1\n' \
	"$GUEST_KERNEL" "$GUEST_RAMDISK" >/tmp/soakc-0.cfg
timeout 300 "$XL" create -q /tmp/soakc-0.cfg >/dev/null 2>&1
timeout 120 "$XL" destroy soakc0 >/dev/null 2>&1
n0=$(nodes) fd0=$(fds)
diag "before the jobs: $n0 xenstore nodes, xenstored has $fd0 fds"
end=$(( $(date +%s) + MIN * 60 ))

# One job: its own guest name, create -> list -> destroy until the end;
# each failure is one line in /tmp/soakc-fail.<job>.
job() {
	name=soakc$1 cycles=0 cfg=/tmp/soakc-$1.cfg
	: >/tmp/soakc-fail.$1
	# 128 MB: the test kernel and initramfs need about 74 MB to be
	# built at all (64 was refused at every create).
	printf 'name = "%s"\nkernel = "%s"\nramdisk = "%s"\nmemory = 128\nvcpus = 1\n' \
		$name "$GUEST_KERNEL" "$GUEST_RAMDISK" >$cfg
	while [ "$(date +%s)" -lt $end ]; do
		if ! out=$(timeout 300 "$XL" create -q $cfg 2>&1); then
			echo "create: $out" | tr '\n' ' ' >>/tmp/soakc-fail.$1; echo >>/tmp/soakc-fail.$1
		fi
		id=$("$XL" domid $name 2>/dev/null)
		"$XL" list >/tmp/soakc-list.$1 2>&1 || echo "list failed" >>/tmp/soakc-fail.$1
		grep -q "^$name " /tmp/soakc-list.$1 || echo "list does not show $name" >>/tmp/soakc-fail.$1
		timeout 120 "$XL" destroy $name >/dev/null 2>&1 ||
			echo "destroy $name failed" >>/tmp/soakc-fail.$1
		# Its own domain must be gone, not left a nameless zombie.
		# (Another job's domain shows as "(null)" in xl list while its
		# create is between createdomain and the xenstore step, so
		# that is checked once, at the end, when no job runs.)
		[ -z "$id" ] || ! "$XL" list "$id" >/dev/null 2>&1 ||
			echo "domain $id of $name still listed after its destroy" >>/tmp/soakc-fail.$1
		cycles=$((cycles + 1))
	done
	echo $cycles >/tmp/soakc-cycles.$1
}

i=1
while [ $i -le $J ]; do job $i & i=$((i + 1)); done
wait

total=0 fails=0 i=1
while [ $i -le $J ]; do
	c=$(cat /tmp/soakc-cycles.$i 2>/dev/null || echo 0)
	f=$(wc -l </tmp/soakc-fail.$i 2>/dev/null || echo 1)
	diag "job $i: $c cycles, $f failures"
	[ "$f" -gt 0 ] && diag "$(head -n 3 /tmp/soakc-fail.$i | tr '\n' '|')"
	total=$((total + c)) fails=$((fails + f))
	i=$((i + 1))
done
diag "$total cycles by $J jobs in $MIN min"
is "$fails" 0 "$J concurrent jobs for $MIN min: no create, list or destroy failed"
ok "at least one cycle per job" [ "$total" -ge "$J" ]
is "$($XL list 2>/dev/null | tail -n +2 | grep -vc '^Domain-0')" 0 "no domain left, no (null) zombie"
diag "after the jobs: $(nodes) xenstore nodes, xenstored has $(fds) fds"
is "$(nodes)" "$n0" "xenstore node count as before"
is "$(fds)" "$fd0" "xenstored's open fds as before"
