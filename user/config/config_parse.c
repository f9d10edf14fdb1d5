/* SPDX-License-Identifier: GPL-2.0-only */
/* config_parse.c - reading RouterOS syntax: files, continuations, comments, menus and words. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include "config/config.h"
#include "config/config_iface.h"
#include "config/config_int.h"
#include "config/value.h"

#define SUPPORTED                                                                                 \
	"supported: /ip traffic-flow set PROP=VALUE ..., /ip traffic-flow target add PROP=VALUE " \
	"..., /ip traffic-flow interface add ..., /interface list add ..., /interface list "      \
	"member add ..., /ip traffic-flow ipfix set FIELD=yes|no ..."

enum menu { M_ROOT, M_IP, M_TF, M_TARGET, M_TFIF, M_IF, M_IFLIST, M_IFMEMBER, M_IPFIX };
enum cmd { C_NONE, C_SET, C_ADD };
static const char *const menu_path[] = {
	"/",
	"/ip",
	"/ip traffic-flow",
	"/ip traffic-flow target",
	"/ip traffic-flow interface",
	"/interface",
	"/interface list",
	"/interface list member",
	"/ip traffic-flow ipfix",
};

/* From menu m, segment seg leads to menu *to (or, with a command, stays at m). */
static const struct {
	enum menu m;
	const char *seg;
	enum menu to;
	enum cmd cmd;
} steps[] = {
	{ M_ROOT, "ip", M_IP, C_NONE },
	{ M_IP, "traffic-flow", M_TF, C_NONE },
	{ M_TF, "target", M_TARGET, C_NONE },
	{ M_TF, "set", M_TF, C_SET },
	{ M_TARGET, "add", M_TARGET, C_ADD },
	{ M_TF, "interface", M_TFIF, C_NONE },
	{ M_TFIF, "add", M_TFIF, C_ADD },
	{ M_ROOT, "interface", M_IF, C_NONE },
	{ M_IF, "list", M_IFLIST, C_NONE },
	{ M_IFLIST, "add", M_IFLIST, C_ADD },
	{ M_IFLIST, "member", M_IFMEMBER, C_NONE },
	{ M_IFMEMBER, "add", M_IFMEMBER, C_ADD },
	{ M_TF, "ipfix", M_IPFIX, C_NONE },
	{ M_IPFIX, "set", M_IPFIX, C_SET },
};

static int walk(const struct pctx *p, enum menu *m, enum cmd *cmd, const char *seg)
{
	if (*cmd != C_NONE)
		return value_fail(p, "'%.*s%s' after %s %s: expected PROP=VALUE", SHOW(seg),
				  menu_path[*m], *cmd == C_SET ? "set" : "add");
	for (size_t i = 0; i < ARRAY_SIZE(steps); i++)
		if (steps[i].m == *m && !strcmp(steps[i].seg, seg)) {
			*m = steps[i].to;
			*cmd = steps[i].cmd;
			return 0;
		}
	return value_fail(p, "unknown menu or command '%s%s%.*s%s' (%s)", menu_path[*m],
			  *m == M_ROOT ? "" : " ", SHOW(seg), SUPPORTED);
}

/*
 * Split in place into words; "KEY=VALUE" words get val. Quotes may wrap any part of a word;
 * inside them \" and \\ are escapes. A word starting with '#' starts a comment.
 */
static int split_words(const struct pctx *p, char *in, struct word *w, int *nw)
{
	char *out, ch;
	bool q;

	for (*nw = 0;; (*nw)++) {
		while (*in == ' ' || *in == '\t')
			in++;
		if (!*in || *in == '#')
			return 0;
		if (*nw == MAX_WORDS)
			return value_fail(p, "more than %d words on one line", MAX_WORDS);
		/* out never passes in, so unescaping in place cannot clobber unread text. */
		w[*nw].key = out = in;
		w[*nw].val = NULL;
		for (q = false; *in && (q || (*in != ' ' && *in != '\t'));) {
			ch = *in++;
			if (ch == '"') {
				q = !q;
				continue;
			}
			if (q && ch == '\\') {
				if (*in != '"' && *in != '\\')
					return value_fail(p, "unsupported escape in quotes "
							     "(accepted: \\\" and \\\\)");
				ch = *in++;
			} else if (!q && ch == '=' && !w[*nw].val) {
				*out++ = '\0';
				w[*nw].val = out;
				continue;
			}
			*out++ = ch;
		}
		if (*in)
			in++;
		*out = '\0'; /* after the step: out may sit on the separator just passed */
		if (q)
			return value_fail(p, "unterminated quote in '%.*s%s'", SHOW(w[*nw].key));
		if (w[*nw].val && !*w[*nw].key)
			return value_fail(p,
					  "'=%.*s%s' has no property name (accepted: PROP=VALUE)",
					  SHOW(w[*nw].val));
	}
}

