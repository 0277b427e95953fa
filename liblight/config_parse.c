/*
 * config_parse.c - the xl.cfg language: a hand-written lexer and a
 * recursive-descent parser producing struct light_cfg.
 *
 * The grammar, as upstream's libxlu accepts it:
 *
 *   file      := { statement }
 *   statement := [ IDENT ( '=' | '+=' ) value ] ( NEWLINE | ';' | EOF )
 *   value     := NUMBER | STRING | '[' { NEWLINE } [ items ] ']'
 *   items     := value { NEWLINE } { ',' { NEWLINE } value { NEWLINE } }
 *                [ ',' { NEWLINE } ]
 *
 *   IDENT  = [a-z][_0-9a-z]*
 *   NUMBER = [0-9][0-9a-fx]*      (converted later, strnum base 0)
 *   STRING = "..." or '...' on one line, with \" \' \\ \a \b \f \n \r \t
 *            \v \xHH and \ooo escapes
 *   '#' to the end of the line is a comment.
 *
 * The lexer works on the whole text in memory (configs are small and the
 * size is capped) and tracks the line number; the parser asks for one
 * token at a time.  Errors stop the parse at once: the first error is the
 * one worth reporting and there is no recovery to get wrong.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "light_config.h"
#include "strnum.h"

enum tok {
	T_EOF, T_NEWLINE, T_SEMI, T_IDENT, T_NUMBER, T_STRING,
	T_EQ, T_PLUSEQ, T_LBRACK, T_RBRACK, T_COMMA, T_ERROR,
};

/* Lexer and parser state for one piece of text. */
struct parser {
	const char *p, *end;      /* the unread text */
	int line;                 /* line of the current token */
	const char *source;       /* for messages */
	enum tok tok;             /* current token */
	char *text;               /* its text (IDENT, NUMBER, dequoted STRING) */
	const char *tokstart;     /* where it starts, for "near `...'" */
	size_t toklen;
	char *err;
	size_t errlen;
	bool failed;
};

static void perr(struct parser *ps, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Record the first error as "source:line: message". */
static void perr(struct parser *ps, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (ps->failed)
		return;
	ps->failed = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ps->err && ps->errlen)
		snprintf(ps->err, ps->errlen, "%s:%d: %s", ps->source, ps->line, msg);
}

/* "syntax error near `tok'" with the token shown safely (no newlines, no
 * control characters, bounded). */
static void syntax_error(struct parser *ps, const char *what)
{
	char near[40];
	size_t i, n = 0;

	if (ps->tok == T_EOF) {
		perr(ps, "%s at end of input", what);
		return;
	}
	if (ps->tok == T_NEWLINE) {
		perr(ps, "%s near end of line", what);
		return;
	}
	for (i = 0; i < ps->toklen && n < sizeof(near) - 4; i++) {
		unsigned char ch = (unsigned char)ps->tokstart[i];
		near[n++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
	}
	if (i < ps->toklen) {
		memcpy(near + n, "...", 3);
		n += 3;
	}
	near[n] = '\0';
	perr(ps, "%s near `%s'", what, near);
}

static bool is_ident_start(int ch) { return ch >= 'a' && ch <= 'z'; }
/* '.' as upstream's lexer allows it: xl.conf's keys are dotted
 * (vif.default.bridge). */
static bool is_ident_char(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ||
	       ch == '.';
}
static bool is_number_char(int ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || ch == 'x';
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9') return ch - '0';
	if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
	return -1;
}

/* Is s[0..n) well-formed UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF)? */
static bool utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0, k, len;
	uint32_t cp, min;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0)
			len = 2, cp = s[i] & 0x1f, min = 0x80;
		else if ((s[i] & 0xf0) == 0xe0)
			len = 3, cp = s[i] & 0x0f, min = 0x800;
		else if ((s[i] & 0xf8) == 0xf0)
			len = 4, cp = s[i] & 0x07, min = 0x10000;
		else
			return false;
		if (n - i < len)
			return false;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

/* Lex a quoted string starting at the quote; sets ps->text to the
 * dequoted value.  Strings end on the same line with the same quote.
 * The value must be UTF-8: the domain's config is stored as JSON, which
 * cannot hold other bytes (fuzz-xlcfg found a path with a stray byte
 * that created a domain whose stored config could not be read back). */
static enum tok lex_string(struct parser *ps)
{
	char quote = *ps->p++;
	const char *s = ps->p;
	size_t n = 0;
	char *out;

