/* SPDX-License-Identifier: GPL-2.0-only */
/* fuzz_bpf_model.c - fuzz_bpf's reference: the parser and datapath written from tflow.h. */
#include "fuzz_bpf.h"

struct mpkt {
	struct tflow_key key;
	__u32 ip_len;
	__u16 hdr_len, l2_len;
	__u8 tcp_flags, tos, ttl;
	bool l4_trunc, l4_bad_doff, fragment;
};

/* Ports (or ICMP type/code) at l4; a short or bogus transport header leaves them 0. */
static void model_l4(const __u8 *b, size_t len, size_t l4, struct mpkt *p)
{
	size_t avail = len - l4, need;

	switch (p->key.proto) {
	case F_TCP:
		if (avail < 20) {
			p->l4_trunc = true;
			return;
		}
		if (b[l4 + 12] >> 4 < 5) {
			p->l4_bad_doff = true;
			return;
		}
		memcpy(&p->key.sport, b + l4, 2);
		memcpy(&p->key.dport, b + l4 + 2, 2);
		p->tcp_flags = b[l4 + 13];
		p->hdr_len += (b[l4 + 12] >> 4) * 4;
		return;
	case F_UDP:
	case F_UDPLITE:
	case F_SCTP:
		need = p->key.proto == F_SCTP ? 12 : 8;
		if (avail < need) {
			p->l4_trunc = true;
			return;
		}
		memcpy(&p->key.sport, b + l4, 2);
		memcpy(&p->key.dport, b + l4 + 2, 2);
		p->hdr_len += need;
		return;
	case F_ICMP:
	case F_ICMPV6: /* type * 256 + code in dport, whichever IP version carries it */
		if (avail < 4) {
			p->l4_trunc = true;
			return;
		}
		memcpy(&p->key.dport, b + l4, 2);
		return;
	}
}

static enum verdict model_ipv4(const __u8 *b, size_t len, size_t pos, struct mpkt *p)
{
	size_t hl;
	__u16 tot;

	if (pos + 20 > len)
		return V_ERR_IP_TRUNC;
	if (b[pos] >> 4 != 4)
		return V_ERR_IP_VERSION;
	hl = (b[pos] & 15) * 4u;
	if (hl < 20 || pos + hl > len)
		return V_ERR_IP_IHL;
	tot = be16(b + pos + 2);
	if (tot && tot < hl)
		return V_ERR_IP_LEN;
	p->key.family = 4;
	p->key.proto = b[pos + 9];
	p->key.src[10] = p->key.src[11] = p->key.dst[10] = p->key.dst[11] = 0xff;
	memcpy(p->key.src + 12, b + pos + 12, 4);
	memcpy(p->key.dst + 12, b + pos + 16, 4);
	p->ip_len = tot;
	p->hdr_len = hl;
	p->tos = b[pos + 1];
	p->ttl = b[pos + 8];
	if (be16(b + pos + 6) & 0x1fff)
		p->fragment = true; /* no transport header: ports 0 */
	else
		model_l4(b, len, pos + hl, p);
	return V_OK;
}

static enum verdict model_ipv6(const __u8 *b, size_t len, size_t pos, struct mpkt *p)
{
	size_t elen;
	__u8 nh;

	if (pos + 40 > len)
		return V_ERR_IP_TRUNC;
	if (b[pos] >> 4 != 6)
		return V_ERR_IP_VERSION;
	p->key.family = 6;
	memcpy(p->key.src, b + pos + 8, 16);
	memcpy(p->key.dst, b + pos + 24, 16);
	p->ip_len = be16(b + pos + 4) ? be16(b + pos + 4) + 40u : 0;
	p->tos = (__u8)((b[pos] & 0xf) << 4 | b[pos + 1] >> 4);
	p->ttl = b[pos + 7];
	p->hdr_len = 40;
	nh = b[pos + 6];
	pos += 40;
	/* Up to TFLOW_MAX_IPV6_EXT extension headers, then the transport header. */
	for (int i = 0; i <= TFLOW_MAX_IPV6_EXT; i++) {
		switch (nh) {
		case F_HOPOPTS:
		case F_ROUTING:
		case F_DSTOPTS:
		case 135: /* mobility */
			if (pos + 2 > len)
				return V_ERR_IPV6_EXT;
			elen = (b[pos + 1] + 1u) * 8;
			break;
		case F_AH:
			if (pos + 2 > len)
				return V_ERR_IPV6_EXT;
			elen = (b[pos + 1] + 2u) * 4;
			break;
		case F_FRAGMENT:
			if (pos + 8 > len)
				return V_ERR_IPV6_EXT;
			if (be16(b + pos + 2) & 0xfff8) {
				p->key.proto = b[pos];
				p->fragment = true;
				return V_OK;
			}
			elen = 8;
			break;
		default:
			p->key.proto = nh;
			model_l4(b, len, pos, p);
			return V_OK;
		}
		if (pos + elen > len)
			return V_ERR_IPV6_EXT;
		nh = b[pos];
		pos += elen;
		p->hdr_len += elen;
	}
	return V_ERR_IPV6_EXT;
}

