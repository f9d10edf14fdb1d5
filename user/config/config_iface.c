/* SPDX-License-Identifier: GPL-2.0-only */
/* config_iface.c - interface selection: interfaces=, direction, interface lists and entries. */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "config/cfg.h"
#include "config/config_iface.h"
#include "config/config_props.h"
#include "config/ifmatch.h"
#include "config/value.h"
#include "util/util.h"

#define ACC_LIST                                                                              \
	"a name of 1-63 letters, digits or - _ . + @, not 'all', added once with /interface " \
	"list add"
#define ACC_ENTRY                                                                              \
	"an interface name (1-15 characters without '/', ':' or spaces), a list added before " \
	"with /interface list add, or a pattern such as ppp* or vlan1? (up to 63 characters)"

/* Why pattern s can never match an interface name, or NULL. */
static const char *pattern_problem(const char *s)
{
	static const char bad[] = "an interface name cannot hold '/', ':' or spaces";
	int len = 0; /* characters a matching name has at least */

	for (; *s; s++) {
		if (*s == '*')
			continue;
		len++;
		if (*s == '\\') {
			if (!*++s)
				return "a '\\' ends the pattern (it quotes the next character)";
			if (strchr("/: \t", *s))
				return bad;
		} else if (*s == '[') {
			const char *q = s + 1 + (s[1] == '!' || s[1] == '^');

			q += *q == ']'; /* a ']' right after '[' is one of the characters */
			q = strchr(q, ']');
			if (!q)
				return "a '[' without its ']'";
			s = q;
		} else if (strchr("/: \t", *s)) {
			return bad;
		}
	}
	return len >= CFG_IFNAME_LEN ? "every name it matches is longer than 15 characters" : NULL;
}

/*
 * Why s is not an interface name, a list of c (when lists is true) or a pattern, or NULL. A name
 * that is neither a list added before nor fits IFNAMSIZ cannot be meant as an interface.
 */
static const char *entry_problem(const struct cfg *c, const char *s, bool lists)
{
	size_t len = strlen(s);

	if (!len)
		return "empty interface name";
	if (len >= CFG_NAME_LEN)
		return "longer than 63 characters";
	if (ifmatch_is_pattern(s))
		return pattern_problem(s);
	if (ifmatch_list(c, s) >= 0)
		return lists ? NULL : "a list cannot be a member of a list";
	if (len >= CFG_IFNAME_LEN)
		return lists ? "a name longer than 15 characters, and no /interface list of that name "
			       "was added before"
			     : "a name longer than 15 characters";
	/* What the kernel's dev_valid_name() refuses. */
	if (strpbrk(s, "/: \t") || !strcmp(s, ".") || !strcmp(s, ".."))
		return "invalid interface name";
	return NULL;
}

int config_set_interfaces(const struct pctx *p, const struct prop *pr, void *obj, const char *val)
{
	struct cfg *c = obj;
	const char *s = val, *e, *why;
	char *name, buf[96], msg[160];
	size_t len;
	int i;

	memset(c->interfaces, 0, sizeof(c->interfaces));
	c->n_interfaces = 0;
	c->all_interfaces = !strcmp(val, "all");
	for (; !c->all_interfaces; s = e + 1) {
		e = strchr(s, ',');
		len = e ? (size_t)(e - s) : strlen(s);
		if (c->n_interfaces == CFG_MAX_IFACES)
			return value_bad(p, pr->name, val, "more than 64 interfaces", ACC_IFACES);
		name = c->interfaces[c->n_interfaces];
		if (len >= CFG_NAME_LEN) {
			snprintf(buf, sizeof(buf), "'%.20s...' is longer than 63 characters", s);
			return value_bad(p, pr->name, val, buf, ACC_IFACES);
		}
		memcpy(name, s, len);
		why = entry_problem(c, name, true);
		if (why && len && len != strlen(val)) { /* say which of several */
			snprintf(msg, sizeof(msg), "'%.40s': %s", name, why);
			why = msg;
		}
		if (why)
			return value_bad(p, pr->name, val, why, ACC_IFACES);
		if (!strcmp(name, "all"))
			return value_bad(p, pr->name, val, "'all' combined with names", ACC_IFACES);
		for (i = 0; i < c->n_interfaces; i++)
			if (!strcmp(c->interfaces[i], name)) {
				snprintf(buf, sizeof(buf), "'%.63s' is listed twice", name);
				return value_bad(p, pr->name, val, buf, ACC_IFACES);
			}
		c->n_interfaces++;
		if (!e)
			break;
	}
	return 0;
}

static int parse_dir(const char *val, __u32 *dir)
{
	if (!strcmp(val, "both"))
		*dir = CFG_DIR_BOTH;
	else if (!strcmp(val, "ingress"))
		*dir = CFG_DIR_INGRESS;
	else if (!strcmp(val, "egress"))
		*dir = CFG_DIR_EGRESS;
	else
		return -1;
	return 0;
}

int config_set_direction(const struct pctx *p, const struct prop *pr, void *obj, const char *val)
{
	if (parse_dir(val, &((struct cfg *)obj)->direction))
		return value_bad(p, pr->name, val, NULL, ACC_DIR);
	return 0;
}