	/* First pass: find the end, so the output can be allocated once. */
	while (s < ps->end && *s != quote && *s != '\n') {
		if (*s == '\\' && s + 1 < ps->end && s[1] != '\n')
			s++;
		s++;
	}
	if (s >= ps->end || *s != quote) {
		perr(ps, "unterminated string");
		return T_ERROR;
	}
	out = malloc((size_t)(s - ps->p) + 1);
	if (!out) {
		perr(ps, "out of memory");
		return T_ERROR;
	}
	while (ps->p < s) {
		char ch = *ps->p++;
		if (ch == '\0') {
			free(out);
			perr(ps, "NUL byte in string");
			return T_ERROR;
		}
		if (ch != '\\') {
			out[n++] = ch;
			continue;
		}
		ch = *ps->p++;
		switch (ch) {
		case '"': case '\'': case '\\': out[n++] = ch; break;
		case 'a': out[n++] = '\a'; break;
		case 'b': out[n++] = '\b'; break;
		case 'f': out[n++] = '\f'; break;
		case 'n': out[n++] = '\n'; break;
		case 'r': out[n++] = '\r'; break;
		case 't': out[n++] = '\t'; break;
		case 'v': out[n++] = '\v'; break;
		case 'x': {
			int hi = ps->p < s ? hexval(ps->p[0]) : -1;
			int lo = ps->p + 1 < s ? hexval(ps->p[1]) : -1;
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
				free(out);
				perr(ps, "invalid \\x escape in string (two hex digits, not 00)");
				return T_ERROR;
			}
			out[n++] = (char)(hi * 16 + lo);
			ps->p += 2;
			break;
		}
		default:
			if (ch >= '0' && ch <= '7') {
				/* Up to three octal digits. */
				int v = ch - '0', k;
				for (k = 0; k < 2 && ps->p < s && *ps->p >= '0' && *ps->p <= '7'; k++)
					v = v * 8 + (*ps->p++ - '0');
				if (v == 0 || v > 255) {
					free(out);
					perr(ps, "invalid octal escape in string");
					return T_ERROR;
				}
				out[n++] = (char)v;
				break;
			}
			free(out);
			perr(ps, "unknown escape `\\%c' in string",
			     (ch >= 0x20 && ch < 0x7f) ? ch : '?');
			return T_ERROR;
		}
	}
	out[n] = '\0';
	if (!utf8_valid((const unsigned char *)out, n)) {
		free(out);
		perr(ps, "string is not valid UTF-8");
		return T_ERROR;
	}
	ps->p = s + 1;     /* past the closing quote */
	ps->text = out;
	return T_STRING;
}

/* Copy [start, ps->p) into ps->text. */
static enum tok take_text(struct parser *ps, const char *start, enum tok t)
{
	size_t n = (size_t)(ps->p - start);

	ps->text = malloc(n + 1);
	if (!ps->text) {
		perr(ps, "out of memory");
		return T_ERROR;
	}
	memcpy(ps->text, start, n);
	ps->text[n] = '\0';
	return t;
}

/* Advance to the next token. */
static void next(struct parser *ps)
{
	free(ps->text);
	ps->text = NULL;

	/* Skip blanks and comments; a comment ends before its newline. */
	for (;;) {
		while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\r'))
			ps->p++;
		if (ps->p < ps->end && *ps->p == '#') {
			while (ps->p < ps->end && *ps->p != '\n')
				ps->p++;
			continue;
		}
		break;
	}
	ps->tokstart = ps->p;
	if (ps->p >= ps->end) {
		ps->tok = T_EOF;
		ps->toklen = 0;
		return;
	}

	char ch = *ps->p;
	const char *start = ps->p;
	if (ch == '\n') {
		ps->p++;
		ps->tok = T_NEWLINE;
	} else if (ch == ';') {
		ps->p++;
		ps->tok = T_SEMI;
	} else if (ch == '=') {
		ps->p++;
		ps->tok = T_EQ;
	} else if (ch == '+' && ps->p + 1 < ps->end && ps->p[1] == '=') {
		ps->p += 2;
		ps->tok = T_PLUSEQ;
	} else if (ch == '[') {
		ps->p++;
		ps->tok = T_LBRACK;
	} else if (ch == ']') {
		ps->p++;
		ps->tok = T_RBRACK;
	} else if (ch == ',') {
		ps->p++;
		ps->tok = T_COMMA;
	} else if (ch == '"' || ch == '\'') {
		ps->tok = lex_string(ps);
	} else if (is_ident_start(ch)) {
		while (ps->p < ps->end && is_ident_char(*ps->p))
			ps->p++;
		ps->tok = take_text(ps, start, T_IDENT);
	} else if (ch >= '0' && ch <= '9') {
		while (ps->p < ps->end && is_number_char(*ps->p))
			ps->p++;
		ps->tok = take_text(ps, start, T_NUMBER);
	} else {
		ps->p++;
		ps->tok = T_ERROR;
		ps->toklen = 1;
		if ((unsigned char)ch >= 0x20 && (unsigned char)ch < 0x7f)
			perr(ps, "invalid character `%c'", ch);
		else
			perr(ps, "invalid character (byte 0x%02x)", (unsigned char)ch);
		return;
	}
	ps->toklen = (size_t)(ps->p - start);
}

