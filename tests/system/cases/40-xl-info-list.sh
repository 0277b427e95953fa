#!/bin/bash
# 40-xl-info-list: our `xl` information commands against upstream's xl
# (xen-utils-4.17, in the image as a reference) in the same boot, talking
# to the same hypervisor and the same (our) xenstored.  Output must be
# identical apart from what changes between two runs: CPU times, uptimes,
# free memory, and the running/blocked state of Dom0's vCPUs.
. "$LIGHTSTACK_TESTLIB"

B=$LIGHTSTACK_BUILD
XL=$B/xl/xl
T="timeout 60"
# Debian's /usr/sbin/xl is a wrapper choosing the version's binary.
UP=/usr/lib/xen-4.17/bin/xl
[ -x $UP ] || UP=/usr/sbin/xl
# Neither is optional: our xl is what is tested, upstream's the reference
# the image always carries.  Missing, the case fails.
[ -x "$XL" ] || bail "$XL not built"
[ -x "$UP" ] || bail "no upstream xl in the image"

plan 47

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run WHO ARGS...: stdout, stderr and status into $tmp/WHO.{out,err,rc}
run() {
	who=$1
	shift
	if [ "$who" = ours ]; then bin=$XL; else bin=$UP; fi
	$T "$bin" "$@" >"$tmp/$who.out" 2>"$tmp/$who.err"
	echo $? >"$tmp/$who.rc"
}
both() {
	run ours "$@"
	run up "$@"
}
# Upstream also logs libxl's and its config-file warnings on stderr; the
# message a user reads is the last line.
lastline() { tail -n 1 "$1"; }

same_status() {
	is "$(cat $tmp/ours.rc)" "$(cat $tmp/up.rc)" "$1: same exit status ($(cat $tmp/up.rc))"
}

# --- xl list -------------------------------------------------------------
# The Time(s) column (last) always differs; r/b of a running Dom0 may.
strip_list() {
	sed -E 's/ +[0-9]+\.[0-9]$//; s/     [rb-][b-]([p-][s-].[d-])  /     ..\1  /' "$1"
}
both list
same_status "xl list"
is "$(head -n 1 $tmp/ours.out)" "$(head -n 1 $tmp/up.out)" "xl list: header line identical"
is "$(strip_list $tmp/ours.out)" "$(strip_list $tmp/up.out)" "xl list: lines identical but for times and r/b"
diag "ours: $(sed -n 2p $tmp/ours.out)"
diag "up:   $(sed -n 2p $tmp/up.out)"
like "$(sed -n 2p $tmp/ours.out)" "Domain-0                                     0 *" \
	"xl list: Domain-0 is domain 0, columns aligned to the header"

# -v adds the UUID, reason code and security label columns.
strip_v() {
	sed -E 's/  +[0-9]+\.[0-9] / /; s/     [rb-][b-]([p-][s-].[d-])  /     ..\1  /' "$1"
}
both list -v
same_status "xl list -v"
is "$(strip_v $tmp/ours.out)" "$(strip_v $tmp/up.out)" "xl list -v: identical but for times and r/b"

both list Domain-0
is "$(strip_list $tmp/ours.out)" "$(strip_list $tmp/up.out)" "xl list Domain-0: identical"
both list 0
is "$(strip_list $tmp/ours.out)" "$(strip_list $tmp/up.out)" "xl list 0: identical"

both list no-such-domain
same_status "xl list no-such-domain"
is "$(lastline $tmp/ours.err)" "$(lastline $tmp/up.err)" "xl list no-such-domain: same message"
diag "message: $(lastline $tmp/ours.err)"
both list 4321
same_status "xl list 4321"
is "$(lastline $tmp/ours.err)" "$(lastline $tmp/up.err)" "xl list 4321 (unused id): same message"
both list -q
same_status "xl list -q (bad option)"
both list a b
same_status "xl list a b (too many arguments)"

both vm-list
is "$(cat $tmp/ours.out)" "$(cat $tmp/up.out)" "xl vm-list: identical"

