/* SPDX-License-Identifier: GPL-2.0-only */
/* ipfix.c - IPFIX (RFC 7011) encoder: template, options template and data sets, no I/O. */
#include <errno.h>
#include "util/bytes.h"
#include "export/ipfix.h"
#include "util/util.h"

#define IPFIX_VERSION 10
#define IPFIX_SET_TEMPLATE 2	     /* set id of template records */
#define IPFIX_SET_OPTIONS_TEMPLATE 3 /* set id of options template records */
#define IPFIX_OPT_TMPL_HDR_LEN 6     /* template id, field count, scope field count */
#define IPFIX_SET_ALIGN 1	     /* sets are not padded: see below */

/* Sets are not padded: RFC 7011 makes padding optional, and every collector reads unaligned
 * records. */
/* Options template 258: one scope field, then the sampling parameters and the boot time. */
static const __u16 tmpl_options[] = {
	IE_OBSERVATION_DOMAIN_ID,
	IE_SAMPLING_PACKET_INTERVAL,
	IE_SAMPLING_PACKET_SPACE,
	IE_SYSTEM_INIT_TIME_MILLISECONDS,
};
/* Options template 261: the interface (ifindex) as scope, then its name. */
static const __u16 tmpl_ifnames[] = { IE_INGRESS_INTERFACE, IE_INTERFACE_NAME };
#define OPTIONS_SCOPE_FIELDS 1 /* of either options template */

int ipfix_begin(struct tmsg *m, void *buf, size_t size, const struct enc_clock *clk, __u32 sequence,
		__u32 domain_id)
{
	__u8 *p = buf;
	int ret;

	if (!m || !buf || !clk)
		return -EINVAL;
	ret = tmsg_init(m, buf, size, IPFIX_HDR_LEN, IE_FMT_IPFIX, IPFIX_SET_ALIGN);
	if (ret)
		return ret;
	put_be16(p + 0, IPFIX_VERSION);
	put_be16(p + 2, 0); /* length: written by ipfix_finish */
	put_be32(p + 4, enc_real_secs(clk));
	put_be32(p + 8, sequence);
	put_be32(p + 12, domain_id);
	return 0;
}

/* An options template set of one template, its first field the scope; the caller checked room. */
static void put_options_template(struct tmsg *m, __u16 id, const __u16 *ids, size_t n)
{
	__u8 *p = tmsg_open(m, IPFIX_SET_OPTIONS_TEMPLATE);

	put_be16(p, id);
	put_be16(p + 2, n); /* field count, scope included */
	put_be16(p + 4, OPTIONS_SCOPE_FIELDS);
	p = ie_put_field_specs(p + IPFIX_OPT_TMPL_HDR_LEN, ids, n, IE_FMT_IPFIX);
	tmsg_close(m, p);
	m->records++;
}

int ipfix_add_templates(struct tmsg *m, const struct ie_layout *l)
{
	size_t opt = IPFIX_OPT_TMPL_HDR_LEN + IE_FIELD_SPEC_LEN * ARRAY_SIZE(tmpl_options);
	const struct ie_template *t[4];
	size_t tmpl = 0;
	int n;
	__u8 *p;

	if (!m || !m->buf || !l)
		return -EINVAL;
	n = ie_layout_list(l, t);
	for (int i = 0; i < n; i++)
		tmpl += ie_template_len(t[i]);
	if (!tmsg_fits(m, tmsg_set_len(m, tmpl) + tmsg_set_len(m, opt)))
		return -ENOSPC;

	p = tmsg_open(m, IPFIX_SET_TEMPLATE);
	for (int i = 0; i < n; i++)
		p = ie_put_template(p, t[i]);
	tmsg_close(m, p);

	put_options_template(m, IPFIX_TMPL_OPTIONS, tmpl_options, ARRAY_SIZE(tmpl_options));
	m->records += n;
	return 0;
}

int ipfix_add_ifname_template(struct tmsg *m)
{
	size_t opt = IPFIX_OPT_TMPL_HDR_LEN + IE_FIELD_SPEC_LEN * ARRAY_SIZE(tmpl_ifnames);

	if (!m || !m->buf)
		return -EINVAL;
	if (!tmsg_fits(m, tmsg_set_len(m, opt)))
		return -ENOSPC;
	put_options_template(m, IPFIX_TMPL_IFNAMES, tmpl_ifnames, ARRAY_SIZE(tmpl_ifnames));
	return 0;
}

int ipfix_add_options(struct tmsg *m, const struct enc_sampling *s, const struct enc_clock *clk,
		      __u32 domain_id)
{
	size_t body = ie_record_len(tmpl_options, ARRAY_SIZE(tmpl_options), IE_FMT_IPFIX);
	__u32 interval, space;
	__u8 *p;

	if (!m || !m->buf || !s || !clk)
		return -EINVAL;
	if (!tmsg_fits(m, tmsg_set_len(m, body)))
		return -ENOSPC;
	/* interval 0 means sampling off in the datapath: announce it as 1 sampled, 0 skipped */
	interval = s->interval ? s->interval : 1;
	space = s->interval ? s->space : 0;

	p = tmsg_open(m, IPFIX_TMPL_OPTIONS);
	p = ie_put_value(p, IE_OBSERVATION_DOMAIN_ID, domain_id, IE_FMT_IPFIX);
	p = ie_put_value(p, IE_SAMPLING_PACKET_INTERVAL, interval, IE_FMT_IPFIX);
	p = ie_put_value(p, IE_SAMPLING_PACKET_SPACE, space, IE_FMT_IPFIX);
	/* wall-clock ms of CLOCK_MONOTONIC 0, the base the datapath's timestamps count from */
	p = ie_put_value(p, IE_SYSTEM_INIT_TIME_MILLISECONDS, enc_real_ms(clk, 0), IE_FMT_IPFIX);
	tmsg_close(m, p);
	m->records++;
	m->data_records++;
	return 0;
}

int ipfix_add_record(struct tmsg *m, const struct ie_layout *l, const struct tflow_record *r,
		     const struct enc_clock *clk)
{
	const struct ie_template *t;

	if (!m || !m->buf || !l || !r || !clk)
		return -EINVAL;
	t = ie_layout_pick(l, r);
	return t ? tmsg_add_record(m, t, r, clk) : -EINVAL;
}

size_t ipfix_finish(struct tmsg *m)
{
	tmsg_close(m, m->buf + m->len);
	put_be16(m->buf + 2, (__u16)m->len);
	return m->len;
}
