#!/bin/sh
# 64-domctl-cmds: xl dump-core, rename, sysrq, trigger on a real PV guest,
# and destroy of a paused and of a preserved (shut down) domain.
#
# One busybox guest (on_poweroff = "preserve") boots; a marker string is
# put together inside the guest (its two halves typed apart, so the whole
# never crosses the console) and written to a file in its tmpfs.  Then:
#   - `xl dump-core` writes an ELF core that readelf reads, with upstream's
#     sections in upstream's order, whose .xen_pages hold the marker; the
#     section table and the p2m equal those of upstream's own `xl
#     dump-core` of the same domain; the guest is running again after it,
#     and a paused guest stays paused; a bad path fails leaving no file;
#   - `xl rename` moves the name everywhere (xenstore, /vm, the index, the
#     stored config) and upstream's xl finds the domain by its new name;
#     an existing name is refused;
#   - `xl sysrq h` makes the guest kernel print its sysrq help on its
#     console (xenconsoled's log) and clear control/sysrq;
#   - `xl trigger nmi` is delivered; reset/power are refused with Xen's
#     answer, an unknown trigger by name;
#   - `xl shutdown` leaves the guest preserved, `xl destroy` removes it and
#     every node and file it had; the same for a guest created paused.
. "$LIGHTSTACK_TESTLIB"

B=$LIGHTSTACK_BUILD
XSR="$B/xenstored/xenstore-read"
XSW="$B/xenstored/xenstore-write"
UP=/usr/lib/xen-4.17/bin/xl
LOGDIR=/var/log/xen/console
STATE=${LIGHTSTACK_STATE_DIR:-/var/lib/lightstack}
N1=dc-a-$$
N1B=dc-renamed-$$
N2=dc-b-$$
CORE=/tmp/$N1.core
UPCORE=/tmp/$N1.upcore
# vcpu_guest_context of an x86_64 guest: one .xen_prstatus record.
CTX_SIZE=5168

plan 40

[ -n "${GUEST_KERNEL:-}" ] && [ -r "$GUEST_KERNEL" ] || bail "no GUEST_KERNEL"
[ -n "${GUEST_RAMDISK:-}" ] && [ -r "$GUEST_RAMDISK" ] || bail "no GUEST_RAMDISK"
have readelf || bail "no readelf in Dom0 (binutils in mkimage)"
[ -x "$UP" ] || bail "no upstream xl in the image"

cleanup() {
	for n in "$N1" "$N1B" "$N2"; do
		d=$(xl domid "$n" 2>/dev/null) && timeout 120 xl destroy "$d" >&2
	done
	rm -f "$CORE" "$UPCORE" /tmp/$N1.* /tmp/$N2.*
}

# A domain's state letters as our `xl list` prints them ("r-----").
state() { xl list "$1" 2>/dev/null | awk 'NR == 2 { print $5 }'; }
# Every trace of domain $1 (uuid $2, name $3) is gone.
nothing_left() {
	! xl list "$1" >/dev/null 2>&1 &&
	! $XSR "/local/domain/$1/name" >/dev/null 2>&1 &&
	! $XSR "/vm/$2/uuid" >/dev/null 2>&1 &&
	! $XSR "/libxl/$1/type" >/dev/null 2>&1 &&
	! $XSR "/tool/lightstack/names/$3" >/dev/null 2>&1 &&
	! ls "$STATE"/userdata-d."$1".* >/dev/null 2>&1
}
uuid_of() { $XSR "/local/domain/$1/vm" 2>/dev/null | sed 's|^/vm/||'; }

# 1-2. The guest, booted.
cat >/tmp/$N1.cfg <<EOF
name = "$N1"
kernel = "$GUEST_KERNEL"
ramdisk = "$GUEST_RAMDISK"
extra = "console=hvc0"
memory = 128
vcpus = 1
on_poweroff = "preserve"
EOF
timeout 180 xl create /tmp/$N1.cfg >&2
domid=$(xl domid "$N1" 2>/dev/null)
case $domid in
''|*[!0-9]*) fail "xl create $N1" "no domid ('$domid')"; cleanup; done_testing ;;
esac
pass "xl create $N1 (domid $domid)"
uuid=$(uuid_of "$domid")
LOG=$LOGDIR/guest-$N1.log
up() { grep -q LIGHTSTACK-GUEST-UP "$LOG"; }
ok "guest marker in its console log within 300 s" wait_for 300 up

# 3. Write the marker into the guest's memory through its console.
half1=LSCORE
half2=mark$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
MARK=$half1-$half2
fifo=/tmp/$N1.fifo
out=/tmp/$N1.out
mkfifo "$fifo"
xenconsole --start-notify-fd 3 "$domid" <"$fifo" >"$out" 2>"$out.err" \
	3>"$out.notify" &
