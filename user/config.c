/* config.c - tflow configuration: RouterOS `/ip traffic-flow` lines, long options, target specs. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include "config.h"

#define LINE_MAX_BYTES 4096 /* longer (joined) lines are refused, never truncated */
#define MAX_WORDS 64
#define SHOW_MAX 40 /* bytes of a bad value quoted back, so the accepted list still fits */
#define NS_MS 1000000ULL
#define NS_S 1000000000ULL
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define ACC_BOOL "yes or no"
#define ACC_TIME "a time such as 15s, 30m, 1h, 1d, 1w, 500ms, 1m30s or hh:mm:ss"
#define ACC_TIME1 ACC_TIME ", not 0"
#define ACC_ENTRIES "1k, 2k, 4k ... 256k, or a power of two up to 4M"
#define ACC_U32 "an integer from 0 to 4294967295"
#define ACC_IFACES                                                                       \
	"all, or a comma-separated list of up to 64 interface names of 1-15 characters " \
	"without '/', ':' or spaces"
#define ACC_IP "an IPv4 or IPv6 address"
#define ACC_HOSTPORT "IPv4, IPv4:PORT, IPv6 or [IPv6]:PORT"
#define SUPPORTED \
	"supported: /ip traffic-flow set PROP=VALUE ..., /ip traffic-flow target add PROP=VALUE ..."

/* Where a message comes from: "FILE:LINE: ", "line N: ", "WHAT: " or nothing. */
struct pctx {
	const char *file;
	int lineno;
	const char *what; /* checked text only: "target 'SPEC'" or a long option's name */
	char *err;
	size_t errlen;
};

/* Bad values are quoted back cut at a UTF-8 boundary, so one long value cannot hide the rest. */
static int show_len(const char *s)
{
	size_t n = strnlen(s, SHOW_MAX + 1);

	if (n > SHOW_MAX)
		for (n = SHOW_MAX; n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80;)
			n--;
	return (int)n;
}

#define SHOW(s) show_len(s), (s), (strnlen((s), SHOW_MAX + 1) > SHOW_MAX ? "..." : "")