/* What `/interface list add`, `... member add` and `/ip traffic-flow interface add` build. */
struct ibuild {
	const struct cfg *c;
	char name[CFG_NAME_LEN]; /* list name, or the member's / entry's interface */
	__u32 list;		 /* member: index of its list */
	__u32 dir;		 /* entry: enum cfg_dir */
	bool name_set, list_set, dir_set, disabled;
};

static int b_list_name(const struct pctx *p, const struct prop *pr, void *obj, const char *val)
{
	struct ibuild *b = obj;
	const unsigned char *u = (const unsigned char *)val;
	size_t len = strlen(val);

	for (; *u; u++)
		if (*u < 0x80 && !strchr("-_.+@", *u) && !(*u >= '0' && *u <= '9') &&
		    !((*u | 0x20) >= 'a' && (*u | 0x20) <= 'z'))
			break;
	if (!len || len >= CFG_NAME_LEN || *u || !strcmp(val, "all"))
		return value_bad(p, pr->name, val, NULL, pr->acc);
	memcpy(b->name, val, len + 1);
	b->name_set = true;
	return 0;
}

static int set_iface(const struct pctx *p, const struct prop *pr, struct ibuild *b, const char *val,
		     bool lists)
{
	const char *why = entry_problem(b->c, val, lists);

	if (!why && !strcmp(val, "all"))
		why = lists ? "set every interface's direction with /ip traffic-flow set direction="
			    : "'all' cannot be a member";
	if (why)
		return value_bad(p, pr->name, val, why, pr->acc);
	memcpy(b->name, val, strlen(val) + 1);
	b->name_set = true;
	return 0;
}

/* A member is an interface name or a pattern; lists hold no lists. */
static int b_member(const struct pctx *p, const struct prop *pr, void *obj, const char *val)
{
	return set_iface(p, pr, obj, val, false);
}

/* An entry's interface= is what interfaces= accepts, lists included. */
static int b_entry(const struct pctx *p, const struct prop *pr, void *obj, const char *val)
{
	return set_iface(p, pr, obj, val, true);
}

static int b_list(const struct pctx *p, const struct prop *pr, void *obj, const char *val)
{
	struct ibuild *b = obj;
	int l = ifmatch_list(b->c, val);
	char why[120];

	if (l < 0) {
		snprintf(why, sizeof(why),
			 "no such list (add it first: /interface list add name=%.40s)", val);
		return value_bad(p, pr->name, val, why,
				 "a list added before with /interface list add");
	}
	b->list = (__u32)l;
	b->list_set = true;
	return 0;
}

static int b_dir(const struct pctx *p, const struct prop *pr, void *obj, const char *val)
{
	struct ibuild *b = obj;

	if (parse_dir(val, &b->dir))
		return value_bad(p, pr->name, val, NULL, ACC_DIR);
	b->dir_set = true;
	return 0;
}

static int b_ignore(const struct pctx *p, const struct prop *pr, void *obj, const char *val)
{
	(void)p, (void)pr, (void)obj, (void)val;
	return 0;
}

#define COMMENT                                                          \
	{                                                                \
		"comment", P_FN, 0, 0, 0, "any text (ignored)", b_ignore \
	}

static const struct prop list_props[] = {
	{ "name", P_FN, 0, 0, 0, ACC_LIST, b_list_name },
	COMMENT,
};

static const struct prop member_props[] = {
	{ "interface", P_FN, 0, 0, 0,
	  "an interface name (1-15 characters without '/', ':' or spaces) or a pattern such as "
	  "ppp* (up to 63 characters)",
	  b_member },
	{ "list", P_FN, 0, 0, 0, "a list added before with /interface list add", b_list },
	{ "disabled", P_BOOL, offsetof(struct ibuild, disabled), 0, 0, ACC_BOOL, NULL },
	COMMENT,
};

static const struct prop ifdir_props[] = {
	{ "interface", P_FN, 0, 0, 0, ACC_ENTRY, b_entry },
	{ "direction", P_FN, 0, 0, 0, ACC_DIR, b_dir },
	COMMENT,
};

static int build(const struct cfg *c, const struct pctx *p, const struct prop *tab, int ntab,
		 const char *what, const struct word *w, int n, struct ibuild *b)
{
	memset(b, 0, sizeof(*b));
	b->c = c;
	return config_apply_props(p, tab, ntab, what, b, w, n);
}

int config_add_list_words(struct cfg *c, const struct pctx *p, const char *what,
			  const struct word *w, int n)
{
	struct ibuild b;
	int ret = build(c, p, list_props, ARRAY_SIZE(list_props), what, w, n, &b);

	if (ret)
		return ret;
	if (!b.name_set)
		return value_fail(p, "name is required (%s)", ACC_LIST);
	if (ifmatch_list(c, b.name) >= 0)
		return value_fail(p, "list '%s' is added twice (accepted: each name once)", b.name);
	if (c->n_lists < 0 || c->n_lists >= CFG_MAX_LISTS)
		return value_fail(p, "too many interface lists (at most %d)", CFG_MAX_LISTS);
	memcpy(c->lists[c->n_lists++], b.name, sizeof(b.name));
	return 0;
}