# --- xl info ---------------------------------------------------------------
both info
same_status "xl info"
# free_memory moves; every other line must match upstream's line for line,
# the sharing counters, free_cpus, platform_params and build_id included
# (read from Xen through libctrl, as libxl does).
grep -v '^free_memory ' $tmp/ours.out >$tmp/ours.info
grep -v '^free_memory ' $tmp/up.out >$tmp/up.info
# (Dom0 has no /dev/fd, so no process substitution here.)
cut -d' ' -f1 $tmp/ours.info >$tmp/ours.fields
missing=$(cut -d' ' -f1 $tmp/up.info | grep -vxF -f $tmp/ours.fields | tr '\n' ' ')
diag "xl info fields we leave out: ${missing:-none}"
is "$missing" "" "xl info: no field of upstream's is absent"
is "$(cat $tmp/ours.info)" "$(cat $tmp/up.info)" \
	"xl info: every line but free_memory identical, in order"
is "$(grep -cE '^(sharing_freed_memory|sharing_used_memory|free_cpus|platform_params|build_id) ' $tmp/ours.info)" 5 \
	"xl info: has the sharing, free_cpus, platform_params and build_id lines"
diag "$(grep -E '^(sharing_|free_cpus|platform_params|build_id)' $tmp/ours.info | tr '\n' ';')"
differ=$(diff $tmp/ours.info $tmp/up.info | grep '^[<>]' | head -n 8)
[ -z "$differ" ] || diag "diff: $differ"
is "$(grep -c '^free_memory ' $tmp/ours.out)" 1 "xl info: has free_memory"

both info xen_version
is "$(cat $tmp/ours.out)" "$(cat $tmp/up.out)" "xl info xen_version: identical ($(cat $tmp/up.out))"
both info xen_commandline
is "$(cat $tmp/ours.out)" "$(cat $tmp/up.out)" "xl info xen_commandline: identical"

# --- names and ids ---------------------------------------------------------
both domid Domain-0
is "$(cat $tmp/ours.out)/$(cat $tmp/ours.rc)" "$(cat $tmp/up.out)/$(cat $tmp/up.rc)" "xl domid Domain-0"
both domname 0
is "$(cat $tmp/ours.out)/$(cat $tmp/ours.rc)" "$(cat $tmp/up.out)/$(cat $tmp/up.rc)" "xl domname 0"
both domid no-such-domain
same_status "xl domid no-such-domain"
is "$(lastline $tmp/ours.err)" "$(lastline $tmp/up.err)" "xl domid no-such-domain: same message"
both domname 4321
same_status "xl domname 4321"
is "$(lastline $tmp/ours.err)" "$(lastline $tmp/up.err)" "xl domname 4321: same message"
both domid
same_status "xl domid (no argument)"
is "$(xenstore-read /tool/lightstack/names/Domain-0 2>&1)" 0 \
	"xen-init-dom0 wrote the name index entry for Domain-0"

# --- uptime ----------------------------------------------------------------
both uptime
same_status "xl uptime"
strip_up() { sed -E 's/[0-9]+ days?, //; s/ ?[0-9]+:[0-9]{2}:[0-9]{2}$/TIME/' "$1"; }
is "$(strip_up $tmp/ours.out)" "$(strip_up $tmp/up.out)" "xl uptime: identical but for the times"
diag "ours: $(tail -n 1 $tmp/ours.out)   up: $(tail -n 1 $tmp/up.out)"

# --- dmesg -----------------------------------------------------------------
both dmesg
same_status "xl dmesg"
# The ring may grow between the two reads: compare the first 50 lines.
is "$(head -n 50 $tmp/ours.out | md5sum)" "$(head -n 50 $tmp/up.out | md5sum)" \
	"xl dmesg: same text ($(wc -l <$tmp/up.out) lines)"
run ours dmesg -c
is "$(cat $tmp/ours.rc)" 0 "our xl dmesg -c succeeds"
run up dmesg
before=$(wc -l <$tmp/ours.out)
after=$(wc -l <$tmp/up.out)
ok "after our dmesg -c, upstream's dmesg shows less ($after < $before lines)" test "$after" -lt "$before"