static enum verdict model_parse(const __u8 *b, size_t len, struct mpkt *p)
{
	size_t pos = 14;
	__u16 proto;

	memset(p, 0, sizeof(*p));
	if (len < 14)
		return V_ERR_ETH;
	proto = be16(b + 12);
	for (int i = 0; i < TFLOW_MAX_VLAN_DEPTH; i++) {
		if (proto != F_ETH_P_8021Q && proto != F_ETH_P_8021AD)
			break;
		if (pos + 4 > len)
			return V_ERR_ETH;
		proto = be16(b + pos + 2);
		pos += 4;
	}
	if (proto == F_ETH_P_8021Q || proto == F_ETH_P_8021AD)
		return V_ERR_VLAN_DEPTH;
	p->l2_len = (__u16)pos;
	if (proto == F_ETH_P_IP)
		return model_ipv4(b, len, pos, p);
	if (proto == F_ETH_P_IPV6)
		return model_ipv6(b, len, pos, p);
	return V_NON_IP;
}

static __u32 key_hash(const struct tflow_key *k)
{
	const __u8 *b = (const __u8 *)k;
	__u32 h = 2166136261u;

	for (size_t i = 0; i < sizeof(*k); i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

struct mslot *model_find(struct model *m, const struct tflow_key *k, bool *found)
{
	__u32 i = key_hash(k) & (MODEL_SLOTS - 1);

	while (m->slot[i].used && memcmp(&m->slot[i].key, k, sizeof(*k)))
		i = (i + 1) & (MODEL_SLOTS - 1);
	*found = m->slot[i].used;
	return &m->slot[i];
}

void model_reset(struct model *m, int cap, int ring_cap, __u32 interval, __u32 space)
{
	memset(m, 0, sizeof(*m));
	m->cap = cap;
	m->ring_cap = ring_cap;
	m->interval = interval;
	m->space = space;
}

static bool model_sample(struct model *m, __u32 weight)
{
	bool take;

	if (!m->interval || !m->space) {
		m->st.sampled += weight;
		return true;
	}
	take = m->pos < m->interval;
	if (++m->pos >= (__u64)m->interval + m->space)
		m->pos = 0;
	if (take)
		m->st.sampled += weight;
	else
		m->st.skipped += weight;
	return take;
}

void model_run(struct model *m, struct frame *f)
{
	__u32 weight = f->prog == RUN_TC && f->gso_segs > 1 ? f->gso_segs : 1;
	__u64 *reason[] = { NULL,
			    &m->st.non_ip,
			    &m->st.err_eth,
			    &m->st.err_vlan_depth,
			    &m->st.err_ip_trunc,
			    &m->st.err_ip_version,
			    &m->st.err_ip_ihl,
			    &m->st.err_ip_len,
			    &m->st.err_ipv6_ext };
	__u32 peer_if, in_if, out_if;
	struct mslot *s;
	struct mpkt p;
	__u64 bytes;
	bool found;

	m->st.seen += weight;
	f->want = model_parse(f->b, f->len, &p);
	if (f->want != V_OK) {
		*reason[f->want] += weight;
		return;
	}
	m->st.l4_trunc += p.l4_trunc ? weight : 0;
	m->st.l4_bad_doff += p.l4_bad_doff ? weight : 0;
	m->st.fragments += p.fragment ? weight : 0;
	if (!model_sample(m, weight))
		return;
	bytes = p.ip_len ? p.ip_len : (__u32)(f->len - p.l2_len);
	if (f->prog == RUN_TC) {
		bytes += (__u64)(weight - 1) * p.hdr_len;
		p.key.dir = TFLOW_DIR_EGRESS;
		peer_if = in_if = f->ingress_if;
		out_if = LO;
	} else {
		p.key.dir = TFLOW_DIR_INGRESS;
		in_if = LO;
		peer_if = out_if = 0;
	}
	p.key.ifindex = LO;
	m->st.accounted += weight;
	s = model_find(m, &p.key, &found);
	if (found) {
		s->val.packets += weight;
		s->val.bytes += bytes;
		s->val.flags_tos_ttl |= p.tcp_flags;
		return;
	}
	if (m->nflows < m->cap) {
		s->used = true;
		s->key = p.key;
		s->val = (struct tflow_value){ .packets = weight,
					       .bytes = bytes,
					       .peer_ifindex = peer_if,
					       .flags_tos_ttl =
						       TFLOW_ATTRS(p.tcp_flags, p.tos, p.ttl) };
		m->nflows++;
		m->st.flows_created++;
		return;
	}
	m->st.cache_full++;
	if (m->nring >= m->ring_cap) {
		m->st.lost += weight;
		return;
	}
	m->st.overflow += weight;
	if (m->nring < MAX_RING_RECS)
		m->ring[m->nring] = (struct tflow_overflow_rec){ .key = p.key,
								 .bytes = (__u32)bytes,
								 .in_ifindex = in_if,
								 .out_ifindex = out_if,
								 .tcp_flags = p.tcp_flags,
								 .tos = p.tos,
								 .ttl = p.ttl,
								 .packets = weight };
	m->nring++;
}