/* Newlines are insignificant inside lists. */
static void skip_newlines(struct parser *ps)
{
	while (ps->tok == T_NEWLINE) {
		ps->line++;
		next(ps);
	}
}

static void value_free(struct light_cfg_value *v)
{
	size_t i;

	if (!v)
		return;
	/* Items moved elsewhere are NULL and skipped by the NULL check. */
	for (i = 0; i < v->nitems; i++)
		value_free(v->items[i]);
	free(v->items);
	free(v->text);
	free(v);
}

static int list_append(struct light_cfg_value *list, struct light_cfg_value *v)
{
	struct light_cfg_value **n;

	n = realloc(list->items, (list->nitems + 1) * sizeof(*n));
	if (!n)
		return -1;
	list->items = n;
	list->items[list->nitems++] = v;
	return 0;
}

/* value := NUMBER | STRING | '[' ... ']'.  On return the current token is
 * the one after the value. */
static struct light_cfg_value *parse_value(struct parser *ps, int depth)
{
	struct light_cfg_value *v = NULL, *item;

	if (ps->tok == T_ERROR)
		return NULL;
	if (ps->tok != T_NUMBER && ps->tok != T_STRING && ps->tok != T_LBRACK) {
		syntax_error(ps, "expected a value");
		return NULL;
	}
	v = calloc(1, sizeof(*v));
	if (!v) {
		perr(ps, "out of memory");
		return NULL;
	}
	v->line = ps->line;
	if (ps->tok != T_LBRACK) {
		v->kind = LIGHT_CFG_ATOM;
		v->quoted = ps->tok == T_STRING;
		v->text = ps->text;       /* take ownership */
		ps->text = NULL;
		next(ps);
		return v;
	}

	v->kind = LIGHT_CFG_LIST;
	if (depth >= LIGHT_CFG_MAX_DEPTH) {
		perr(ps, "lists nested more than %d deep", LIGHT_CFG_MAX_DEPTH);
		goto fail;
	}
	next(ps);
	skip_newlines(ps);
	while (ps->tok != T_RBRACK) {
		item = parse_value(ps, depth + 1);
		if (!item)
			goto fail;
		if (list_append(v, item) < 0) {
			value_free(item);
			perr(ps, "out of memory");
			goto fail;
		}
		skip_newlines(ps);
		if (ps->tok == T_COMMA) {
			next(ps);
			skip_newlines(ps);
		} else if (ps->tok != T_RBRACK) {
			if (ps->tok != T_ERROR)
				syntax_error(ps, "expected `,' or `]'");
			goto fail;
		}
	}
	next(ps);
	return v;
fail:
	value_free(v);
	return NULL;
}

/* A deep copy of a value, so `+=` can build a new value without touching
 * the setting it extends (which stays valid if this parse fails). */
static struct light_cfg_value *value_copy(const struct light_cfg_value *v)
{
	struct light_cfg_value *c = calloc(1, sizeof(*c));
	size_t i;

	if (!c)
		return NULL;
	c->kind = v->kind;
	c->quoted = v->quoted;
	c->line = v->line;
	if (v->text && !(c->text = strdup(v->text)))
		goto fail;
	for (i = 0; i < v->nitems; i++) {
		struct light_cfg_value *item = value_copy(v->items[i]);
		if (!item || list_append(c, item) < 0) {
			value_free(item);
			goto fail;
		}
	}
	return c;
fail:
	value_free(c);
	return NULL;
}

/* Apply `key += value`: the result is the effective value of key with
 * this one appended (string to string, list to list); with no earlier
 * setting it is a plain assignment.  Replaces *vp on success. */
