#!/bin/sh
# 50-builder: Lightstack's PV domain builder (libctrl ctrl_build_pv) boots
# Debian's kernel (an xz bzImage) with the project's guest initramfs, using
# libctrl alone: tests/builder/build-probe creates the domain, builds it,
# introduces it to our xenstored, unpauses it, and reads the guest's console
# page itself (it is the console backend for this one guest).
#
# What counts: the builder reports success, the guest kernel prints its boot
# banner, the guest's init prints the LIGHTSTACK-GUEST-UP marker (so the
# memory layout, page tables, start_info, p2m, ramdisk module, command line,
# event channels and the xenstore page all worked), and the domain is gone
# afterwards.  A kernel file that is not a kernel must be refused cleanly.
. "$LIGHTSTACK_TESTLIB"

P=$LIGHTSTACK_BUILD/tests/builder/build-probe
[ -x "$P" ] || skip_all "build-probe not built ($P)"
[ -r "${GUEST_BZIMAGE:-}" ] || skip_all "no guest bzImage"
[ -r "${GUEST_RAMDISK:-}" ] || skip_all "no guest ramdisk"

plan 8

out=$RESULTS/50-builder-probe.log
timeout 400 "$P" -s -m 128 -w 300 -r "$GUEST_RAMDISK" \
	-c "console=hvc0 earlyprintk=xen" "$GUEST_BZIMAGE" >"$out" 2>&1
rc=$?
# Keep the whole guest console in the case's diagnostics (stderr).
cat "$out" >&2

domid=$(sed -n 's/^build-probe: created domain \([0-9]*\)$/\1/p' "$out")
if grep -q '^build-probe: built domain .*bzImage+xz kernel' "$out"; then
	pass "builder built domain $domid from the xz bzImage"
else
	fail "builder built domain from the xz bzImage" \
		"$(grep -E 'build-probe|build:' "$out" | tail -n 3)"
fi
if grep -q 'Linux version' "$out"; then
	pass "guest kernel printed its banner"
else
	fail "guest kernel printed its banner" "$(tail -n 5 "$out")"
fi
if grep -q 'Command line: console=hvc0 earlyprintk=xen' "$out"; then
	pass "guest kernel got our command line"
else
	fail "guest kernel got our command line"
fi
if grep -q 'Trying to unpack rootfs image\|Unpacking initramfs\|Freeing initrd memory' "$out"; then
	pass "guest kernel found the ramdisk module"
else
	fail "guest kernel found the ramdisk module"
fi
is "$rc" 0 "guest reached init (LIGHTSTACK-GUEST-UP on its console)"
if grep -q "^build-probe: destroyed domain $domid\$" "$out"; then
	pass "domain $domid destroyed afterwards"
else
	fail "domain destroyed afterwards" "$(tail -n 2 "$out")"
fi

# A file that is not a kernel: refused with a message naming it, exit 1,
# and the domain the probe created for it destroyed again.
bad=/tmp/50-builder-not-a-kernel
echo "this is not a kernel" >"$bad"
bout=$(timeout 120 "$P" -w 5 "$bad" 2>&1)
brc=$?
printf '%s\n' "$bout" >&2
case $brc:$bout in
1:*"$bad: kernel: not an ELF file"*"destroyed domain"*) pass "a non-kernel file is refused cleanly" ;;
*) fail "a non-kernel file is refused cleanly" "exit $brc: $bout" ;;
esac
rm -f "$bad"

# Too little memory for this kernel (it spans 74 MiB from virt_base): the
# layout is refused before any memory is populated.
sout=$(timeout 200 "$P" -m 48 -w 5 -r "$GUEST_RAMDISK" "$GUEST_BZIMAGE" 2>&1)
src=$?
printf '%s\n' "$sout" >&2
case $src:$sout in
1:*"is too small for this kernel"*"destroyed domain"*) pass "48 MiB is refused as too small" ;;
*) fail "48 MiB is refused as too small" "exit $src: $sout" ;;
esac
done_testing
