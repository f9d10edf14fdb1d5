/* ie.h - information elements (IANA ids) and the message builder shared by v9 and IPFIX. */
#ifndef TFLOW_IE_H
#define TFLOW_IE_H

#include <stddef.h>
#include <linux/types.h>
#include "record.h"

/* IANA IPFIX information element ids; ids < 128 are the NetFlow v9 field types too. */
enum ie_id {
	IE_OCTET_DELTA_COUNT = 1,
	IE_PACKET_DELTA_COUNT = 2,
	IE_PROTOCOL_IDENTIFIER = 4,
	IE_IP_CLASS_OF_SERVICE = 5,
	IE_TCP_CONTROL_BITS = 6,
	IE_SOURCE_TRANSPORT_PORT = 7,
	IE_SOURCE_IPV4_ADDRESS = 8,
	IE_INGRESS_INTERFACE = 10,
	IE_DESTINATION_TRANSPORT_PORT = 11,
	IE_DESTINATION_IPV4_ADDRESS = 12,
	IE_EGRESS_INTERFACE = 14,
	IE_FLOW_END_SYS_UP_TIME = 21,
	IE_FLOW_START_SYS_UP_TIME = 22,
	IE_SOURCE_IPV6_ADDRESS = 27,
	IE_DESTINATION_IPV6_ADDRESS = 28,
	IE_ICMP_TYPE_CODE_IPV4 = 32,
	IE_SAMPLING_INTERVAL = 34,
	IE_SAMPLING_ALGORITHM = 35,
	IE_IP_VERSION = 60,
	IE_FLOW_DIRECTION = 61,
	IE_ICMP_TYPE_CODE_IPV6 = 139,
	IE_OBSERVATION_DOMAIN_ID = 149,
	IE_FLOW_START_MILLISECONDS = 152,
	IE_FLOW_END_MILLISECONDS = 153,
	IE_FLOW_END_REASON = 136,
	IE_SYSTEM_INIT_TIME_MILLISECONDS = 160,
	IE_IP_TTL = 192,
	IE_SAMPLING_PACKET_INTERVAL = 305,
	IE_SAMPLING_PACKET_SPACE = 306,
};

struct ie_info {
	__u16 id;
	__u16 len;	  /* the length tflow encodes it with */
	const char *name; /* IANA name */
};

/* The one table of the elements tflow exports; NULL for an id not in it. */
const struct ie_info *ie_find(__u16 id);

/* The two clocks at one instant: records carry CLOCK_MONOTONIC ns, collectors want wall time. */
struct enc_clock {
	__u64 mono_ns; /* CLOCK_MONOTONIC now: the datapath's clock; ms of it is sysUptime */
	__u64 real_ns; /* CLOCK_REALTIME at the same moment */
};

/* Wall-clock ms of a CLOCK_MONOTONIC instant, by the clock pair. */
static inline __u64 enc_real_ms(const struct enc_clock *c, __u64 mono_ns)
{
	return (c->real_ns - (c->mono_ns - mono_ns)) / 1000000ULL;
}

/* RouterOS sampling as announced: interval 1, space 0 when sampling is off (rate 1). */
struct enc_sampling {
	__u32 interval;
	__u32 space;
};

/*
 * One v9 or IPFIX message being built in a caller's buffer. Sets are opened and closed by the
 * encoder; a record that does not fit returns -ENOSPC and leaves the message as it was, so the
 * caller finishes and sends it, then starts another.
 */
struct tmsg {
	__u8 *buf;
	size_t size;
	size_t len;
	size_t set_off;	    /* offset of the open set's header; 0 when no set is open */
	__u16 set_id;	    /* id of the open set */
	__u16 records;	    /* v9 header count: template, options template and data records */
	__u32 data_records; /* data and options data records (IPFIX sequence counts these) */
};

#endif