static int apply_append(struct parser *ps, struct light_cfg *cfg,
                        const char *key, struct light_cfg_value **vp)
{
	const struct light_cfg_setting *old = light_cfg_lookup(cfg, key);
	struct light_cfg_value *v = *vp, *merged = NULL;
	size_t i;

	if (!old)
		return 0;
	if (old->value->kind != v->kind) {
		perr(ps, "%s: += needs the same type as the setting at %s:%d",
		     key, old->source, old->line);
		return -1;
	}
	merged = value_copy(old->value);
	if (!merged)
		goto oom;
	merged->line = v->line;
	if (v->kind == LIGHT_CFG_ATOM) {
		size_t a = strlen(merged->text), b = strlen(v->text);
		char *t = realloc(merged->text, a + b + 1);
		if (!t)
			goto oom;
		memcpy(t + a, v->text, b + 1);
		merged->text = t;
		merged->quoted = true;
	} else {
		/* Move v's items to the end of the copy. */
		for (i = 0; i < v->nitems; i++) {
			if (list_append(merged, v->items[i]) < 0)
				goto oom;
			v->items[i] = NULL;
		}
	}
	value_free(v);
	*vp = merged;
	return 0;
oom:
	value_free(merged);
	perr(ps, "out of memory");
	return -1;
}

static int add_source(struct light_cfg *cfg, const char *source, const char **out)
{
	size_t i;
	char **n;

	for (i = 0; i < cfg->nsources; i++) {
		if (strcmp(cfg->sources[i], source) == 0) {
			*out = cfg->sources[i];
			return 0;
		}
	}
	n = realloc(cfg->sources, (cfg->nsources + 1) * sizeof(*n));
	if (!n)
		return -1;
	cfg->sources = n;
	cfg->sources[cfg->nsources] = strdup(source);
	if (!cfg->sources[cfg->nsources])
		return -1;
	*out = cfg->sources[cfg->nsources++];
	return 0;
}

/* Free the contents of n settings (not the array holding them). */
static void settings_clear(struct light_cfg_setting *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(s[i].key);
		value_free(s[i].value);
	}
}

int light_cfg_parse_data(struct light_cfg *cfg, const char *source,
                         const char *data, size_t len, char *err, size_t errlen)
{
	struct parser ps = {
		.p = data, .end = data + len, .line = 1, .source = source,
		.err = err, .errlen = errlen,
	};
	struct light_cfg_setting *n;
	const char *src;
	size_t first = cfg->nsettings;   /* settings appended by this parse */
	int rc = -1;

	if (err && errlen)
		err[0] = '\0';
	if (len > LIGHT_CFG_MAX_FILE) {
		perr(&ps, "config is larger than %d bytes", LIGHT_CFG_MAX_FILE);
		return -1;
	}
	if (add_source(cfg, source, &src) < 0) {
		perr(&ps, "out of memory");
		return -1;
	}
	ps.source = src;

	/* Settings are appended to cfg as they are parsed (so `+=` sees the
	 * ones before it) and removed again if the parse fails. */
	next(&ps);
	while (ps.tok != T_EOF && !ps.failed) {
		char *key;
		bool append;
		int line;
		struct light_cfg_value *v;

		if (ps.tok == T_NEWLINE) {
			ps.line++;
			next(&ps);
			continue;
		}
		if (ps.tok == T_SEMI) {
			next(&ps);
			continue;
		}
		if (ps.tok != T_IDENT) {
			if (ps.tok != T_ERROR)
				syntax_error(&ps, "syntax error");
			break;
		}
		key = ps.text;
		ps.text = NULL;
		line = ps.line;
		next(&ps);
		if (ps.tok != T_EQ && ps.tok != T_PLUSEQ) {
			free(key);
			if (ps.tok != T_ERROR)
				syntax_error(&ps, "expected `=' or `+='");
			break;
		}
		append = ps.tok == T_PLUSEQ;
		next(&ps);
		v = parse_value(&ps, 0);
		if (!v) {
			free(key);
			break;
		}
		if (ps.tok != T_NEWLINE && ps.tok != T_SEMI && ps.tok != T_EOF) {
			free(key);
			value_free(v);
			if (ps.tok != T_ERROR)
				syntax_error(&ps, "expected end of line");
			break;
		}
		if (append && apply_append(&ps, cfg, key, &v) < 0) {
			free(key);
			value_free(v);
			break;
		}
		n = realloc(cfg->settings, (cfg->nsettings + 1) * sizeof(*n));
		if (!n) {
			free(key);
			value_free(v);
			perr(&ps, "out of memory");
			break;
		}
		cfg->settings = n;
		cfg->settings[cfg->nsettings++] = (struct light_cfg_setting){
			.key = key, .value = v, .source = src, .line = line,
		};
	}
	if (!ps.failed)
		rc = 0;
	else {
		/* A failed parse appends nothing: drop what it added (with
		 * no settings at all there is no array to index). */
		if (cfg->nsettings > first)
			settings_clear(cfg->settings + first, cfg->nsettings - first);
		cfg->nsettings = first;
	}
	free(ps.text);
	if (rc < 0)
		errno = EINVAL;   /* a stale errno must not pass for the cause */
	return rc;
}

