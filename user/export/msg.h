/* SPDX-License-Identifier: GPL-2.0-only */
/* msg.h - one v9 or IPFIX message being built: sets opened, padded and closed, records added. */
#ifndef TFLOW_MSG_H
#define TFLOW_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "export/ie.h"
#include "record/record.h"

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
	enum ie_format fmt;
	__u32 set_align; /* sets are padded to a multiple of this; 1: not padded */
};

#define TMSG_SET_HDR_LEN 4 /* set id, length: a v9 FlowSet and an IPFIX set alike */

/*
 * Start a message of hdr_len header bytes (the caller writes them) in buf; -ENOSPC if even the
 * header does not fit. The message is at most 64 KiB - 1: set lengths are 16 bits.
 */
int tmsg_init(struct tmsg *m, void *buf, size_t size, size_t hdr_len, enum ie_format fmt,
	      __u32 set_align);

/* The bytes a set with a body of body bytes takes, padding included. */
size_t tmsg_set_len(const struct tmsg *m, size_t body);

/* Do sets of need bytes (tmsg_set_len()) fit after the open set is closed? */
bool tmsg_fits(const struct tmsg *m, size_t need);

/* Close the open set, then open a set of id; returns where its body goes. */
__u8 *tmsg_open(struct tmsg *m, __u16 id);

/* Close the open set (if any) at end, where its body ends: pad it, write its length. */
void tmsg_close(struct tmsg *m, __u8 *end);

/*
 * Room for one data record of rec bytes in the data set of template id, opened if needed: where
 * to write it (counted as a data record), or NULL when it does not fit (m unchanged).
 */
__u8 *tmsg_reserve(struct tmsg *m, __u16 id, size_t rec);

/* One flow record into the data set of template t, opened if needed; -ENOSPC changes nothing. */
int tmsg_add_record(struct tmsg *m, const struct ie_template *t, const struct tflow_record *r,
		    const struct enc_clock *clk);

/*
 * One record of options template 261 (v9 and IPFIX alike): ifindex, name (cut to IE_IFNAME_LEN,
 * zero-padded). -ENOSPC changes nothing.
 */
int tmsg_add_ifname(struct tmsg *m, __u32 ifindex, const char *name);

#endif
