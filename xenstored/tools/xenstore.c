/*
 * xenstore.c - the xenstore-* command line tools, one multi-call program.
 *
 * Invoked as xenstore-<mode> (read, write, rm, exists, list, ls, chmod,
 * watch, mkdir) or as "xenstore <mode> ...".  Arguments, output formats,
 * messages and exit codes follow Xen 4.17's xenstore-utils so scripts
 * written for those keep working; the differences are deliberate and few:
 *   - numbers (-n NR, chmod domids) are parsed strictly instead of atoi()
 *     ("r5x" is refused; a bare "r" still means "r0");
 *   - an unknown option is a usage error instead of being ignored;
 *   - xenstore-watch exits 1 when the connection breaks instead of spinning;
 *   - xenstore-mkdir exists (upstream has the call but no tool).
 *
 * Like upstream, read/write (with several keys), rm, exists, list, chmod and
 * mkdir run inside one transaction, redone from scratch on EAGAIN; output of
 * read and list is therefore collected in a buffer and printed at the end.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <xen/io/xs_wire.h>

#include "strnum.h"
#include "xsclient.h"

/* Options, set by main() from the command line. */
struct opts {
    bool prefix;        /* -p: read/list prefix, ls permissions */
    bool tidy;          /* -t: rm empty parents too */
    bool upto;          /* -u: chmod parents too */
    bool recurse;       /* -r: chmod children too */
    bool raw;           /* -R: read/write values unescaped */
    bool flat;          /* -f: ls prints full paths, no width limit */
    int nr_watches;     /* -n: events before xenstore-watch exits, -1 all */
};

struct mode {
    const char *name;
    const char *usage;      /* after "[-h] " */
    const char *options;    /* option letters this mode accepts */
    int (*run)(struct xsc_handle *, xsc_tx, int, char **, const struct opts *);
};

static const char *progname;    /* for messages: "xenstore-read" */

/* Output collected during a transaction (see the top comment). */
static char *out_buf;
static size_t out_len, out_size;

static void vmsg(const char *fmt, va_list ap, int errnum)
    __attribute__((format(printf, 1, 0)));
