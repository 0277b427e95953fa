/*
 * shell_exit.c - exit() as xl is linked (-Wl,--wrap=exit, xl/xml.am):
 * while `xl shell` runs a command, a command's exit() returns to the
 * shell with its status instead of ending the process (cmd_shell.c).
 * Everywhere else it is the C library's exit.  Linked into the xl program
 * only; the tests that link the command library get the plain exit().
 */
#include "config.h"

void xl_shell_exit_hook(int status);
void __real_exit(int status) __attribute__((noreturn));
void __wrap_exit(int status) __attribute__((noreturn));

void
__wrap_exit(int status)
{
	xl_shell_exit_hook(status);   /* returns unless the shell catches it */
	__real_exit(status);
}
