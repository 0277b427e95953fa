/*
 * xml_cmds.h - xl's libvirt XML commands (cmd_xml.c) and the interactive
 * shell (cmd_shell.c).
 *
 *   xl dumpxml <Domain>                      a running guest as libvirt XML
 *   xl config-convert [--to xml|xl] <File>   xl.cfg <-> libvirt XML
 *   xl domxml-to-native xen-xl <File.xml>    as virsh: XML -> xl.cfg
 *   xl domxml-from-native xen-xl <File.cfg>  as virsh: xl.cfg -> XML
 *   xl shell                                 commands read line by line
 */
#ifndef LIGHTSTACK_XL_XML_CMDS_H
#define LIGHTSTACK_XL_XML_CMDS_H

#include <stddef.h>

struct light_cfg;

int cmd_dumpxml(int argc, char **argv);
int cmd_config_convert(int argc, char **argv);
int cmd_domxml_to_native(int argc, char **argv);
int cmd_domxml_from_native(int argc, char **argv);
int cmd_shell(int argc, char **argv);

/*
 * Read a guest's config file, xl.cfg or libvirt XML (a file whose first
 * element is <domain>, light_xml_is_domain), and append its settings to
 * `cfg`, so that command line overrides and the model's checks work the
 * same for both.  *is_xml says which it was (may be NULL).  0, or -1 with
 * a one-line message naming file:line in err.
 */
int xl_cfg_parse_any(struct light_cfg *cfg, const char *path, int *is_xml,
    char *err, size_t errlen);

#endif /* LIGHTSTACK_XL_XML_CMDS_H */
