/*
 * journal.c - what xenstored keeps on disk to come back after a crash.
 *
 * The store itself lives in memory (-I).  Beside it, in the state
 * directory (--state-dir), two files hold everything a restart needs:
 *
 *   snapshot  the whole state at one moment: every node with its
 *             generation, permissions, data and child list; the special
 *             nodes' permissions; each introduced domain (domid, ring
 *             frame, the guest's event channel port, shutdown and target
 *             state); each domain connection's watches and open
 *             transaction ids; and any request half read from, or reply
 *             not yet written to, a domain's ring.
 *   journal   the changes since that snapshot, appended record by record.
 *
 * Both files are one run of records of the same format:
 *
 *   u32 len | u8 type | 3 bytes zero | u32 crc32(type, payload) | payload
 *
 * little-endian, `len` bytes of payload.  The first record of each file is
 * a header (R_HDR) naming the format version, the snapshot's epoch and the
 * kernel's boot id.  A journal whose epoch is not the snapshot's predates
 * it and is ignored; files of another boot are ignored (the domains they
 * describe are gone).  A snapshot ends with R_END; a snapshot that does
 * not check out is refused, the daemon does not start on half a store.
 * A journal ends wherever its first record that does not check out is:
 * that is the torn tail of a write the daemon did not finish.
 *
 * Writing: the changes of one request are gathered in a buffer (the hooks
 * below, called from accounting.c, tree.c, domain.c and decode.c) and
 * written with one write() at the end of the request, before its reply
 * leaves: what a client was told is done is in the kernel's page cache,
 * which a kill -9 of the daemon does not lose.  There is no fsync per
 * write: what it would add is durability over a host crash, and a host
 * crash takes every domain with it (the state of another boot is ignored
 * anyway).  A record costs what the changed nodes weigh.  Once the journal
 * outgrows both 1 MiB and twice the last snapshot, a new snapshot is
 * written (temporary file, fsync, rename), then a fresh journal: the cost
 * of compaction spread over the writes that caused it is constant.
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xsd.h"

enum {
	R_HDR = 1,      /* u32 version, u64 epoch, str boot id */
	R_PUT,          /* str path, u64 gen, u32 n, n x (u32 id, u8 perms),
	                 * bytes data, bytes children */
	R_DEL,          /* str path */
	R_SPECIAL,      /* str name, u32 n, n x (u32 id, u8 perms) */
	R_DOMAINS,      /* u32 n, n x struct xsd_domrec */
	R_CONN,         /* u32 domid, u32 next_txid, u32 n, n x u32 txid,
	                 * u32 n, n x (str path, str token, u32 rel_off) */
	R_RING,         /* u32 domid, bytes input, bytes output */
	R_END,          /* u64 records before it (snapshot only) */
	R_PUTA,         /* as R_PUT, but the children bytes are appended to
	                 * the existing node's list (a child added in place) */
};

#define JOURNAL_VERSION 1
#define REC_HDR 12
#define REC_MAX (64u << 20)          /* no record is bigger: corrupt */
#define COMPACT_MIN (1u << 20)

bool xsd_persist;

static char *state_dir;
static int jfd = -1;
static bool active;                  /* hooks record (after the restore) */
static uint64_t epoch;
static off_t journal_size, snapshot_size;
static bool domains_dirty, specials_dirty, conns_dirty, write_failed;
static char boot_id[64];

/* The records of the request under way. */
static unsigned char *buf;
static size_t buf_len, buf_cap;
static bool buf_oom;

/* What the journal said about domains, until journal_restore_domains(). */
static struct xsd_domrec *pend_doms;
static size_t npend_doms;
struct pend_conn {
	uint32_t domid;
	unsigned char *rec;      /* R_CONN payload */
	size_t reclen;
	unsigned char *ring;     /* R_RING payload */
	size_t ringlen;
};
static struct pend_conn *pend_conns;
static size_t npend_conns;

/* ---- CRC-32 (IEEE 802.3, reflected, as zlib's) --------------------------- */

static uint32_t crc_table[256];

