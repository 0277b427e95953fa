#!/bin/sh
# 84-memory: a guest's memory after create, and Dom0 autoballoon.
#
# A guest created with memory=128, maxmem=256 boots with 128 MiB and a
# memory map of 256; its xenstore nodes are libxl's.  `xl mem-set` moves
# memory/target and the guest's balloon driver follows: the guest's own
# MemTotal (read on its console) and `xl list` go down to 96 MiB, then up
# past the boot size to 200 MiB; `xl list -l` (ours and upstream's) shows
# the new target, and after `xl mem-max` the new max_memkb (static-max,
# which then bounds mem-set).  Above maxmem, a bad size, a limit below
# the target and Dom0 below 128 MiB are refused with upstream's messages
# and change nothing.
#
# Autoballoon: a guest larger than Xen's free memory.  With
# autoballoon="auto", and this Xen's command line has dom0_mem=, so it is
# off: the create fails, leaves no domain and Dom0 keeps its memory.  With
# autoballoon="on" in /etc/xen/xl.conf the create shrinks Dom0 (its
# memory/target and what Xen gives it) and succeeds; a create that fails
# after that (fault injection) gives Dom0 its target back.
#
# At the quick depth that failure is injected at createdomain, the step
# after the balloon (before the big guest's memory is populated); the
# full depth also injects it at the last step, unpause, after the whole
# guest is built.
. "$LIGHTSTACK_TESTLIB"

B=$LIGHTSTACK_BUILD
XSR="$B/xenstored/xenstore-read"
XSW="$B/xenstored/xenstore-write"
XSX="$B/xenstored/xenstore-exists"
NAME=mem-test-$$
BIG=mem-big-$$
W=/tmp/mem-$$
XLCONF=/etc/xen/xl.conf

[ -n "${GUEST_KERNEL:-}" ] && [ -r "$GUEST_KERNEL" ] || bail "no GUEST_KERNEL"
[ -n "${GUEST_RAMDISK:-}" ] && [ -r "$GUEST_RAMDISK" ] || bail "no GUEST_RAMDISK"
have xl || bail "xl not on PATH"
mkdir -p "$W" /etc/xen
# xl takes its create lock in /var/lock (-> /run/lock), which this Dom0's
# minimal init does not make.
[ -d /var/lock/. ] || mkdir -p /run/lock
# The image has upstream's xl.conf: keep it aside, put it back at the end.
[ ! -e "$XLCONF" ] || cp -p "$XLCONF" "$W/xl.conf.orig" || bail "cannot save $XLCONF"

