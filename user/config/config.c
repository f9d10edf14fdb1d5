/* SPDX-License-Identifier: GPL-2.0-only */
/* config.c - tflow settings: the property engine, global properties, defaults, checks, print. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "config/config.h"
#include "config/config_iface.h"
#include "config/config_int.h"
#include "config/value.h"

#define G(f) offsetof(struct cfg, f)

static const struct prop global_props[] = {
	{ "enabled", P_INTBOOL, G(enabled), 0, 0, ACC_BOOL, NULL },
	{ "interfaces", P_FN, 0, 0, 0, ACC_IFACES, config_set_interfaces },
	{ "cache-entries", P_ENTRIES, G(cache_entries), 0, 0, ACC_ENTRIES, NULL },
	{ "active-flow-timeout", P_TIME, G(active_timeout_ns), 1, UINT64_MAX, ACC_TIME1, NULL },
	{ "inactive-flow-timeout", P_TIME, G(inactive_timeout_ns), 1, UINT64_MAX, ACC_TIME1, NULL },
	{ "packet-sampling", P_BOOL, G(packet_sampling), 0, 0, ACC_BOOL, NULL },
	{ "sampling-interval", P_U32, G(sampling_interval), 0, UINT32_MAX, ACC_U32, NULL },
	{ "sampling-space", P_U32, G(sampling_space), 0, UINT32_MAX, ACC_U32, NULL },
	/* tflow's own: how often the flow table is walked for timeouts. */
	{ "scan-interval", P_TIME, G(scan_interval_ns), 100 * NS_MS, 3600 * NS_S,
	  "a time from 100ms to 1h, e.g. 1s", NULL },
	/* tflow's own: the hooks of every interface (one by one: /ip traffic-flow interface). */
	{ "direction", P_FN, 0, 0, 0, ACC_DIR, config_set_direction },
};

int config_set_words(struct cfg *c, const struct pctx *p, const char *what, const struct word *w,
		     int n)
{
	struct cfg tmp = *c; /* an error changes nothing */
	int ret;

	ret = config_apply_props(p, global_props, ARRAY_SIZE(global_props), what, &tmp, w, n);
	if (!ret)
		*c = tmp;
	return ret;
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
	c->ipfix_fields = TF_ALL; /* RouterOS exports every field unless told otherwise */
	c->direction = CFG_DIR_BOTH;
}

int config_set(struct cfg *c, const char *property, const char *value, char *err, size_t errlen)
{
	struct pctx p = { .err = err, .errlen = errlen };
	struct word w;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	if (!property || !value)
		return value_fail(&p, "%s: a value is required", property ? property : "(null)");
	if (!strncmp(property, "--", 2))
		property += 2;
	ret = value_check_text(&p, property);
	if (ret)
		return ret;
	p.what = property;
	ret = value_check_text(&p, value);
	if (ret)
		return ret;
	p.what = NULL; /* messages from here name the property themselves */
	if (!strcmp(property, "ipfix"))
		return config_ipfix_spec(c, &p, value);
	/* config_set_words only reads the words. */
	w.key = (char *)property;
	w.val = (char *)value;
	return config_set_words(c, &p, "long options", &w, 1);
}

int config_validate(const struct cfg *c, char *err, size_t errlen)
{
	struct pctx p = { .err = err, .errlen = errlen };
	char a[48], b[48];

	if (err && errlen)
		err[0] = '\0';
	if (!c->active_timeout_ns || !c->inactive_timeout_ns)
		return value_fail(&p, "%s-flow-timeout: 0s is not accepted (%s)",
				  c->active_timeout_ns ? "inactive" : "active", ACC_TIME1);
	if (c->inactive_timeout_ns > c->active_timeout_ns)
		return value_fail(
			&p,
			"inactive-flow-timeout (%s) must not be longer than "
			"active-flow-timeout (%s): a flow is exported at the active timeout anyway",
			value_fmt_time(c->inactive_timeout_ns, a, sizeof(a)),
			value_fmt_time(c->active_timeout_ns, b, sizeof(b)));
	if (c->packet_sampling && !c->sampling_interval)
		return value_fail(
			&p, "packet-sampling=yes needs sampling-interval of at least 1 "
			    "(the packets sampled before sampling-space packets are skipped)");
	if (c->n_targets < 0 || c->n_targets > CFG_MAX_TARGETS)
		return value_fail(&p, "%d targets is not accepted (at most %d)", c->n_targets,
				  CFG_MAX_TARGETS);
	return 0;
}

void config_print(const struct cfg *c, FILE *f)
{
	const struct cfg_target *t;
	char a[48], b[48];
	int i;

	config_print_lists(c, f);
	fprintf(f, "/ip traffic-flow set");
	if (c->enabled >= 0)
		fprintf(f, " enabled=%s", c->enabled ? "yes" : "no");
	fprintf(f, " interfaces=%s", c->all_interfaces ? "all" : "");
	if (!c->all_interfaces)
		config_fput_names(f, c->interfaces[0], sizeof(c->interfaces[0]),
				  c->n_interfaces < CFG_MAX_IFACES ? c->n_interfaces
								   : CFG_MAX_IFACES);
	fprintf(f, " cache-entries=%s active-flow-timeout=%s",
		value_fmt_entries(c->cache_entries, a, sizeof(a)),
		value_fmt_time(c->active_timeout_ns, b, sizeof(b)));
	fprintf(f, " inactive-flow-timeout=%s packet-sampling=%s sampling-interval=%u",
		value_fmt_time(c->inactive_timeout_ns, a, sizeof(a)),
		c->packet_sampling ? "yes" : "no", c->sampling_interval);
	fprintf(f, " sampling-space=%u scan-interval=%s\n", c->sampling_space,
		value_fmt_time(c->scan_interval_ns, a, sizeof(a)));
	for (i = 0, t = c->targets; i < c->n_targets && i < CFG_MAX_TARGETS; i++, t++) {
		snprintf(b, sizeof(b), "%d", t->version);
		fprintf(f, "/ip traffic-flow target add dst-address=%s port=%u version=%s",
			value_ip_str(&t->dst, a, sizeof(a)), t->port,
			t->version == CFG_VERSION_IPFIX ? "IPFIX" : b);
		if (t->src.ss_family != AF_UNSPEC)
			fprintf(f, " src-address=%s", value_ip_str(&t->src, a, sizeof(a)));
		fprintf(f,
			" v9-template-refresh=%u v9-template-timeout=%s disabled=%s mtu=%u"
			" source-id=%u\n",
			t->template_refresh, value_fmt_time(t->template_timeout_ns, a, sizeof(a)),
			t->disabled ? "yes" : "no", t->mtu, t->source_id);
	}
	config_print_ifdirs(c, f);
	config_print_ipfix(c, f);
}
