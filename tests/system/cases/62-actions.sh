#!/bin/sh
# 62-actions: every on_* action applied by the one monitor daemon,
# lightmond(8), on real Xen.
#
# What counts:
#   - on_crash (the guest panics: `xl sysrq D c`) = destroy, restart,
#     preserve, rename-restart, coredump-destroy, coredump-restart each do
#     what xl.cfg(5) says; a core file is an ELF in /var/lib/xen/dump/<name>;
#   - on_poweroff = preserve and restart, on_reboot = destroy;
#   - rename-restart keeps the old domain as <name>-YYYYMMDDTHHMMZ with
#     another uuid, the new one has the name and the old uuid;
#   - lightmond survives its own restart: a guest that crashes while no
#     daemon runs gets its action once one starts again;
#   - xl create -e leaves the domain unmonitored, -F makes xl its monitor
#     and the daemon keeps out;
#   - guests created concurrently while no daemon runs: exactly one
#     lightmond afterwards, and each one's on_poweroff honoured.
# At the quick depth (CI) six guests cover the actions: on_crash = preserve,
# restart, rename-restart and coredump-destroy, on_poweroff = preserve and
# on_reboot = destroy, and four guests are created concurrently.  The full
# depth adds on_crash = destroy and coredump-restart and on_poweroff =
# restart (the same code paths with another action word, and a second
# core) and creates ten concurrently.
# Soft reset is not exercised: a PV guest cannot be made to request one here.
. "$LIGHTSTACK_TESTLIB"

B=$LIGHTSTACK_BUILD
XL=$B/xl/xl
MOND=${LIGHTSTACK_LIGHTMOND:-$B/lightmond/lightmond}
CFG=$LIGHTSTACK_SRC/examples/guest.cfg
[ -x "$XL" ] || skip_all "xl not built"
[ -x "$MOND" ] || skip_all "lightmond not built ($MOND)"
[ -r "${GUEST_KERNEL:-}" ] && [ -r "${GUEST_RAMDISK:-}" ] || skip_all "no guest images"
export XENSTORED_PATH=/run/xenstored/socket
XSR=/usr/bin/xenstore-read
[ -x $XSR ] || XSR=$B/xenstored/xenstore-read


K=/tmp/62-vmlinuz
R=/tmp/62-initrd
cp "$GUEST_KERNEL" $K && cp "$GUEST_RAMDISK" $R || bail "cannot copy guest images"
export LIGHTSTACK_LOG_DIR=$RESULTS/62-monitor
mkdir -p "$LIGHTSTACK_LOG_DIR"
MLOG=$LIGHTSTACK_LOG_DIR/lightmond.log
DUMP=/var/lib/xen/dump
CONS=/var/log/xen/console
T="timeout 600"
# sysrq_always_enabled: Debian's kernel allows only some sysrq keys by
# default (kernel.sysrq = 438), not 'c' (crash).
ARGS="kernel=$K ramdisk=$R memory=96 vcpus=1"
CMDLINE='cmdline="console=hvc0 quiet sysrq_always_enabled"'


domid_of() { $XL domid "$1" 2>/dev/null; }
gone() { ! $XL list "$1" >/dev/null 2>&1; }
state_of() { $XL list "$1" 2>/dev/null | tail -n 1 | awk '{print $5}'; }
uuid_of() { $XSR "$($XSR /local/domain/$1/vm 2>/dev/null)/uuid" 2>/dev/null; }
record() { $XSR /libxl/$1/monitor 2>/dev/null; }
mond_pids() { pgrep -x lightmond | tr '\n' ' '; }
nmond() { pgrep -x lightmond | wc -l; }
stop_mond() {
	for p in $(pgrep -x lightmond); do kill "$p"; done
	wait_for 30 sh -c '! pgrep -x lightmond'
}
up() { grep -q LIGHTSTACK-GUEST-UP "$CONS/guest-$1.log" 2>/dev/null; }
ready() { [ "$($XSR /local/domain/$(domid_of $1)/control/feature-poweroff 2>/dev/null)" = 1 ]; }
newid() { n=$(domid_of "$1") && [ "$n" != "$2" ]; }
crashed() { case $(state_of "$1") in *c*) return 0 ;; esac; return 1; }
shutoff() { case $(state_of "$1") in *s*) return 0 ;; esac; return 1; }
create() { # name, extra args...
	n=$1; shift
	rm -f "$CONS/guest-$n.log"
	$T "$XL" create -q "$CFG" $ARGS "$CMDLINE" name=$n "$@" >&2 || diag "create $n failed"
}
cleanup() {
	for d in $($XL list 2>/dev/null | awk 'NR > 2 && $1 ~ /^(a|b|c|t)[0-9]/ {print $2}'); do
		timeout 60 $XL destroy "$d" >/dev/null 2>&1
	done
	rm -rf $K $R /tmp/62-* $DUMP/a5 $DUMP/a6
}
trap cleanup EXIT