static void warnx_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void warn_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static _Noreturn void errx_(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static _Noreturn void err_(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void vmsg(const char *fmt, va_list ap, int errnum)
{
    fprintf(stderr, "%s: ", progname);
    vfprintf(stderr, fmt, ap);
    if (errnum)
        fprintf(stderr, ": %s", strerror(errnum));
    fputc('\n', stderr);
}

static void warnx_(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmsg(fmt, ap, 0);
    va_end(ap);
}

static void warn_(const char *fmt, ...)
{
    va_list ap;
    int e = errno;

    va_start(ap, fmt);
    vmsg(fmt, ap, e);
    va_end(ap);
}

static _Noreturn void errx_(int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmsg(fmt, ap, 0);
    va_end(ap);
    exit(code);
}

static _Noreturn void err_(int code, const char *fmt, ...)
{
    va_list ap;
    int e = errno;

    va_start(ap, fmt);
    vmsg(fmt, ap, e);
    va_end(ap);
    exit(code);
}

static void out_raw(const void *data, size_t len)
{
    char *p;

    if (out_len + len + 1 > out_size) {
        out_size = out_len + len + 1024;
        p = realloc(out_buf, out_size);
        if (p == NULL)
            err_(1, "malloc");
        out_buf = p;
    }
    memcpy(out_buf + out_len, data, len);
    out_len += len;
}

static void out_str(const char *s)
{
    out_raw(s, strlen(s));
}

/*
 * Quote a value for display: printable ASCII except backslash as is, then
 * \t \n \r \\, bytes below 010 as \ooo and the rest as \xhh.  Returns a
 * malloc'd string (exits on no memory: tools may).
 */
static char *sanitise(const char *val, size_t len)
{
    char *s, *p;
    size_t i;
    unsigned char c;

    s = malloc(len * 4 + 1);
    if (s == NULL)
        err_(1, "malloc");
    p = s;
    for (i = 0; i < len; i++) {
        c = val[i];
        if (c >= ' ' && c <= '~' && c != '\\') {
            *p++ = c;
            continue;
        }
        *p++ = '\\';
        switch (c) {
        case '\t': *p++ = 't'; break;
        case '\n': *p++ = 'n'; break;
        case '\r': *p++ = 'r'; break;
        case '\\': *p++ = '\\'; break;
        default:
            p += sprintf(p, c < 010 ? "%03o" : "x%02x", c);
        }
    }
    *p = '\0';
    return s;
}

/*
 * The inverse, for xenstore-write without -R: \t \n \r \\, \xHH (up to two
 * hex digits) and \ooo (up to three octal digits).  Any other escaped
 * character stands for itself.  A lone trailing backslash becomes a NUL
 * byte, as upstream does.  sscanf() is used on purpose: the accepted forms
 * must match upstream's scanf-based parser exactly.  Returns the length.
 */
static size_t unsanitise(char *out, const char *in)
{
    const char *ip = in;
    char *op = out;
    unsigned c;
    int n;

    while ((c = (unsigned char)*ip++) != 0) {
        if (c == '\\') {
            c = (unsigned char)*ip++;
            n = 0;
            switch (c) {
            case 't': c = '\t'; break;
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case '\\': c = '\\'; break;
            case 'x':
                sscanf(ip, "%2x%n", &c, &n);
                ip += n;
                break;
            case '0': case '1': case '2': case '3':
            case '4': case '5': case '6': case '7':
                ip--;
                sscanf(ip, "%3o%n", &c, &n);
                ip += n;
                break;
            case 0:
                ip--;       /* the NUL ends the loop next round */
                break;
            default:
                break;
            }
        }
        *op++ = c;
    }
    *op = '\0';
    return op - out;
}

/* ---- Modes ------------------------------------------------------------- */

static int do_read(struct xsc_handle *xs, xsc_tx t, int argc, char **argv,
                   const struct opts *o)
{
    size_t len;
    char *val, *s;
    int i;

    for (i = 0; i < argc; i++) {
        val = xsc_read(xs, t, argv[i], &len);
        if (val == NULL) {
            warnx_("couldn't read path %s", argv[i]);
            return 1;
        }
        if (o->prefix) {
            out_str(argv[i]);
            out_str(": ");
        }
        if (o->raw) {
            out_raw(val, len);
        } else {
            s = sanitise(val, len);
            out_str(s);
            out_str("\n");
            free(s);
        }
        free(val);
    }
    return 0;
}

static int do_write(struct xsc_handle *xs, xsc_tx t, int argc, char **argv,
                    const struct opts *o)
{
    char *buf;
    size_t len;
    int i, r;

    for (i = 0; i + 1 < argc; i += 2) {
        if (o->raw) {
            r = xsc_write_str(xs, t, argv[i], argv[i + 1]);
        } else {
            buf = malloc(strlen(argv[i + 1]) + 1);
            if (buf == NULL)
                err_(1, "malloc");
            len = unsanitise(buf, argv[i + 1]);
            r = xsc_write(xs, t, argv[i], buf, len);
            free(buf);
        }
        if (r < 0) {
            warnx_("could not write path %s", argv[i]);
            return 1;
        }
    }
    return 0;
}

static int rm_one(struct xsc_handle *xs, xsc_tx t, const char *path)
{
    if (xsc_rm(xs, t, path) < 0) {
        warnx_("could not remove path %s", path);
        return 1;
    }
    return 0;
}

/* rm -t: after removing a node, remove its parent too while that parent has
 * an empty value and no children left, up towards the root. */
static int rm_tidy(struct xsc_handle *xs, xsc_tx t, const char *path)
{
    char *p, *slash, *val, **list;
    size_t len;
    unsigned num;
    int ret = 1;

    p = strdup(path);
    if (p == NULL)
        return 1;
    for (;;) {
        if (rm_one(xs, t, p))
            goto out;
        slash = strrchr(p, '/');
        if (slash == NULL)
            break;
        *slash = '\0';
        val = xsc_read(xs, t, p, &len);
        if (val == NULL)
            break;
        free(val);
        if (len != 0)
            break;
        list = xsc_directory(xs, t, p, &num);
        if (list == NULL)
            break;
        free(list);
        if (num != 0)
            break;
    }
    ret = 0;
out:
    free(p);
    return ret;
}

static int do_rm(struct xsc_handle *xs, xsc_tx t, int argc, char **argv,
                 const struct opts *o)
{
    int i;

    for (i = 0; i < argc; i++)
        if (o->tidy ? rm_tidy(xs, t, argv[i]) : rm_one(xs, t, argv[i]))
            return 1;
    return 0;
}

static int do_exists(struct xsc_handle *xs, xsc_tx t, int argc, char **argv,
                     const struct opts *o)
{
    char *val;
    int i;

    for (i = 0; i < argc; i++) {
        val = xsc_read(xs, t, argv[i], NULL);
        if (val == NULL)
            return 1;
        free(val);
    }
    return 0;
}

static int do_mkdir(struct xsc_handle *xs, xsc_tx t, int argc, char **argv,
                    const struct opts *o)
{
    int i;

    for (i = 0; i < argc; i++) {
        if (xsc_mkdir(xs, t, argv[i]) < 0) {
            warnx_("could not create path %s", argv[i]);
            return 1;
        }
    }
    return 0;
}

static int do_list(struct xsc_handle *xs, xsc_tx t, int argc, char **argv,
                   const struct opts *o)
{
    char **list;
    unsigned i, num;
    int a;

    for (a = 0; a < argc; a++) {
        list = xsc_directory(xs, t, argv[a], &num);
        if (list == NULL) {
            warnx_("could not list path %s", argv[a]);
            return 1;
        }
        for (i = 0; i < num; i++) {
            if (o->prefix) {    /* 4.17 prints "//name" for "/" */
                out_str(argv[a]);
                out_str("/");
            }
            out_str(list[i]);
            out_str("\n");
        }
        free(list);
    }
    return 0;
}

/*
 * xenstore-ls layout (upstream's, kept byte for byte): each node on one
 * line, indented one space per level, as `name = "value"`; the line is cut
 * to the terminal width (80 when not a terminal) minus two, a cut value
 * ending in `\...`.  With -p, permissions follow in parentheses after a
 * dotted filler up to column 60.  With -f, full paths and no width limit.
 */
#define LS_TAG " = \"...\""
#define LS_TAG_LEN strlen(LS_TAG)
#define LS_PATH_MAX (XENSTORE_ABS_PATH_MAX + 1024)

struct ls_state {
    int max_width;
    int desired_width;
    bool whole_path;
    bool perms;
};

static void ls_perms(struct xsc_handle *xs, const char *path,
                     const char *name)
{
    struct xsc_perm *p;
    unsigned i, n;
    char buf[16];

    p = xsc_get_perms(xs, XSC_NO_TX, path, &n);
    if (p == NULL) {
        warn_("\ncould not access permissions for %s", name);
        return;
    }
    fputs("  (", stdout);
    for (i = 0; i < n; i++) {
        if (i)
            putchar(',');
        if (xsc_perm_format(&p[i], buf, sizeof(buf)) == 0)
            fputs(buf, stdout);
    }
    putchar(')');
    free(p);
}

static void ls_tree(struct xsc_handle *xs, const char *path, int depth,
                    const struct ls_state *ls)
{
    char **names, *newpath, *val, *s;
    unsigned i, num;
    size_t len;
    int n, linewid;

    names = xsc_directory(xs, XSC_NO_TX, path, &num);
    if (names == NULL) {
        if (depth && errno == ENOENT)
            return;     /* removed while we walked: move on */
        err_(1, "xs_directory (%s)", path);
    }
    newpath = malloc(LS_PATH_MAX);
    if (newpath == NULL)
        err_(1, "malloc in do_ls");

    for (i = 0; i < num; i++) {
        n = snprintf(newpath, LS_PATH_MAX, "%s%s%s", path,
                     path[strlen(path) - 1] == '/' ? "" : "/", names[i]);

        linewid = 0;
        if (ls->whole_path) {
            fputs(newpath, stdout);
        } else {
            for (; linewid < depth; linewid++)
                putchar(' ');
            linewid += printf("%.*s",
                              (int)(ls->max_width - LS_TAG_LEN - linewid),
                              names[i]);
        }

        val = NULL;
        len = 0;
        if (n < LS_PATH_MAX)    /* a cut path would name another node */
            val = xsc_read(xs, XSC_NO_TX, newpath, &len);

        if (val == NULL) {
            printf(":\n");
        } else {
            s = sanitise(val, len);
            /* Upstream compares the raw length, in unsigned arithmetic. */
            if ((size_t)ls->max_width < linewid + (unsigned)len + LS_TAG_LEN) {
                printf(" = \"%.*s\\...\"",
                       (int)(ls->max_width - LS_TAG_LEN - linewid), s);
            } else {
                linewid += printf(" = \"%s\"", s);
                if (ls->perms) {
                    int stop = ls->desired_width < ls->max_width ?
                               ls->desired_width : ls->max_width;
                    putchar(' ');
                    for (linewid++; linewid < stop; linewid++)
                        putchar((linewid & 1) ? '.' : ' ');
                }
            }
            free(s);
        }
        free(val);

        if (ls->perms)
            ls_perms(xs, newpath, names[i]);
        putchar('\n');

        ls_tree(xs, newpath, depth + 1, ls);
    }
    free(names);
    free(newpath);
}

static int do_ls(struct xsc_handle *xs, xsc_tx t, int argc, char **argv,
                 const struct opts *o)
{
    struct ls_state ls = { 80, 60, false, o->prefix };
    struct winsize ws;
    int i;

    if (o->flat) {
        ls.max_width = INT_MAX / 2;
        ls.desired_width = 0;
        ls.whole_path = true;
    } else {
        memset(&ws, 0, sizeof(ws));
        if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
            ls.max_width = ws.ws_col - 2;
    }
    if (argc == 0)
        ls_tree(xs, "/", 0, &ls);
    for (i = 0; i < argc; i++)
        ls_tree(xs, argv[i], 0, &ls);
    return 0;
}

/* Set permissions on `path`; -u: also on each parent; -r: on the subtree. */
static void chmod_path(struct xsc_handle *xs, xsc_tx t, char *path,
                       const struct xsc_perm *perms, unsigned n, bool upto,
                       bool recurse)
{
    char **names, *slash;
    char buf[256];      /* upstream's MAX_PATH_LEN for children */
    unsigned i, num;

    if (path[0] == '\0')
        return;
    if (xsc_set_perms(xs, t, path, perms, n) < 0)
        err_(1, "Error occurred setting permissions on '%s'", path);

    if (upto) {
        slash = strrchr(path, '/');
        if (slash == NULL)
            errx_(1, "Unable to locate path separator '/' in '%s'", path);
        *slash = '\0';
        chmod_path(xs, t, path, perms, n, true, false);
        *slash = '/';
    }

    if (recurse) {
        names = xsc_directory(xs, t, path, &num);
        if (names == NULL)
            return;
        for (i = 0; i < num; i++) {
            snprintf(buf, sizeof(buf), "%s/%s", path, names[i]);
            chmod_path(xs, t, buf, perms, n, false, true);
        }
        free(names);
    }
}

static int do_chmod(struct xsc_handle *xs, xsc_tx t, int argc, char **argv,
                    const struct opts *o)
{
    struct xsc_perm *perms;
    int i, n = argc - 1;

    perms = calloc(n > 0 ? n : 1, sizeof(*perms));
    if (perms == NULL)
        err_(1, "malloc");
    for (i = 0; i < n; i++) {
        const char *spec = argv[i + 1];

        if (spec[0] == '\0' || strchr("nrwb", spec[0]) == NULL)
            errx_(1, "Invalid permission specification: '%c'", spec[0]);
        /* A bare letter means domain 0, as upstream's atoi("") gives. */
        if (spec[1] == '\0') {
            perms[i].perm = spec[0];
            perms[i].domid = 0;
        } else if (xsc_perm_parse(spec, &perms[i]) < 0) {
            errx_(1, "Invalid permission specification: '%s'", spec);
        }
    }
    chmod_path(xs, t, argv[0], perms, n, o->upto, o->recurse);
    free(perms);
    return 0;
}

static int do_watch(struct xsc_handle *xs, xsc_tx t, int argc, char **argv,
                    const struct opts *o)
{
    char *path, *token;
    int i;

    /* The token is the watched path, as upstream does. */
    for (i = 0; i < argc; i++)
        if (xsc_watch(xs, argv[i], argv[i]) < 0)
            errx_(1, "Unable to add watch on %s\n", argv[i]);

    for (i = 0; o->nr_watches == -1 || i < o->nr_watches; i++) {
        if (xsc_read_watch(xs, &path, &token, true) < 0)
            errx_(1, "%s", xsc_errmsg(xs));
        printf("%s\n", path);
        fflush(stdout);
        free(path);
        free(token);
    }
    return 0;
}

/* Usage texts are 4.17's, including its "-s" (accepted, ignored). */
static const struct mode modes[] = {
    { "read",   "[-p] [-s] [-R] key [...]",             "psR", do_read },
    { "write",  "[-s] [-R] key value [...]",            "sR",  do_write },
    { "rm",     "[-s] [-t] key [...]",                  "st",  do_rm },
    { "exists", "[-p] [-s] key [...]",                  "s",   do_exists },
    { "list",   "[-p] [-s] key [...]",                  "ps",  do_list },
    { "ls",     "[-f] [-p] [-s] [path]",                "fps", do_ls },
    { "chmod",  "[-u] [-r] [-s] key <mode [modes...]>", "urs", do_chmod },
    { "watch",  "[-n NR] key",                          "ns",  do_watch },
    { "mkdir",  "[-s] key [...]",                       "s",   do_mkdir },
};

static _Noreturn void usage(const struct mode *m, bool with_mode,
                            const char *argv0)
{
    if (m == NULL)
        errx_(1, "Usage: %s <mode> [-h] [...]", argv0);
    errx_(1, "Usage: %s %s%s[-h] %s", argv0, with_mode ? m->name : "",
          with_mode ? " " : "", m->usage);
}

static const struct mode *lookup_mode(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
        if (strcmp(modes[i].name, name) == 0)
            return &modes[i];
    errx_(1, "unknown mode %s\n", name);
}

int main(int argc, char **argv)
{
    static const struct option long_options[] = {
        { "help",    no_argument,       NULL, 'h' },
        { "flat",    no_argument,       NULL, 'f' },
        { "prefix",  no_argument,       NULL, 'p' },
        { "tidy",    no_argument,       NULL, 't' },
        { "upto",    no_argument,       NULL, 'u' },
        { "recurse", no_argument,       NULL, 'r' },
        { "number",  required_argument, NULL, 'n' },
        { "raw",     no_argument,       NULL, 'R' },
        { "socket",  no_argument,       NULL, 's' },
        { NULL, 0, NULL, 0 }
    };
    struct opts o = { .nr_watches = -1 };
    const struct mode *m;
    uint64_t count;
    struct xsc_handle *xs;
    xsc_tx t = XSC_NO_TX;
    const char *base;
    bool multi, transaction;
    int c, shift, nargs, ret;
    char **args;

    /* The libtool wrapper runs us as "lt-xenstore-read" in the build tree. */
    base = strrchr(argv[0], '/');
    base = base ? base + 1 : argv[0];
    if (strncmp(base, "lt-", 3) == 0)
        base += 3;
    progname = base;

    multi = strncmp(base, "xenstore-", 9) != 0;
    if (multi && argc < 2)
        usage(NULL, false, argv[0]);
    m = lookup_mode(multi ? argv[1] : base + 9);
    shift = multi ? 1 : 0;

    /* getopt sees argv[shift] as the program name. */
    while ((c = getopt_long(argc - shift, argv + shift, "hfspturn:R",
                            long_options, NULL)) != -1) {
        if (c == '?' || c == 'h' || strchr(m->options, c) == NULL)
            usage(m, multi, argv[0]);
        switch (c) {
        case 'f': o.flat = true; break;
        case 'p': o.prefix = true; break;
        case 't': o.tidy = true; break;
        case 'u': o.upto = true; break;
        case 'r': o.recurse = true; break;
        case 'R': o.raw = true; break;
        case 's': break;    /* upstream's old "use the socket": always so */
        case 'n':
            if (strnum_u64(optarg, 10, 0, INT_MAX, &count) < 0)
                errx_(1, "invalid number of events: %s", optarg);
            o.nr_watches = (int)count;
            break;
        }
    }
    args = argv + shift + optind;
    nargs = argc - shift - optind;

    if (m->run == do_write && nargs % 2 == 1)
        usage(m, multi, argv[0]);
    if (m->run != do_ls && nargs == 0)
        usage(m, multi, argv[0]);

    /* Which invocations upstream wraps in a transaction. */
    if (m->run == do_read)
        transaction = nargs > 1;
    else if (m->run == do_write)
        transaction = nargs > 2;
    else
        transaction = m->run != do_ls && m->run != do_watch;

    xs = xsc_open(NULL, XSC_OPEN_XENBUS_FALLBACK);
    if (xs == NULL)
        err_(1, "xs_open");

    for (;;) {
        if (transaction && xsc_transaction_start(xs, &t) < 0)
            errx_(1, "couldn't start transaction");
        ret = m->run(xs, t, nargs, args, &o);
        if (!transaction || xsc_transaction_end(xs, t, ret == 0) == 0)
            break;
        if (ret == 0 && errno == EAGAIN) {
            out_len = 0;    /* conflict: redo everything */
            continue;
        }
        errx_(1, "couldn't end transaction");
    }

    if (out_len)
        fwrite(out_buf, 1, out_len, stdout);
    free(out_buf);
    xsc_close(xs);
    return ret;
}