__attribute__((format(printf, 2, 3))) static int fail(const struct pctx *p, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (!p->err || !p->errlen)
		return -EINVAL;
	p->err[0] = '\0';
	if (p->file)
		n = snprintf(p->err, p->errlen, "%s:%d: ", p->file, p->lineno);
	else if (p->lineno > 0)
		n = snprintf(p->err, p->errlen, "line %d: ", p->lineno);
	else if (p->what)
		n = snprintf(p->err, p->errlen, "%s: ", p->what);
	if (n >= 0 && (size_t)n < p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int bad(const struct pctx *p, const char *name, const char *val, const char *why,
	       const char *acc)
{
	return fail(p, "%s: '%.*s%s' is not accepted%s%s (%s)", name, SHOW(val), why ? ": " : "",
		    why ? why : "", acc);
}

/* Everything parsed is checked here first, so later messages can quote it safely. */
static int check_text(const struct pctx *p, const char *s)
{
	static const unsigned int min_cp[] = { 0, 0, 0x80, 0x800, 0x10000 };
	const unsigned char *u = (const unsigned char *)s;
	size_t len = strnlen(s, LINE_MAX_BYTES + 1), i, n, k;
	unsigned int cp;

	if (len > LINE_MAX_BYTES)
		return fail(p, "longer than %d bytes (split lines with a trailing '\\')",
			    LINE_MAX_BYTES);
	for (i = 0; i < len; i += n) {
		n = u[i] < 0x80 ? 1 : u[i] >= 0xf0 ? 4 : u[i] >= 0xe0 ? 3 : 2;
		cp = n == 1 ? u[i] : u[i] & (0x7fu >> n);
		/* The terminating NUL is no continuation byte, so this stops at it. */
		for (k = 1; k < n && (u[i + k] & 0xc0) == 0x80; k++)
			cp = cp << 6 | (u[i + k] & 0x3f);
		if (n == 1 && ((cp < 0x20 && cp != '\t') || cp == 0x7f))
			return fail(p,
				    "control character 0x%02x at byte %zu (only text is accepted)",
				    cp, i + 1);
		if (k < n || (u[i] & 0xc0) == 0x80 || u[i] > 0xf4 || cp < min_cp[n] ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return fail(p, "invalid UTF-8 at byte %zu (only UTF-8 text is accepted)",
				    i + 1);
	}
	return 0;
}

static int read_num(const char **sp, __u64 *v)
{
	const char *s = *sp;
	__u64 n = 0;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (n > (UINT64_MAX - (__u64)(*s - '0')) / 10)
			return -EINVAL;
		n = n * 10 + (__u64)(*s - '0');
	}
	*sp = s;
	*v = n;
	return 0;
}

static int add_mul(__u64 *acc, __u64 n, __u64 unit)
{
	if (n > UINT64_MAX / unit || *acc > UINT64_MAX - n * unit)
		return -EINVAL;
	*acc += n * unit;
	return 0;
}

/* Units largest first; index 5 is "ms". */
static const char time_sfx[] = "wdhms";
static const __u64 time_ns[] = { 604800 * NS_S, 86400 * NS_S, 3600 * NS_S, 60 * NS_S, NS_S, NS_MS };

int config_parse_time(const char *s, __u64 *ns)
{
	__u64 acc = 0, n, f[2];
	const char *x;
	int last = -1, u, nf;

	if (!s || !ns || !*s)
		return -EINVAL;
	while (*s) {
		if (read_num(&s, &n))
			return -EINVAL;
		if (*s == ':') {
			/* H:MM:SS or M:SS, last, and only after larger units ("1d02:00:00"). */
			for (nf = 0; *s == ':' && nf < 2; s += 3) {
				if (s[1] < '0' || s[1] > '5' || s[2] < '0' || s[2] > '9')
					return -EINVAL;
				f[nf++] = (__u64)(s[1] - '0') * 10 + (__u64)(s[2] - '0');
			}
			if (*s || last >= (nf == 2 ? 2 : 3) ||
			    add_mul(&acc, n, nf == 2 ? 3600 * NS_S : 60 * NS_S) ||
			    add_mul(&acc, f[0], nf == 2 ? 60 * NS_S : NS_S) ||
			    (nf == 2 && add_mul(&acc, f[1], NS_S)))
				return -EINVAL;
			break;
		}
		if (!*s) {
			/* A bare number means seconds, but only alone: "1m30" is ambiguous. */
			if (last >= 0 || add_mul(&acc, n, NS_S))
				return -EINVAL;
			break;
		}
		x = memchr(time_sfx, *s, 5);
		u = !strncmp(s, "ms", 2) ? 5 : x ? (int)(x - time_sfx) : -1;
		/* Large to small, each once: "30s1m" is more likely a typo than meant. */
		if (u <= last || add_mul(&acc, n, time_ns[u]))
			return -EINVAL;
		last = u;
		s += u == 5 ? 2 : 1;
	}
	*ns = acc;
	return 0;
}

int config_parse_entries(const char *s, __u32 *n)
{
	const char *p = s;
	__u64 v;

	if (!s || !n || read_num(&p, &v) || v > 4194304)
		return -EINVAL;
	if (*p == 'k' && !p[1])
		v *= 1024;
	else if (*p == 'M' && !p[1])
		v *= 1048576;
	else if (*p)
		return -EINVAL;
	/* A power of two for the flow table; RouterOS's 1k..256k plus up to 4M for big hosts. */
	if (v < 1024 || v > 4194304 || (v & (v - 1)))
		return -EINVAL;
	*n = (__u32)v;
	return 0;
}

static int parse_bool(const char *s, bool *b)
{
	*b = !strcasecmp(s, "yes");
	return *b || !strcasecmp(s, "no") ? 0 : -EINVAL;
}

static int parse_u32(const char *s, __u32 *v)
{
	__u64 n;

	if (read_num(&s, &n) || *s || n > UINT32_MAX)
		return -EINVAL;
	*v = (__u32)n;
	return 0;
}

static int parse_ip(const char *s, struct sockaddr_storage *ss)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &a4->sin_addr) == 1)
		a4->sin_family = AF_INET;
	else if (inet_pton(AF_INET6, s, &a6->sin6_addr) == 1)
		a6->sin6_family = AF_INET6;
	else
		return -EINVAL;
	return 0;
}