int light_cfg_parse_file(struct light_cfg *cfg, const char *path,
                         char *err, size_t errlen)
{
	struct stat st;
	char *data = NULL;
	size_t got = 0;
	ssize_t r;
	int fd, rc = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;   /* callers tell a missing file by ENOENT */

		snprintf(err, errlen, "%s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	if (st.st_size > LIGHT_CFG_MAX_FILE) {
		snprintf(err, errlen, "%s: config is larger than %d bytes", path,
		         LIGHT_CFG_MAX_FILE);
		goto out;
	}
	data = malloc((size_t)st.st_size + 1);
	if (!data) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	while (got < (size_t)st.st_size) {
		r = read(fd, data + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;      /* file shrank: parse what is there */
		got += (size_t)r;
	}
	rc = light_cfg_parse_data(cfg, path, data, got, err, errlen);
out:
	free(data);
	close(fd);
	return rc;
}

int light_cfg_override(struct light_cfg *cfg, const char *keyval,
                       char *err, size_t errlen)
{
	const char *eq = strchr(keyval, '=');
	const char *val;
	char *text = NULL, *lit = NULL;
	size_t klen, i;
	int rc;

	if (!eq || eq == keyval) {
		snprintf(err, errlen, "command line: `%s': expected key=value", keyval);
		return -1;
	}
	klen = (size_t)(eq - keyval);
	if (keyval[klen - 1] == '+')
		klen--;
	for (i = 0; i < klen; i++) {
		if (!(i == 0 ? is_ident_start(keyval[i]) : is_ident_char(keyval[i]))) {
			snprintf(err, errlen, "command line: `%.*s': invalid key",
			         (int)klen, keyval);
			return -1;
		}
	}
	if (klen == 0) {
		snprintf(err, errlen, "command line: `%s': expected key=value", keyval);
		return -1;
	}
	val = eq + 1;
	rc = light_cfg_parse_data(cfg, "command line", keyval, strlen(keyval),
	                          err, errlen);
	if (rc == 0 || *val == '"' || *val == '\'' || *val == '[')
		return rc;

	/* Not xl.cfg syntax: take the value as a literal string by quoting
	 * it, escaping what the lexer would otherwise interpret. */
	lit = malloc(strlen(val) * 4 + 3);
	if (!lit) {
		snprintf(err, errlen, "command line: out of memory");
		return -1;
	}
	{
		char *q = lit;
		*q++ = '"';
		for (i = 0; val[i]; i++) {
			unsigned char ch = (unsigned char)val[i];
			if (ch == '"' || ch == '\\') {
				*q++ = '\\';
				*q++ = (char)ch;
			} else if (ch == '\n') {
				*q++ = '\\';
				*q++ = 'n';
			} else {
				*q++ = (char)ch;
			}
		}
		*q++ = '"';
		*q = '\0';
	}
	if (asprintf(&text, "%.*s%s%s", (int)(eq - keyval), keyval, "=", lit) < 0) {
		text = NULL;
		snprintf(err, errlen, "command line: out of memory");
		rc = -1;
		goto out;
	}
	rc = light_cfg_parse_data(cfg, "command line", text, strlen(text), err, errlen);
out:
	free(lit);
	free(text);
	return rc;
}

struct light_cfg *light_cfg_new(void)
{
	return calloc(1, sizeof(struct light_cfg));
}

void light_cfg_free(struct light_cfg *cfg)
{
	size_t i;

	if (!cfg)
		return;
	settings_clear(cfg->settings, cfg->nsettings);
	free(cfg->settings);
	for (i = 0; i < cfg->nsources; i++)
		free(cfg->sources[i]);
	free(cfg->sources);
	free(cfg);
}

const struct light_cfg_setting *light_cfg_lookup(const struct light_cfg *cfg,
                                                 const char *key)
{
	size_t i;

	/* Later settings override earlier ones: search from the end. */
	for (i = cfg->nsettings; i > 0; i--)
		if (strcmp(cfg->settings[i - 1].key, key) == 0)
			return &cfg->settings[i - 1];
	return NULL;
}

int light_cfg_parse_int(const char *text, long long min, long long max,
                        long long *out)
{
	int64_t v;

	/* A config number has no sign (a sign would need quoting anyway),
	 * so insist on a digit; the base is 0 as upstream's strtol. */
	if (!text || !(*text >= '0' && *text <= '9')) {
		errno = EINVAL;
		return -1;
	}
	if (strnum_i64(text, 0, min, max, &v) == -1)
		return -1;
	*out = v;
	return 0;
}
