/* nf9.h - NetFlow v9 (RFC 3954) encoder: templates, options, data FlowSets into one datagram. */
#ifndef TFLOW_NF9_H
#define TFLOW_NF9_H

#include "ie.h"

#define NF9_HDR_LEN 20
#define NF9_TMPL_V4 256
#define NF9_TMPL_V6 257
#define NF9_TMPL_OPTIONS 258

/* Start a datagram: sequence = export datagrams sent before this one; source_id as configured. */
int nf9_begin(struct tmsg *m, void *buf, size_t size, const struct enc_clock *clk, __u32 sequence,
	      __u32 source_id);

/* A template FlowSet (IPv4 and IPv6 data templates) and an options template FlowSet. */
int nf9_add_templates(struct tmsg *m);

/* The options data record: samplingInterval (34) and samplingAlgorithm (35) of source_id. */
int nf9_add_options(struct tmsg *m, const struct enc_sampling *s, __u32 source_id);

/* One flow record into the data FlowSet of its family; -ENOSPC leaves m unchanged. */
int nf9_add_record(struct tmsg *m, const struct tflow_record *r);

/* Close the open FlowSet, write the header count; returns the datagram length. */
size_t nf9_finish(struct tmsg *m);

#endif