static bool ip_is_any(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ((const struct sockaddr_in *)ss)->sin_addr.s_addr == 0;
	return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)ss)->sin6_addr);
}

static const char *ip_str(const struct sockaddr_storage *ss, char *buf, size_t size)
{
	const void *a = ss->ss_family == AF_INET
				? (const void *)&((const struct sockaddr_in *)ss)->sin_addr
				: (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr;

	if (ss->ss_family == AF_UNSPEC || !inet_ntop(ss->ss_family, a, buf, (socklen_t)size))
		snprintf(buf, size, "0.0.0.0");
	return buf;
}

/* ---- properties ---- */

struct tbuild {
	struct cfg_target t;
	bool dst_set;  /* by dst-address=, address= or a spec's HOST */
	bool port_set; /* by port= or the :PORT of address= / HOST */
};

enum ptype { P_BOOL, P_INTBOOL, P_U32, P_TIME, P_ENTRIES, P_FN };

struct prop {
	const char *name;
	enum ptype type;
	size_t off; /* of the field in struct cfg or struct tbuild */
	__u64 min, max;
	const char *acc; /* what is accepted, for messages */
	int (*fn)(const struct pctx *p, const struct prop *pr, void *obj, const char *val);
};

static int g_interfaces(const struct pctx *p, const struct prop *pr, void *obj, const char *val)
{
	struct cfg *c = obj;
	const char *s = val, *e;
	char *name, why[48];
	size_t len;
	int i;

	memset(c->interfaces, 0, sizeof(c->interfaces));
	c->n_interfaces = 0;
	c->all_interfaces = !strcmp(val, "all");
	for (; !c->all_interfaces; s = e + 1) {
		e = strchr(s, ',');
		len = e ? (size_t)(e - s) : strlen(s);
		if (!len)
			return bad(p, pr->name, val, "empty interface name", pr->acc);
		if (len >= CFG_IFNAME_LEN)
			return bad(p, pr->name, val, "a name longer than 15 characters", pr->acc);
		if (c->n_interfaces == CFG_MAX_IFACES)
			return bad(p, pr->name, val, "more than 64 interfaces", pr->acc);
		name = c->interfaces[c->n_interfaces];
		memcpy(name, s, len);
		/* What the kernel's dev_valid_name() refuses. */
		if (strpbrk(name, "/: \t") || !strcmp(name, ".") || !strcmp(name, ".."))
			return bad(p, pr->name, val, "invalid interface name", pr->acc);
		if (!strcmp(name, "all"))
			return bad(p, pr->name, val, "'all' combined with names", pr->acc);
		for (i = 0; i < c->n_interfaces; i++)
			if (!strcmp(c->interfaces[i], name)) {
				snprintf(why, sizeof(why), "'%s' is listed twice", name);
				return bad(p, pr->name, val, why, pr->acc);
			}
		c->n_interfaces++;
		if (!e)
			break;
	}
	return 0;
}

static int set_dst(const struct pctx *p, const struct prop *pr, struct tbuild *b, const char *val,
		   const struct sockaddr_storage *ss)
{
	if (ip_is_any(ss))
		return bad(p, pr->name, val, "not a collector address", pr->acc);
	if (b->dst_set)
		return fail(p,
			    "%s: the collector address is given twice (accepted: one of "
			    "dst-address, address or HOST)",
			    pr->name);
	b->t.dst = *ss;
	b->dst_set = true;
	return 0;
}

static int set_port(const struct pctx *p, const struct prop *pr, struct tbuild *b, const char *s)
{
	__u32 v;

	if (parse_u32(s, &v) || v < 1 || v > 65535)
		return bad(p, pr->name, s, NULL, "an integer from 1 to 65535");
	if (b->port_set)
		return fail(p,
			    "%s: the port is given twice (accepted: one of port or ADDRESS:PORT)",
			    pr->name);
	b->t.port = (__u16)v;
	b->port_set = true;
	return 0;
}

static int t_dst(const struct pctx *p, const struct prop *pr, void *obj, const char *val)
{
	struct sockaddr_storage ss;

	if (parse_ip(val, &ss))
		return bad(p, pr->name, val, NULL, pr->acc);
	return set_dst(p, pr, obj, val, &ss);
}

/* RouterOS's older `address=IP:PORT`, also the HOST[:PORT] of a target spec. */
static int t_address(const struct pctx *p, const struct prop *pr, void *obj, const char *val)
{
	const char *port = NULL, *h = val, *e;
	char host[INET6_ADDRSTRLEN + 1];
	struct sockaddr_storage ss;
	size_t hl;
	int ret;

	if (val[0] == '[') {
		e = strchr(val, ']');
		if (!e || (e[1] && e[1] != ':'))
			return bad(p, pr->name, val, "no ']' before ':PORT'", pr->acc);
		h = val + 1;
		hl = (size_t)(e - h);
		port = e[1] ? e + 2 : NULL;
	} else {
		/* One ':' separates a port; more make a bare IPv6 literal without one. */
		e = strchr(val, ':');
		port = e && !strchr(e + 1, ':') ? e + 1 : NULL;
		hl = port ? (size_t)(e - val) : strlen(val);
	}
	if (hl >= sizeof(host))
		return bad(p, pr->name, val, "not an IP address", pr->acc);
	memcpy(host, h, hl);
	host[hl] = '\0';
	if (parse_ip(host, &ss) || (h != val && ss.ss_family != AF_INET6))
		return bad(p, pr->name, val, "not an IP address", pr->acc);
	ret = set_dst(p, pr, obj, val, &ss);
	return ret || !port ? ret : set_port(p, pr, obj, port);
}

static int t_port(const struct pctx *p, const struct prop *pr, void *obj, const char *val)
{
	return set_port(p, pr, obj, val);
}

static int t_version(const struct pctx *p, const struct prop *pr, void *obj, const char *val)
{
	int *v = &((struct tbuild *)obj)->t.version;

	if (!strcmp(val, "1") || !strcmp(val, "5") || !strcmp(val, "9"))
		*v = val[0] - '0';
	else if (!strcasecmp(val, "ipfix"))
		*v = CFG_VERSION_IPFIX;
	else
		return bad(p, pr->name, val, NULL, pr->acc);
	return 0;
}

static int t_src(const struct pctx *p, const struct prop *pr, void *obj, const char *val)
{
	struct sockaddr_storage *src = &((struct tbuild *)obj)->t.src;

	if (parse_ip(val, src))
		return bad(p, pr->name, val, NULL, pr->acc);
	if (ip_is_any(src))
		memset(src, 0, sizeof(*src)); /* AF_UNSPEC: routing picks the source */
	return 0;
}

#define G(f) offsetof(struct cfg, f)
#define T(f) offsetof(struct tbuild, t.f)

static const struct prop global_props[] = {
	{ "enabled", P_INTBOOL, G(enabled), 0, 0, ACC_BOOL, NULL },
	{ "interfaces", P_FN, 0, 0, 0, ACC_IFACES, g_interfaces },
	{ "cache-entries", P_ENTRIES, G(cache_entries), 0, 0, ACC_ENTRIES, NULL },
	{ "active-flow-timeout", P_TIME, G(active_timeout_ns), 1, UINT64_MAX, ACC_TIME1, NULL },
	{ "inactive-flow-timeout", P_TIME, G(inactive_timeout_ns), 1, UINT64_MAX, ACC_TIME1, NULL },
	{ "packet-sampling", P_BOOL, G(packet_sampling), 0, 0, ACC_BOOL, NULL },
	{ "sampling-interval", P_U32, G(sampling_interval), 0, UINT32_MAX, ACC_U32, NULL },
	{ "sampling-space", P_U32, G(sampling_space), 0, UINT32_MAX, ACC_U32, NULL },
	/* tflow's own: how often the flow table is walked for timeouts. */
	{ "scan-interval", P_TIME, G(scan_interval_ns), 100 * NS_MS, 3600 * NS_S,
	  "a time from 100ms to 1h, e.g. 1s", NULL },
};

static const struct prop target_props[] = {
	{ "dst-address", P_FN, 0, 0, 0, ACC_IP ", without a port (use port=)", t_dst },
	{ "port", P_FN, 0, 0, 0, "an integer from 1 to 65535", t_port },
	{ "version", P_FN, 0, 0, 0, "1, 5, 9 or IPFIX", t_version },
	{ "src-address", P_FN, 0, 0, 0, ACC_IP ", or 0.0.0.0 / :: for any", t_src },
	{ "v9-template-refresh", P_U32, T(template_refresh), 1, UINT32_MAX,
	  "an integer from 1 to 4294967295 (packets)", NULL },
	{ "v9-template-timeout", P_TIME, T(template_timeout_ns), 1, UINT64_MAX, ACC_TIME1, NULL },
	{ "disabled", P_BOOL, T(disabled), 0, 0, ACC_BOOL, NULL },
	{ "address", P_FN, 0, 0, 0, ACC_HOSTPORT, t_address },
};

static int set_prop(const struct pctx *p, const struct prop *pr, void *obj, const char *val)
{
	char *field = (char *)obj + pr->off;
	bool b;
	__u32 u;
	__u64 v;

	switch (pr->type) {
	case P_BOOL:
	case P_INTBOOL:
		if (parse_bool(val, &b))
			break;
		if (pr->type == P_BOOL)
			*(bool *)field = b;
		else
			*(int *)field = b;
		return 0;
	case P_U32:
		if (parse_u32(val, &u) || u < pr->min || u > pr->max)
			break;
		*(__u32 *)field = u;
		return 0;
	case P_TIME:
		if (config_parse_time(val, &v) || v < pr->min || v > pr->max)
			break;
		*(__u64 *)field = v;
		return 0;
	case P_ENTRIES:
		if (config_parse_entries(val, (__u32 *)field))
			break;
		return 0;
	case P_FN:
		return pr->fn(p, pr, obj, val);
	}
	return bad(p, pr->name, val, NULL, pr->acc);
}

struct word {
	char *key;
	char *val; /* NULL for a word without '=' (menu path or command) */
};

static int apply_props(const struct pctx *p, const struct prop *tab, int ntab, const char *what,
		       void *obj, const struct word *w, int n)
{
	unsigned int seen = 0;
	char list[256];
	size_t off = 0;
	int i, k, ret;

	for (i = 0; i < n; i++) {
		if (!w[i].val)
			return fail(p, "'%.*s%s' after %s: expected PROP=VALUE", SHOW(w[i].key),
				    what);
		for (k = 0; k < ntab && strcmp(tab[k].name, w[i].key); k++)
			;
		if (k == ntab) {
			for (k = 0; k < ntab && off < sizeof(list); k++)
				off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s",
							k ? ", " : "", tab[k].name);
			return fail(p, "unknown property '%.*s%s' for %s (accepted: %s)",
				    SHOW(w[i].key), what, list);
		}
		if (seen & (1u << k))
			return fail(p, "%s: given twice on one line (accepted: once)", tab[k].name);
		seen |= 1u << k;
		ret = set_prop(p, &tab[k], obj, w[i].val);
		if (ret)
			return ret;
	}
	return 0;
}

