/* SPDX-License-Identifier: GPL-2.0-only */
/* fmt.h - each export format's operations (struct fmt_ops): one table per version. */
#ifndef TFLOW_FMT_H
#define TFLOW_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "export/export.h"
#include "export/ie.h"
#include "export/msg.h"
#include "record/record.h"

/*
 * v1 and v5 pack fixed records, up to max_recs a datagram (encode); v9 and IPFIX build a message
 * of templates, options and data sets (begin, add_*, finish), written with the layout of their
 * format.
 */
struct fmt_ops {
	bool templated;
	/* v1, v5 */
	int hdr_len, rec_len, max_recs;
	int (*encode)(const struct exporter *e, struct target *t, const struct enc_clock *clk);
	/* v9, IPFIX */
	const struct ie_layout *(*layout)(const struct exporter *e);
	int (*begin)(struct tmsg *m, void *buf, size_t size, const struct enc_clock *clk,
		     __u32 sequence, __u32 source_id);
	int (*add_templates)(struct tmsg *m, const struct ie_layout *l);
	int (*add_options)(struct tmsg *m, const struct enc_sampling *s,
			   const struct enc_clock *clk, __u32 source_id);
	int (*add_ifname_template)(struct tmsg *m);
	int (*add_record)(struct tmsg *m, const struct ie_layout *l, const struct tflow_record *r,
			  const struct enc_clock *clk);
	size_t (*finish)(struct tmsg *m);
	bool seq_counts_records; /* IPFIX numbers data records, templates excluded; v9 datagrams */
};

/* The operations of a target's version: 1, 5, 9 or CFG_VERSION_IPFIX (v5's for any other). */
const struct fmt_ops *fmt_of(int version);

#endif
