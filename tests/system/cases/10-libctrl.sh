#!/bin/bash
# 10-libctrl: libctrl and privcmd on real Xen, through tests/libctrl's
# ctrl-probe.  What the hypervisor tells us (version, physinfo, domain list,
# console ring) must equal what upstream's `xl info` / `xl list` / `xl
# dmesg` (xen-utils-4.17, in the image as a reference) and xenfs/sysfs
# report in the same boot; then `ctrl-probe exercise` creates a scratch
# domain and runs every libctrl/privcmd operation against it (memory,
# foreign and resource maps, grant seeding + gntdev, event channels, page
# table pinning, pause/shutdown/destroy), one test point per step.
# getinfo_gap asks for an id just below an existing domain: Xen 4.17
# answers with that next domain, which libctrl must report as ESRCH.
. "$LIGHTSTACK_TESTLIB"

B=$LIGHTSTACK_BUILD
P=$B/tests/libctrl/ctrl-probe
T="timeout 120"
UP=/usr/lib/xen-4.17/bin/xl
[ -x $UP ] || UP=/usr/sbin/xl
[ -x "$P" ] || skip_all "$P not built"

VERSION_KEYS="xen_major xen_minor xen_extra xen_caps xen_pagesize xen_changeset
  xen_commandline cc_compiler cc_compile_by cc_compile_domain cc_compile_date"
PHYS_KEYS="nr_cpus max_cpu_id nr_nodes cores_per_socket threads_per_core
  hw_caps total_memory xen_scheduler"
STEPS="create getinfo list create_at getinfo_gap create_exists
  destroy_second max_vcpus max_mem set_address_size
  populate_physmap tot_pages current_reservation set_memory_map
  map_foreign_rw map_foreign_ro map_foreign_errs map_foreign_strict
  resource_size map_resource gnt_map mmuext_pin_l4 mmuext_pin_bad
  evtchn_alloc_unbound evtchn_bind_interdomain evtchn_loopback
  evtchn_bind_virq vcpu_getinfo vcpu_getinfo_bad unpause pause shutdown
  destroy errmsg"