static void target_init(struct tbuild *b)
{
	memset(b, 0, sizeof(*b));
	b->t.port = 2055;
	b->t.version = 9;
	b->t.template_refresh = 20;
	b->t.template_timeout_ns = 30 * 60 * NS_S;
}

static int target_add(struct cfg *c, const struct pctx *p, struct tbuild *b)
{
	struct cfg_target *t = &b->t;
	char d[INET6_ADDRSTRLEN], s[INET6_ADDRSTRLEN];
	bool v4 = t->dst.ss_family == AF_INET;

	if (!b->dst_set)
		return fail(p, "dst-address is required (%s of the collector)", ACC_IP);
	if (t->src.ss_family != AF_UNSPEC && t->src.ss_family != t->dst.ss_family)
		return fail(p,
			    "src-address: '%s' is not accepted: dst-address %s is %s (an address "
			    "of the same family, or 0.0.0.0 / ::)",
			    ip_str(&t->src, s, sizeof(s)), ip_str(&t->dst, d, sizeof(d)),
			    v4 ? "IPv4" : "IPv6");
	if (c->n_targets < 0 || c->n_targets >= CFG_MAX_TARGETS)
		return fail(p, "too many targets (at most %d)", CFG_MAX_TARGETS);
	/* sin_port and sin6_port sit at the same offset. */
	((struct sockaddr_in *)&t->dst)->sin_port = htons(t->port);
	t->dst_len = v4 ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	t->src_len = t->src.ss_family == AF_UNSPEC ? 0 : t->dst_len;
	c->targets[c->n_targets++] = *t;
	return 0;
}

