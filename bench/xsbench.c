/*
 * xsbench - xenstore daemon benchmark.
 *
 *   xsbench [--socket PATH] [--ref-socket PATH] [--ops N] [--nodes N]
 *           [--clients LIST] [--only TEST[,TEST...]]
 *
 * Measures, over the xenstore client library, operations per second of
 *   read       XS_READ of a small value
 *   write      XS_WRITE of a small value
 *   directory  XS_DIRECTORY of a node with 16 children
 *   tx-empty   XS_TRANSACTION_START + XS_TRANSACTION_END (commit)
 *   tx-rmw     a transaction that reads a counter, writes it + 1, commits
 *   write-lazy XS_WRITE of a new node each time while another connection
 *              watches them and never reads its events: their queue grows
 *              by one per write, and a write must cost the same however
 *              long it is (up to the pending-events bound, 65536)
 * from 1 and 8 concurrent clients (separate processes, each with its own
 * connection and its own nodes, so transactions do not conflict), and the
 * daemon's resident memory growth for 10,000 nodes (VmRSS in
 * /proc/PID/status before and after writing them; the daemon's pid comes
 * from SO_PEERCRED on the socket).
 *
 * Besides ops/s it prints each test's median operation time ("p50 us"),
 * the steadier figure on a loaded machine where a few long preemptions
 * dominate the total.
 *
 * With --ref-socket the same runs are made against a second daemon (e.g.
 * upstream xenstored or oxenstored in Dom0) and ratios are printed: "x ops"
 * = ours/ref throughput and "x p50" = ref/ours median time (above 1 means
 * ours is faster), and ours/ref for memory (below 1 is smaller).  Nodes are created under /xsbench and removed at the end.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "strnum.h"
#include "xsclient.h"

#define ROOT "/xsbench"
#define MAX_CLIENTS 64
#define DIR_CHILDREN 16

enum test { T_READ, T_WRITE, T_DIRECTORY, T_TX_EMPTY, T_TX_RMW, T_WRITE_LAZY,
             T_COUNT };

static const char *const test_names[T_COUNT] = {
    "read", "write", "directory", "tx-empty", "tx-rmw", "write-lazy",
};

struct config {
    const char *socket;
    const char *ref_socket;
    long ops;               /* operations per client per test */
    long nodes;             /* nodes for the memory measurement */
    int clients[8];         /* client counts to run, 0-terminated */
    bool only[T_COUNT];     /* tests selected */
};