static void crc_init(void)
{
	uint32_t c;
	unsigned int i, k;

	for (i = 0; i < 256; i++) {
		c = i;
		for (k = 0; k < 8; k++)
			c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

static uint32_t crc32_update(uint32_t crc, const unsigned char *p, size_t n)
{
	crc = ~crc;
	while (n--)
		crc = crc_table[(crc ^ *p++) & 0xFF] ^ (crc >> 8);
	return ~crc;
}

/* ---- Encoding ----------------------------------------------------------- */

static void put(const void *p, size_t n)
{
	unsigned char *nb;
	size_t cap;

	if (buf_oom)
		return;
	if (buf_len + n > buf_cap) {
		cap = buf_cap ? buf_cap : 4096;
		while (cap < buf_len + n)
			cap *= 2;
		nb = realloc(buf, cap);
		if (!nb) {
			buf_oom = true;
			return;
		}
		buf = nb;
		buf_cap = cap;
	}
	memcpy(buf + buf_len, p, n);
	buf_len += n;
}

static void put_u8(uint8_t v)
{
	put(&v, 1);
}

static void put_u32(uint32_t v)
{
	unsigned char b[4] = { v, v >> 8, v >> 16, v >> 24 };

	put(b, 4);
}

static void put_u64(uint64_t v)
{
	put_u32((uint32_t)v);
	put_u32((uint32_t)(v >> 32));
}

static void put_bytes(const void *p, size_t n)
{
	put_u32((uint32_t)n);
	put(p, n);
}

static void put_str(const char *s)
{
	put_bytes(s, strlen(s));
}

static void put_perms(const struct xsd_perm *p, unsigned int n)
{
	unsigned int i;

	put_u32(n);
	for (i = 0; i < n; i++) {
		put_u32(p[i].id);
		put_u8(p[i].perms);
	}
}

/* Start a record; rec_end() fills in its length and checksum. */
static size_t rec_begin(uint8_t type)
{
	size_t at = buf_len;
	unsigned char hdr[REC_HDR] = { 0 };

	hdr[4] = type;
	put(hdr, sizeof(hdr));
	return at;
}

static void rec_end(size_t at)
{
	uint32_t len, crc;
	unsigned char *h;

	if (buf_oom)
		return;
	h = buf + at;
	len = (uint32_t)(buf_len - at - REC_HDR);
	crc = crc32_update(0, h + 4, 1);
	crc = crc32_update(crc, h + REC_HDR, len);
	h[0] = len; h[1] = len >> 8; h[2] = len >> 16; h[3] = len >> 24;
	h[8] = crc; h[9] = crc >> 8; h[10] = crc >> 16; h[11] = crc >> 24;
}

/*
 * A node as it is now.  The first record of a node record (or after its
 * child list shrank) holds the whole list; after that, since a change in
 * place adds at most one child at the end, only what was appended: a
 * directory of many children costs the new name per write, not the list.
 */
static void put_node_rec(struct node *n)
{
	bool append = n->journaled && n->childlen >= n->jchildlen;
	size_t at = rec_begin(append ? R_PUTA : R_PUT);

	put_str(n->path);
	put_u64(n->gen);
	put_perms(n->perms, n->nperms);
	put_bytes(n->data, n->datalen);
	if (append)
		put_bytes(n->children + n->jchildlen, n->childlen - n->jchildlen);
	else
		put_bytes(n->children, n->childlen);
	rec_end(at);
	n->journaled = true;
	n->jchildlen = n->childlen;
}

static void put_specials(void)
{
	const struct xsd_perm *p;
	const char *name;
	unsigned int i, n;
	size_t at;

	for (i = 0; special_get(i, &name, &p, &n); i++) {
		at = rec_begin(R_SPECIAL);
		put_str(name);
		put_perms(p, n);
		rec_end(at);
	}
}

static void put_domains(void)
{
	struct xsd_domrec *d = NULL;
	size_t n = domain_records(&d), i, at;

	at = rec_begin(R_DOMAINS);
	put_u32((uint32_t)n);
	for (i = 0; i < n; i++) {
		put_u32(d[i].domid);
		put_u64(d[i].mfn);
		put_u32(d[i].remote_port);
		put_u8((d[i].shutdown ? 1 : 0) | (d[i].has_target ? 2 : 0));
		put_u32(d[i].target);
	}
	rec_end(at);
	free(d);
}

static void put_conn(const struct conn *c)
{
	const struct txn *t;
	const struct watch *w;
	size_t at = rec_begin(R_CONN);

	put_u32(c->id);
	put_u32(c->next_txid);
	put_u32(c->ntxns);
	for (t = c->txns; t; t = t->next)
		put_u32(t->id);
	put_u32(c->nwatches);
	for (w = c->watches; w; w = w->next) {
		put_str(w->path);
		put_str(w->token);
		put_u32((uint32_t)w->rel_off);
	}
	rec_end(at);
}

/* What a ring connection holds that the ring no longer does. */
static void put_ring(struct conn *c)
{
	const struct outmsg *m;
	size_t at = rec_begin(R_RING), total = 0;

	put_u32(c->id);
	put_bytes(c->in, c->in_used);
	for (m = c->out_head; m; m = m->next)
		total += m->len - m->off;
	put_u32((uint32_t)total);
	for (m = c->out_head; m; m = m->next)
		put(m->buf + m->off, m->len - m->off);
	rec_end(at);
}

/* A cheap fingerprint of a ring connection's buffered state: the record
 * is written again only when it changed. */
static uint64_t ring_mark(const struct conn *c)
{
	uint64_t h = c->in_used;

	h = h * 1000003u ^ (uintptr_t)c->out_head;
	h = h * 1000003u ^ (uintptr_t)c->out_tail;
	h = h * 1000003u ^ (c->out_head ? c->out_head->off : 0);
	h = h * 1000003u ^ c->nevents;
	h = h * 1000003u ^ c->outstanding;
	return h;
}

/* ---- Hooks -------------------------------------------------------------- */

void journal_node(struct node *n)
{
	if (active)
		put_node_rec(n);
}

void journal_del(const char *path)
{
	size_t at;

	if (!active)
		return;
	at = rec_begin(R_DEL);
	put_str(path);
	rec_end(at);
}

void journal_mark_domains(void)
{
	domains_dirty = true;
}

void journal_mark_specials(void)
{
	specials_dirty = true;
}

void journal_mark_conn(struct conn *c)
{
	c->jdirty = true;
	conns_dirty = true;
}

/* ---- Files -------------------------------------------------------------- */

static int write_all(int fd, const void *p, size_t n)
{
	const unsigned char *b = p;
	ssize_t r;

	while (n) {
		r = write(fd, b, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

static char *state_path(const char *name)
{
	size_t n = strlen(state_dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%s", state_dir, name);
	return p;
}

static void put_header(void)
{
	size_t at = rec_begin(R_HDR);

	put_u32(JOURNAL_VERSION);
	put_u64(epoch);
	put_str(boot_id);
	rec_end(at);
}

static void fsync_dir(void)
{
	int fd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* Write buf to name atomically (temporary file, fsync, rename). */
static int replace_file(const char *name, int *keep_fd)
{
	char *tmp = NULL, *path = state_path(name);
	int fd = -1, ret = -1;
	size_t n;

	if (!path || buf_oom)
		goto out;
	n = strlen(path) + 5;
	if (!(tmp = malloc(n)))
		goto out;
	snprintf(tmp, n, "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write_all(fd, buf, buf_len) < 0 || fsync(fd) < 0 ||
	    rename(tmp, path) < 0) {
		xsd_log("cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	fsync_dir();
	ret = 0;
	if (keep_fd) {
		*keep_fd = fd;
		fd = -1;
	}
out:
	if (fd >= 0)
		close(fd);
	free(tmp);
	free(path);
	return ret;
}

static bool ring_conn(const struct conn *c)
{
	return c->dom && !c->dead;
}

int journal_snapshot(void)
{
	struct node *n;
	struct conn *c;
	uint64_t count = 0;
	size_t i, at;
	int fd = -1;

	if (!xsd_persist)
		return 0;
	buf_len = 0;
	buf_oom = false;
	epoch++;
	put_header();
	for (i = 0; i < xsd_db.nbuckets; i++) {
		for (n = xsd_db.b[i]; n; n = n->hnext) {
			n->journaled = false;   /* whole records */
			put_node_rec(n);
			count++;
		}
	}
	put_specials();
	put_domains();
	for (c = xsd_conns; c; c = c->next) {
		if (!ring_conn(c))
			continue;
		put_conn(c);
		put_ring(c);
		c->jring = ring_mark(c);
		c->jdirty = false;
	}
	at = rec_begin(R_END);
	put_u64(count);
	rec_end(at);
	if (replace_file("snapshot", NULL) < 0)
		goto fail;
	snapshot_size = (off_t)buf_len;

	/* A fresh journal of the new epoch. */
	buf_len = 0;
	put_header();
	if (replace_file("journal", &fd) < 0)
		goto fail;
	if (jfd >= 0)
		close(jfd);
	jfd = fd;
	journal_size = (off_t)buf_len;
	buf_len = 0;
	/* The snapshot's buffer is as big as the store: do not keep it. */
	if (buf_cap > 65536) {
		free(buf);
		buf = NULL;
		buf_cap = 0;
	}
	domains_dirty = specials_dirty = conns_dirty = write_failed = false;
	active = true;
	return 0;
fail:
	buf_len = 0;
	buf_oom = false;
	write_failed = true;
	return -1;
}

void journal_commit(void)
{
	struct conn *c;

	if (!active)
		return;
	if (specials_dirty)
		put_specials();
	if (domains_dirty)
		put_domains();
	specials_dirty = domains_dirty = false;
	for (c = conns_dirty ? xsd_conns : NULL; c; c = c->next) {
		if (ring_conn(c) && c->jdirty)
			put_conn(c);
		c->jdirty = false;
	}
	conns_dirty = false;
	if (!buf_len && !buf_oom && !write_failed)
		return;
	if (buf_oom || write_failed ||
	    write_all(jfd, buf, buf_len) < 0) {
		/* Out of memory or disk: the journal no longer follows the
		 * store; a snapshot puts them back in step. */
		if (!write_failed)
			xsd_log("journal write failed (%s): taking a snapshot",
			        buf_oom ? "out of memory" : strerror(errno));
		buf_len = 0;
		buf_oom = false;
		journal_snapshot();
		return;
	}
	journal_size += (off_t)buf_len;
	buf_len = 0;
	if (journal_size > COMPACT_MIN && journal_size > 2 * snapshot_size)
		journal_snapshot();
}

void journal_rings(void)
{
	struct conn *c;
	uint64_t mark;

	if (!active)
		return;
	for (c = xsd_conns; c; c = c->next) {
		if (!ring_conn(c))
			continue;
		mark = ring_mark(c);
		if (mark == c->jring)
			continue;
		c->jring = mark;
		put_ring(c);
	}
	journal_commit();
}

/* ---- Loading ------------------------------------------------------------- */

struct cursor {
	const unsigned char *p, *end;
	bool bad;
};

static const unsigned char *get(struct cursor *k, size_t n)
{
	const unsigned char *p = k->p;

	if (k->bad || (size_t)(k->end - k->p) < n) {
		k->bad = true;
		return NULL;
	}
	k->p += n;
	return p;
}

static uint32_t get_u32(struct cursor *k)
{
	const unsigned char *b = get(k, 4);

	return b ? (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	           (uint32_t)b[3] << 24 : 0;
}

static uint64_t get_u64(struct cursor *k)
{
	uint64_t lo = get_u32(k);

	return lo | (uint64_t)get_u32(k) << 32;
}

static uint8_t get_u8(struct cursor *k)
{
	const unsigned char *b = get(k, 1);

	return b ? b[0] : 0;
}

/* Bytes as a malloc'd NUL-terminated copy (length in *len). */
static char *get_bytes(struct cursor *k, unsigned int *len)
{
	uint32_t n = get_u32(k);
	const unsigned char *b = get(k, n);
	char *s;

	if (!b)
		return NULL;
	s = malloc(n + 1);
	if (!s) {
		k->bad = true;
		return NULL;
	}
	memcpy(s, b, n);
	s[n] = 0;
	if (len)
		*len = n;
	return s;
}

static struct xsd_perm *get_perms(struct cursor *k, unsigned int *n)
{
	uint32_t num = get_u32(k), i;
	struct xsd_perm *p;

	if (k->bad || num == 0 || num > (uint32_t)(k->end - k->p) / 5) {
		k->bad = true;
		return NULL;
	}
	p = calloc(num, sizeof(*p));
	if (!p) {
		k->bad = true;
		return NULL;
	}
	for (i = 0; i < num; i++) {
		p[i].id = get_u32(k);
		p[i].perms = get_u8(k);
	}
	*n = num;
	return p;
}

static int apply_put(struct cursor *k, bool append)
{
	char *path = get_bytes(k, NULL);
	struct node *n = NULL, *old;
	unsigned int np = 0;

	if (!path)
		return -1;
	if (path[0] != '/' || !(n = node_new(path)))
		goto bad;
	n->gen = get_u64(k);
	n->perms = get_perms(k, &np);
	n->nperms = np;
	n->data = get_bytes(k, &n->datalen);
	n->children = get_bytes(k, &n->childlen);
	n->childcap = n->childlen + 1;
	if (k->bad || k->p != k->end)
		goto bad;
	if (append) {
		/* The old list, then what was added to it. */
		char *list;

		old = nodetab_get(&xsd_db, path);
		if (!old)
			goto bad;
		list = malloc((size_t)old->childlen + n->childlen + 1);
		if (!list)
			goto bad;
		if (old->childlen)
			memcpy(list, old->children, old->childlen);
		memcpy(list + old->childlen, n->children, n->childlen);
		free(n->children);
		n->children = list;
		n->childlen += old->childlen;
		n->childcap = n->childlen + 1;
	}
	n->journaled = true;
	n->jchildlen = n->childlen;
	if (n->gen > xsd_generation)
		xsd_generation = n->gen;
	db_remove(path);
	if (db_insert(n) < 0)
		goto bad;
	free(path);
	return 0;
bad:
	node_free(n);
	free(path);
	return -1;
}

static int apply_special(struct cursor *k)
{
	char *name = get_bytes(k, NULL);
	struct xsd_perm *p;
	unsigned int n = 0;
	int ret = -1;

	if (!name)
		return -1;
	p = get_perms(k, &n);
	if (p && !k->bad && k->p == k->end &&
	    special_restore(name, p, n) == 0) {
		p = NULL;
		ret = 0;
	}
	free(p);
	free(name);
	return ret;
}

static int apply_domains(struct cursor *k)
{
	uint32_t n = get_u32(k), i;
	struct xsd_domrec *d;
	uint8_t fl;

	if (k->bad || n > 65536)
		return -1;
	d = calloc(n ? n : 1, sizeof(*d));
	if (!d)
		return -1;
	for (i = 0; i < n; i++) {
		d[i].domid = get_u32(k);
		d[i].mfn = get_u64(k);
		d[i].remote_port = get_u32(k);
		fl = get_u8(k);
		d[i].shutdown = fl & 1;
		d[i].has_target = fl & 2;
		d[i].target = get_u32(k);
		if (d[i].domid >= 65536)
			k->bad = true;
	}
	if (k->bad || k->p != k->end) {
		free(d);
		return -1;
	}
	free(pend_doms);
	pend_doms = d;
	npend_doms = n;
	return 0;
}

static struct pend_conn *pend_conn(uint32_t domid)
{
	struct pend_conn *p;
	size_t i;

	for (i = 0; i < npend_conns; i++)
		if (pend_conns[i].domid == domid)
			return &pend_conns[i];
	p = realloc(pend_conns, (npend_conns + 1) * sizeof(*p));
	if (!p)
		return NULL;
	pend_conns = p;
	p = &pend_conns[npend_conns++];
	memset(p, 0, sizeof(*p));
	p->domid = domid;
	return p;
}

/* Keep an R_CONN or R_RING payload for its domain (the last one wins). */
static int keep_conn_rec(struct cursor *k, bool ring)
{
	size_t len = (size_t)(k->end - k->p);
	uint32_t domid = get_u32(k);
	struct pend_conn *p;
	unsigned char *copy;

	if (k->bad || domid >= 65536 || !(p = pend_conn(domid)))
		return -1;
	copy = malloc(len ? len : 1);
	if (!copy)
		return -1;
	memcpy(copy, k->p - 4, len);
	if (ring) {
		free(p->ring);
		p->ring = copy;
		p->ringlen = len;
	} else {
		free(p->rec);
		p->rec = copy;
		p->reclen = len;
	}
	return 0;
}

/*
 * Read one file's records.  Returns 0 when all of it checked out (and, for
 * a snapshot, ended with R_END), 1 for a journal that ends in a record that
 * does not check out (ignored from there: *why says where), -1 with *why
 * for a file that cannot be used.
 */
static int load_file(const char *name, bool snapshot, char *why, size_t whylen,
                     bool *ignore)
{
	char *path = state_path(name);
	unsigned char *data = NULL;
	struct stat st;
	size_t off = 0, len;
	uint64_t records = 0, fepoch;
	int fd = -1, ret = -1;
	bool ended = false;

	*ignore = false;
	if (!path) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT) {
			*ignore = true;
			ret = 0;
		} else {
			snprintf(why, whylen, "%s: %s", path, strerror(errno));
		}
		goto out;
	}
	if (fstat(fd, &st) < 0 || !(data = malloc((size_t)st.st_size + 1))) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		goto out;
	}
	len = (size_t)st.st_size;
	for (off = 0; off < len;) {
		ssize_t r = read(fd, data + off, len - off);

		if (r <= 0) {
			snprintf(why, whylen, "%s: short read", path);
			goto out;
		}
		off += (size_t)r;
	}
	for (off = 0; off < len;) {
		struct cursor k;
		uint32_t rlen, crc;
		uint8_t type;
		const unsigned char *h = data + off;
		int ok = 0;

		if (len - off < REC_HDR)
			goto torn;
		rlen = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 |
		       (uint32_t)h[3] << 24;
		type = h[4];
		crc = (uint32_t)h[8] | (uint32_t)h[9] << 8 | (uint32_t)h[10] << 16 |
		      (uint32_t)h[11] << 24;
		if (rlen > REC_MAX || len - off - REC_HDR < rlen)
			goto torn;
		if (crc32_update(crc32_update(0, h + 4, 1), h + REC_HDR, rlen) != crc)
			goto torn;
		k.p = h + REC_HDR;
		k.end = k.p + rlen;
		k.bad = false;
		if (ended) {
			snprintf(why, whylen, "%s: data after the end record at "
			         "offset %zu", path, off);
			goto out;
		}
		if (records == 0) {
			char *bid;

			if (type != R_HDR || get_u32(&k) != JOURNAL_VERSION) {
				snprintf(why, whylen, "%s: not a xenstored state file "
				         "of version %u", path, JOURNAL_VERSION);
				goto out;
			}
			fepoch = get_u64(&k);
			bid = get_bytes(&k, NULL);
			if (!bid || strcmp(bid, boot_id) != 0) {
				free(bid);
				/* Another boot: its domains are gone. */
				xsd_log("%s is from another boot: ignored", path);
				*ignore = true;
				ret = 0;
				goto out;
			}
			free(bid);
			if (snapshot) {
				/* The snapshot is the whole store. */
				epoch = fepoch;
				tree_fini();
			} else if (fepoch != epoch) {
				xsd_log("%s predates the snapshot: ignored", path);
				*ignore = true;
				ret = 0;
				goto out;
			}
			records++;
			off += REC_HDR + rlen;
			continue;
		}
		switch (type) {
		case R_PUT: ok = apply_put(&k, false); break;
		case R_PUTA: ok = apply_put(&k, true); break;
		case R_DEL: {
			char *p = get_bytes(&k, NULL);

			if (p && k.p == k.end)
				db_remove(p);
			else
				ok = -1;
			free(p);
			break;
		}
		case R_SPECIAL: ok = apply_special(&k); break;
		case R_DOMAINS: ok = apply_domains(&k); break;
		case R_CONN: ok = keep_conn_rec(&k, false); break;
		case R_RING: ok = keep_conn_rec(&k, true); break;
		case R_END:
			if (!snapshot || get_u64(&k) != xsd_db.count)
				ok = -1;
			ended = true;
			break;
		default: ok = -1; break;
		}
		if (ok < 0) {
			/* The checksum was right: not a torn write, a bug or
			 * a file from elsewhere.  Refuse it. */
			snprintf(why, whylen, "%s: bad record of type %u at offset "
			         "%zu", path, type, off);
			goto out;
		}
		records++;
		off += REC_HDR + rlen;
	}
	if (snapshot && !ended) {
		snprintf(why, whylen, "%s: no end record (truncated)", path);
		goto out;
	}
	ret = 0;
	goto out;
torn:
	if (snapshot || records == 0) {
		snprintf(why, whylen, "%s: corrupt record at offset %zu", path, off);
		goto out;
	}
	xsd_log("%s: torn record at offset %zu (%zu bytes) ignored", path, off,
	        len - off);
	ret = 1;
out:
	if (fd >= 0)
		close(fd);
	free(data);
	free(path);
	return ret;
}

static void read_boot_id(void)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");

	boot_id[0] = 0;
	if (f) {
		if (!fgets(boot_id, sizeof(boot_id), f))
			boot_id[0] = 0;
		fclose(f);
	}
	boot_id[strcspn(boot_id, "\n")] = 0;
}

int journal_open(const char *dir, char *why, size_t whylen)
{
	bool ignore, have_snapshot;
	int r;

	crc_init();
	read_boot_id();
	free(state_dir);
	if (!(state_dir = strdup(dir))) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		snprintf(why, whylen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	xsd_persist = true;
	epoch = 0;
	r = load_file("snapshot", true, why, whylen, &ignore);
	if (r < 0)
		return -1;
	have_snapshot = !ignore;
	if (!have_snapshot) {
		/* Nothing to restore: start from the initial tree. */
		free(pend_doms);
		pend_doms = NULL;
		npend_doms = 0;
		return 0;
	}
	if (load_file("journal", false, why, whylen, &ignore) < 0)
		return -1;
	if (!nodetab_get(&xsd_db, "/")) {
		snprintf(why, whylen, "%s: no root node", dir);
		return -1;
	}
	xsd_log("state restored from %s: %zu nodes, %zu domains", dir,
	        xsd_db.count, npend_doms);
	return 1;
}

/* Apply a pending R_CONN payload to a restored ring connection. */
static void restore_conn(struct conn *c, const struct pend_conn *p)
{
	struct cursor k;
	uint32_t n, i;

	if (p->rec) {
		k.p = p->rec;
		k.end = p->rec + p->reclen;
		k.bad = false;
		get_u32(&k);
		c->next_txid = get_u32(&k);
		n = get_u32(&k);
		for (i = 0; i < n && !k.bad; i++)
			txn_restore(c, get_u32(&k));
		n = get_u32(&k);
		for (i = 0; i < n && !k.bad; i++) {
			char *path = get_bytes(&k, NULL);
			char *token = get_bytes(&k, NULL);
			uint32_t off = get_u32(&k);

			if (path && token && !k.bad &&
			    watch_restore(c, path, token, off) < 0)
				xsd_log("domain %u: cannot restore watch %s",
				        c->id, path);
			free(path);
			free(token);
		}
	}
	if (p->ring) {
		char *in, *out;
		unsigned int inlen = 0, outlen = 0;

		k.p = p->ring;
		k.end = p->ring + p->ringlen;
		k.bad = false;
		get_u32(&k);
		in = get_bytes(&k, &inlen);
		out = get_bytes(&k, &outlen);
		if (in && out && inlen <= sizeof(c->in)) {
			memcpy(c->in, in, inlen);
			c->in_used = inlen;
			if (outlen && conn_queue_raw(c, out, outlen) < 0)
				xsd_log("domain %u: lost %u bytes of output",
				        c->id, outlen);
		}
		free(in);
		free(out);
	}
}

void journal_restore_conn(struct conn *c)
{
	size_t i;

	for (i = 0; i < npend_conns; i++)
		if (pend_conns[i].domid == c->id)
			restore_conn(c, &pend_conns[i]);
}

int journal_restore_domains(void)
{
	size_t i;
	int gone = 0;

	for (i = 0; i < npend_doms; i++) {
		if (pend_doms[i].domid == 0)
			continue;       /* dom0's ring comes with dom0_init() */
		if (domain_restore(&pend_doms[i]) > 0)
			gone++;
	}
	free(pend_doms);
	pend_doms = NULL;
	npend_doms = 0;
	for (i = 0; i < npend_conns; i++) {
		free(pend_conns[i].rec);
		free(pend_conns[i].ring);
	}
	free(pend_conns);
	pend_conns = NULL;
	npend_conns = 0;
	return gone;
}

bool journal_pending_domain(uint32_t domid)
{
	size_t i;

	for (i = 0; i < npend_doms; i++)
		if (pend_doms[i].domid == domid)
			return true;
	return false;
}

void journal_close(void)
{
	if (active)
		journal_commit();
	if (jfd >= 0)
		close(jfd);
	jfd = -1;
	active = false;
}
