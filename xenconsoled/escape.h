/*
 * escape.h - the client's byte filters, kept pure for unit tests.
 *
 * Ctrl-] (0x1d, as upstream xenconsole and telnet) typed by the user
 * detaches from the console.  Upstream only honours it when read(2)
 * returned that single byte, which loses it when input is piped; we stop
 * at the first 0x1d in a chunk: the bytes before it still go to the guest,
 * nothing after it does.
 */
#ifndef LIGHTSTACK_CONSOLE_ESCAPE_H
#define LIGHTSTACK_CONSOLE_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>

#define XCON_ESCAPE_CHAR 0x1d	/* Ctrl-] */

/* Look for the escape character in `len` bytes of user input.  *fwd gets
 * how many leading bytes to send to the guest.  Returns true when the
 * escape was found (the caller sends *fwd bytes, then detaches). */
bool xcon_scan_input(const char *buf, size_t len, size_t *fwd);

/* Replace ESC (0x1b) in guest output by '.', as upstream does by default,
 * so a guest cannot drive the user's terminal with escape sequences. */
void xcon_replace_escape(char *buf, size_t len);

#endif /* LIGHTSTACK_CONSOLE_ESCAPE_H */
