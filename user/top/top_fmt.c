/* SPDX-License-Identifier: GPL-2.0-only */
/* top_fmt.c - tflow top's output: human units, the text table, the JSON object. */
#include <arpa/inet.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include "record/record.h"
#include "top/top.h"

#define CELL 72	    /* "[" IPv6 "]:" port, or an interface name, fits */
#define MAX_CELLS 8 /* label columns (5 at most) + rate, packets, flows */

static void fmt_units(double v, const char *const units[], int nunits, char *buf, size_t size)
{
	int u = 0;

	/* Move up a unit once the value would print as 1000 or more (999.96 -> "1000.0"). */
	while (u < nunits - 1 && v >= (u ? 999.95 : 999.5)) {
		v /= 1000;
		u++;
	}
	snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

void top_fmt_bits(double bits_per_s, char *buf, size_t size)
{
	static const char *const units[] = { "bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s" };

	fmt_units(bits_per_s, units, 5, buf, size);
}

void top_fmt_pps(double pps, char *buf, size_t size)
{
	static const char *const units[] = { "pps", "kpps", "Mpps", "Gpps" };

	fmt_units(pps, units, 4, buf, size);
}

static const char *proto_name(__u8 proto)
{
	switch (proto) {
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_IGMP:
		return "igmp";
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_IPV6:
		return "ipv6";
	case IPPROTO_GRE:
		return "gre";
	case IPPROTO_ESP:
		return "esp";
	case IPPROTO_AH:
		return "ah";
	case IPPROTO_ICMPV6:
		return "icmpv6";
	case IPPROTO_SCTP:
		return "sctp";
	case IPPROTO_UDPLITE:
		return "udplite";
	default:
		return NULL;
	}
}

static int has_ports(__u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP ||
	       proto == IPPROTO_UDPLITE;
}

static int is_icmp(__u8 proto)
{
	return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;
}

static void proto_cell(__u8 proto, char *buf)
{
	const char *name = proto_name(proto);

	if (name)
		snprintf(buf, CELL, "%s", name);
	else
		snprintf(buf, CELL, "%u", proto);
}

/* The destination port, or ICMP "type/code"; "-" for protocols without either. */
static void port_cell(const struct tflow_key *k, char *buf)
{
	__u16 p = ntohs(k->dport);

	if (is_icmp(k->proto))
		snprintf(buf, CELL, "%u/%u", p >> 8, p & 0xff);
	else if (has_ports(k->proto))
		snprintf(buf, CELL, "%u", p);
	else
		snprintf(buf, CELL, "-");
}

/* ADDRESS, ADDRESS:PORT or [IPv6]:PORT. */
static void endpoint_cell(const struct tflow_key *k, const __u8 a[16], __be16 port, char *buf)
{
	char addr[INET6_ADDRSTRLEN];

	record_addr_str(k, a, addr, sizeof(addr));
	if (!has_ports(k->proto))
		snprintf(buf, CELL, "%s", addr);
	else
		snprintf(buf, CELL, k->family == 6 ? "[%s]:%u" : "%s:%u", addr, ntohs(port));
}

static int label_titles(enum top_by by, const char **t)
{
	static const char *const titles[][5] = {
		[TOP_BY_FLOW] = { "IFACE", "DIR", "PROTO", "SOURCE", "DESTINATION" },
		[TOP_BY_SRC] = { "SOURCE" },
		[TOP_BY_DST] = { "DESTINATION" },
		[TOP_BY_PROTO] = { "PROTO", "PORT" },
		[TOP_BY_CONV] = { "ADDRESS A", "ADDRESS B" },
	};
	int n = 0;

	while (n < 5 && titles[by][n]) {
		t[n] = titles[by][n];
		n++;
	}
	return n;
}

static void label_cells(const struct top_view *v, const struct top_row *r, char (*c)[CELL])
{
	const struct tflow_key *k = &r->key;
	char ifn[IF_NAMESIZE];

	switch (v->by) {
	case TOP_BY_FLOW:
		snprintf(c[0], CELL, "%s", v->ifname(k->ifindex, ifn));
		snprintf(c[1], CELL, "%s", k->dir == TFLOW_DIR_EGRESS ? "out" : "in");
		proto_cell(k->proto, c[2]);
		if (is_icmp(k->proto)) {
			size_t len = strlen(c[2]);

			c[2][len++] = ' ';
			port_cell(k, c[2] + len);
		}
		endpoint_cell(k, k->src, k->sport, c[3]);
		endpoint_cell(k, k->dst, k->dport, c[4]);
		break;
	case TOP_BY_SRC:
		record_addr_str(k, k->src, c[0], CELL);
		break;
	case TOP_BY_DST:
		record_addr_str(k, k->dst, c[0], CELL);
		break;
	case TOP_BY_PROTO:
		proto_cell(k->proto, c[0]);
		port_cell(k, c[1]);
		break;
	case TOP_BY_CONV:
		record_addr_str(k, k->src, c[0], CELL);
		record_addr_str(k, k->dst, c[1], CELL);
		break;
	}
}

static double per_s(const struct top_view *v, __u64 n)
{
	return v->seconds > 0 ? (double)n / v->seconds : 0;
}

/* RATE, PACKETS and (when grouped) FLOWS cells. */
static void count_cells(const struct top_view *v, __u64 packets, __u64 bytes, size_t flows,
			char (*c)[CELL])
{
	top_fmt_bits(per_s(v, bytes) * 8, c[0], CELL);
	top_fmt_pps(per_s(v, packets), c[1], CELL);
	if (v->by != TOP_BY_FLOW)
		snprintf(c[2], CELL, "%zu", flows);
}

void top_print_text(FILE *f, const struct top_view *v)
{
	const char *titles[5];
	int nl = label_titles(v->by, titles), nc = nl + (v->by == TOP_BY_FLOW ? 2 : 3);
	size_t lines = v->n + 2, w[MAX_CELLS] = { 0 };
	char(*t)[MAX_CELLS][CELL] = calloc(lines, sizeof(*t));

	fprintf(f, "tflow top: by %s, sorted by %s, %.2f s: %zu of %zu flows active\n",
		top_by_name(v->by), v->sort == TOP_SORT_PACKETS ? "packets" : "bytes", v->seconds,
		v->active, v->cache_flows);
	if (!t)
		return;
	for (int i = 0; i < nl; i++)
		snprintf(t[0][i], CELL, "%s", titles[i]);
	snprintf(t[0][nl], CELL, "RATE");
	snprintf(t[0][nl + 1], CELL, "PACKETS");
	if (v->by != TOP_BY_FLOW)
		snprintf(t[0][nl + 2], CELL, "FLOWS");
	for (size_t i = 0; i < v->n; i++) {
		label_cells(v, &v->rows[i], t[i + 1]);
		count_cells(v, v->rows[i].packets, v->rows[i].bytes, v->rows[i].flows,
			    t[i + 1] + nl);
	}
	snprintf(t[lines - 1][0], CELL, "TOTAL");
	count_cells(v, v->packets, v->bytes, v->active, t[lines - 1] + nl);
	for (size_t i = 0; i < lines; i++)
		for (int j = 0; j < nc; j++)
			if (strlen(t[i][j]) > w[j])
				w[j] = strlen(t[i][j]);
	for (size_t i = 0; i < lines; i++) {
		if (i == lines - 1 && v->groups > v->n)
			fprintf(f, "(%zu more)\n", v->groups - v->n);
		/* labels left-aligned (a negative width), counts right-aligned */
		for (int j = 0; j < nc; j++)
			fprintf(f, "%s%*s", j ? "  " : "", j < nl ? -(int)w[j] : (int)w[j],
				t[i][j]);
		fputc('\n', f);
	}
	free(t);
}

/* A JSON string: interface names may hold quotes and backslashes. */
static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void json_addr(FILE *f, const char *name, const struct tflow_key *k, const __u8 a[16])
{
	char addr[INET6_ADDRSTRLEN];

	record_addr_str(k, a, addr, sizeof(addr));
	fprintf(f, "\"%s\":\"%s\",", name, addr);
}

static void json_row(FILE *f, const struct top_view *v, const struct top_row *r)
{
	const struct tflow_key *k = &r->key;
	__u16 dport = ntohs(k->dport);
	char ifn[IF_NAMESIZE];

	fputc('{', f);
	switch (v->by) {
	case TOP_BY_FLOW:
		fprintf(f, "\"ifindex\":%u,\"ifname\":", k->ifindex);
		json_str(f, v->ifname(k->ifindex, ifn));
		fprintf(f, ",\"dir\":\"%s\",\"proto\":%u,",
			k->dir == TFLOW_DIR_EGRESS ? "egress" : "ingress", k->proto);
		json_addr(f, "src", k, k->src);
		fprintf(f, "\"sport\":%u,", ntohs(k->sport));
		json_addr(f, "dst", k, k->dst);
		fprintf(f, "\"dport\":%u,", dport);
		if (is_icmp(k->proto))
			fprintf(f, "\"icmp_type\":%u,\"icmp_code\":%u,", dport >> 8, dport & 0xff);
		break;
	case TOP_BY_SRC:
		json_addr(f, "src", k, k->src);
		break;
	case TOP_BY_DST:
		json_addr(f, "dst", k, k->dst);
		break;
	case TOP_BY_PROTO:
		fprintf(f, "\"proto\":%u,\"dport\":%u,", k->proto, dport);
		break;
	case TOP_BY_CONV:
		json_addr(f, "a", k, k->src);
		json_addr(f, "b", k, k->dst);
		break;
	}
	fprintf(f,
		"\"packets\":%llu,\"bytes\":%llu,\"packets_per_s\":%.1f,\"bytes_per_s\":%.1f,"
		"\"flows\":%u}",
		(unsigned long long)r->packets, (unsigned long long)r->bytes, per_s(v, r->packets),
		per_s(v, r->bytes), r->flows);
}

void top_print_json(FILE *f, const struct top_view *v)
{
	fprintf(f,
		"{\"time\":%.3f,\"interval\":%.6f,\"by\":\"%s\",\"sort\":\"%s\",\"cache_flows\":%zu,"
		"\"active_flows\":%zu,\"groups\":%zu,\"packets\":%llu,\"bytes\":%llu,"
		"\"packets_per_s\":%.1f,\"bytes_per_s\":%.1f,\"top\":[",
		v->time, v->seconds, top_by_name(v->by),
		v->sort == TOP_SORT_PACKETS ? "packets" : "bytes", v->cache_flows, v->active,
		v->groups, (unsigned long long)v->packets, (unsigned long long)v->bytes,
		per_s(v, v->packets), per_s(v, v->bytes));
	for (size_t i = 0; i < v->n; i++) {
		if (i)
			fputc(',', f);
		json_row(f, v, &v->rows[i]);
	}
	fputs("]}\n", f);
}