/* ---- lines ---- */

enum menu { M_ROOT, M_IP, M_TF, M_TARGET };
enum cmd { C_NONE, C_SET, C_ADD };
static const char *const menu_path[] = { "/", "/ip", "/ip traffic-flow",
					 "/ip traffic-flow target" };
static const char *const cmd_path[] = { "", "/ip traffic-flow set", "/ip traffic-flow target add" };

static int walk(const struct pctx *p, enum menu *m, enum cmd *cmd, const char *seg)
{
	if (*cmd != C_NONE)
		return fail(p, "'%.*s%s' after %s: expected PROP=VALUE", SHOW(seg), cmd_path[*cmd]);
	if (*m == M_ROOT && !strcmp(seg, "ip"))
		*m = M_IP;
	else if (*m == M_IP && !strcmp(seg, "traffic-flow"))
		*m = M_TF;
	else if (*m == M_TF && !strcmp(seg, "target"))
		*m = M_TARGET;
	else if (*m == M_TF && !strcmp(seg, "set"))
		*cmd = C_SET;
	else if (*m == M_TARGET && !strcmp(seg, "add"))
		*cmd = C_ADD;
	else
		return fail(p, "unknown menu or command '%s%s%.*s%s' (%s)", menu_path[*m],
			    *m == M_ROOT ? "" : " ", SHOW(seg), SUPPORTED);
	return 0;
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
			return fail(p, "more than %d words on one line", MAX_WORDS);
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
					return fail(p,
						    "unsupported escape in quotes (accepted: \\\" "
						    "and \\\\)");
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
			return fail(p, "unterminated quote in '%.*s%s'", SHOW(w[*nw].key));
		if (w[*nw].val && !*w[*nw].key)
			return fail(p, "'=%.*s%s' has no property name (accepted: PROP=VALUE)",
				    SHOW(w[*nw].val));
	}
}