xc=$!
exec 4>"$fifo"
wait_for 120 test -s "$out.notify"
printf '\np1=%s; p2=%s\n' "$half1" "$half2" >&4
printf 'yes "$p1-$p2" | head -n 3000 >/tmp/mark; echo "written-$(wc -l </tmp/mark)"\n' >&4
written() { tr -d '\r' <"$out" | grep -qx written-3000; }
ok "the guest wrote the marker file" wait_for 120 written
printf '\035' >&4
wait_for 30 sh -c "! kill -0 $xc"
kill "$xc" 2>/dev/null
exec 4>&-

# 4-12. dump-core of the running guest.
timeout 600 xl dump-core "$N1" "$CORE" >&2
is "$?" 0 "xl dump-core $N1 exits 0"
like "$(state "$N1")" "[rb]*" "the guest runs again after the dump"
ok "readelf -a reads the core" readelf -a "$CORE"
hdr=$(readelf -h "$CORE" 2>&1)
like "$hdr" "*Type:*CORE*Machine:*X86-64*" "an x86-64 ELF core"
names=$(readelf -S -W "$CORE" | sed -n 's/^ *\[ *[0-9]*\] *\([^ ]*\).*/\1/p' | tr '\n' ' ')
is "$names" "NULL .shstrtab .note.Xen .xen_prstatus .xen_shared_info .xen_pages .xen_p2m " \
	"sections in upstream's order"
# A section's offset and size (hex) from readelf's two-line table.
sec() {
	readelf -S -W "$CORE_FILE" | awk -v n="$1" '$0 ~ "] " n " " {
		for (i = 1; i <= NF; i++) if ($i == n) { print $(i + 3), $(i + 4); exit } }'
}
CORE_FILE=$CORE
set -- $(sec .xen_prstatus)
is "$(printf '%d' "0x$2")" "$CTX_SIZE" ".xen_prstatus holds one vCPU context"
set -- $(sec .xen_pages)
pages_off=$(printf '%d' "0x$1")
pages_size=$(printf '%d' "0x$2")
is "$((pages_off % 4096))" 0 ".xen_pages starts on a page boundary"
found=$(dd if="$CORE" bs=4096 skip=$((pages_off / 4096)) count=$((pages_size / 4096)) 2>/dev/null |
	grep -a -c "$MARK")
if [ "${found:-0}" -ge 1 ]; then
	pass "the guest's marker is in .xen_pages ($found lines)"
else
	fail "the guest's marker is in .xen_pages" "not found: $MARK"
fi

# The reference: upstream's xl dumping the same (paused, so unchanged)
# guest.  Identical section tables and p2m mean the same layout and the
# same pages in the same order.
xl pause "$N1"
timeout 600 xl dump-core "$N1" "$CORE" >&2
timeout 600 $UP dump-core "$N1" "$UPCORE" >&2
rc=$?
xl unpause "$N1"
is "$rc" 0 "upstream xl dump-core of the same guest exits 0"
is "$(readelf -h -S -W "$CORE" 2>&1)" "$(readelf -h -S -W "$UPCORE" 2>&1)" \
	"ELF and section headers identical to upstream's"
CORE_FILE=$CORE; set -- $(sec .xen_p2m)
ours=$(dd if="$CORE" bs=16 skip=$(($(printf '%d' "0x$1") / 16)) count=$(($(printf '%d' "0x$2") / 16)) 2>/dev/null | md5sum)
CORE_FILE=$UPCORE; set -- $(sec .xen_p2m)
theirs=$(dd if="$UPCORE" bs=16 skip=$(($(printf '%d' "0x$1") / 16)) count=$(($(printf '%d' "0x$2") / 16)) 2>/dev/null | md5sum)
is "$ours" "$theirs" ".xen_p2m identical to upstream's"
rm -f "$UPCORE"

# 13. A paused guest stays paused.
xl pause "$N1"
timeout 600 xl dump-core "$N1" "$CORE" >&2
like "$(state "$N1")" "*p*" "a paused guest is still paused after dump-core"
xl unpause "$N1"
rm -f "$CORE"

# 14. A path that cannot be created: one line, non-zero, no file.
msg=$(timeout 60 xl dump-core "$N1" /tmp/no-such-dir-$$/core 2>&1)
rc=$?
if [ $rc -ne 0 ] && [ "$(printf '%s\n' "$msg" | wc -l)" -eq 1 ] &&
   [ ! -e /tmp/no-such-dir-$$ ]; then
	pass "dump-core to a missing directory fails, one line ($msg)"
