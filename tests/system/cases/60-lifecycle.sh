#!/bin/sh
# 60-lifecycle: `xl create` -> liblight -> libctrl + builder -> a running PV
# guest, and its teardown, on real Xen.
#
# What counts:
#   - xl create examples/guest.cfg (kernel/ramdisk/name/memory overridden)
#     starts a guest whose init prints LIGHTSTACK-GUEST-UP on its console
#     (seen in xenconsoled's log of that guest);
#   - xl list shows it with the right memory and vcpus, xl list -l shows its
#     stored config;
#   - xl reboot -w: the monitor daemon (lightmond) creates the guest again
#     under a new id, and it comes up;
#   - xl shutdown -w powers the rebooted guest off and returns when it is
#     gone; create again and xl destroy removes it; afterwards xenstore is
#     exactly as before;
#   - a second domain of the same name, bad configs, a missing kernel, a file
#     that is not a kernel, and an injected failure at create steps (four
#     at the quick depth, every one at the full depth) give a clear error
#     and leave nothing behind (no domain, no node);
#   - create/destroy cycles (3 quick, 20 full) keep the xenstore node
#     count, the daemons' fds and Xen's free memory flat.
. "$LIGHTSTACK_TESTLIB"

B=$LIGHTSTACK_BUILD
XL=$B/xl/xl
CFG=$LIGHTSTACK_SRC/examples/guest.cfg
[ -x "$XL" ] || skip_all "xl not built ($XL)"
[ -r "${GUEST_KERNEL:-}" ] || skip_all "no guest kernel"
[ -r "${GUEST_RAMDISK:-}" ] || skip_all "no guest ramdisk"
export XENSTORED_PATH=/run/xenstored/socket
XSLS="/usr/bin/xenstore-ls -f"
[ -x /usr/bin/xenstore-ls ] || XSLS="$B/xenstored/xenstore-ls -f"

plan 48

# Guest images on tmpfs, so the builder does not read them over 9p.
K=/tmp/60-vmlinuz
R=/tmp/60-initrd
KB=/tmp/60-bzimage
cp "$GUEST_KERNEL" $K && cp "$GUEST_RAMDISK" $R && cp "$GUEST_BZIMAGE" $KB ||
	bail "cannot copy guest images"
NAME=lc1
LOGDIR=/var/log/xen/console
export LIGHTSTACK_LOG_DIR=$RESULTS/60-monitor
mkdir -p "$LIGHTSTACK_LOG_DIR"
# One monitor daemon serves every domain (lightmond); one an earlier case
# started logs elsewhere: stop it, and the first create starts ours.
for p in $(pgrep -x lightmond); do kill "$p"; done
wait_for 30 sh -c '! pgrep -x lightmond'
MLOG=$LIGHTSTACK_LOG_DIR/lightmond.log
T="timeout 300"
ARGS="kernel=$K ramdisk=$R name=$NAME memory=128 vcpus=1"

# Every node as "path = value" (sorted).  Values of Dom0's own nodes do not
# change here, so before/after must be identical.
# The empty /vm and /libxl directories stay once the first guest made
# them, as with upstream's toolstack: they are not per-domain state.
xsdump() { $XSLS / 2>/dev/null | grep -v '^/vm = ""$' | grep -v '^/libxl = ""$' | sort; }
ndomains() { $XL list 2>/dev/null | tail -n +2 | wc -l; }
domid_of() { $XL domid "$1" 2>/dev/null; }
free_mb() { $XL info 2>/dev/null | sed -n 's/^free_memory *: *//p'; }
nfds() { ls /proc/"$1"/fd 2>/dev/null | wc -l; }
gone() { ! $XL list "$1" >/dev/null 2>&1; }

xsdump >/tmp/60-before
n0=$(ndomains)
diag "baseline: $n0 domain(s), $(wc -l </tmp/60-before) xenstore nodes"

# ---- 1. create and boot -----------------------------------------------
# This guest boots Debian's xz bzImage, as users' guests do; the others the
# ELF inside it (GUEST_KERNEL), which spares each create the decompression.
t0=$(date +%s.%N)
out=$($T "$XL" create "$CFG" $ARGS kernel=$KB 2>&1); rc=$?
t1=$(date +%s.%N)
printf '%s\n' "$out" >&2
is "$rc" 0 "xl create $CFG ($ARGS kernel=$KB) exits 0" || diag "$out"
diag "xl create took $(awk "BEGIN{printf \"%.1f\", $t1 - $t0}") s"
like "$out" "Parsing config from $CFG*" "xl create prints 'Parsing config from'"
id=$(domid_of $NAME)
like "$id" "[1-9]*" "xl domid $NAME gives the new domain's id ($id)"
# Everything below needs the domain: stop here rather than wait in vain.
[ -n "$id" ] || bail "xl create failed: $out"

