/*
 * light_xml.h - libvirt domain XML and xl.cfg text from the domain model.
 *
 * Administrators and tools that know libvirt describe guests as
 * `<domain type='xen'>` documents; libvirt's libxl driver keeps the same
 * guest as a libxl_domain_config.  This header converts between that XML
 * and liblight's model (struct light_domain_config, light_config.h), and
 * prints the model back as xl.cfg text, so that one guest can be carried
 * from xl.cfg to XML and back:
 *
 *     xl.cfg --light_domain_config_from_cfg--> model
 *     model  --light_domain_config_to_xml----> XML  (as `virsh dumpxml`)
 *     XML    --light_domain_config_from_xml--> model
 *     model  --light_domain_config_to_xlcfg--> xl.cfg
 *
 * The XML elements, as libvirt's libxl driver maps them:
 *
 *   <domain type='xen' [id='D']>     type must be xen; id is ignored on input
 *   <name>, <uuid>                   name=, uuid=
 *   <memory unit=U>                  maxmem= (any libvirt unit; KiB default)
 *   <currentMemory unit=U>           memory= (default: <memory>)
 *   <vcpu placement='static'         maxvcpus= is the element's value,
 *         current=N cpuset=S>        vcpus= current (default: all),
 *                                    cpus= cpuset ("0-3,^1")
 *   <cputune><vcpupin vcpu=I cpuset=S/>  cpus= as a list, one map per vcpu
 *   <os><type machine=M>T</type>     linux/xenpv = pv, xenpvh = pvh, hvm = hvm
 *       <kernel>, <initrd>, <cmdline> kernel=, ramdisk=, cmdline=
 *   <bootloader>                     bootloader=
 *   <on_poweroff>, <on_reboot>,      the same action names as xl.cfg
 *   <on_crash>                       (destroy, restart, preserve, ...)
 *   <clock offset='utc' ...>         written, ignored on input (PV: utc)
 *   <devices>
 *     <disk type='file|block' device='disk|cdrom'>   one disk= entry
 *       <driver name=N type=F/>      N: phy, qemu (qdisk), tap; absent or
 *                                    file: liblight chooses; F: format=
 *       <source file=P/> or <source dev=P/>   target= (none: empty cdrom)
 *       <target dev='xvda' bus='xen'/>        vdev=
 *       <readonly/>, <shareable/>    access=ro, access=w!
 *     <interface type='bridge|ethernet'>      one vif= entry
 *       <mac address=/>, <source bridge=/>, <script path=/>,
 *       <ip address=/> (each one), <target dev=/> (vifname=; on output
 *       of a running guest vifD.N), <model type=/>, <mtu size=/>,
 *       <backenddomain name=/>
 *     <console type='pty'>           written (with the tty when known),
 *                                    ignored on input: a PV guest has one
 *
 * Elements and attributes not listed (features, graphics, ...) are
 * ignored on input, as xl.cfg's unknown keys are.  Memory is kept in KiB
 * by the model; an XML size that is not a whole number of MiB is rounded
 * up to one, as xl.cfg counts memory in MiB.  Not expressed in XML (and
 * so lost on the way through it): on_watchdog, on_soft_reset, a disk's
 * script, discard and direct-io-safe flags, a vif's rate, type and
 * gatewaydev.
 *
 * Errors: -1 (or NULL) with a one-line message in the caller's buffer
 * naming the source, line and element: "guest.xml:7: <memory>: not a
 * number: `12x'".  Nothing here prints.
 *
 * Threads: no shared state; libxml2 is initialised once (pthread_once)
 * on first use, so any thread may call these, several at a time.
 */
#ifndef LIGHTSTACK_LIGHT_XML_H
#define LIGHTSTACK_LIGHT_XML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "light_config.h"

/* Limit on an XML document's size, as for xl.cfg files. */
#define LIGHT_XML_MAX_FILE LIGHT_CFG_MAX_FILE

/* What the model does not hold but a running guest's XML shows. */
struct light_xml_live {
	long long domid;        /* -1: not running (no id=, no vifD.N) */
	const char *console_tty; /* the PV console's pty, or NULL */
};

/*
 * The libvirt XML of `dc` (live NULL: a configuration, not running), as
 * `virsh dumpxml` prints it: two-space indent, single-quoted attributes,
 * a final newline.  malloc'd; NULL with errno on failure.
 */
char *light_domain_config_to_xml(const struct light_domain_config *dc,
                                 const struct light_xml_live *live);

/*
 * Parse `len` bytes of libvirt domain XML into `out` (zeroed first;
 * dispose with light_domain_config_dispose).  The result has been
 * through light_domain_config_from_cfg's checks and defaults, so it is
 * what the same guest written as xl.cfg gives.  `source` names the
 * document in messages.  0, or -1/EINVAL with the message in err.
 */
int light_domain_config_from_xml(const char *data, size_t len,
                                 const char *source,
                                 struct light_domain_config *out,
                                 char *err, size_t errlen);

/* The same from a file (at most LIGHT_XML_MAX_FILE bytes). */
int light_domain_config_from_xml_file(const char *path,
                                      struct light_domain_config *out,
                                      char *err, size_t errlen);

/*
 * Whether a document is libvirt domain XML rather than xl.cfg: its first
 * thing after white space, an optional `<?xml ...?>` declaration and
 * comments is `<domain`.  xl create uses it to pick the parser.
 */
bool light_xml_is_domain(const char *data, size_t len);

/*
 * Validate an XML document against a RELAX NG schema file (libvirt's
 * domain.rng, usually /usr/share/libvirt/schemas/domain.rng).  0 when it
 * validates; -1 with the first problem in err ("line 12: element disk:
 * ..."), or with errno ENOENT when the schema cannot be read.
 */
int light_xml_validate(const char *xml, size_t len, const char *rng_path,
                       char *err, size_t errlen);

/* Where Debian's libvirt0 installs the schema. */
#define LIGHT_XML_DOMAIN_RNG "/usr/share/libvirt/schemas/domain.rng"

/*
 * `dc` as xl.cfg text that light_cfg_parse_data + from_cfg read back to
 * the same model: one `key = value` per line, strings double-quoted with
 * C escapes, keys left out when they hold their default.  malloc'd; NULL
 * with errno on failure.
 */
char *light_domain_config_to_xlcfg(const struct light_domain_config *dc);

/* ---- A running guest ------------------------------------------------ */

struct light_ctx;

/*
 * `xl dumpxml`: the XML of running domain `domid` from its stored
 * configuration (light_domain_config_json) and its live state: the name
 * it has now (after a rename), its UUID, memory target and limit, online
 * vcpus, its console's pty.  malloc'd; NULL with the context's message
 * (ESRCH: no such domain; ENOENT: nothing stored, e.g. Domain-0).
 */
char *light_domain_xml(struct light_ctx *c, uint32_t domid);

#endif /* LIGHTSTACK_LIGHT_XML_H */
