/*
 * lifecycle_cmds.c - the lifecycle commands' table (see xl.h).  Usage and
 * option texts follow upstream xl's, trimmed to what is implemented.
 */
#include "config.h"

#include <stddef.h>

#include "xl.h"
#include "lifecycle.h"

const struct xl_command xl_lifecycle_commands[] = {
	{ "create", cmd_create,
	  "<ConfigFile> [options] [vars]",
	  "Create a domain from config file <filename>",
	  "Create a domain based on <ConfigFile>.\n"
	  "Options:\n\n"
	  "-h                     Print this help.\n"
	  "-p                     Leave the domain paused after it is created.\n"
	  "-c                     Connect to the console after the domain is created.\n"
	  "-f FILE, --defconfig=FILE\n"
	  "                     Use the given configuration file.\n"
	  "-q, --quiet            Quiet.\n"
	  "-n, --dryrun           Dry run - prints the resulting configuration\n"
	  "                        (JSON) but does not create the domain.\n"
	  "-d                     Enable debug messages (the parsed configuration).\n"
	  "-F                     Run in foreground until death of the domain.\n"
	  "-e                     Do not wait in the background for the death of the domain.\n"
	  "--ignore-global-affinity-masks Ignore global masks in xl.conf.",
	  XL_CMD_MODIFIES | XL_CMD_DRYRUN },
	{ "destroy", cmd_destroy,
	  "[options] <Domain>\n",
	  "Terminate a domain immediately",
	  "-f                     Permit destroying domain 0, which will only succeed\n"
	  "                       when run from disaggregated toolstack domain with a\n"
	  "                       hardware domain distinct from domain 0.",
	  0 },
	{ "shutdown", cmd_shutdown,
	  "[options] <-a|Domain>",
	  "Issue a shutdown signal to a domain",
	  "Options:\n"
	  "-a, --all               Shutdown all guest domains.\n"
	  "-h                      Print this help.\n"
	  "-F                      Fallback to the hypervisor's shutdown if the guest\n"
	  "                        has no PV control interface.\n"
	  "-w, --wait              Wait for guest(s) to shutdown.\n",
	  0 },
	{ "reboot", cmd_reboot,
	  "[options] <-a|Domain>",
	  "Issue a reboot signal to a domain",
	  "Options:\n"
	  "-a, --all               Reboot all guest domains.\n"
	  "-h                      Print this help.\n"
	  "-F                      Fallback to the hypervisor's reboot if the guest\n"
	  "                        has no PV control interface.\n"
	  "-w, --wait              Wait for guest(s) to reboot.\n",
	  0 },
	{ "pause", cmd_pause,
	  "<Domain>",
	  "Pause execution of a domain",
	  NULL, 0 },
	{ "unpause", cmd_unpause,
	  "<Domain>",
	  "Unpause a paused domain",
	  NULL, 0 },
	{ "console", cmd_console,
	  "[options] <Domain>\n"
	  "-t <type>       console type, pv , serial or vuart\n"
	  "-n <number>     console number",
	  "Attach to domain's console",
	  NULL, 0 },
	{ "vncviewer", cmd_vncviewer,
	  "[options] <Domain>\n"
	  "--autopass               give the viewer the guest's VNC password\n"
	  "                         on its standard input (its -autopass)\n"
	  "--vncviewer-autopass     the same",
	  "Run a VNC viewer on an HVM domain's display",
	  NULL, 0 },
	{ "dump-core", cmd_dump_core,
	  "<Domain> <filename>",
	  "Core dump a domain",
	  NULL, XL_CMD_MODIFIES },
	{ "rename", cmd_rename,
	  "<Domain> <NewDomainName>",
	  "Rename a domain",
	  NULL, XL_CMD_MODIFIES },
	{ "trigger", cmd_trigger,
	  "<Domain> <nmi|reset|init|power|sleep|s3resume> [<VCPU>]",
	  "Send a trigger to a domain",
	  NULL, 0 },
	{ "sysrq", cmd_sysrq,
	  "<Domain> <letter>",
	  "Send a sysrq to a domain",
	  NULL, 0 },
	{ "save", cmd_save,
	  "[options] <Domain> <CheckpointFile> [<ConfigFile>]",
	  "Save a domain state to restore later",
	  "-h  Print this help.\n"
	  "-c  Leave domain running after creating the snapshot.\n"
	  "-p  Leave domain paused after creating the snapshot.",
	  XL_CMD_MODIFIES },
	{ "restore", cmd_restore,
	  "[options] [<ConfigFile>] <CheckpointFile>",
	  "Restore a domain from a saved state",
	  "-h  Print this help.\n"
	  "-p  Do not unpause domain after restoring it.\n"
	  "-e  Do not wait in the background for the death of the domain.\n"
	  "-d  Enable debug messages.\n"
	  "-c  Connect to the console after the domain is restored.",
	  XL_CMD_MODIFIES },
	{ NULL, NULL, NULL, NULL, NULL, 0 },
};
