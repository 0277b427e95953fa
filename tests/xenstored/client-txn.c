/*
 * client-txn.c - transaction checks for client-compare.sh: commit, abort
 * and conflict through liblightstack-xs against the daemon at
 * $XENSTORED_PATH.  Leaves /t/txn/counter = "2" for the script to read
 * with Debian's xenstore-read.  Prints one line per failure; exit 0 when
 * all checks pass.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsclient.h"

static int failures;

static void check(bool cond, const char *what, struct xsc_handle *x)
{
    if (!cond) {
        printf("FAIL: %s (%s)\n", what, x ? xsc_errmsg(x) : "");
        failures++;
    }
}

/* Value of path as a string, or "" if it cannot be read. */
static char *get(struct xsc_handle *x, xsc_tx t, const char *path)
{
    char *v = xsc_read(x, t, path, NULL);

    return v ? v : strdup("");
}

int main(void)
{
    struct xsc_handle *a, *b;
    xsc_tx t;
    char *v;
    int r;

    a = xsc_open(NULL, 0);
    b = xsc_open(NULL, 0);
    if (a == NULL || b == NULL) {
        printf("FAIL: xsc_open: %s\n", strerror(errno));
        return 1;
    }

    check(xsc_write_str(a, XSC_NO_TX, "/t/txn/counter", "1") == 0,
          "set counter", a);

    /* Commit: read-modify-write becomes visible to others only at the end. */
    check(xsc_transaction_start(a, &t) == 0, "start 1", a);
    v = get(a, t, "/t/txn/counter");
    check(strcmp(v, "1") == 0, "read in transaction", a);
    free(v);
    check(xsc_write_str(a, t, "/t/txn/counter", "2") == 0, "write in tx", a);
    v = get(b, XSC_NO_TX, "/t/txn/counter");
    check(strcmp(v, "1") == 0, "uncommitted write invisible to others", b);
    free(v);
    check(xsc_transaction_end(a, t, true) == 0, "commit", a);
    v = get(b, XSC_NO_TX, "/t/txn/counter");
    check(strcmp(v, "2") == 0, "committed write visible", b);
    free(v);

    /* Abort: nothing happens. */
    check(xsc_transaction_start(a, &t) == 0, "start 2", a);
    check(xsc_write_str(a, t, "/t/txn/counter", "99") == 0, "write 99", a);
    check(xsc_transaction_end(a, t, false) == 0, "abort", a);
    v = get(b, XSC_NO_TX, "/t/txn/counter");
    check(strcmp(v, "2") == 0, "aborted write not visible", b);
    free(v);

    /* Conflict: a node the transaction read changes before the commit. */
    check(xsc_write_str(a, XSC_NO_TX, "/t/txn/other", "x") == 0, "other", a);
    check(xsc_transaction_start(a, &t) == 0, "start 3", a);
    v = get(a, t, "/t/txn/other");
    free(v);
    check(xsc_write_str(b, XSC_NO_TX, "/t/txn/other", "y") == 0,
          "concurrent write", b);
    check(xsc_write_str(a, t, "/t/txn/counter", "3") == 0, "write 3", a);
    r = xsc_transaction_end(a, t, true);
    check(r == -1 && errno == EAGAIN, "conflicting commit gives EAGAIN", a);
    v = get(b, XSC_NO_TX, "/t/txn/counter");
    check(strcmp(v, "2") == 0, "conflicting commit left no trace", b);
    free(v);

    xsc_close(a);
    xsc_close(b);
    return failures ? 1 : 0;
}