# --- list -l with only Domain-0: nothing stored for it by either side ------
both list -l
same_status "xl list -l"
is "$(od -c $tmp/ours.out)" "$(od -c $tmp/up.out)" "xl list -l: byte-identical output"

# --- a guest: a paused, never-run domain has stable columns --------------
# Created by our xl (upstream's create needs upstream's daemons); both
# tools must then show it the same way.
G=xl40
# The guest kernel and ramdisk are the fixture's; xl create and destroy the
# product's: any of them missing fails the guest checks, never skips them.
if [ -r "${GUEST_KERNEL:-}" ] && [ -r "${GUEST_RAMDISK:-}" ] &&
    $XL help create >/dev/null 2>&1 && $XL help destroy >/dev/null 2>&1; then
	cp "$GUEST_KERNEL" /tmp/40-vmlinuz && cp "$GUEST_RAMDISK" /tmp/40-initrd
	timeout 300 $XL create -p "$LIGHTSTACK_SRC/examples/guest.cfg" \
	    kernel=/tmp/40-vmlinuz ramdisk=/tmp/40-initrd name=$G memory=96 \
	    vcpus=1 >$tmp/create.out 2>&1
	ok "our xl create -p $G" test $? -eq 0 || sed 's/^/# /' $tmp/create.out
	both list
	is "$(grep "^$G " $tmp/ours.out)" "$(grep "^$G " $tmp/up.out)" \
	    "xl list: the paused guest's line is identical, time and state included"
	diag "$(grep "^$G " $tmp/ours.out)"
	both list -v $G
	is "$(cat $tmp/ours.out)" "$(cat $tmp/up.out)" "xl list -v $G: identical (UUID too)"
	both domid $G
	is "$(cat $tmp/ours.out)" "$(cat $tmp/up.out)" "xl domid $G: identical"
	id=$(cat $tmp/up.out)
	both domname "$id"
	is "$(cat $tmp/ours.out)" "$G" "xl domname $id: $G, as upstream ($(cat $tmp/up.out))"
	both list "$id"
	is "$(cat $tmp/ours.out)" "$(cat $tmp/up.out)" "xl list $id: identical"
	both uptime $G
	is "$(strip_up $tmp/ours.out)" "$(strip_up $tmp/up.out)" "xl uptime $G: identical but for the time"
	diag "ours: $(tail -n 1 $tmp/ours.out)   up: $(tail -n 1 $tmp/up.out)"
	both vm-list
	is "$(cat $tmp/ours.out)" "$(cat $tmp/up.out)" "xl vm-list with a guest: identical"
	timeout 120 $XL destroy $G >/dev/null 2>&1
	both list $G
	is "$(cat $tmp/ours.rc)/$(lastline $tmp/ours.err)" "$(cat $tmp/up.rc)/$(lastline $tmp/up.err)" \
	    "after destroy, xl list $G: same error as upstream"
else
	why="GUEST_KERNEL/GUEST_RAMDISK unreadable or our xl lacks create/destroy"
	for i in 1 2 3 4 5 6 7 8 9; do fail "guest check $i" "$why"; done
fi

# --- cost, for the record (not a test point: TCG timings vary) ------------
# $XL is libtool's wrapper script (a bash run before the real program);
# time the real binary, as installed it would run.
REAL=$XL
LIBS=$B/liblight/.libs:$B/libctrl/.libs:$B/xenstored/.libs
[ -x $B/xl/.libs/xl ] && REAL=$B/xl/.libs/xl
t0=$(cut -d' ' -f1 /proc/uptime)
for i in 1 2 3 4 5; do LD_LIBRARY_PATH=$LIBS $REAL list >/dev/null 2>&1; done
t1=$(cut -d' ' -f1 /proc/uptime)
for i in 1 2 3 4 5; do $UP list >/dev/null 2>&1; done
t2=$(cut -d' ' -f1 /proc/uptime)
diag "5 x xl list: ours $(awk -v a=$t0 -v b=$t1 'BEGIN{print b-a}') s, upstream $(awk -v a=$t1 -v b=$t2 'BEGIN{print b-a}') s"

done_testing
