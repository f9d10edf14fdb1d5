/* SPDX-License-Identifier: GPL-2.0-only */
/* nf9.h - NetFlow v9 (RFC 3954) encoder: templates, options, data FlowSets into one datagram. */
#ifndef TFLOW_NF9_H
#define TFLOW_NF9_H

#include "export/ie.h"
#include "export/layout.h" /* the layouts it encodes: fields_layout() */
#include "export/msg.h"

#define NF9_HDR_LEN 20
#define NF9_TMPL_V4 IE_TMPL_FLOW4
#define NF9_TMPL_V6 IE_TMPL_FLOW6
#define NF9_TMPL_OPTIONS 258
#define NF9_TMPL_NAT4 IE_TMPL_NAT4
#define NF9_TMPL_NAT6 IE_TMPL_NAT6
#define NF9_TMPL_IFNAMES IE_TMPL_IFNAMES

/* Start a datagram: sequence = export datagrams sent before this one; source_id as configured. */
int nf9_begin(struct tmsg *m, void *buf, size_t size, const struct enc_clock *clk, __u32 sequence,
	      __u32 source_id);

/*
 * A template FlowSet (the data templates of layout l: IPv4 and IPv6 flows, and NAT events when
 * selected) and an options template FlowSet.
 */
int nf9_add_templates(struct tmsg *m, const struct ie_layout *l);

/* The options data record: samplingInterval (34) and samplingAlgorithm (35) of source_id. */
int nf9_add_options(struct tmsg *m, const struct enc_sampling *s, __u32 source_id);

/*
 * An options template FlowSet with template 261: scope Interface (type 2, the ifindex), then
 * interfaceName (82). Its records: tmsg_add_ifname().
 */
int nf9_add_ifname_template(struct tmsg *m);

/*
 * One record into the data FlowSet of its template in l: flow or NAT event (r->nat_event), by
 * family. -ENOSPC leaves m unchanged; -EINVAL for a family other than 4/6 or a NAT event when l
 * has no NAT event template. clk gives wall-clock times (sys-init-time, NAT event time).
 */
int nf9_add_record(struct tmsg *m, const struct ie_layout *l, const struct tflow_record *r,
		   const struct enc_clock *clk);

/* Close the open FlowSet, write the header count; returns the datagram length. */
size_t nf9_finish(struct tmsg *m);

#endif