# A fresh daemon with this case's log.
stop_mond
rm -rf $DUMP/a5 $DUMP/a6

# ---- 1. nine guests, one daemon ----------------------------------------
# In parallel: under TCG on a loaded host one create takes a minute.
A_GUESTS=$(pick "a2 a3 a4 a5" "a1 a2 a3 a4 a5 a6")
B_GUESTS=$(pick "b1 b3" "b1 b2 b3")
GUESTS="$A_GUESTS $B_GUESTS"
ng=$(echo $GUESTS | wc -w)
full && create a1 on_crash=destroy &
create a2 on_crash=restart &
create a3 on_crash=preserve &
create a4 on_crash=rename-restart &
create a5 on_crash=coredump-destroy &
full && create a6 on_crash=coredump-restart &
create b1 on_poweroff=preserve &
full && create b2 on_poweroff=restart &
create b3 on_reboot=destroy &
wait
is "$(nmond)" 1 "$ng creates: exactly one lightmond ($(mond_pids))"
is "$(record $(domid_of a2))" daemon "/libxl/D/monitor records the daemon"
all_ready() { for g in $GUESTS; do ready $g || return 1; done; }
ok "all $ng guests up (control/feature-poweroff) within 600 s" wait_for 600 all_ready
for g in $GUESTS; do
	eval "id_$g=\$(domid_of $g)"
done
u4=$(uuid_of $id_a4)

# ---- 2. on_crash --------------------------------------------------------
for g in $A_GUESTS; do
	$XL sysrq $g c >&2 || diag "xl sysrq $g c failed"
done
full && ok "on_crash=destroy: a1 is gone" wait_for 120 gone $id_a1
ok "on_crash=restart: a2 runs again under a new id" wait_for 180 newid a2 $id_a2
ok "on_crash=preserve: a3 stays, crashed" wait_for 120 crashed a3
is "$(domid_of a3)" "$id_a3" "... with its id"
# The daemon takes the crashes one at a time (two of them write cores),
# so the record may change a while after Xen shows the crash.
rec_is() { [ "$(record $1)" = "$2" ]; }
ok "... and its record says preserved" wait_for 900 rec_is $id_a3 preserved ||
	diag "record: $(record $id_a3)"
ok "on_crash=coredump-destroy: a5 is gone" wait_for 900 gone $id_a5
ok "... its core is in $DUMP/a5" test -s $DUMP/a5
is "$(head -c 4 $DUMP/a5 | od -An -c | tr -d ' ')" '177ELF' "... and is an ELF file"
if have readelf; then
	like "$(readelf -S -W $DUMP/a5 2>&1)" "*.xen_pages*" "... with a .xen_pages section"
else
	skip "... with a .xen_pages section" "no readelf"
fi
if full; then
	ok "on_crash=coredump-restart: a6 runs again under a new id" wait_for 900 newid a6 $id_a6
	ok "... its core is in $DUMP/a6" test -s $DUMP/a6
fi
ok "on_crash=rename-restart: a4 runs again under a new id" wait_for 180 newid a4 $id_a4
old4=$($XL list 2>/dev/null | awk -v id=$id_a4 '$2 == id {print $1}')
like "$old4" "a4-20[0-9][0-9][01][0-9][0-3][0-9]T[0-2][0-9][0-5][0-9]Z" \
	"... the old domain $id_a4 is kept as a4-YYYYMMDDTHHMMZ"
crashed_id() { $XL list 2>/dev/null | awk -v id=$id_a4 '$2 == id {print $5}' | grep -q c; }
ok "... still crashed" crashed_id
is "$(uuid_of $(domid_of a4))" "$u4" "... the new a4 has the old uuid"
u4old=$(uuid_of $id_a4)
if [ -n "$u4old" ] && [ "$u4old" != "$u4" ]; then
	pass "... the kept one has a new uuid ($u4old)"
else
	fail "... the kept one has a new uuid" "got '$u4old' (was $u4)"
fi
like "$(cat $MLOG)" "*domain $id_a5 shut down (reason 3): destroyed (coredump-destroy); core dumped to $DUMP/a5*" \
	"the log says what was done to a5"

# ---- 3. on_poweroff, on_reboot -------------------------------------------
$XL shutdown b1 >&2
full && $XL shutdown b2 >&2
$XL reboot b3 >&2
ok "on_poweroff=preserve: b1 stays, shut down" wait_for 120 shutoff b1
full && ok "on_poweroff=restart: b2 runs again under a new id" wait_for 180 newid b2 $id_b2
ok "on_reboot=destroy: b3 is gone" wait_for 120 gone $id_b3
ok "xl destroy removes the preserved b1" $XL destroy b1
ok "... and the preserved a3" $XL destroy a3
ok "... and the kept a4" $XL destroy $id_a4
for g in a2 a4 a6 b2; do $XL destroy $g >/dev/null 2>&1; done