static _Noreturn void die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static _Noreturn void die(const char *fmt, ...)
{
    va_list ap;

    fputs("xsbench: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

/* A whole decimal number in [min, max], or die saying which. */
static long parse_num(const char *s, long min, long max, const char *what)
{
    int64_t v;

    if (strnum_i64(s, 10, min, max, &v) < 0)
        die("%s: expected a number from %ld to %ld, got \"%s\"", what, min,
            max, s);
    return (long)v;
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct xsc_handle *connect_or_die(const char *sock)
{
    struct xsc_handle *x = xsc_open(sock, 0);

    if (x == NULL)
        die("connect %s: %s", sock ? sock : "(default)", strerror(errno));
    return x;
}

/* Nodes client `c` works on: ROOT/c<c>/{value,counter,dir/0..15}. */
static int prepare_client(struct xsc_handle *x, int c)
{
    char path[128];
    int i;

    snprintf(path, sizeof(path), ROOT "/c%d/value", c);
    if (xsc_write_str(x, XSC_NO_TX, path, "0123456789abcdef") < 0)
        return -1;
    snprintf(path, sizeof(path), ROOT "/c%d/counter", c);
    if (xsc_write_str(x, XSC_NO_TX, path, "0") < 0)
        return -1;
    for (i = 0; i < DIR_CHILDREN; i++) {
        snprintf(path, sizeof(path), ROOT "/c%d/dir/entry-%02d", c, i);
        if (xsc_write_str(x, XSC_NO_TX, path, "x") < 0)
            return -1;
    }
    return 0;
}

/* One read-modify-write transaction, redone on conflict. */
static int tx_rmw(struct xsc_handle *x, const char *path)
{
    char *v, buf[32];
    xsc_tx t;
    int64_t n;

    for (;;) {
        if (xsc_transaction_start(x, &t) < 0)
            return -1;
        v = xsc_read(x, t, path, NULL);
        if (v == NULL)
            goto abort;
        /* The counter only ever holds what tx_rmw wrote. */
        if (strnum_i64(v, 10, 0, INT64_MAX - 1, &n) < 0) {
            free(v);
            goto abort;
        }
        free(v);
        snprintf(buf, sizeof(buf), "%" PRId64, n + 1);
        if (xsc_write_str(x, t, path, buf) < 0)
            goto abort;
        if (xsc_transaction_end(x, t, true) == 0)
            return 0;
        if (errno != EAGAIN)
            return -1;
    }
abort:
    xsc_transaction_end(x, t, false);
    return -1;
}

/*
 * Run `ops` operations of test `t` as client `c`.  The time of each of the
 * first `nlat` operations goes to lat[] (microseconds).  0 or -1.
 */
static int run_ops(struct xsc_handle *x, enum test t, int c, long ops,
                   double *lat, long nlat)
{
    double t0 = 0;
    char value[128], counter[128], dir[128], lazy[128], **names;
    unsigned num;
    xsc_tx tx;
    char *v;
    long i;

    snprintf(value, sizeof(value), ROOT "/c%d/value", c);
    snprintf(counter, sizeof(counter), ROOT "/c%d/counter", c);
    snprintf(dir, sizeof(dir), ROOT "/c%d/dir", c);
    for (i = 0; i < ops; i++) {
        if (i < nlat)
            t0 = now();
        switch (t) {
        case T_READ:
            v = xsc_read(x, XSC_NO_TX, value, NULL);
            if (v == NULL)
                return -1;
            free(v);
            break;
        case T_WRITE:
            if (xsc_write_str(x, XSC_NO_TX, value, "fedcba9876543210") < 0)
                return -1;
            break;
        case T_WRITE_LAZY:
            /* A new node each time: no two events alike. */
            snprintf(lazy, sizeof(lazy), ROOT "/c%d/lazy/n%ld", c, i);
            if (xsc_write_str(x, XSC_NO_TX, lazy, "x") < 0)
                return -1;
            break;
        case T_DIRECTORY:
            names = xsc_directory(x, XSC_NO_TX, dir, &num);
            if (names == NULL || num != DIR_CHILDREN)
                return -1;
            free(names);
            break;
        case T_TX_EMPTY:
            if (xsc_transaction_start(x, &tx) < 0 ||
                xsc_transaction_end(x, tx, true) < 0)
                return -1;
            break;
        case T_TX_RMW:
            if (tx_rmw(x, counter) < 0)
                return -1;
            break;
        case T_COUNT:
            break;
        }
        if (i < nlat)
            lat[i] = (now() - t0) * 1e6;
    }
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* Median of n samples (sorts them). */
static double median(double *v, long n)
{
    if (n <= 0)
        return -1;
    qsort(v, n, sizeof(*v), cmp_double);
    return v[n / 2];
}

/* Result of one run: throughput, and the median time of one operation
 * (averaged over the clients).  On a loaded machine the median is the
 * steadier figure: a few long preemptions dominate the total time. */
struct run {
    double ops_s;       /* -1 if a client failed */
    double p50_us;
};

#define MAX_SAMPLES 1000000

/* write-lazy: a second connection that watches client c's lazy/ subtree
 * and never reads (kept open until the client exits).  NULL on failure. */
static struct xsc_handle *lazy_watcher(const char *sock, int c)
{
    struct xsc_handle *w = xsc_open(sock, 0);
    char path[128];

    snprintf(path, sizeof(path), ROOT "/c%d/lazy", c);
    if (w != NULL && xsc_watch(w, path, "lazy") < 0) {
        xsc_close(w);
        return NULL;
    }
    return w;
}

/*
 * Fork `nclients` processes that each connect, then wait on a pipe so all
 * start together; the time runs from that release until the last exits.
 * Each client sends its median operation time back through a pipe.
 */
static struct run run_test(const char *sock, enum test t, int nclients,
                           long ops)
{
    int ready[2], go[2], res[2], i, status, failed = 0;
    pid_t pids[MAX_CLIENTS];
    double start, elapsed, med, sum = 0;
    struct run out = { -1, -1 };
    char byte;

    if (pipe(ready) < 0 || pipe(go) < 0 || pipe(res) < 0)
        die("pipe: %s", strerror(errno));
    for (i = 0; i < nclients; i++) {
        pids[i] = fork();
        if (pids[i] < 0)
            die("fork: %s", strerror(errno));
        if (pids[i] == 0) {
            struct xsc_handle *x = xsc_open(sock, 0);
            struct xsc_handle *lazy = NULL;
            long nlat = ops < MAX_SAMPLES ? ops : MAX_SAMPLES;
            double *lat = malloc(nlat * sizeof(double));
            int r = 1;

            if (t == T_WRITE_LAZY && (lazy = lazy_watcher(sock, i)) == NULL)
                xsc_close(x), x = NULL;     /* a failed client */

            close(ready[0]);
            close(go[1]);
            close(res[0]);
            if (x && lat && write(ready[1], "r", 1) == 1 &&
                read(go[0], &byte, 1) == 1) {
                r = run_ops(x, t, i, ops, lat, nlat) == 0 ? 0 : 1;
                if (r)
                    fprintf(stderr, "xsbench: client %d %s: %s\n", i,
                            test_names[t], xsc_errmsg(x));
                med = median(lat, nlat);
                if (write(res[1], &med, sizeof(med)) != sizeof(med))
                    r = 1;
            }
            xsc_close(x);
            if (lazy != NULL)
                xsc_close(lazy);
            free(lat);
            _exit(r);
        }
    }
    close(ready[1]);
    close(go[0]);
    close(res[1]);
    for (i = 0; i < nclients; i++)
        if (read(ready[0], &byte, 1) != 1)
            failed = 1;     /* a client could not connect */
    start = now();
    for (i = 0; i < nclients; i++)
        if (write(go[1], "g", 1) != 1)
            failed = 1;
    close(go[1]);
    for (i = 0; i < nclients; i++) {
        if (waitpid(pids[i], &status, 0) < 0 || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0)
            failed = 1;
    }
    elapsed = now() - start;
    for (i = 0; i < nclients; i++) {
        if (read(res[0], &med, sizeof(med)) != sizeof(med))
            failed = 1;
        else
            sum += med;
    }
    close(ready[0]);
    close(res[0]);
    if (failed || elapsed <= 0)
        return out;
    out.ops_s = (double)ops * nclients / elapsed;
    out.p50_us = sum / nclients;
    return out;
}

/* The daemon's pid, from the socket's peer credentials. */
static pid_t daemon_pid(struct xsc_handle *x)
{
    struct ucred cred;
    socklen_t len = sizeof(cred);

    if (getsockopt(xsc_fileno(x), SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
        return -1;
    return cred.pid;
}

/* VmRSS of `pid` in KiB, or -1. */
static long rss_kib(pid_t pid)
{
    char path[64], line[256];
    long kib = -1;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    f = fopen(path, "r");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

/* RSS growth in KiB for `nodes` new nodes, scaled to 10,000; -1 if the
 * daemon's memory cannot be read. */
static double memory_per_10k(const char *sock, long nodes)
{
    struct xsc_handle *x = connect_or_die(sock);
    char path[128], value[32];
    long before, after, i;
    double result = -1;
    pid_t pid;

    pid = daemon_pid(x);
    before = pid > 0 ? rss_kib(pid) : -1;
    if (before < 0) {
        fprintf(stderr, "xsbench: cannot read the daemon's VmRSS "
                "(pid %d)\n", (int)pid);
        goto out;
    }
    for (i = 0; i < nodes; i++) {
        /* Spread over 100 directories, like many domains' subtrees. */
        snprintf(path, sizeof(path), ROOT "/mem/d%02ld/node-%06ld", i % 100, i);
        snprintf(value, sizeof(value), "value-%ld", i);
        if (xsc_write_str(x, XSC_NO_TX, path, value) < 0)
            die("%s", xsc_errmsg(x));
    }
    after = rss_kib(pid);
    if (after >= 0)
        result = (after - before) * 10000.0 / nodes;
out:
    xsc_rm(x, XSC_NO_TX, ROOT "/mem");
    xsc_close(x);
    return result;
}

struct results {
    struct run run[T_COUNT][8];     /* per test, per entry of config.clients */
    double mem;
};

static void run_all(const struct config *cfg, const char *sock,
                    struct results *r)
{
    struct xsc_handle *x = connect_or_die(sock);
    int c, k, max = 0;
    enum test t;

    for (k = 0; cfg->clients[k]; k++)
        if (cfg->clients[k] > max)
            max = cfg->clients[k];
    xsc_rm(x, XSC_NO_TX, ROOT);
    for (c = 0; c < max; c++)
        if (prepare_client(x, c) < 0)
            die("%s", xsc_errmsg(x));

    for (t = 0; t < T_COUNT; t++) {
        for (k = 0; cfg->clients[k]; k++) {
            r->run[t][k].ops_s = 0;
            r->run[t][k].p50_us = 0;
            if (cfg->only[t])
                r->run[t][k] = run_test(sock, t, cfg->clients[k], cfg->ops);
        }
    }
    r->mem = cfg->nodes ? memory_per_10k(sock, cfg->nodes) : -1;
    xsc_rm(x, XSC_NO_TX, ROOT);
    xsc_close(x);
}

static void usage(void)
{
    fprintf(stderr,
            "usage: xsbench [--socket PATH] [--ref-socket PATH] [--ops N]\n"
            "               [--nodes N] [--clients N[,N...]] "
            "[--only TEST[,TEST...]]\n"
            "tests: read write directory tx-empty tx-rmw write-lazy\n");
    exit(1);
}

static void parse_list(char *arg, struct config *cfg, bool clients)
{
    char *tok, *save = NULL;
    int n = 0, t;

    for (tok = strtok_r(arg, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (clients) {
            if (n >= 7)
                die("--clients: at most 7 entries");
            cfg->clients[n++] = parse_num(tok, 1, MAX_CLIENTS, "--clients");
            cfg->clients[n] = 0;
            continue;
        }
        for (t = 0; t < T_COUNT; t++)
            if (strcmp(tok, test_names[t]) == 0)
                break;
        if (t == T_COUNT)
            die("--only: unknown test \"%s\"", tok);
        cfg->only[t] = true;
    }
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "socket", required_argument, NULL, 's' },
        { "ref-socket", required_argument, NULL, 'r' },
        { "ops", required_argument, NULL, 'o' },
        { "nodes", required_argument, NULL, 'n' },
        { "clients", required_argument, NULL, 'c' },
        { "only", required_argument, NULL, 't' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    struct config cfg = { .ops = 5000, .nodes = 10000, .clients = { 1, 8 } };
    static struct results ours, ref;
    bool any = false;
    int c, k;
    enum test t;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 's': cfg.socket = optarg; break;
        case 'r': cfg.ref_socket = optarg; break;
        case 'o': cfg.ops = parse_num(optarg, 1, 100000000, "--ops"); break;
        case 'n': cfg.nodes = parse_num(optarg, 0, 10000000, "--nodes"); break;
        case 'c': parse_list(optarg, &cfg, true); break;
        case 't': parse_list(optarg, &cfg, false); any = true; break;
        default: usage();
        }
    }
    if (optind != argc)
        usage();
    if (!any)
        for (t = 0; t < T_COUNT; t++)
            cfg.only[t] = true;

    run_all(&cfg, cfg.socket, &ours);
    if (cfg.ref_socket)
        run_all(&cfg, cfg.ref_socket, &ref);

    printf("xsbench: %ld ops per client per test; socket %s%s%s\n", cfg.ops,
           cfg.socket ? cfg.socket : "(default)",
           cfg.ref_socket ? ", reference " : "",
           cfg.ref_socket ? cfg.ref_socket : "");
    printf("%-10s %7s %12s %8s", "test", "clients", "ops/s", "p50 us");
    if (cfg.ref_socket)
        printf(" %12s %8s %7s %7s", "ref ops/s", "ref p50", "x ops", "x p50");
    putchar('\n');
    for (t = 0; t < T_COUNT; t++) {
        if (!cfg.only[t])
            continue;
        for (k = 0; cfg.clients[k]; k++) {
            const struct run *o = &ours.run[t][k], *f = &ref.run[t][k];

            printf("%-10s %7d %12.0f %8.1f", test_names[t], cfg.clients[k],
                   o->ops_s, o->p50_us);
            /* Both ratios above 1 mean ours is faster. */
            if (cfg.ref_socket)
                printf(" %12.0f %8.1f %7.2f %7.2f", f->ops_s, f->p50_us,
                       f->ops_s > 0 ? o->ops_s / f->ops_s : 0,
                       o->p50_us > 0 ? f->p50_us / o->p50_us : 0);
            putchar('\n');
        }
    }
    if (cfg.nodes) {
        printf("%-18s %12.0f KiB", "memory/10k nodes", ours.mem);
        if (cfg.ref_socket)
            printf(" %8.0f KiB %7.2f", ref.mem,
                   ref.mem > 0 ? ours.mem / ref.mem : 0);
        putchar('\n');
    }
    for (t = 0; t < T_COUNT; t++)
        for (k = 0; cfg.clients[k]; k++)
            if (cfg.only[t] && (ours.run[t][k].ops_s < 0 ||
                                (cfg.ref_socket && ref.run[t][k].ops_s < 0)))
                return 1;       /* some run failed (printed as -1) */
    return 0;
}
