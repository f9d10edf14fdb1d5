/* SPDX-License-Identifier: GPL-2.0-only */
/* fuzz_encode.h - shared by fuzz_encode.c and fuzz_encode_fields.c: clock, templates, numbers. */
#ifndef TFLOW_FUZZ_ENCODE_H
#define TFLOW_FUZZ_ENCODE_H

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include "record/fields.h"
#include "fuzz.h"
#include "export/ipfix.h"
#include "export/json.h"
#include "export/layout.h"
#include "export/nf1.h"
#include "export/nf5.h"
#include "export/nf9.h"
#include "record/record.h"

#define NS_MS 1000000ULL
#define MAX_FIELDS IE_MAX_ELEMS

static const struct enc_clock clk = { .mono_ns = 1200000 * NS_MS + 123456,
				      .real_ns = 1700000000500000000ULL };

/* ---- NetFlow v9 and IPFIX: a message parsed back by its own templates ---- */

struct tmpl {
	__u16 id, n, scope; /* scope: the options template's scope field count */
	__u16 ids[MAX_FIELDS], lens[MAX_FIELDS];
	size_t reclen;
};

#define N_TMPL 5 /* 256 and 257 flows, 258 options, 259 and 260 NAT events */

struct proto {
	bool v9;
	struct tmpl t[N_TMPL]; /* as the encoder announces them */
	bool known;
	__u64 sel; /* the field selection the templates were learnt for */
	struct ie_layout lay;
};


static inline __u64 get_uint(const __u8 *p, unsigned int len)
{
	__u64 v = 0;

	for (unsigned int i = 0; i < len; i++)
		v = v << 8 | p[i];
	return v;
}

static inline __u64 low_bytes(__u64 v, unsigned int len)
{
	return len >= 8 ? v : v & ((1ULL << (8 * len)) - 1);
}

static inline bool is_icmp(const struct tflow_record *r)
{
	return (r->key.family == 4 && r->key.proto == 1) ||
	       (r->key.family == 6 && r->key.proto == 58);
}

static inline __u64 sat32(__u64 v)
{
	return v > 0xffffffffULL ? 0xffffffffULL : v;
}

/* fuzz_encode_fields.c: the values of data and options fields */
bool field_ok(const struct tflow_record *r, __u16 id, const __u8 *v, __u16 len);
void check_options_record(const struct proto *p, const struct tmpl *t, const __u8 *q,
			  const struct enc_sampling *s, __u32 id);

#endif