cleanup() {
	xl destroy "$NAME" >/dev/null 2>&1
	xl destroy "$BIG" >/dev/null 2>&1
	if [ -e "$W/xl.conf.orig" ]; then cp -p "$W/xl.conf.orig" "$XLCONF"; else rm -f "$XLCONF"; fi
	[ -z "${dom0_target0:-}" ] || $XSW /local/domain/0/memory/target "$dom0_target0" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

# ---- helpers ----------------------------------------------------------

writecfg() {   # writecfg FILE NAME MEMORY [MAXMEM]
	cat >"$1" <<EOF
name = "$2"
kernel = "$GUEST_KERNEL"
ramdisk = "$GUEST_RAMDISK"
extra = "console=hvc0"
memory = $3
vcpus = 1
EOF
	[ -z "${4:-}" ] || echo "maxmem = $4" >>"$1"
}

UP=/usr/lib/xen-4.17/bin/xl
[ -x $UP ] || UP=/usr/sbin/xl
# b_info.$3 of `$1 list -l $2` (our xl or upstream's): the domain as it is
# now, as libxl_retrieve_domain_configuration gives it.
binfo() {
	"$1" list -l "$2" 2>/dev/null | python3 -c "
import json, sys
print(json.load(sys.stdin)[0]['config']['b_info'].get('$3'))" 2>&1
}

# `xl list`'s Mem column (MiB) of domain $1.
list_mem() { xl list "$1" 2>/dev/null | awk 'NR == 2 { print $3 }'; }
# Xen's free memory (MiB), as `xl info` shows it.
free_mb() { xl info 2>/dev/null | awk '$1 == "free_memory" { print $3 }'; }
# What Xen gives Dom0 now, in KiB (xl list's Mem is MiB: too coarse).
dom0_mem_mb() { list_mem 0; }

# Console, as 80-disks drives it: gcmd TAG CMD, gwait TAG PATTERN.
attach_console() {
	fifo=$W/fifo out=$W/out
	rm -f "$fifo" "$out"
	mkfifo "$fifo"
	xenconsole "$1" <"$fifo" >"$out" 2>"$W/out.err" &
	xc=$!
	exec 4>"$fifo"
}
detach_console() {
	printf '\035' >&4
	exec 4>&-
	sleep 1
	kill "$xc" 2>/dev/null
	wait "$xc" 2>/dev/null
}
gcmd() { printf '%s\n' "$2" >&4; }
gline_of() { tr -d '\r' <"$out" | grep "^$1:" | tail -n 1; }
gwait() {
	_t=$1 _p=$2
	_seen() { gline=$(gline_of "$_t"); [ -n "$gline" ]; }
	wait_for "${3:-180}" _seen || return 1
	case ${gline#"$_t":} in
	$_p) return 0 ;;
	esac
	return 1
}

# The guest's MemTotal in KiB, asked fresh each time (a new tag per read).
mt_n=0
memtotal() {
	mt_n=$((mt_n + 1))
	gcmd "MT$mt_n" "echo MT$mt_n:\$(grep MemTotal /proc/meminfo | tr -dc 0-9)"
	gwait "MT$mt_n" "[0-9]*" "${1:-120}" || { echo ""; return 1; }
	echo "${gline#MT$mt_n:}"
}
# Wait up to $1 s until the guest's MemTotal satisfies the test "$2 $3"
# (e.g. -lt 100000); the last value read is left in $mt.
wait_memtotal() {
	_end=$(($(date +%s) + $1))
	while :; do
		mt=$(memtotal 60)
		[ -n "$mt" ] && [ "$mt" "$2" "$3" ] && return 0
		[ "$(date +%s)" -lt "$_end" ] || return 1
		sleep 3
	done
}
# Wait up to $1 s until `xl list` shows domain $2 with Mem (MiB) $3 $4.
wait_list_mem() {
	_end=$(($(date +%s) + $1))
	while :; do
		lm=$(list_mem "$2")
		[ -n "$lm" ] && [ "$lm" "$3" "$4" ] && return 0
		[ "$(date +%s)" -lt "$_end" ] || return 1
		sleep 2
	done
}

# ---- 1. memory=128, maxmem=256 ----------------------------------------
writecfg "$W/g.cfg" "$NAME" 128 256
o=$(timeout 600 xl create "$W/g.cfg" 2>&1); rc=$?
is "$rc" 0 "xl create of a guest with maxmem > memory exits 0" || diag "$o"
domid=$(xl domid "$NAME" 2>/dev/null)
case $domid in
''|*[!0-9]*) fail "the guest exists" "no domid"; done_testing ;;
esac
D=/local/domain/$domid
is "$($XSR $D/memory/static-max)" 262144 "memory/static-max is maxmem in KiB"
is "$($XSR $D/memory/target)" 131072 "memory/target is memory in KiB"
is "$($XSR $D/memory/videoram)" 0 "memory/videoram is 0, as libxl writes it for PV"
lm=$(list_mem "$domid")
ok "xl list shows about 128 MiB ($lm)" test "${lm:-0}" -ge 126 -a "${lm:-0}" -le 130

attach_console "$domid"
mt0=$(memtotal 400)
case $mt0 in
''|*[!0-9]*) fail "the guest reports its MemTotal" "console: $(tr -d '\r' <"$out" | tail -n 5 | tr '\n' '|')" ;;
*) pass "the guest reports its MemTotal ($mt0 kB)" ;;
esac
mt0=${mt0:-0}
# The kernel and its initramfs keep much of the 128 MiB (a run showed
# 79364 kB); what matters is that it is not maxmem's 256.
ok "the guest boots with about memory, not maxmem ($mt0 kB)" \
	test "$mt0" -gt 60000 -a "$mt0" -le 131072

