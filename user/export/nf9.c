/* SPDX-License-Identifier: GPL-2.0-only */
/* nf9.c - NetFlow v9 (RFC 3954) encoder: template, options and data FlowSets, no I/O. */
#include <errno.h>
#include "util/bytes.h"
#include "export/nf9.h"
#include "util/util.h"

#define NF9_VERSION 9
#define NF9_SET_TEMPLATE 0	   /* FlowSet id of template records */
#define NF9_SET_OPTIONS_TEMPLATE 1 /* FlowSet id of options template records */
#define NF9_OPT_TMPL_HDR_LEN 6	   /* template id, option scope length, option length */
#define NF9_SCOPE_SYSTEM 1	   /* options scope field type "System" */
#define NF9_SCOPE_SYSTEM_LEN 4	   /* its value: the source id */
#define NF9_SCOPE_INTERFACE 2	   /* options scope field type "Interface" */
#define NF9_SCOPE_INTERFACE_LEN 4  /* its value: the ifindex, as in fields 10 and 14 */
#define NF9_ALIGN 4		   /* FlowSets SHOULD start on a 4-byte boundary (RFC 3954 5.3) */

/*
 * SAMPLING_ALGORITHM: RFC 3954 defines 1 deterministic and 2 random; RouterOS-style sampling
 * (count I, skip S) is deterministic. With sampling off tflow sends interval 1 and algorithm 0,
 * which tshark decodes as "No sampling mode configured". Collectors scale by the interval alone:
 * pmacct 1.7.7 (nfacctd_renormalize) ignores the algorithm; nfdump 1.7.1 ignores 34/35
 * altogether (it does scale v9 counts announced with 305/306).
 */
#define NF9_SAMPLING_NONE 0
#define NF9_SAMPLING_DETERMINISTIC 1

/* Options template 258: after the System scope. */
static const __u16 tmpl_options[] = { IE_SAMPLING_INTERVAL, IE_SAMPLING_ALGORITHM };
/* Options template 261: after the Interface scope. */
static const __u16 tmpl_ifnames[] = { IE_INTERFACE_NAME };

/* Interval 0 is off in the datapath; space 0 samples every packet: off as well. */
static int sampling_on(const struct enc_sampling *s)
{
	return s->interval != 0 && s->space != 0;
}

/* The v9 samplingInterval: the 1-in-N rate, at most what 32 bits hold. */
static __u32 sampling_rate(const struct enc_sampling *s)
{
	__u64 n = enc_sampling_rate(s->interval, s->space);

	return n > 0xffffffffULL ? 0xffffffffu : (__u32)n;
}

int nf9_begin(struct tmsg *m, void *buf, size_t size, const struct enc_clock *clk, __u32 sequence,
	      __u32 source_id)
{
	__u8 *p = buf;
	int ret;

	if (!m || !buf || !clk)
		return -EINVAL;
	ret = tmsg_init(m, buf, size, NF9_HDR_LEN, IE_FMT_V9, NF9_ALIGN);
	if (ret)
		return ret;
	put_be16(p + 0, NF9_VERSION);
	put_be16(p + 2, 0); /* count: written by nf9_finish */
	put_be32(p + 4, enc_uptime_ms(clk->mono_ns));
	put_be32(p + 8, enc_real_secs(clk));
	put_be32(p + 12, sequence);
	put_be32(p + 16, source_id);
	return 0;
}

/*
 * An options template FlowSet of one template: one scope field, then the fields ids. It is
 * 10 + 4k bytes, so it always ends with 2 bytes of padding (RFC 3954 section 6.1 lists that
 * padding as part of the FlowSet). The caller checked that it fits.
 */
static void put_options_template(struct tmsg *m, __u16 id, __u16 scope, __u16 scope_len,
				 const __u16 *ids, size_t n)
{
	__u8 *p = tmsg_open(m, NF9_SET_OPTIONS_TEMPLATE);

	put_be16(p, id);
	put_be16(p + 2, IE_FIELD_SPEC_LEN);	/* scope bytes */
	put_be16(p + 4, IE_FIELD_SPEC_LEN * n); /* option bytes */
	put_be16(p + 6, scope);
	put_be16(p + 8, scope_len);
	p = ie_put_field_specs(p + NF9_OPT_TMPL_HDR_LEN + IE_FIELD_SPEC_LEN, ids, n, IE_FMT_V9);
	tmsg_close(m, p);
	m->records++;
}

int nf9_add_templates(struct tmsg *m, const struct ie_layout *l)
{
	size_t opt = NF9_OPT_TMPL_HDR_LEN + IE_FIELD_SPEC_LEN * (1 + ARRAY_SIZE(tmpl_options));
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

	/* Made of 4-byte words, the template FlowSet never needs padding. */
	p = tmsg_open(m, NF9_SET_TEMPLATE);
	for (int i = 0; i < n; i++)
		p = ie_put_template(p, t[i]);
	tmsg_close(m, p);

	put_options_template(m, NF9_TMPL_OPTIONS, NF9_SCOPE_SYSTEM, NF9_SCOPE_SYSTEM_LEN,
			     tmpl_options, ARRAY_SIZE(tmpl_options));
	m->records += n;
	return 0;
}

int nf9_add_ifname_template(struct tmsg *m)
{
	size_t opt = NF9_OPT_TMPL_HDR_LEN + IE_FIELD_SPEC_LEN * (1 + ARRAY_SIZE(tmpl_ifnames));

	if (!m || !m->buf)
		return -EINVAL;
	if (!tmsg_fits(m, tmsg_set_len(m, opt)))
		return -ENOSPC;
	put_options_template(m, NF9_TMPL_IFNAMES, NF9_SCOPE_INTERFACE, NF9_SCOPE_INTERFACE_LEN,
			     tmpl_ifnames, ARRAY_SIZE(tmpl_ifnames));
	return 0;
}

int nf9_add_options(struct tmsg *m, const struct enc_sampling *s, __u32 source_id)
{
	size_t body = NF9_SCOPE_SYSTEM_LEN +
		      ie_record_len(tmpl_options, ARRAY_SIZE(tmpl_options), IE_FMT_V9);
	__u8 *p;

	if (!m || !m->buf || !s)
		return -EINVAL;
	if (!tmsg_fits(m, tmsg_set_len(m, body)))
		return -ENOSPC;
	p = tmsg_open(m, NF9_TMPL_OPTIONS);
	put_be32(p, source_id); /* scope System */
	p = ie_put_value(p + NF9_SCOPE_SYSTEM_LEN, IE_SAMPLING_INTERVAL, sampling_rate(s),
			 IE_FMT_V9);
	p = ie_put_value(p, IE_SAMPLING_ALGORITHM,
			 sampling_on(s) ? NF9_SAMPLING_DETERMINISTIC : NF9_SAMPLING_NONE,
			 IE_FMT_V9);
	tmsg_close(m, p);
	m->records++;
	m->data_records++;
	return 0;
}

int nf9_add_record(struct tmsg *m, const struct ie_layout *l, const struct tflow_record *r,
		   const struct enc_clock *clk)
{
	const struct ie_template *t;

	if (!m || !m->buf || !l || !r || !clk)
		return -EINVAL;
	t = ie_layout_pick(l, r);
	return t ? tmsg_add_record(m, t, r, clk) : -EINVAL;
}

size_t nf9_finish(struct tmsg *m)
{
	tmsg_close(m, m->buf + m->len);
	put_be16(m->buf + 2, m->records);
	return m->len;
}
