/* SPDX-License-Identifier: GPL-2.0-only */
/* ie.h - what the encoders share: information elements, the clock pair, templates and layouts. */
#ifndef TFLOW_IE_H
#define TFLOW_IE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "record/record.h"

/* IANA IPFIX information element ids; ids < 128 are the NetFlow v9 field types too. */
enum ie_id {
	IE_OCTET_DELTA_COUNT = 1,
	IE_PACKET_DELTA_COUNT = 2,
	IE_PROTOCOL_IDENTIFIER = 4,
	IE_IP_CLASS_OF_SERVICE = 5,
	IE_TCP_CONTROL_BITS = 6,
	IE_SOURCE_TRANSPORT_PORT = 7,
	IE_SOURCE_IPV4_ADDRESS = 8,
	IE_SOURCE_IPV4_PREFIX_LENGTH = 9,
	IE_INGRESS_INTERFACE = 10,
	IE_DESTINATION_TRANSPORT_PORT = 11,
	IE_DESTINATION_IPV4_ADDRESS = 12,
	IE_DESTINATION_IPV4_PREFIX_LENGTH = 13,
	IE_EGRESS_INTERFACE = 14,
	IE_IP_NEXT_HOP_IPV4_ADDRESS = 15,
	IE_FLOW_END_SYS_UP_TIME = 21,
	IE_FLOW_START_SYS_UP_TIME = 22,
	IE_SOURCE_IPV6_ADDRESS = 27,
	IE_DESTINATION_IPV6_ADDRESS = 28,
	IE_SOURCE_IPV6_PREFIX_LENGTH = 29,
	IE_DESTINATION_IPV6_PREFIX_LENGTH = 30,
	IE_FLOW_LABEL_IPV6 = 31,
	IE_ICMP_TYPE_CODE_IPV4 = 32,
	IE_IGMP_TYPE = 33,
	IE_SAMPLING_INTERVAL = 34,
	IE_SAMPLING_ALGORITHM = 35,
	IE_SOURCE_MAC_ADDRESS = 56,
	IE_IP_VERSION = 60,
	IE_FLOW_DIRECTION = 61,
	IE_IP_NEXT_HOP_IPV6_ADDRESS = 62,
	IE_DESTINATION_MAC_ADDRESS = 80,
	IE_INTERFACE_NAME = 82,
	IE_FLOW_END_REASON = 136,
	IE_ICMP_TYPE_CODE_IPV6 = 139,
	IE_OBSERVATION_DOMAIN_ID = 149,
	IE_FLOW_START_MILLISECONDS = 152,
	IE_FLOW_END_MILLISECONDS = 153,
	IE_SYSTEM_INIT_TIME_MILLISECONDS = 160,
	IE_ICMP_TYPE_IPV4 = 176,
	IE_ICMP_CODE_IPV4 = 177,
	IE_ICMP_TYPE_IPV6 = 178,
	IE_ICMP_CODE_IPV6 = 179,
	IE_TCP_SEQUENCE_NUMBER = 184,
	IE_TCP_ACKNOWLEDGEMENT_NUMBER = 185,
	IE_TCP_WINDOW_SIZE = 186,
	IE_IP_HEADER_LENGTH = 189,
	IE_IP_TTL = 192,
	IE_UDP_MESSAGE_LENGTH = 205,
	IE_IS_MULTICAST = 206,
	IE_IP_TOTAL_LENGTH = 224,
	IE_POST_NAT_SOURCE_IPV4_ADDRESS = 225,
	IE_POST_NAT_DESTINATION_IPV4_ADDRESS = 226,
	IE_POST_NAPT_SOURCE_TRANSPORT_PORT = 227,
	IE_POST_NAPT_DESTINATION_TRANSPORT_PORT = 228,
	IE_NAT_EVENT = 230,
	IE_POST_NAT_SOURCE_IPV6_ADDRESS = 281,
	IE_POST_NAT_DESTINATION_IPV6_ADDRESS = 282,
	IE_SAMPLING_PACKET_INTERVAL = 305,
	IE_SAMPLING_PACKET_SPACE = 306,
	IE_OBSERVATION_TIME_MILLISECONDS = 323,
};

struct ie_info {
	__u16 id;
	__u16 len;	  /* the length tflow encodes it with in IPFIX (ie_len() has v9's) */
	const char *name; /* IANA name */
};

/* The one table of the elements tflow exports; NULL for an id not in it. */
const struct ie_info *ie_find(__u16 id);

/* The two element encodings: they differ only in the length of tcpControlBits. */
enum ie_format {
	IE_FMT_V9,
	IE_FMT_IPFIX,
};

/* A v9 field and an IPFIX field specifier alike: element id, length. */
#define IE_FIELD_SPEC_LEN 4
/* A v9 and an IPFIX template record header alike: template id, field count. */
#define IE_TMPL_HDR_LEN 4

/*
 * Template ids: data templates of flows and of NAT events; 258 is each format's options (sampling),
 * 261 its interface options (names by ifindex).
 */