line=$($XL list $NAME 2>&1 | tail -n 1)
diag "xl list: $line"
set -- $line
is "$1:$2:$3:$4" "$NAME:$id:128:1" "xl list shows name, id, 128 MB and 1 vcpu"
# Under TCG a runnable guest waiting for a CPU shows "------".
case ${5:-x} in
[r-][b-]----) pass "xl list state: not paused, not shut down ($5)" ;;
*) fail "xl list state: not paused, not shut down" "got '${5:-}'" ;;
esac

is "$(/usr/bin/xenstore-read /local/domain/$id/name 2>&1)" "$NAME" "/local/domain/$id/name"
vm=$(/usr/bin/xenstore-read /local/domain/$id/vm 2>&1)
like "$vm" "/vm/*-*-*-*-*" "/local/domain/$id/vm names /vm/<uuid>"
is "$(/usr/bin/xenstore-read $vm/name 2>&1)" "$NAME" "$vm/name"
is "$(/usr/bin/xenstore-read /local/domain/$id/memory/target 2>&1)" 131072 "memory/target in KiB"
is "$(/usr/bin/xenstore-read /local/domain/$id/cpu/0/availability 2>&1)" online "cpu/0/availability"
perms=$(XENSTORED_PATH=/run/xenstored/socket /usr/bin/xenstore-ls -p /local/domain/$id 2>/dev/null |
	grep '^name = ' | sed 's/.*(\([^()]*\))$/\1/')
is "$perms" "n0,r$id" "/local/domain/$id/name: owner dom0, guest may read"
is "$(/usr/bin/xenstore-read /local/domain/$id/console/type 2>&1)" xenconsoled "console/type"
ok "store/ring-ref and store/port written" /usr/bin/xenstore-read \
	/local/domain/$id/store/ring-ref /local/domain/$id/store/port

GLOG=$LOGDIR/guest-$NAME.log
marker() { grep -q LIGHTSTACK-GUEST-UP "$GLOG"; }
if ok "guest marker LIGHTSTACK-GUEST-UP on its console within 180 s" wait_for 180 marker; then
	t2=$(date +%s.%N)
	diag "create to marker: $(awk "BEGIN{printf \"%.1f\", $t2 - $t0}") s"
	diag "$(grep LIGHTSTACK-GUEST-UP "$GLOG" | tail -n 1 | tr -d '\r')"
else
	diag "guest log: $(tail -c 800 "$GLOG" 2>&1 | tr -d '\r' | tail -n 8)"
fi

json=$($XL list -l 2>&1)
like "$json" "*\"name\": \"$NAME\"*" "xl list -l shows the stored config"

out=$($XL create "$CFG" $ARGS 2>&1); rc=$?
like "$rc:$out" "1:*domain with name \"$NAME\" already exists*" "a second domain named $NAME is refused"
is "$(ndomains)" "$((n0 + 1))" "... and not created"

ok "xl pause" $XL pause $NAME
like "$($XL list $NAME | tail -n 1)" "*p*" "xl list shows it paused"
ok "xl unpause" $XL unpause $NAME

# ---- 2. reboot: the monitor creates it again -----------------------------
# The guest of step 1 reboots, and the one it becomes is shut down in
# step 3: one boot fewer than a guest per step.
feature() { [ "$(/usr/bin/xenstore-read /local/domain/$id/control/feature-reboot 2>/dev/null)" = 1 ]; }
wait_for 90 feature
out=$($T "$XL" reboot -w $NAME 2>&1); rc=$?
is "$rc" 0 "xl reboot -w exits 0" || diag "$out"
newid() { n=$(domid_of $NAME) && [ "$n" != "$id" ]; }
if ok "the monitor re-created $NAME under a new id" wait_for 120 newid; then
	id2=$(domid_of $NAME)
	diag "rebooted: domain $id -> $id2"
	id=$id2
	ups() { [ "$(grep -c LIGHTSTACK-GUEST-UP "$GLOG")" -ge 2 ]; }
	ok "the rebooted guest comes up again" wait_for 180 ups