static int parse_line(struct cfg *c, const char *line, const struct pctx *p, enum menu *cur)
{
	char buf[LINE_MAX_BYTES + 1], *seg, *slash;
	struct word w[MAX_WORDS];
	enum menu m = *cur;
	enum cmd cmd = C_NONE;
	struct tbuild b;
	struct cfg tmp;
	int n, i, ret;

	ret = check_text(p, line);
	if (ret)
		return ret;
	strcpy(buf, line); /* fits: check_text refused anything longer */
	ret = split_words(p, buf, w, &n);
	for (i = 0; !ret && i < n && !w[i].val; i++) {
		seg = w[i].key;
		/* "ip ..." can only mean /ip: the Splynx article's lines omit the '/'. */
		if (*seg == '/' || (!i && !strncmp(seg, "ip", 2) && (!seg[2] || seg[2] == '/')))
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
	if (cmd == C_SET) {
		tmp = *c; /* a line with an error changes nothing */
		ret = apply_props(p, global_props, ARRAY_SIZE(global_props), cmd_path[cmd], &tmp,
				  w + i, n - i);
		if (!ret)
			*c = tmp;
		return ret;
	}
	if (cmd == C_ADD) {
		target_init(&b);
		ret = apply_props(p, target_props, ARRAY_SIZE(target_props), cmd_path[cmd], &b,
				  w + i, n - i);
		return ret ? ret : target_add(c, p, &b);
	}
	if (i < n)
		return fail(p, "'%.*s%s=...' needs a command in menu %s (%s)", SHOW(w[i].key),
			    menu_path[m], SUPPORTED);
	if (i > 0)
		*cur = m; /* a menu on its own: the `set`/`add` lines after it apply to it */
	return 0;
}

void config_defaults(struct cfg *c)
{
	memset(c, 0, sizeof(*c)); /* padding too, so equal configs compare equal with memcmp */
	c->enabled = -1;
	c->all_interfaces = true;
	c->cache_entries = 4096;
	c->active_timeout_ns = 30 * 60 * NS_S;
	c->inactive_timeout_ns = 15 * NS_S;
	c->scan_interval_ns = NS_S;
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
			ret = fail(&p, "NUL byte in the line (only UTF-8 text is accepted)");
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
			ret = fail(&p, "line longer than %d bytes (with its continuations)",
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

int config_set(struct cfg *c, const char *property, const char *value, char *err, size_t errlen)
{
	struct pctx p = { .err = err, .errlen = errlen };
	struct word w;
	struct cfg tmp;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	if (!property || !value)
		return fail(&p, "%s: a value is required", property ? property : "(null)");
	if (!strncmp(property, "--", 2))
		property += 2;
	ret = check_text(&p, property);
	if (ret)
		return ret;
	p.what = property;
	ret = check_text(&p, value);
	if (ret)
		return ret;
	p.what = NULL; /* messages from here name the property themselves */
	/* apply_props only reads the words. */
	w.key = (char *)property;
	w.val = (char *)value;
	tmp = *c;
	ret = apply_props(&p, global_props, ARRAY_SIZE(global_props), "long options", &tmp, &w, 1);
	if (!ret)
		*c = tmp;
	return ret;
}

int config_add_target_spec(struct cfg *c, const char *spec, char *err, size_t errlen)
{
	static const struct prop host = { "address", P_FN, 0, 0, 0, ACC_HOSTPORT, t_address };
	struct pctx p = { .err = err, .errlen = errlen };
	char buf[LINE_MAX_BYTES + 1], what[64], *s, *comma, *eq;
	struct word w[MAX_WORDS];
	struct tbuild b;
	int n = 0, ret;

	if (err && errlen)
		err[0] = '\0';
	if (!spec)
		return -EINVAL;
	ret = check_text(&p, spec);
	if (ret)
		return ret;
	snprintf(what, sizeof(what), "target '%.*s%s'", SHOW(spec));
	p.what = what;
	strcpy(buf, spec);
	comma = strchr(buf, ',');
	if (comma)
		*comma = '\0';
	target_init(&b);
	ret = t_address(&p, &host, &b, buf);
	while (!ret && comma) {
		s = comma + 1;
		comma = strchr(s, ',');
		if (comma)
			*comma = '\0';
		if (n == MAX_WORDS)
			return fail(&p, "more than %d properties", MAX_WORDS);
		eq = strchr(s, '=');
		if (eq)
			*eq = '\0';
		w[n].key = s;
		w[n++].val = eq ? eq + 1 : NULL;
	}
	if (!ret)
		ret = apply_props(&p, target_props, ARRAY_SIZE(target_props),
				  "a target (HOST[:PORT],PROP=VALUE,...)", &b, w, n);
	return ret ? ret : target_add(c, &p, &b);
}

/* ---- validate, print ---- */

/* Whole units, weeks down to ms ("1h30m"); the parser cannot produce a sub-ms rest. */
static const char *fmt_time(__u64 ns, char *buf, size_t size)
{
	size_t off = 0;
	int i;

	snprintf(buf, size, "0s");
	for (i = 0; i < 6 && off < size; ns %= time_ns[i++])
		if (ns / time_ns[i])
			off += (size_t)snprintf(buf + off, size - off, "%llu%.*s",
						(unsigned long long)(ns / time_ns[i]),
						i == 5 ? 2 : 1, i == 5 ? "ms" : &time_sfx[i]);
	return buf;
}

static const char *fmt_entries(__u32 n, char *buf, size_t size)
{
	if (n && n % 1048576 == 0)
		snprintf(buf, size, "%uM", n / 1048576);
	else if (n && n % 1024 == 0)
		snprintf(buf, size, "%uk", n / 1024);
	else
		snprintf(buf, size, "%u", n);
	return buf;
}

int config_validate(const struct cfg *c, char *err, size_t errlen)
{
	struct pctx p = { .err = err, .errlen = errlen };
	char a[48], b[48];

	if (err && errlen)
		err[0] = '\0';
	if (!c->active_timeout_ns || !c->inactive_timeout_ns)
		return fail(&p, "%s-flow-timeout: 0s is not accepted (%s)",
			    c->active_timeout_ns ? "inactive" : "active", ACC_TIME1);
	if (c->inactive_timeout_ns > c->active_timeout_ns)
		return fail(
			&p,
			"inactive-flow-timeout (%s) must not be longer than "
			"active-flow-timeout (%s): a flow is exported at the active timeout anyway",
			fmt_time(c->inactive_timeout_ns, a, sizeof(a)),
			fmt_time(c->active_timeout_ns, b, sizeof(b)));
	if (c->packet_sampling && !c->sampling_interval)
		return fail(&p, "packet-sampling=yes needs sampling-interval of at least 1 "
				"(the packets sampled before sampling-space packets are skipped)");
	if (c->n_targets < 0 || c->n_targets > CFG_MAX_TARGETS)
		return fail(&p, "%d targets is not accepted (at most %d)", c->n_targets,
			    CFG_MAX_TARGETS);
	return 0;
}

void config_print(const struct cfg *c, FILE *f)
{
	const struct cfg_target *t;
	bool quote = false;
	char a[48], b[48];
	const char *s;
	int i;

	fprintf(f, "/ip traffic-flow set");
	if (c->enabled >= 0)
		fprintf(f, " enabled=%s", c->enabled ? "yes" : "no");
	/* Linux allows '"' and '\' in names; quoted and escaped, they read back the same. */
	for (i = 0; !c->all_interfaces && i < c->n_interfaces && i < CFG_MAX_IFACES; i++)
		quote |= memchr(c->interfaces[i], '"', CFG_IFNAME_LEN) ||
			 memchr(c->interfaces[i], '\\', CFG_IFNAME_LEN);
	fprintf(f, " interfaces=%s", c->all_interfaces ? "all" : quote ? "\"" : "");
	for (i = 0; !c->all_interfaces && i < c->n_interfaces && i < CFG_MAX_IFACES; i++) {
		fputs(i ? "," : "", f);
		for (s = c->interfaces[i]; s < c->interfaces[i] + CFG_IFNAME_LEN && *s; s++)
			fprintf(f, "%s%c", *s == '"' || *s == '\\' ? "\\" : "", *s);
	}
	fprintf(f, "%s cache-entries=%s active-flow-timeout=%s", quote ? "\"" : "",
		fmt_entries(c->cache_entries, a, sizeof(a)),
		fmt_time(c->active_timeout_ns, b, sizeof(b)));
	fprintf(f, " inactive-flow-timeout=%s packet-sampling=%s sampling-interval=%u",
		fmt_time(c->inactive_timeout_ns, a, sizeof(a)), c->packet_sampling ? "yes" : "no",
		c->sampling_interval);
	fprintf(f, " sampling-space=%u scan-interval=%s\n", c->sampling_space,
		fmt_time(c->scan_interval_ns, a, sizeof(a)));
	for (i = 0, t = c->targets; i < c->n_targets && i < CFG_MAX_TARGETS; i++, t++) {
		snprintf(b, sizeof(b), "%d", t->version);
		fprintf(f, "/ip traffic-flow target add dst-address=%s port=%u version=%s",
			ip_str(&t->dst, a, sizeof(a)), t->port,
			t->version == CFG_VERSION_IPFIX ? "IPFIX" : b);
		if (t->src.ss_family != AF_UNSPEC)
			fprintf(f, " src-address=%s", ip_str(&t->src, a, sizeof(a)));
		fprintf(f, " v9-template-refresh=%u v9-template-timeout=%s disabled=%s\n",
			t->template_refresh, fmt_time(t->template_timeout_ns, a, sizeof(a)),
			t->disabled ? "yes" : "no");
	}
}