#define IE_TMPL_FLOW4 256
#define IE_TMPL_FLOW6 257
#define IE_TMPL_NAT4 259
#define IE_TMPL_NAT6 260
#define IE_TMPL_IFNAMES 261

/*
 * interfaceName is a string; tflow sends it in 16 bytes, zero-padded, in v9 (no variable length
 * there) and IPFIX alike: a Linux name is at most 15 bytes (IFNAMSIZ less its NUL).
 */
#define IE_IFNAME_LEN 16
/* A record of options template 261: the ifindex (scope), then interfaceName. */
#define IE_IFNAME_REC_LEN (4 + IE_IFNAME_LEN)

#define IE_MAX_ELEMS 48 /* elements of one data template at most (layout.c checks) */

/*
 * A data template as a record is written from it: its id, its elements in order with their
 * lengths in its format, and the record length. Built once per field selection (layout.c), so
 * writing a record looks nothing up.
 */
struct ie_template {
	__u16 id;
	__u16 n;
	__u16 rec_len;
	__u16 ids[IE_MAX_ELEMS];
	__u8 lens[IE_MAX_ELEMS];
};

/* Fill t with the elements ids[0..n) in format f (n <= IE_MAX_ELEMS). */
void ie_template_init(struct ie_template *t, __u16 id, const __u16 *ids, size_t n,
		      enum ie_format f);

/* The two clocks at one instant: records carry CLOCK_MONOTONIC ns, collectors want wall time. */
struct enc_clock {
	__u64 mono_ns; /* CLOCK_MONOTONIC now: the datapath's clock; ms of it is sysUptime */
	__u64 real_ns; /* CLOCK_REALTIME at the same moment */
};

#define ENC_NS_PER_MS 1000000ULL
#define ENC_NS_PER_S 1000000000ULL

/* sysUptime ms of a CLOCK_MONOTONIC instant, truncated to 32 bits (v1, v5 and v9 alike). */
static inline __u32 enc_uptime_ms(__u64 mono_ns)
{
	return (__u32)(mono_ns / ENC_NS_PER_MS);
}

/* Wall-clock ms of a CLOCK_MONOTONIC instant, by the clock pair. */
static inline __u64 enc_real_ms(const struct enc_clock *c, __u64 mono_ns)
{
	return (c->real_ns - (c->mono_ns - mono_ns)) / ENC_NS_PER_MS;
}

/*
 * RouterOS samples `interval` packets, then skips `space`: not 1-in-N packet by packet, but on
 * average one packet in (interval + space) / interval is accounted. Formats that can only say
 * "1 in N" get that ratio rounded half up (1.5 -> 2); 1 when sampling is off (either is 0).
 */
static inline __u64 enc_sampling_rate(__u32 interval, __u32 space)
{
	__u64 period = (__u64)interval + space;

	if (!interval || !space)
		return 1;
	return (2 * period + interval) / (2 * (__u64)interval);
}

/* Wall-clock seconds now: the v9 header's unix_secs, the IPFIX export time. */
static inline __u32 enc_real_secs(const struct enc_clock *c)
{
	return (__u32)(c->real_ns / ENC_NS_PER_S);
}

/* RouterOS sampling as announced: interval 1, space 0 when sampling is off (rate 1). */
struct enc_sampling {
	__u32 interval;
	__u32 space;
};

/* The length of an element in format f; every id the encoders list is in the table. */
__u16 ie_len(__u16 id, enum ie_format f);

/* The length of a record of these elements. */
size_t ie_record_len(const __u16 *ids, size_t n, enum ie_format f);

/* Element id holding value v, big-endian in its length; returns the end. */
__u8 *ie_put_value(__u8 *p, __u16 id, __u64 v, enum ie_format f);

/* One data record of template t: clk is read for wall-clock elements (152, 153, 160, 323). */
void ie_put_record(__u8 *p, const struct tflow_record *r, const struct enc_clock *clk,
		   const struct ie_template *t);

/* The field specifiers (id, length) of these elements; returns the end. */
__u8 *ie_put_field_specs(__u8 *p, const __u16 *ids, size_t n, enum ie_format f);

/* A template record: id, field count, field specifiers; returns the end. */
__u8 *ie_put_template(__u8 *p, const struct ie_template *t);
size_t ie_template_len(const struct ie_template *t);

/*
 * The data templates of one format for one `/ip traffic-flow ipfix` selection, built once at
 * start and on reload (fields_layout(), layout.h). nat4/nat6 have n == 0 unless nat-events is
 * selected.
 */
struct ie_layout {
	enum ie_format fmt;
	struct ie_template flow4, flow6, nat4, nat6;
};

/* The template a record is written with: flow or NAT event (r->nat_event), by family; NULL if
 * the layout has none for it (NAT events not selected, a family other than 4 or 6). */
const struct ie_template *ie_layout_pick(const struct ie_layout *l, const struct tflow_record *r);

/* The templates of l in the order they are announced, and how many (2 or 4). */
int ie_layout_list(const struct ie_layout *l, const struct ie_template *out[4]);

#endif
