/*
 * lifecycle.h - the lifecycle commands of xl (create, destroy, shutdown,
 * reboot, pause, unpause, console), one function each in cmd_*.c, listed
 * in xl_lifecycle_commands[] (lifecycle_cmds.c).
 */
#ifndef LIGHTSTACK_XL_LIFECYCLE_H
#define LIGHTSTACK_XL_LIFECYCLE_H

int cmd_create(int argc, char **argv);
int cmd_destroy(int argc, char **argv);
int cmd_shutdown(int argc, char **argv);
int cmd_reboot(int argc, char **argv);
int cmd_pause(int argc, char **argv);
int cmd_unpause(int argc, char **argv);
int cmd_console(int argc, char **argv);
int cmd_vncviewer(int argc, char **argv);
int cmd_dump_core(int argc, char **argv);   /* cmd_dumpcore.c */
int cmd_save(int argc, char **argv);        /* cmd_save.c */
int cmd_restore(int argc, char **argv);     /* cmd_save.c */
int cmd_rename(int argc, char **argv);      /* cmd_rename.c */
int cmd_sysrq(int argc, char **argv);       /* cmd_sysrq.c */
int cmd_trigger(int argc, char **argv);

#endif /* LIGHTSTACK_XL_LIFECYCLE_H */