# ---- 4. the daemon restarts ---------------------------------------------
create t1 on_crash=destroy
ok "t1 up" wait_for 300 ready t1
idt=$(domid_of t1)
stop_mond
is "$(nmond)" 0 "lightmond stopped (SIGTERM)"
$XL sysrq t1 c >&2
ok "t1 crashed and, with no daemon, stays" wait_for 120 crashed t1
ok "lightmond started by hand exits 0 once it runs" timeout 60 $MOND
ok "... it applies t1's action it missed: t1 is gone" wait_for 120 gone $idt
ok "a second lightmond exits 0 at once" timeout 30 $MOND
is "$(nmond)" 1 "... and there is still one ($(mond_pids))"

# ---- 5. -e and -F ------------------------------------------------------------
$T "$XL" create -q -e -p "$CFG" $ARGS name=c1 on_poweroff=destroy >&2
ide=$(domid_of c1)
is "$(record $ide)" none "xl create -e: record none"
$XL shutdown -F c1 >&2
sleep 5
ok "... shut down, and nobody destroys it" shutoff c1
$XL destroy c1 >/dev/null 2>&1
$T "$XL" create -F -p "$CFG" $ARGS name=c2 on_poweroff=destroy >/tmp/62-fg.out 2>&1 &
fg=$!
wait_for 600 domid_of c2
idf=$(domid_of c2)
is "$(record $idf)" caller "xl create -F: record caller"
$XL shutdown -F c2 >&2
ok "... the foreground xl destroys it" wait_for 120 gone $idf
gone_at=$(date +%T)
# Its domain gone, the foreground xl has nothing left to do: it must
# exit (a few seconds under TCG; its destroy waits at most 10 s for Xen
# to let the domain go).  Two early runs saw it linger for minutes; no
# run since has (22 tries in a row on a quiet and on a loaded Dom0, and
# every full run), and the cause was not found.  So it is a test point
# again, and if it lingers, what it waits on is shown (its kernel stack,
# fds and a few seconds of strace) before it is stopped, so the case
# cannot hang on it and the run says why.
fg_done() { ! kill -0 $fg 2>/dev/null; }
if wait_for 30 fg_done; then
	wait $fg
	is "$?" 0 "... and exits 0 within 30 s of its domain's end"
else
	fail "... and exits 0 within 30 s of its domain's end" "still running"
	for p in $(pgrep -P $fg); do
		diag "xl pid $p wchan $(cat /proc/$p/wchan 2>/dev/null)"
		sed 's/^/#   stack: /' /proc/$p/stack 2>/dev/null
		ls -l /proc/$p/fd 2>&1 | sed 's/^/#   fd: /'
		timeout 5 strace -tt -p $p 2>&1 | tail -n 30 | sed 's/^/#   strace: /'
	done
	kill $fg 2>/dev/null
	wait $fg 2>/dev/null
fi
diag "its domain gone by $gone_at; its log (to $(date +%T)):"
sed 's/^/#   fg: /' /tmp/62-fg.out
# Kept out = took no action on it; the daemon may still note that the
# domain it saw is gone.
if grep -q "domain $idf shut down" $MLOG; then
	fail "... and the daemon kept out" "$(grep "domain $idf " $MLOG | head -n 2)"
else
	pass "... and the daemon kept out"
fi

# ---- 6. concurrent creates, one daemon ----------------------------------------
NCON=$(pick 4 10)
stop_mond
i=0
while [ $i -lt $NCON ]; do
	act=destroy; [ $((i % 2)) = 1 ] && act=preserve
	timeout 1200 "$XL" create -q -p "$CFG" $ARGS name=t1$i on_poweroff=$act >/tmp/62-c$i.out 2>&1 &
	i=$((i + 1))
done
wait
n=$($XL list 2>/dev/null | grep -c '^t1[0-9] ')
is "$n" $NCON "$NCON guests created concurrently"
is "$(nmond)" 1 "exactly one lightmond ($(mond_pids))"
ALLI=$(seq 0 $((NCON - 1)))
for i in $ALLI; do
	eval "id10_$i=\$(domid_of t1$i)"
	$XL shutdown -F t1$i >&2
done
bad=""
for i in $ALLI; do
	eval "d=\$id10_$i"
	if [ $((i % 2)) = 0 ]; then
		wait_for 120 gone $d || bad="$bad t1$i(not destroyed)"
	else
		wait_for 120 shutoff t1$i || bad="$bad t1$i(not shut down)"
		[ "$(record $d)" = preserved ] || bad="$bad t1$i(record $(record $d))"
	fi
done
is "$bad" "" "each one's on_poweroff honoured ($((NCON / 2)) destroyed, $((NCON / 2)) preserved)"
is "$(nmond)" 1 "still one lightmond"
for i in $ALLI; do $XL destroy t1$i >/dev/null 2>&1; done

cp "$MLOG" "$RESULTS/62-lightmond.log" 2>/dev/null
stop_mond
done_testing