else
	skip "the rebooted guest comes up again" "no new domain"
fi

# ---- 3. shutdown -w ----------------------------------------------------
# Wait until the guest's kernel listens on control/shutdown.
feature() { [ "$(/usr/bin/xenstore-read /local/domain/$id/control/feature-poweroff 2>/dev/null)" = 1 ]; }
if ! wait_for 90 feature; then
	diag "guest did not write control/feature-poweroff; its xenstore home:"
	/usr/bin/xenstore-ls -f /local/domain/$id 2>&1 | sed 's/^/#   /'
	diag "guest console: $(tail -c 1500 "$GLOG" | tr -d '\r' | tail -n 15 | tr '\n' '|')"
fi
t0=$(date +%s.%N)
out=$(timeout 150 "$XL" shutdown -w $NAME 2>&1); rc=$?
t1=$(date +%s.%N)
printf '%s\n' "$out" >&2
is "$rc" 0 "xl shutdown -w $NAME exits 0" || diag "$out"
diag "shutdown -w took $(awk "BEGIN{printf \"%.1f\", $t1 - $t0}") s"
ok "the domain is gone" gone $id || $XL destroy $id >/dev/null 2>&1
xsdump >/tmp/60-after
if cmp -s /tmp/60-before /tmp/60-after; then
	pass "xenstore after shutdown is exactly as before"
else
	fail "xenstore after shutdown is exactly as before" \
		"$(diff /tmp/60-before /tmp/60-after | head -n 20 | tr '\n' '|')"
fi
like "$(cat "$MLOG" 2>&1)" "*domain $id shut down (reason 0): destroyed*" \
	"the monitor daemon destroyed it on poweroff"

# ---- 4. create + destroy ----------------------------------------------
out=$($T "$XL" create -q "$CFG" $ARGS 2>&1); rc=$?
is "$rc" 0 "create again exits 0" || diag "$out"
id=$(domid_of $NAME)
ok "xl destroy $NAME" $XL destroy $NAME
ok "the domain is gone" gone $id
xsdump >/tmp/60-after
if cmp -s /tmp/60-before /tmp/60-after; then
	pass "xenstore after destroy is exactly as before"
else
	fail "xenstore after destroy is exactly as before" \
		"$(diff /tmp/60-before /tmp/60-after | head -n 20 | tr '\n' '|')"
fi
like "$($XL destroy $NAME 2>&1; echo rc=$?)" "*invalid domain identifier*rc=1" \
	"destroying it again: error, exit 1"

# ---- 5. bad input leaves nothing --------------------------------------
nothing_left() { # desc
	if [ "$(ndomains)" = "$n0" ] && xsdump | cmp -s /tmp/60-before -; then
		pass "$1: nothing left behind"
	else
		fail "$1: nothing left behind" \
			"domains $(ndomains) (want $n0); $(xsdump | diff /tmp/60-before - | head -n 10 | tr '\n' '|')"
	fi
}
printf 'name = "bad"\nmemory = 128\nkernel = "%s"\nvcpus = [1\n' $K >/tmp/60-syntax.cfg
out=$($XL create /tmp/60-syntax.cfg 2>&1); rc=$?
like "$rc:$out" "1:*/tmp/60-syntax.cfg:5: expected*" "syntax error: exit 1, file:line ($out)"
nothing_left "syntax error"

out=$($XL create "$CFG" $ARGS kernel=/nonexistent/vmlinuz 2>&1); rc=$?
like "$rc:$out" "1:*/nonexistent/vmlinuz*" "missing kernel: exit 1, names the file"
diag "$out"
nothing_left "missing kernel"

echo "this is not a kernel" >/tmp/60-notkernel
out=$($XL create "$CFG" $ARGS kernel=/tmp/60-notkernel 2>&1); rc=$?
like "$rc:$out" "1:*cannot build the domain*60-notkernel*" "non-kernel file: exit 1, clear error"
diag "$out"
nothing_left "non-kernel file"

out=$($XL create "$CFG" $ARGS type=hvm vga=qxl 2>&1); rc=$?
like "$rc:$out" "1:*vga: qxl needs SPICE*" "type=hvm with vga=qxl: refused, says why"
nothing_left "vga=qxl"

