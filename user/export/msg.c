/* SPDX-License-Identifier: GPL-2.0-only */
/* msg.c - the v9/IPFIX message builder: sets on struct tmsg, padded as each format asks. */
#include <errno.h>
#include <string.h>
#include "util/bytes.h"
#include "export/msg.h"

#define TMSG_MAX_LEN 0xffff /* set lengths (and the IPFIX message length) are 16 bits */

int tmsg_init(struct tmsg *m, void *buf, size_t size, size_t hdr_len, enum ie_format fmt,
	      __u32 set_align)
{
	if (size < hdr_len)
		return -ENOSPC;
	memset(m, 0, sizeof(*m));
	m->buf = buf;
	m->size = size > TMSG_MAX_LEN ? TMSG_MAX_LEN : size;
	m->len = hdr_len;
	m->fmt = fmt;
	m->set_align = set_align;
	return 0;
}

static size_t pad_len(const struct tmsg *m, size_t set_len)
{
	return (m->set_align - set_len % m->set_align) % m->set_align;
}

/* Padding the open set needs when closed; the message always has room for it. */
static size_t close_cost(const struct tmsg *m)
{
	return m->set_off ? pad_len(m, m->len - m->set_off) : 0;
}

size_t tmsg_set_len(const struct tmsg *m, size_t body)
{
	size_t set = TMSG_SET_HDR_LEN + body;

	return set + pad_len(m, set);
}

bool tmsg_fits(const struct tmsg *m, size_t need)
{
	return m->len + close_cost(m) + need <= m->size;
}

void tmsg_close(struct tmsg *m, __u8 *end)
{
	size_t pad;

	m->len = end - m->buf;
	if (!m->set_off)
		return;
	pad = close_cost(m);
	memset(m->buf + m->len, 0, pad); /* v9: padding SHOULD be zeros */
	m->len += pad;
	put_be16(m->buf + m->set_off + 2, (__u16)(m->len - m->set_off));
	m->set_off = 0;
	m->set_id = 0;
}

__u8 *tmsg_open(struct tmsg *m, __u16 id)
{
	tmsg_close(m, m->buf + m->len);
	put_be16(m->buf + m->len, id);
	put_be16(m->buf + m->len + 2, 0); /* length: written by tmsg_close */
	m->set_off = m->len;
	m->set_id = id;
	m->len += TMSG_SET_HDR_LEN;
	return m->buf + m->len;
}

__u8 *tmsg_reserve(struct tmsg *m, __u16 id, size_t rec)
{
	bool same_set = m->set_off && m->set_id == id;
	size_t set_start, end;
	__u8 *p;

	/* Where the record would end, and the padding its set would then need to close. */
	if (same_set) {
		set_start = m->set_off;
		end = m->len + rec;
	} else {
		set_start = m->len + close_cost(m);
		end = set_start + TMSG_SET_HDR_LEN + rec;
	}
	if (end + pad_len(m, end - set_start) > m->size)
		return NULL;

	if (!same_set)
		tmsg_open(m, id);
	p = m->buf + m->len;
	m->len += rec;
	m->records++;
	m->data_records++;
	return p;
}

int tmsg_add_record(struct tmsg *m, const struct ie_template *t, const struct tflow_record *r,
		    const struct enc_clock *clk)
{
	__u8 *p = tmsg_reserve(m, t->id, t->rec_len);

	if (!p)
		return -ENOSPC;
	ie_put_record(p, r, clk, t);
	return 0;
}

int tmsg_add_ifname(struct tmsg *m, __u32 ifindex, const char *name)
{
	__u8 *p;

	if (!m || !m->buf || !name)
		return -EINVAL;
	p = tmsg_reserve(m, IE_TMPL_IFNAMES, IE_IFNAME_REC_LEN);
	if (!p)
		return -ENOSPC;
	put_be32(p, ifindex);
	memset(p + 4, 0, IE_IFNAME_LEN);
	memcpy(p + 4, name, strnlen(name, IE_IFNAME_LEN));
	return 0;
}
