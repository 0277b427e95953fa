#!/bin/bash
# 10-libctrl: libctrl and privcmd on real Xen, through tests/libctrl's
# ctrl-probe.  What the hypervisor tells us (version, physinfo, domain list,
# console ring) must equal what upstream's `xl info` / `xl list` / `xl
# dmesg` (xen-utils-4.17, in the image as a reference) and sysfs/xenfs
# report in the same boot; then `ctrl-probe exercise` creates scratch
# domains and runs every libctrl/privcmd operation against them (explicit
# ids, memory, foreign and resource maps, grant seeding + gntdev, event
# channels, page-table pinning, pause/shutdown/destroy), one test point
# per step.  getinfo_gap asks for an id just below an existing domain: Xen
# 4.17 answers with that next domain, which libctrl must report as ESRCH.
#
# Every process costs seconds in a loaded TCG Dom0, so files are parsed
# with bash builtins, not sed/awk.
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
  evtchn_bind_virq vcpu_getinfo vcpu_getinfo_bad vcpu_affinity unpause
  pause shutdown
  destroy errmsg"

count() { set -- $1; echo $#; }
# version 11+3, physinfo 8+2, list 5, errors 2, dmesg 3, xenfs/xenbus 5,
# exercise one per step + 2.
plan $(( $(count "$VERSION_KEYS") + 3 + $(count "$PHYS_KEYS") + 2 + 5 + 2 + 3 + 5 \
	+ $(count "$STEPS") + 2 ))

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

declare -A OURS UPS
# load_ours FILE: "key=value" lines into OURS
load_ours() {
	local line
	while IFS= read -r line; do
		[[ $line == *=* ]] && OURS[${line%%=*}]=${line#*=}
	done <"$1"
}
# load_up FILE: upstream's "key      : value" lines into UPS
load_up() {
	local line k
	while IFS= read -r line; do
		[[ $line == *" : "* ]] || [[ $line == *": "* ]] || continue
		k=${line%%:*}
		k=${k%"${k##*[! ]}"}
		UPS[$k]=${line#*: }
	done <"$1"
}
# ids FILE [SKIP]: the second field of each line (after SKIP header lines)
ids() {
	local skip=${2:-0} a id rest out=""
	while read -r a id rest; do
		if [ "$skip" -gt 0 ]; then skip=$((skip - 1)); continue; fi
		out="$out$id "
	done <"$1"
	echo "$out"
}
# line N FILE: the Nth line
line() {
	local n=0 l
	while IFS= read -r l; do
		n=$((n + 1))
		[ $n -eq "$1" ] && { printf '%s\n' "$l"; return; }
	done <"$2"
}

have_up=no
if [ -x "$UP" ] && $T "$UP" info >"$tmp/xlinfo" 2>"$tmp/xlinfo.err"; then
	have_up=yes
	load_up "$tmp/xlinfo"
else
	diag "no upstream xl info: $(tail -n 1 "$tmp/xlinfo.err" 2>/dev/null)"
fi

# --- version ------------------------------------------------------------------
$T "$P" version >"$tmp/version" 2>"$tmp/version.err"
rc=$?
load_ours "$tmp/version"
for k in $VERSION_KEYS; do
	if [ $have_up = no ]; then
		skip "version: $k equals xl info" "no upstream xl"
	elif [ $rc -ne 0 ]; then
		fail "version: $k equals xl info" "$(cat "$tmp/version.err")"
	else
		is "${OURS[$k]}" "${UPS[$k]}" "version: $k equals xl info"
	fi
done
# sysfs is the Dom0 kernel's own view, independent of any toolstack.
if [ -r /sys/hypervisor/version/major ]; then
	# IFS= keeps the trailing space Xen puts after the last capability.
	IFS= read -r smaj </sys/hypervisor/version/major
	IFS= read -r smin </sys/hypervisor/version/minor
	IFS= read -r sext </sys/hypervisor/version/extra
	IFS= read -r scaps </sys/hypervisor/properties/capabilities
	is "${OURS[xen_major]}.${OURS[xen_minor]}${OURS[xen_extra]}" "$smaj.$smin$sext" \
		"version: equals /sys/hypervisor/version"
	is "${OURS[xen_caps]}" "$scaps" \
		"version: caps equal /sys/hypervisor/properties/capabilities"
else
	skip "version: equals /sys/hypervisor/version" "no /sys/hypervisor"
	skip "version: caps equal /sys/hypervisor/properties/capabilities" "no /sys/hypervisor"
fi
is "${OURS[xen_major]}.${OURS[xen_minor]}" 4.17 "version: the hypervisor is Xen 4.17"

# --- physinfo -----------------------------------------------------------------
$T "$P" physinfo >"$tmp/phys" 2>"$tmp/phys.err"
rc=$?
load_ours "$tmp/phys"
for k in $PHYS_KEYS; do
	if [ $have_up = no ]; then
		skip "physinfo: $k equals xl info" "no upstream xl"
	elif [ $rc -ne 0 ]; then
		fail "physinfo: $k equals xl info" "$(cat "$tmp/phys.err")"
	else
		is "${OURS[$k]}" "${UPS[$k]}" "physinfo: $k equals xl info"
	fi
done
if [ $have_up = yes ]; then
	is "${OURS[cpu_mhz]}" "${UPS[cpu_mhz]%%.*}" "physinfo: cpu_mhz equals xl info (whole MHz)"
else
	skip "physinfo: cpu_mhz equals xl info (whole MHz)" "no upstream xl"
fi
ncpu=0
while IFS= read -r l; do [[ $l == processor* ]] && ncpu=$((ncpu + 1)); done </proc/cpuinfo
is "${OURS[nr_cpus]}" "$ncpu" "physinfo: nr_cpus equals Dom0's vCPU count (Dom0 has all here)"

# --- domain list ----------------------------------------------------------------
$T "$P" list >"$tmp/list" 2>"$tmp/list.err"
ok "list: ctrl-probe list succeeds" test -s "$tmp/list"
first=$(line 1 "$tmp/list")
like "$first" "domid 0 *" "list: Domain-0 comes first"
if [ $have_up = yes ] && $T "$UP" list >"$tmp/xllist" 2>"$tmp/xllist.err"; then
	is "$(ids "$tmp/list")" "$(ids "$tmp/xllist" 1)" "list: same domain ids as xl list"
	# xl list's Mem column is tot_pages in MiB.
	read -r _ _ _ pages _ <<<"$first"
	read -r _ _ mem _ <<<"$(line 2 "$tmp/xllist")"
	is "$((pages / 256))" "$mem" "list: Domain-0 memory equals xl list's"
else
	skip "list: same domain ids as xl list" "no upstream xl list"
	skip "list: Domain-0 memory equals xl list's" "no upstream xl list"
fi
get0=$($T "$P" getinfo 0 2>&1)
is "${get0% cpu_ns *}" "${first% cpu_ns *}" "getinfo 0: same line as list (but CPU time)"

# --- errors ---------------------------------------------------------------------
out=$($T "$P" getinfo 32000 2>&1)
is "$?:$out" "1:ctrl-probe: XEN_DOMCTL_getdomaininfo dom 32000: No such process" \
	"getinfo of a missing domain: ESRCH, named"
out=$($T "$P" getinfo 99999 2>&1)
is "$?" 2 "getinfo 99999: rejected before Xen (exit 2)"

# --- Xen's console ring -----------------------------------------------------------
$T "$P" dmesg >"$tmp/dmesg" 2>"$tmp/dmesg.err"
banner=no
while IFS= read -r l; do
	[[ $l == *"Xen version 4.17"* ]] && { banner=yes; break; }
done <"$tmp/dmesg"
is "$banner" yes "dmesg: holds Xen's boot banner"
if [ $have_up = yes ] && $T "$UP" dmesg >"$tmp/xldmesg" 2>/dev/null; then
	is "$(line 1 "$tmp/dmesg")" "$(line 1 "$tmp/xldmesg")" "dmesg: first line equals xl dmesg's"
	is "$(line 20 "$tmp/dmesg")" "$(line 20 "$tmp/xldmesg")" "dmesg: line 20 equals xl dmesg's"
else
	skip "dmesg: first line equals xl dmesg's" "no upstream xl"
	skip "dmesg: line 20 equals xl dmesg's" "no upstream xl"
fi

# --- xenfs and xenbus ---------------------------------------------------------------
$T "$P" xenfs >"$tmp/xenfs" 2>&1
OURS=()
load_ours "$tmp/xenfs"
read -r xsd_port </proc/xen/xsd_port
is "${OURS[control_domain]}" yes "xenfs: we are the control domain"
is "${OURS[xsd_port]}" "$xsd_port" "xenfs: xsd_port equals /proc/xen/xsd_port"
is "${OURS[xsd_kva_mapped]}" yes "xenfs: xsd_kva maps"
# Written over xenstored's socket by Debian's client, read back through the
# Dom0 kernel's xenbus device by ours: independent of who set up Dom0.
val="libctrl-$$"
XENSTORED_PATH=/run/xenstored/socket $T /usr/bin/xenstore-write /lightstack-test/libctrl "$val" >&2
is "$($T "$P" xenbus /lightstack-test/libctrl 2>&1)" "$val" \
	"xenbus: XS_READ through /dev/xen/xenbus sees a value written on the socket"
XENSTORED_PATH=/run/xenstored/socket $T /usr/bin/xenstore-rm /lightstack-test/libctrl >&2
out=$($T "$P" xenbus /lightstack-test/no/such/node 2>&1)
like "$out" "*ENOENT*" "xenbus: reading a missing node answers ENOENT"

# --- exercise: scratch domains ------------------------------------------------------
before=$(ids "$tmp/list")
$T "$P" exercise >"$tmp/ex" 2>&1
rc=$?
declare -A STEP
while IFS= read -r l; do
	echo "# exercise: $l"
	if [[ $l == "step "* ]]; then
		s=${l#step }
		STEP[${s%% *}]=${s#* }
	fi
done <"$tmp/ex"
for s in $STEPS; do
	r=${STEP[$s]-}
	case $r in
	ok*) pass "exercise: $s" ;;
	"") fail "exercise: $s" "step did not run (exit $rc)" ;;
	*) fail "exercise: $s" "$r" ;;
	esac
done
is "$rc" 0 "exercise: exit status 0"
$T "$P" list >"$tmp/list2" 2>&1
is "$(ids "$tmp/list2")" "$before" "exercise: no domain left behind"

done_testing
