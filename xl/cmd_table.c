/*
 * cmd_table.c - the information commands' table (see xl.h).  Usage and
 * help texts match upstream xl's, so `xl help CMD` reads the same.
 */
#include "config.h"

#include <stddef.h>

#include "xl.h"
#include "cmds.h"
#include "xml_cmds.h"

const struct xl_command xl_base_commands[] = {
	{ "list", cmd_list,
	  "[options] [Domain]\n",
	  "List information about all/some domains",
	  "-l, --long              Output all VM details\n"
	  "-v, --verbose           Prints out UUIDs and security context\n"
	  "-Z, --context           Prints out security context\n"
	  "-c, --cpupool           Prints the cpupool the domain is in\n"
	  "-n, --numa              Prints out NUMA node affinity\n"
	  "--json                  Output as one JSON document (doc/json.md)",
	  0 },
	{ "vm-list", cmd_vm_list,
	  "",
	  "List guest domains, excluding dom0, stubdoms, etc.",
	  "--json                  Output as one JSON document (doc/json.md)", 0 },
	{ "info", cmd_info,
	  "-n, --numa         List host NUMA topology information",
	  "Get information about Xen host",
	  "--json                  Output as one JSON document (doc/json.md)", 0 },
	{ "domid", cmd_domid,
	  "<DomainName>",
	  "Convert a domain name to domain id",
	  NULL, 0 },
	{ "domname", cmd_domname,
	  "<DomainId>",
	  "Convert a domain id to domain name",
	  NULL, 0 },
	{ "dmesg", cmd_dmesg,
	  "[-c]",
	  "Read and/or clear dmesg buffer",
	  "  -c                        Clear dmesg buffer as well as printing it",
	  0 },
	{ "uptime", cmd_uptime,
	  "[-s] [Domain]",
	  "Print uptime for all/some domains",
	  "--json                  Output as one JSON document (doc/json.md)", 0 },
	{ "claims", cmd_claims,
	  "",
	  "List outstanding claim information about all domains",
	  "", 0 },
	{ "block-attach", cmd_block_attach,
	  "<Domain> <disk-spec-component(s)>...",
	  "Create a new virtual block device",
	  NULL, XL_CMD_MODIFIES },
	{ "block-list", cmd_block_list,
	  "<Domain(s)>",
	  "List virtual block devices for a domain",
	  "--json                  Output as one JSON document (doc/json.md)", 0 },
	{ "block-detach", cmd_block_detach,
	  "[-f] <Domain> <DevId>",
	  "Destroy a domain's virtual block device",
	  "-f                      Force removal: do not wait for the guest to\n"
	  "                        close the device.",
	  XL_CMD_MODIFIES },
	{ "network-attach", cmd_network_attach,
	  "<Domain> [type=<type>] [mac=<mac>] [bridge=<bridge>] "
	  "[ip=<ip>] [script=<script>] [backend=<BackDomain>] [vifname=<name>] "
	  "[rate=<rate>] [model=<model>] [accel=<accel>] [mtu=<mtu>]",
	  "Create a new virtual network device",
	  NULL, XL_CMD_MODIFIES },
	{ "network-list", cmd_network_list,
	  "<Domain(s)>",
	  "List virtual network interfaces for a domain",
	  "--json                  Output as one JSON document (doc/json.md)", 0 },
	{ "network-detach", cmd_network_detach,
	  "<Domain> <DevId|mac>",
	  "Destroy a domain's virtual network device",
	  NULL, 0 },
	{ "vcpu-list", cmd_vcpu_list,
	  "[Domain, ...]",
	  "List the VCPUs for all/some domains",
	  "--json                  One JSON document (doc/json.md)",
	  0 },
	{ "vcpu-pin", cmd_vcpu_pin,
	  "[option] <Domain> <VCPU|all> <Hard affinity|-|all> "
	  "<Soft affinity|-|all>",
	  "Set which CPUs a VCPU can use",
	  "-f, --force        undo an override pinning done by the kernel "
	  "(not supported)\n"
	  "--ignore-global-affinity-masks Ignore global masks in xl.conf",
	  XL_CMD_MODIFIES },
	{ "vcpu-set", cmd_vcpu_set,
	  "[option] <Domain> <vCPUs>",
	  "Set the number of active VCPUs allowed for the domain",
	  "-i, --ignore-host  Don't limit the vCPU based on the host CPU count",
	  XL_CMD_MODIFIES },
	{ "sched-credit", cmd_sched_credit,
	  "[-d <Domain> [-w[=WEIGHT]|-c[=CAP]]] [-s [-t TSLICE] [-r RATELIMIT]] "
	  "[-p CPUPOOL]",
	  "Get/set credit scheduler parameters",
	  "-d DOMAIN, --domain=DOMAIN        Domain to modify\n"
	  "-w WEIGHT, --weight=WEIGHT        Weight (int)\n"
	  "-c CAP,    --cap=CAP              Cap (int)\n"
	  "-s         --schedparam           Query / modify scheduler parameters\n"
	  "-t TSLICE, --tslice_ms=TSLICE     Set the timeslice, in milliseconds\n"
	  "-r RLIMIT, --ratelimit_us=RLIMIT  Set the scheduling rate limit, in microseconds\n"
	  "-m DLY, --migration_delay_us=DLY  Set the migration delay, in microseconds\n"
	  "-p CPUPOOL, --cpupool=CPUPOOL     Restrict output to CPUPOOL\n"
	  "--json                            One JSON document (doc/json.md)",
	  0 },
	{ "sched-credit2", cmd_sched_credit2,
	  "[-d <Domain> [-w[=WEIGHT]]] [-p CPUPOOL]",
	  "Get/set credit2 scheduler parameters",
	  "-d DOMAIN, --domain=DOMAIN     Domain to modify\n"
	  "-w WEIGHT, --weight=WEIGHT     Weight (int)\n"
	  "-c CAP,    --cap=CAP           Cap (int)\n"
	  "-s         --schedparam        Query / modify scheduler parameters\n"
	  "-r RLIMIT, --ratelimit_us=RLIMIT Set the scheduling rate limit, in microseconds\n"
	  "-p CPUPOOL, --cpupool=CPUPOOL  Restrict output to CPUPOOL\n"
	  "--json                         One JSON document (doc/json.md)",
	  0 },
	{ "cpupool-list", cmd_cpupool_list,
	  "[-c|--cpus] [<CPU Pool>]",
	  "List CPU pools on host",
	  "-c, --cpus                     Output list of CPUs used by a pool\n"
	  "--json                         One JSON document (doc/json.md)",
	  0 },
	{ "mem-max", cmd_mem_max,
	  "<Domain> <MemMB['b'[bytes]|'k'[KB]|'m'[MB]|'g'[GB]|'t'[TB]]>",
	  "Set the maximum amount reservation for a domain",
	  NULL, XL_CMD_MODIFIES },
	{ "mem-set", cmd_mem_set,
	  "<Domain> <MemMB['b'[bytes]|'k'[KB]|'m'[MB]|'g'[GB]|'t'[TB]]>",
	  "Set the current memory usage for a domain",
	  NULL, XL_CMD_MODIFIES },
	/* libvirt domain XML (cmd_xml.c). */
	{ "dumpxml", cmd_dumpxml,
	  "<Domain>",
	  "Print a running domain as libvirt domain XML",
	  "The <domain type='xen'> document virsh dumpxml shows for the guest:\n"
	  "its stored configuration with its live name, memory and vcpus.",
	  0 },
	{ "config-convert", cmd_config_convert,
	  "[--to xml|xl] <ConfigFile> [key=value ...]",
	  "Convert a domain config between xl.cfg and libvirt XML",
	  "Reads an xl.cfg file or libvirt domain XML (a file starting with\n"
	  "<domain), applies the key=value overrides as create does, and prints\n"
	  "the other form (or the one --to names) on stdout.\n"
	  "-t, --to xml|xl         Output format (default: the other one)",
	  0 },
	{ "domxml-to-native", cmd_domxml_to_native,
	  "xen-xl <File.xml> [key=value ...]",
	  "Convert libvirt domain XML to xl.cfg (as virsh)",
	  NULL, 0 },
	{ "domxml-from-native", cmd_domxml_from_native,
	  "xen-xl <ConfigFile> [key=value ...]",
	  "Convert an xl.cfg file to libvirt domain XML (as virsh)",
	  NULL, 0 },
	/* The interactive shell (cmd_shell.c). */
	{ "shell", cmd_shell,
	  "",
	  "Run xl commands read from a terminal or standard input",
	  "Each line is one xl command without the leading `xl', run as the\n"
	  "one-shot command runs it; a failure prints \"(exit status N)\" and\n"
	  "the shell goes on.  help, quit and exit [N] are the shell's own; end\n"
	  "of input leaves with the last command's status.  On a terminal:\n"
	  "readline editing, history in $XL_HISTORY (default ~/.xl_history)\n"
	  "and tab completion of commands, options and domain names.",
	  0 },
	{ NULL, NULL, NULL, NULL, NULL, 0 },
};