static int parse_line(struct cfg *c, const char *line, const struct pctx *p, enum menu *cur)
{
	char buf[LINE_MAX_BYTES + 1], *seg, *slash, what[48];
	struct word w[MAX_WORDS];
	enum menu m = *cur;
	enum cmd cmd = C_NONE;
	int n, i, ret;

	ret = value_check_text(p, line);
	if (ret)
		return ret;
	strcpy(buf, line); /* fits: value_check_text refused anything longer */
	ret = split_words(p, buf, w, &n);
	for (i = 0; !ret && i < n && !w[i].val; i++) {
		seg = w[i].key;
		/* "ip ..." can only mean /ip: the Splynx article's lines omit the '/'. */
		if (cmd == C_NONE &&
		    (*seg == '/' || (!i && !strncmp(seg, "ip", 2) && (!seg[2] || seg[2] == '/'))))
			m = M_ROOT;
		for (; !ret && seg; seg = slash ? slash + 1 : NULL) {
			slash = strchr(seg, '/');
			if (slash)
				*slash = '\0';
			if (*seg || (slash && cmd != C_NONE))
				ret = walk(p, &m, &cmd, *seg ? seg : "/");
		}
	}
	if (ret)
		return ret;
	/* A line with an error changes nothing. */
	if (cmd != C_NONE)
		snprintf(what, sizeof(what), "%s %s", menu_path[m], cmd == C_SET ? "set" : "add");
	if (cmd == C_SET && m == M_IPFIX)
		return config_ipfix_words(c, p, what, w + i, n - i);
	if (cmd == C_SET)
		return config_set_words(c, p, what, w + i, n - i);
	if (cmd == C_ADD && m == M_TARGET)
		return config_add_target_words(c, p, what, w + i, n - i);
	if (cmd == C_ADD && m == M_TFIF)
		return config_add_ifdir_words(c, p, what, w + i, n - i);
	if (cmd == C_ADD && m == M_IFLIST)
		return config_add_list_words(c, p, what, w + i, n - i);
	if (cmd == C_ADD)
		return config_add_member_words(c, p, what, w + i, n - i);
	if (i < n)
		return value_fail(p, "'%.*s%s=...' needs a command in menu %s (%s)", SHOW(w[i].key),
				  menu_path[m], SUPPORTED);
	if (i > 0)
		*cur = m; /* a menu on its own: the `set`/`add` lines after it apply to it */
	return 0;
}

int config_parse_line(struct cfg *c, const char *line, const char *file, int lineno, char *err,
		      size_t errlen)
{
	struct pctx p = { .file = file, .lineno = lineno, .err = err, .errlen = errlen };
	enum menu m = M_ROOT; /* alone, a line has no menu from a line before it */

	if (err && errlen)
		err[0] = '\0';
	return parse_line(c, line, &p, &m);
}

static bool is_comment(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i < len && s[i] == '#';
}

int config_parse_file(struct cfg *c, const char *path, char *err, size_t errlen)
{
	struct pctx p = { .file = path, .err = err, .errlen = errlen };
	char buf[LINE_MAX_BYTES + 1], *raw = NULL, *r;
	size_t cap = 0, len = 0, l, t;
	enum menu m = M_ROOT;
	int ret = 0, lineno = 0;
	bool cont = false;
	ssize_t n;
	FILE *f;

	if (err && errlen)
		err[0] = '\0';
	f = fopen(path, "re");
	if (!f) {
		ret = -errno;
		if (err && errlen)
			snprintf(err, errlen, "%s: cannot open: %s", path, strerror(-ret));
		return ret;
	}
	while (!ret && (n = getline(&raw, &cap, f)) >= 0) {
		r = raw;
		l = (size_t)n;
		if (!cont) {
			p.lineno = lineno + 1; /* a continued line reports its first line */
			len = 0;
		}
		if (++lineno == 1 && l >= 3 && !memcmp(r, "\xef\xbb\xbf", 3))
			r += 3, l -= 3; /* the byte order mark some editors write */
		if (memchr(r, '\0', l)) {
			ret = value_fail(&p, "NUL byte in the line (only UTF-8 text is accepted)");
			break;
		}
		if (l && r[l - 1] == '\n')
			l--;
		if (l && r[l - 1] == '\r')
			l--;
		for (t = l; t && (r[t - 1] == ' ' || r[t - 1] == '\t');)
			t--;
		/* A comment ending in '\' does not swallow the next line. */
		cont = t && r[t - 1] == '\\' && !(len ? is_comment(buf, len) : is_comment(r, l));
		if (cont)
			l = t - 1;
		if (len + l > LINE_MAX_BYTES) {
			ret = value_fail(&p, "line longer than %d bytes (with its continuations)",
					 LINE_MAX_BYTES);
			break;
		}
		memcpy(buf + len, r, l);
		len += l;
		buf[len] = '\0';
		if (!cont)
			ret = parse_line(c, buf, &p, &m);
	}
	if (!ret && cont) /* a '\' on the last line continues into nothing */
		ret = parse_line(c, buf, &p, &m);
	if (!ret && ferror(f)) {
		ret = -EIO;
		if (err && errlen)
			snprintf(err, errlen, "%s: read error after line %d", path, lineno);
	}
	free(raw);
	fclose(f);
	return ret;
}
