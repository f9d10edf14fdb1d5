/* SPDX-License-Identifier: GPL-2.0-only */
/* config_target.c - collector targets: target properties, HOST[:PORT] and target specs. */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "config/config.h"
#include "config/config_int.h"
#include "config/value.h"

#define ACC_HOSTPORT "IPv4, IPv4:PORT, IPv6 or [IPv6]:PORT"

struct tbuild {
	struct cfg_target t;
	bool dst_set;  /* by dst-address=, address= or a spec's HOST */
	bool port_set; /* by port= or the :PORT of address= / HOST */
};

static int set_dst(const struct pctx *p, const struct prop *pr, struct tbuild *b, const char *val,
		   const struct sockaddr_storage *ss)
{
	if (value_ip_is_any(ss))
		return value_bad(p, pr->name, val, "not a collector address", pr->acc);
	if (b->dst_set)
		return value_fail(p,
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

	if (value_parse_u32(s, &v) || v < 1 || v > 65535)
		return value_bad(p, pr->name, s, NULL, "an integer from 1 to 65535");
	if (b->port_set)
		return value_fail(
			p, "%s: the port is given twice (accepted: one of port or ADDRESS:PORT)",
			pr->name);
	b->t.port = (__u16)v;
	b->port_set = true;
	return 0;
}

static int t_dst(const struct pctx *p, const struct prop *pr, void *obj, const char *val)
{
	struct sockaddr_storage ss;

	if (value_parse_ip(val, &ss))
		return value_bad(p, pr->name, val, NULL, pr->acc);
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
			return value_bad(p, pr->name, val, "no ']' before ':PORT'", pr->acc);
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
		return value_bad(p, pr->name, val, "not an IP address", pr->acc);
	memcpy(host, h, hl);
	host[hl] = '\0';
	if (value_parse_ip(host, &ss) || (h != val && ss.ss_family != AF_INET6))
		return value_bad(p, pr->name, val, "not an IP address", pr->acc);
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
		return value_bad(p, pr->name, val, NULL, pr->acc);
	return 0;
}

static int t_src(const struct pctx *p, const struct prop *pr, void *obj, const char *val)
{
	struct sockaddr_storage *src = &((struct tbuild *)obj)->t.src;

	if (value_parse_ip(val, src))
		return value_bad(p, pr->name, val, NULL, pr->acc);
	if (value_ip_is_any(src))
		memset(src, 0, sizeof(*src)); /* AF_UNSPEC: routing picks the source */
	return 0;
}

#define T(f) offsetof(struct tbuild, t.f)

static const struct prop target_props[] = {
	{ "dst-address", P_FN, 0, 0, 0, ACC_IP ", without a port (use port=)", t_dst },
	{ "port", P_FN, 0, 0, 0, "an integer from 1 to 65535", t_port },
	{ "version", P_FN, 0, 0, 0, "1, 5, 9 or IPFIX", t_version },
	{ "src-address", P_FN, 0, 0, 0, ACC_IP ", or 0.0.0.0 / :: for any", t_src },
	{ "v9-template-refresh", P_U32, T(template_refresh), 1, UINT32_MAX,
	  "an integer from 1 to 4294967295 (packets)", NULL },
	{ "v9-template-timeout", P_TIME, T(template_timeout_ns), 1, UINT64_MAX, ACC_TIME1, NULL },
	{ "disabled", P_BOOL, T(disabled), 0, 0, ACC_BOOL, NULL },
	{ "mtu", P_U32, T(mtu), 576, 65535,
	  "an integer from 576 to 65535 (bytes of an export datagram's IP packet)", NULL },
	{ "source-id", P_U32, T(source_id), 0, UINT32_MAX,
	  "an integer from 0 to 4294967295 (v9 source ID, IPFIX observation domain ID)", NULL },
	{ "address", P_FN, 0, 0, 0, ACC_HOSTPORT, t_address },
};

static void target_init(struct tbuild *b)
{
	memset(b, 0, sizeof(*b));
	b->t.port = 2055;
	b->t.version = 9;
	b->t.template_refresh = 20;
	b->t.template_timeout_ns = 30 * 60 * NS_S;
	b->t.mtu = 1500; /* as mpd's `set netflow mtu` default */
}

static int target_add(struct cfg *c, const struct pctx *p, struct tbuild *b)
{
	struct cfg_target *t = &b->t;
	char d[INET6_ADDRSTRLEN], s[INET6_ADDRSTRLEN];
	bool v4 = t->dst.ss_family == AF_INET;

	if (!b->dst_set)
		return value_fail(p, "dst-address is required (%s of the collector)", ACC_IP);
	if (t->src.ss_family != AF_UNSPEC && t->src.ss_family != t->dst.ss_family)
		return value_fail(
			p,
			"src-address: '%s' is not accepted: dst-address %s is %s (an address "
			"of the same family, or 0.0.0.0 / ::)",
			value_ip_str(&t->src, s, sizeof(s)), value_ip_str(&t->dst, d, sizeof(d)),
			v4 ? "IPv4" : "IPv6");
	if (c->n_targets < 0 || c->n_targets >= CFG_MAX_TARGETS)
		return value_fail(p, "too many targets (at most %d)", CFG_MAX_TARGETS);
	/* sin_port and sin6_port sit at the same offset. */
	((struct sockaddr_in *)&t->dst)->sin_port = htons(t->port);
	t->dst_len = v4 ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	t->src_len = t->src.ss_family == AF_UNSPEC ? 0 : t->dst_len;
	/* The same collector twice would receive every flow twice. */
	for (int i = 0; i < c->n_targets; i++)
		if (c->targets[i].dst_len == t->dst_len &&
		    !memcmp(&c->targets[i].dst, &t->dst, t->dst_len))
			return value_fail(
				p,
				"target %s port %u is given twice (accepted: each collector "
				"address and port once)",
				value_ip_str(&t->dst, d, sizeof(d)), t->port);
	c->targets[c->n_targets++] = *t;
	return 0;
}

int config_add_target_words(struct cfg *c, const struct pctx *p, const char *what,
			    const struct word *w, int n)
{
	struct tbuild b;
	int ret;

	target_init(&b);
	ret = config_apply_props(p, target_props, ARRAY_SIZE(target_props), what, &b, w, n);
	return ret ? ret : target_add(c, p, &b);
}

int config_add_target_spec(struct cfg *c, const char *spec, char *err, size_t errlen)
{
	static const struct prop host = { "address", P_FN, 0, 0, 0, ACC_HOSTPORT, t_address };
	struct pctx p = { .what = "target", .err = err, .errlen = errlen };
	char buf[LINE_MAX_BYTES + 1], what[64], *s, *comma, *eq;
	struct word w[MAX_WORDS];
	struct tbuild b;
	int n = 0, ret;

	if (err && errlen)
		err[0] = '\0';
	if (!spec)
		return -EINVAL;
	ret = value_check_text(&p, spec);
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
			return value_fail(&p, "more than %d properties", MAX_WORDS);
		eq = strchr(s, '=');
		if (eq)
			*eq = '\0';
		w[n].key = s;
		w[n++].val = eq ? eq + 1 : NULL;
	}
	if (!ret)
		ret = config_apply_props(&p, target_props, ARRAY_SIZE(target_props),
					 "a target (HOST[:PORT],PROP=VALUE,...)", &b, w, n);
	return ret ? ret : target_add(c, &p, &b);
}
