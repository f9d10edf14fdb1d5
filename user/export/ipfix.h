/* SPDX-License-Identifier: GPL-2.0-only */
/* ipfix.h - IPFIX (RFC 7011) encoder: template, options template and data sets in one message. */
#ifndef TFLOW_IPFIX_H
#define TFLOW_IPFIX_H

#include "export/ie.h"
#include "export/layout.h" /* the layouts it encodes: fields_layout() */
#include "export/msg.h"

#define IPFIX_HDR_LEN 16
#define IPFIX_TMPL_V4 IE_TMPL_FLOW4
#define IPFIX_TMPL_V6 IE_TMPL_FLOW6
#define IPFIX_TMPL_OPTIONS 258
#define IPFIX_TMPL_NAT4 IE_TMPL_NAT4
#define IPFIX_TMPL_NAT6 IE_TMPL_NAT6
#define IPFIX_TMPL_IFNAMES IE_TMPL_IFNAMES

/* Start a message: sequence = data records sent before it in this domain; export time = now. */
int ipfix_begin(struct tmsg *m, void *buf, size_t size, const struct enc_clock *clk, __u32 sequence,
		__u32 domain_id);

/*
 * A template set (the data templates of layout l: IPv4 and IPv6 flows, and NAT events when
 * selected) and an options template set.
 */
int ipfix_add_templates(struct tmsg *m, const struct ie_layout *l);

/*
 * The options data record, scoped to domain_id: samplingPacketInterval (305),
 * samplingPacketSpace (306) and systemInitTimeMilliseconds (160).
 */
int ipfix_add_options(struct tmsg *m, const struct enc_sampling *s, const struct enc_clock *clk,
		      __u32 domain_id);

/*
 * An options template set with template 261: scope ingressInterface (10, the ifindex), then
 * interfaceName (82). Its records: tmsg_add_ifname().
 */
int ipfix_add_ifname_template(struct tmsg *m);

/*
 * One record into the data set of its template in l: flow or NAT event (r->nat_event), by
 * family. -ENOSPC leaves m unchanged; -EINVAL for a family other than 4/6 or a NAT event when l
 * has no NAT event template.
 */
int ipfix_add_record(struct tmsg *m, const struct ie_layout *l, const struct tflow_record *r,
		     const struct enc_clock *clk);

/* Close the open set, write the message length; returns it. */
size_t ipfix_finish(struct tmsg *m);

#endif