else
	fail "dump-core to a missing directory fails, one line" "exit $rc: $msg"
fi

# 15-22. rename.
timeout 60 xl rename "$N1" "$N1B" >&2
is "$?" 0 "xl rename $N1 $N1B exits 0"
is "$(xl domid "$N1B" 2>&1)" "$domid" "xl domid finds the new name"
if xl domid "$N1" >/dev/null 2>&1; then
	fail "the old name is gone" "xl domid $N1 still answers"
else
	pass "the old name is gone"
fi
is "$($XSR /local/domain/$domid/name 2>&1)" "$N1B" "/local/domain/$domid/name"
is "$($XSR /vm/$uuid/name 2>&1)" "$N1B" "/vm/$uuid/name"
is "$($XSR /tool/lightstack/names/$N1B 2>&1) $($XSR /tool/lightstack/names/$N1 >/dev/null 2>&1 && echo old-left || echo old-gone)" \
	"$domid old-gone" "the name index moved"
like "$(xl list -l "$N1B" 2>&1 | grep '"name"' | head -n 1)" "*\"name\": \"$N1B\"*" \
	"xl list -l shows the new name"
is "$($UP domid "$N1B" 2>&1)" "$domid" "upstream xl finds the domain by its new name"

# 23. An existing name is refused and nothing changes.
msg=$(timeout 60 xl rename "$N1B" Domain-0 2>&1)
rc=$?
if [ $rc -ne 0 ] && [ "$($XSR /local/domain/$domid/name)" = "$N1B" ]; then
	pass "rename to an existing name refused ($msg)"
else
	fail "rename to an existing name refused" "exit $rc: $msg"
fi

# 24-26. sysrq.
timeout 60 xl sysrq "$N1B" h >&2
is "$?" 0 "xl sysrq h exits 0"
help_seen() { cat "$LOGDIR"/guest-$N1*.log "$LOGDIR"/guest-$N1B*.log 2>/dev/null | grep -q "sysrq: HELP"; }
if ok "the guest kernel printed its sysrq help" wait_for 120 help_seen; then :; else
	diag "log: $(tail -c 400 "$LOG" | tr -d '\r' | tail -n 4)"
fi
cleared() { [ -z "$($XSR /local/domain/$domid/control/sysrq 2>/dev/null)" ]; }
ok "the guest cleared control/sysrq" wait_for 60 cleared
if timeout 60 xl sysrq "$N1B" hh >/dev/null 2>&1; then
	fail "a two-letter sysrq is refused"
else
	pass "a two-letter sysrq is refused"
fi

# 27-30. triggers: Xen decides what a PV guest takes.
timeout 60 xl trigger "$N1B" nmi 0 >&2
is "$?" 0 "xl trigger nmi exits 0"
msg=$(timeout 60 xl trigger "$N1B" reset 2>&1)
rc=$?
like "$rc $msg" "[1-9]*Send trigger 'reset' failed: Function not implemented*" \
	"trigger reset refused with Xen's answer"
msg=$(timeout 60 xl trigger "$N1B" power 2>&1)
rc=$?
like "$rc $msg" "[1-9]*Send trigger 'power' failed*" "trigger power refused for PV"
msg=$(timeout 60 xl trigger "$N1B" bogus 2>&1)
rc=$?
like "$rc $msg" "[1-9]*Invalid trigger \"bogus\"*" "unknown trigger refused by name"
like "$(state "$N1B")" "[rb]*" "the guest is still running after the triggers"

# 31-33. Shut down and preserved, then destroyed: nothing left.
timeout 60 xl shutdown "$N1B" >&2
preserved() { case $(state "$N1B") in *s*) return 0 ;; esac; return 1; }
ok "the guest is shut down and preserved" wait_for 300 preserved
timeout 120 xl destroy "$N1B" >&2
is "$?" 0 "xl destroy of the preserved guest exits 0"
ok "nothing is left of the preserved guest" wait_for 60 nothing_left "$domid" "$uuid" "$N1B"

# 34-36. Created paused, destroyed: nothing left.
sed -e "s/^name = .*/name = \"$N2\"/" /tmp/$N1.cfg >/tmp/$N2.cfg
timeout 180 xl create -p /tmp/$N2.cfg >&2
d2=$(xl domid "$N2" 2>/dev/null)
like "$(state "$N2")" "*p*" "xl create -p leaves $N2 paused"
u2=$(uuid_of "$d2")
timeout 120 xl destroy "$N2" >&2
is "$?" 0 "xl destroy of the paused guest exits 0"
ok "nothing is left of the paused guest" wait_for 60 nothing_left "${d2:-none}" "${u2:-none}" "$N2"

cleanup
done_testing