# ---- 2. mem-set down ----------------------------------------------------
o=$(xl mem-set "$NAME" 96 2>&1); rc=$?
is "$rc" 0 "xl mem-set NAME 96 exits 0" || diag "$o"
is "$($XSR $D/memory/target)" 98304 "mem-set 96: memory/target is 98304"
uuid_vm=$($XSR $D/vm)
is "$($XSR "$uuid_vm/memory" 2>/dev/null)" 96 "mem-set 96: /vm/UUID/memory is 96 (MiB), as libxl"
wait_memtotal 300 -le $((mt0 - 30000)); rc=$?
is "$rc" 0 "the guest's MemTotal follows down ($mt0 -> $mt kB)"
wait_list_mem 120 "$domid" -le 98; rc=$?
is "$rc" 0 "xl list follows down ($lm MiB)"

# ---- 3. mem-set up, past the boot size (room from maxmem) --------------
o=$(xl mem-set "$NAME" 200m 2>&1); rc=$?
is "$rc" 0 "xl mem-set NAME 200m exits 0" || diag "$o"
is "$($XSR $D/memory/target)" 204800 "mem-set 200m: memory/target is 204800"
wait_memtotal 300 -ge $((mt0 + 60000)); rc=$?
is "$rc" 0 "the guest's MemTotal grows past its boot size ($mt0 -> $mt kB)"
wait_list_mem 120 "$domid" -ge 190; rc=$?
is "$rc" 0 "xl list follows up ($lm MiB)"
is "$(binfo xl $NAME target_memkb) $(binfo xl $NAME max_memkb)" "204800 262144" \
	"list -l after mem-set 200m: target_memkb and max_memkb"
is "$(binfo $UP $NAME target_memkb) $(binfo $UP $NAME max_memkb)" "204800 262144" \
	"... and upstream's list -l says the same"

# ---- 4. refusals --------------------------------------------------------
o=$(xl mem-set "$NAME" 300 2>&1); rc=$?
is "$rc" 1 "mem-set above maxmem exits 1"
like "$o" "cannot set domid $domid dynamic max memory to : 300*memory_dynamic_max must be less than or equal to memory_static_max*" \
	"mem-set above maxmem: upstream's message and the reason"
is "$(printf '%s\n' "$o" | wc -l)" 1 "mem-set above maxmem: one line"
is "$($XSR $D/memory/target)" 204800 "a refused mem-set leaves memory/target"
o=$(xl mem-set "$NAME" 12q 2>&1); rc=$?
is "$rc" 1 "mem-set with a bad size exits 1"
is "$o" "invalid memory size: 12q" "mem-set with a bad size: upstream's message"
o=$(xl mem-set "$NAME" 1.5g 2>&1); rc=$?
is "$rc:$o" "1:invalid memory size: 1.5g" "mem-set with a fraction is refused"
o=$(xl mem-max "$NAME" 100 2>&1); rc=$?
is "$rc" 1 "mem-max below the target exits 1"
like "$o" "cannot set domid $domid static max memory to : 100*" "mem-max below the target: upstream's message"
o=$(xl mem-max "$NAME" 230 2>&1); rc=$?
is "$rc" 0 "mem-max NAME 230 exits 0" || diag "$o"
is "$(binfo xl $NAME max_memkb) $(binfo $UP $NAME max_memkb)" "235520 235520" \
	"list -l after mem-max 230: max_memkb, ours and upstream's"
o=$(xl mem-set "$NAME" 240 2>&1); rc=$?
is "$rc $($XSR $D/memory/static-max)" "1 235520" "mem-set above the new static-max (240 > 230) is refused, static-max stays"
o=$(xl mem-set nosuch-$$ 100 2>&1); rc=$?
is "$rc:$o" "1:nosuch-$$ is an invalid domain identifier (rc=-6)" "mem-set of an unknown domain"