int config_add_member_words(struct cfg *c, const struct pctx *p, const char *what,
			    const struct word *w, int n)
{
	struct ibuild b;
	int ret = build(c, p, member_props, ARRAY_SIZE(member_props), what, w, n, &b);
	struct cfg_member *m;

	if (ret)
		return ret;
	if (!b.name_set || !b.list_set)
		return value_fail(p, "%s is required (%s)", b.name_set ? "list" : "interface",
				  b.name_set ? "the list to add to" : "the interface or pattern");
	if (b.disabled)
		return 0; /* kept by RouterOS, selects nothing */
	for (int i = 0; i < c->n_members && i < CFG_MAX_MEMBERS; i++)
		if (c->members[i].list == b.list && !strcmp(c->members[i].iface, b.name))
			return value_fail(p, "'%s' is added to list '%s' twice (accepted: once)",
					  b.name, c->lists[b.list]);
	if (c->n_members < 0 || c->n_members >= CFG_MAX_MEMBERS)
		return value_fail(p, "too many list members (at most %d)", CFG_MAX_MEMBERS);
	m = &c->members[c->n_members++];
	memcpy(m->iface, b.name, sizeof(m->iface));
	m->list = b.list;
	return 0;
}

int config_add_ifdir_words(struct cfg *c, const struct pctx *p, const char *what,
			   const struct word *w, int n)
{
	struct ibuild b;
	int ret = build(c, p, ifdir_props, ARRAY_SIZE(ifdir_props), what, w, n, &b);
	struct cfg_ifdir *d;

	if (ret)
		return ret;
	if (!b.name_set || !b.dir_set)
		return value_fail(p, "%s is required (%s)", b.name_set ? "direction" : "interface",
				  b.name_set ? ACC_DIR : ACC_ENTRY);
	for (int i = 0; i < c->n_ifdirs && i < CFG_MAX_IFDIRS; i++)
		if (!strcmp(c->ifdirs[i].iface, b.name))
			return value_fail(p,
					  "interface '%s' is given twice (accepted: once; the last "
					  "entry that matches an interface wins)",
					  b.name);
	if (c->n_ifdirs < 0 || c->n_ifdirs >= CFG_MAX_IFDIRS)
		return value_fail(p, "too many /ip traffic-flow interface entries (at most %d)",
				  CFG_MAX_IFDIRS);
	d = &c->ifdirs[c->n_ifdirs++];
	memcpy(d->iface, b.name, sizeof(d->iface));
	d->dir = b.dir;
	return 0;
}

void config_fput_names(FILE *f, const char *names, size_t stride, int n)
{
	bool quote = false;
	const char *s;
	size_t len;
	int i;

	/*
	 * Linux allows '"' and '\' in names, and a pattern may hold a space or a tab inside
	 * brackets
	 * ("[a b]"), or '#' and '=', which would start a comment or a property unquoted. Quoted
	 * (and
	 * '"', '\' escaped) they read back the same.
	 */
	for (i = 0, s = names; i < n; i++, s += stride) {
		len = strnlen(s, stride);
		for (size_t k = 0; k < len; k++)
			quote |= strchr(" \t#=\"\\", s[k]) != NULL;
	}
	fputs(quote ? "\"" : "", f);
	for (i = 0, s = names; i < n; i++, s += stride) {
		fputs(i ? "," : "", f);
		for (size_t k = 0; k < stride && s[k]; k++)
			fprintf(f, "%s%c", s[k] == '"' || s[k] == '\\' ? "\\" : "", s[k]);
	}
	fputs(quote ? "\"" : "", f);
}

void config_print_lists(const struct cfg *c, FILE *f)
{
	const struct cfg_member *m = c->members;

	for (int i = 0; i < c->n_lists && i < CFG_MAX_LISTS; i++)
		fprintf(f, "/interface list add name=%s\n", c->lists[i]);
	for (int i = 0; i < c->n_members && i < CFG_MAX_MEMBERS; i++, m++) {
		fputs("/interface list member add interface=", f);
		config_fput_names(f, m->iface, sizeof(m->iface), 1);
		fprintf(f, " list=%s\n", m->list < CFG_MAX_LISTS ? c->lists[m->list] : "");
	}
}

void config_print_ifdirs(const struct cfg *c, FILE *f)
{
	const struct cfg_ifdir *d = c->ifdirs;

	if (c->direction != CFG_DIR_BOTH)
		fprintf(f, "/ip traffic-flow set direction=%s\n", ifmatch_dir_name(c->direction));
	for (int i = 0; i < c->n_ifdirs && i < CFG_MAX_IFDIRS; i++, d++) {
		fputs("/ip traffic-flow interface add interface=", f);
		config_fput_names(f, d->iface, sizeof(d->iface), 1);
		fprintf(f, " direction=%s\n", ifmatch_dir_name(d->dir));
	}
}