count() { set -- $1; echo $#; }
# version 11+3, physinfo 8+2, list 5, errors 2, dmesg 3, xenfs/xenbus 5,
# exercise one per step + 2.
plan $(( $(count "$VERSION_KEYS") + 3 + $(count "$PHYS_KEYS") + 2 + 5 + 2 + 3 + 5 \
	+ $(count "$STEPS") + 2 ))

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# key FILE KEY: the value of "KEY=value" (ours) lines
key() { sed -n "s/^$2=//p" "$1"; }
# xlkey FILE KEY: the value of upstream's "KEY    : value" lines
xlkey() { sed -n "s/^$2 *: //p" "$1"; }

have_up=no
if [ -x "$UP" ] && $T "$UP" info >"$tmp/xlinfo" 2>"$tmp/xlinfo.err"; then
	have_up=yes
else
	diag "no upstream xl info: $(tail -n 1 "$tmp/xlinfo.err" 2>/dev/null)"
fi

# --- version ----------------------------------------------------------------
$T "$P" version >"$tmp/version" 2>"$tmp/version.err"
rc=$?
for k in $VERSION_KEYS; do
	if [ $have_up = no ]; then
		skip "version: $k equals xl info" "no upstream xl"
	elif [ $rc -ne 0 ]; then
		fail "version: $k equals xl info" "$(cat "$tmp/version.err")"
	else
		is "$(key "$tmp/version" $k)" "$(xlkey "$tmp/xlinfo" $k)" \
			"version: $k equals xl info"
	fi
done
# sysfs is the Dom0 kernel's own view, independent of any toolstack.
if [ -r /sys/hypervisor/version/major ]; then
	is "$(key "$tmp/version" xen_major).$(key "$tmp/version" xen_minor)$(key "$tmp/version" xen_extra)" \
		"$(cat /sys/hypervisor/version/major).$(cat /sys/hypervisor/version/minor)$(cat /sys/hypervisor/version/extra)" \
		"version: equals /sys/hypervisor/version"
	is "$(key "$tmp/version" xen_caps)" "$(cat /sys/hypervisor/properties/capabilities)" \
		"version: caps equal /sys/hypervisor/properties/capabilities"
else
	skip "version: equals /sys/hypervisor/version" "no /sys/hypervisor"
	skip "version: caps equal /sys/hypervisor/properties/capabilities" "no /sys/hypervisor"
fi
is "$(key "$tmp/version" xen_major).$(key "$tmp/version" xen_minor)" 4.17 \
	"version: the hypervisor is Xen 4.17"

# --- physinfo ---------------------------------------------------------------
$T "$P" physinfo >"$tmp/phys" 2>"$tmp/phys.err"
rc=$?
for k in $PHYS_KEYS; do
	if [ $have_up = no ]; then
		skip "physinfo: $k equals xl info" "no upstream xl"
	elif [ $rc -ne 0 ]; then
		fail "physinfo: $k equals xl info" "$(cat "$tmp/phys.err")"
	else
		is "$(key "$tmp/phys" $k)" "$(xlkey "$tmp/xlinfo" $k)" \
			"physinfo: $k equals xl info"
	fi
done
if [ $have_up = yes ]; then
	is "$(key "$tmp/phys" cpu_mhz)" "$(xlkey "$tmp/xlinfo" cpu_mhz | cut -d. -f1)" \
		"physinfo: cpu_mhz equals xl info (whole MHz)"
else
	skip "physinfo: cpu_mhz equals xl info (whole MHz)" "no upstream xl"
fi
is "$(key "$tmp/phys" nr_cpus)" "$(grep -c ^processor /proc/cpuinfo 2>/dev/null || echo '?')" \
	"physinfo: nr_cpus equals Dom0's vCPU count (dom0 gets all here)"

# --- domain list --------------------------------------------------------------
$T "$P" list >"$tmp/list" 2>"$tmp/list.err"
ok "list: ctrl-probe list succeeds" test -s "$tmp/list"
like "$(head -n 1 "$tmp/list")" "domid 0 *" "list: Domain-0 comes first"
if [ $have_up = yes ] && $T "$UP" list >"$tmp/xllist" 2>"$tmp/xllist.err"; then
	is "$(awk '{print $2}' "$tmp/list" | tr '\n' ' ')" \
		"$(awk 'NR > 1 {print $2}' "$tmp/xllist" | tr '\n' ' ')" \
		"list: same domain ids as xl list"
	# xl list's Mem column is tot_pages in MiB.
	is "$(awk '$2 == 0 {print int($4 / 256)}' "$tmp/list")" \
		"$(awk 'NR > 1 && $2 == 0 {print $3}' "$tmp/xllist")" \
		"list: Domain-0 memory equals xl list's"
else
	skip "list: same domain ids as xl list" "no upstream xl list"
	skip "list: Domain-0 memory equals xl list's" "no upstream xl list"
fi
$T "$P" getinfo 0 >"$tmp/get0" 2>&1
is "$(sed 's/ cpu_ns .*//' "$tmp/get0")" "$(head -n 1 "$tmp/list" | sed 's/ cpu_ns .*//')" \
	"getinfo 0: same line as list (but CPU time)"

# --- errors -------------------------------------------------------------------
out=$($T "$P" getinfo 32000 2>&1)
is "$?:$out" "1:ctrl-probe: XEN_DOMCTL_getdomaininfo dom 32000: No such process" \
	"getinfo of a missing domain: ESRCH, named"
out=$($T "$P" getinfo 99999 2>&1)
is "$?" 2 "getinfo 99999: rejected before Xen (exit 2)"

# --- Xen's console ring ---------------------------------------------------------
$T "$P" dmesg >"$tmp/dmesg" 2>"$tmp/dmesg.err"
like "$(head -c 100000 "$tmp/dmesg")" "*Xen version 4.17*" "dmesg: holds Xen's boot banner"
if [ $have_up = yes ] && $T "$UP" dmesg >"$tmp/xldmesg" 2>/dev/null; then
	is "$(head -n 1 "$tmp/dmesg")" "$(head -n 1 "$tmp/xldmesg")" \
		"dmesg: first line equals xl dmesg's"
	is "$(sed -n 20p "$tmp/dmesg")" "$(sed -n 20p "$tmp/xldmesg")" \
		"dmesg: line 20 equals xl dmesg's"
else
	skip "dmesg: first line equals xl dmesg's" "no upstream xl"
	skip "dmesg: line 20 equals xl dmesg's" "no upstream xl"
fi

# --- xenfs and xenbus -------------------------------------------------------------
$T "$P" xenfs >"$tmp/xenfs" 2>&1
is "$(key "$tmp/xenfs" control_domain)" yes "xenfs: we are the control domain"
is "$(key "$tmp/xenfs" xsd_port)" "$(cat /proc/xen/xsd_port 2>&1)" "xenfs: xsd_port equals /proc/xen/xsd_port"
is "$(key "$tmp/xenfs" xsd_kva_mapped)" yes "xenfs: xsd_kva maps"
is "$($T "$P" xenbus /local/domain/0/name 2>&1)" Domain-0 \
	"xenbus: XS_READ /local/domain/0/name through /dev/xen/xenbus"
out=$($T "$P" xenbus /lightstack-test/no/such/node 2>&1)
like "$out" "*ENOENT*" "xenbus: reading a missing node answers ENOENT"

# --- exercise: a scratch domain ------------------------------------------------------
before=$(awk '{print $2}' "$tmp/list" | tr '\n' ' ')
$T "$P" exercise >"$tmp/ex" 2>&1
rc=$?
sed 's/^/# exercise: /' "$tmp/ex"
for s in $STEPS; do
	line=$(grep "^step $s " "$tmp/ex")
	case $line in
	"step $s ok"*) pass "exercise: $s" ;;
	"") fail "exercise: $s" "step did not run (exit $rc)" ;;
	*) fail "exercise: $s" "$line" ;;
	esac
done
is "$rc" 0 "exercise: exit status 0"
$T "$P" list >"$tmp/list2" 2>&1
is "$(awk '{print $2}' "$tmp/list2" | tr '\n' ' ')" "$before" \
	"exercise: no domain left behind"

done_testing