# Every create step failing in turn (LIGHTSTACK_CREATE_FAIL, see
# light_domain.h): the rollback must undo all of it.  Only a build
# configured with --enable-fault-injection (scripts/build) has the hook.
bad_steps=""
grep -q '^#define LIGHTSTACK_FAULT_INJECTION 1' "$B/config.h" 2>/dev/null ||
	bad_steps=" (this build lacks --enable-fault-injection: use scripts/build)"
# The quick depth injects at the first step, the build, the introduction
# and the last step (each undoes a different kind of state); the full
# depth at every one.
STEPS=$(pick "createdomain build introduce unpause" \
	"createdomain max_vcpus max_mem evtchn build xenstore introduce save_config unpause")
nsteps=$(echo $STEPS | wc -w)
for step in $STEPS; do
	out=$(LIGHTSTACK_CREATE_FAIL=$step $T "$XL" create -e "$CFG" $ARGS 2>&1); rc=$?
	case $rc:$out in
	1:*"create step $step: injected failure"*) ;;
	*) bad_steps="$bad_steps $step(rc=$rc:$out)" ;;
	esac
	if [ "$(ndomains)" != "$n0" ] || ! xsdump | cmp -s /tmp/60-before -; then
		bad_steps="$bad_steps $step(left:$(xsdump | diff /tmp/60-before - | head -n 5 | tr '\n' '|'))"
		$XL destroy $NAME >/dev/null 2>&1
	fi
	ls /var/lib/xen 2>/dev/null | grep -q "^userdata-d\." && bad_steps="$bad_steps $step(config file left)"
done
is "$bad_steps" "" "an injected failure at each of $nsteps create steps leaves nothing behind"

# ---- 6. create/destroy cycles stay flat -----------------------------------
# 3 at the quick depth (a leak of one node, fd or page per cycle shows),
# 20 at the full depth.
NCYC=$(pick 3 20)
sleep 1
nodes0=$(xsdump | wc -l)
xsfd0=$(nfds "${XENSTORED_PID:-0}")
xcfd0=$(nfds "${XENCONSOLED_PID:-0}")
mem0=$(free_mb)
cyc_fail=""
t0=$(date +%s)
i=1
while [ $i -le $NCYC ]; do
	out=$($T "$XL" create -q -p "$CFG" $ARGS 2>&1) || cyc_fail="$cyc_fail create$i($out)"
	$XL destroy $NAME >/dev/null 2>&1 || cyc_fail="$cyc_fail destroy$i"
	i=$((i + 1))
done
t1=$(date +%s)
diag "$NCYC create/destroy cycles took $((t1 - t0)) s"
# Teardown finishes asynchronously: xenconsoled lets go of a console
# whose domain died while it was attaching at its next rescan (10 s).  A leak
# never settles, so wait (bounded) for the counts to come back, then check.
wait_for 30 sh -c "[ \$(ps -eo args | grep -c '[x]l create') = 0 ]"
wait_for 30 sh -c "[ \$(ls /proc/${XENSTORED_PID:-0}/fd | wc -l) -le $xsfd0 ] &&
	[ \$(ls /proc/${XENCONSOLED_PID:-0}/fd | wc -l) -le $xcfd0 ]"
is "$cyc_fail" "" "$NCYC create (paused) + destroy cycles succeed"
is "$(xsdump | wc -l)" "$nodes0" "xenstore node count flat after $NCYC cycles"
is "$(nfds "${XENSTORED_PID:-0}")" "$xsfd0" "xenstored fd count flat ($xsfd0)"
is "$(nfds "${XENCONSOLED_PID:-0}")" "$xcfd0" "xenconsoled fd count flat ($xcfd0)"
mem1=$(free_mb)
diag "Xen free memory: $mem0 MB before, $mem1 MB after"
if [ -n "$mem0" ] && [ -n "$mem1" ] && [ $((mem0 - mem1)) -le 2 ]; then
	pass "Xen free memory flat after $NCYC cycles ($mem0 -> $mem1 MB)"
else
	fail "Xen free memory flat after $NCYC cycles" "$mem0 -> $mem1 MB"
fi
monitors() { ps -eo args | grep -c "[x]l create"; }
wait_for 10 sh -c "[ \$(ps -eo args | grep -c '[x]l create') = 0 ]"
is "$(monitors)" 0 "no xl create processes left"
is "$(pgrep -x lightmond | wc -l)" 1 "one monitor daemon for all $NCYC cycles"

cp "$GLOG" "$RESULTS/60-guest-$NAME.log" 2>/dev/null
rm -rf $K $R /tmp/60-*
done_testing
