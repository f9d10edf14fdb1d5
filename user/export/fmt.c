/* SPDX-License-Identifier: GPL-2.0-only */
/* fmt.c - each export format's operations: one table per version, chosen once per target. */
#include "export/fmt.h"
#include "export/ipfix.h"
#include "export/nf1.h"
#include "export/nf5.h"
#include "export/nf9.h"

static int v1_encode(const struct exporter *e, struct target *t, const struct enc_clock *clk)
{
	struct nf1_hdr_ctx h = { enc_uptime_ms(clk->mono_ns), enc_real_secs(clk),
				 clk->real_ns % ENC_NS_PER_S };

	(void)e;
	return nf1_encode(&h, t->pending, t->n_pending, t->buf, t->max_len);
}

static int v5_encode(const struct exporter *e, struct target *t, const struct enc_clock *clk)
{
	struct nf5_hdr_ctx h = { .sys_uptime_ms = enc_uptime_ms(clk->mono_ns),
				 .unix_secs = enc_real_secs(clk),
				 .unix_nsecs = clk->real_ns % ENC_NS_PER_S,
				 .flow_sequence = t->seq,
				 .sampling = e->nf5_sampling };
	int len = nf5_encode(&h, t->pending, t->n_pending, t->buf, t->max_len);

	/* Flows offered, sent or not: a collector sees the gap of a lost datagram. */
	t->seq += t->n_pending;
	return len;
}

static const struct ie_layout *v9_layout(const struct exporter *e)
{
	return &e->v9;
}

static const struct ie_layout *ipfix_layout(const struct exporter *e)
{
	return &e->ipfix;
}

/* The v9 options record has no wall-clock element. */
static int v9_add_options(struct tmsg *m, const struct enc_sampling *s, const struct enc_clock *clk,
			  __u32 source_id)
{
	(void)clk;
	return nf9_add_options(m, s, source_id);
}

static const struct fmt_ops fmt_v1 = {
	.hdr_len = NF1_HDR_LEN,
	.rec_len = NF1_REC_LEN,
	.max_recs = NF1_MAX_RECS,
	.encode = v1_encode,
};

static const struct fmt_ops fmt_v5 = {
	.hdr_len = NF5_HDR_LEN,
	.rec_len = NF5_REC_LEN,
	.max_recs = NF5_MAX_RECS,
	.encode = v5_encode,
};

static const struct fmt_ops fmt_v9 = {
	.templated = true,
	.layout = v9_layout,
	.begin = nf9_begin,
	.add_templates = nf9_add_templates,
	.add_options = v9_add_options,
	.add_ifname_template = nf9_add_ifname_template,
	.add_record = nf9_add_record,
	.finish = nf9_finish,
};

static const struct fmt_ops fmt_ipfix = {
	.templated = true,
	.layout = ipfix_layout,
	.begin = ipfix_begin,
	.add_templates = ipfix_add_templates,
	.add_options = ipfix_add_options,
	.add_ifname_template = ipfix_add_ifname_template,
	.add_record = ipfix_add_record,
	.finish = ipfix_finish,
	.seq_counts_records = true,
};

const struct fmt_ops *fmt_of(int version)
{
	switch (version) {
	case 1:
		return &fmt_v1;
	case 9:
		return &fmt_v9;
	case CFG_VERSION_IPFIX:
		return &fmt_ipfix;
	default:
		return &fmt_v5;
	}
}