# Dom0: its nodes are filled from Xen on first use; not below 128 MiB.
o=$(xl mem-set 0 64 2>&1); rc=$?
is "$rc" 1 "mem-set Dom0 below 128 MiB exits 1"
like "$o" "*for dom0 is below the minimum threshold*" "mem-set Dom0 below 128 MiB: libxl's reason"
dom0_target0=$($XSR /local/domain/0/memory/target 2>/dev/null)
d0=$(dom0_mem_mb)
ok "Dom0's memory/target was filled from Xen ($dom0_target0 kB, Xen: $d0 MiB)" \
	test -n "$dom0_target0" -a $((${dom0_target0:-0} / 1024)) -ge $((${d0:-1} - 2)) -a $((${dom0_target0:-0} / 1024)) -le $((${d0:-0} + 2))

detach_console
o=$(timeout 120 xl destroy "$NAME" 2>&1); rc=$?
is "$rc" 0 "the guest is destroyed" || diag "$o"

# ---- 5. autoballoon ----------------------------------------------------
# Wait for the destroyed guest's memory to come back to Xen.
sleep 3
f=$(free_mb)
big=$(( ${f:-0} + 160 ))
diag "Xen free: $f MiB; big guest: $big MiB; Dom0 target $dom0_target0 kB, Xen gives it $(dom0_mem_mb) MiB"
writecfg "$W/big.cfg" "$BIG" "$big"

# "auto" (xl.conf's default) with dom0_mem= on Xen's command line: off.
echo 'autoballoon="auto"' >"$XLCONF"
xen_cmdline=$(xl info 2>/dev/null | awk -F': ' '$1 ~ /^xen_commandline/ { print $2 }')
like "$xen_cmdline" "*dom0_mem=*" "Xen's command line sets dom0_mem= (so auto is off)"
o=$(timeout 900 xl create -p "$W/big.cfg" 2>&1); rc=$?
o1=$(printf '%s' "$o" | tr '\n' ' ' | cut -c1-200)
ok "autoballoon auto: a guest bigger than free memory is refused ($rc: $o1)" test "$rc" -ne 0
ok "autoballoon auto: no domain is left" sh -c "! xl domid '$BIG' >/dev/null 2>&1"
is "$($XSR /local/domain/0/memory/target)" "$dom0_target0" "autoballoon auto: Dom0's target is unchanged"

# autoballoon="on" in xl.conf: Dom0 shrinks, the guest fits.
echo 'autoballoon="on"' >"$XLCONF"
o=$(timeout 900 xl create -p "$W/big.cfg" 2>&1); rc=$?
is "$rc" 0 "autoballoon on: the big guest is created" || diag "$o"
t=$($XSR /local/domain/0/memory/target)
ok "autoballoon on: Dom0's target went down ($dom0_target0 -> $t kB)" \
	test "${t:-0}" -lt $((dom0_target0 - 100000)) -a "${t:-0}" -ge 131072
d0=$(dom0_mem_mb)
ok "autoballoon on: Xen gives Dom0 less ($d0 MiB)" test "${d0:-9999}" -le $((t / 1024 + 2))
lm=$(list_mem "$BIG")
ok "autoballoon on: the guest has its memory ($lm MiB of $big)" test "${lm:-0}" -ge $((big - 2))
timeout 300 xl destroy "$BIG" >/dev/null 2>&1

# A create that fails after ballooning gives Dom0 its target back.  Each
# time Dom0 first grows back, so that the create has to balloon it again.
for step in $(pick createdomain "createdomain unpause"); do
	$XSW /local/domain/0/memory/target "$dom0_target0"
	wait_list_mem 300 0 -ge $((dom0_target0 / 1024 - 4)); rc=$?
	is "$rc" 0 "Dom0 balloons back up when its target is put back ($lm MiB)"
	sleep 3
	o=$(LIGHTSTACK_CREATE_FAIL=$step timeout 900 xl create -p "$W/big.cfg" 2>&1); rc=$?
	like "$rc:$o" "[1-9]*create step $step: injected failure*" \
		"autoballoon on, injected failure at $step: the create fails ($rc)"
	is "$($XSR /local/domain/0/memory/target)" "$dom0_target0" \
		"autoballoon on, failed create at $step: Dom0's target is given back"
	ok "autoballoon on, failed create at $step: no domain is left" \
		sh -c "! xl domid '$BIG' >/dev/null 2>&1"
	xl destroy "$BIG" >/dev/null 2>&1
done

done_testing
