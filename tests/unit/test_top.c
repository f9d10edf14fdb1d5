/* SPDX-License-Identifier: GPL-2.0-only */
/* test_top.c - tflow top's pure parts: snapshots, deltas, groups, order, units, text and JSON. */
#define _GNU_SOURCE /* open_memstream */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include "t.h"
#include "top/top.h"

static struct tflow_key key4(const char *src, __u16 sport, const char *dst, __u16 dport, __u8 proto)
{
	struct tflow_key k = { .family = 4, .proto = proto, .ifindex = 3 };

	k.src[10] = k.src[11] = k.dst[10] = k.dst[11] = 0xff;
	inet_pton(AF_INET, src, k.src + 12);
	inet_pton(AF_INET, dst, k.dst + 12);
	k.sport = htons(sport);
	k.dport = htons(dport);
	return k;
}

static struct tflow_key key6(const char *src, __u16 sport, const char *dst, __u16 dport, __u8 proto)
{
	struct tflow_key k = { .family = 6, .proto = proto, .ifindex = 3 };

	inet_pton(AF_INET6, src, k.src);
	inet_pton(AF_INET6, dst, k.dst);
	k.sport = htons(sport);
	k.dport = htons(dport);
	return k;
}

static const char *test_ifname(__u32 ifindex, char *buf)
{
	snprintf(buf, IF_NAMESIZE, ifindex == 3 ? "eth0" : "if%u", ifindex);
	return buf;
}

static struct top_row row(struct tflow_key k, __u64 packets, __u64 bytes)
{
	return (struct top_row){ .key = k, .packets = packets, .bytes = bytes, .flows = 1 };
}

static const struct top_flow *find_flow(const struct top_snap *s, const struct tflow_key *k)
{
	for (size_t i = 0; i < s->n; i++)
		if (!memcmp(&s->v[i].key, k, sizeof(*k)))
			return &s->v[i];
	return NULL;
}

/* The row of key k; a zeroed row (and a failed check) when there is none. */
static const struct top_row *find_row(const struct top_row *rows, size_t n,
				      const struct tflow_key *k)
{
	static const struct top_row none;

	for (size_t i = 0; i < n; i++)
		if (!memcmp(&rows[i].key, k, sizeof(*k)))
			return &rows[i];
	T_CHECK(0, "no row for the key");
	return &none;
}

static void test_snap_sort_dedup(void)
{
	struct top_snap s = { 0 };
	struct tflow_key a = key4("10.0.0.2", 1, "10.0.0.9", 2, 17);
	struct tflow_key b = key4("10.0.0.1", 1, "10.0.0.9", 2, 17);
	struct tflow_key c = key4("10.0.0.1", 1, "10.0.0.9", 3, 17);

	/* more than the first allocation, so growing is exercised too */
	for (int i = 0; i < 1500; i++) {
		T_EQ_INT(top_snap_push(&s, i % 3 == 0 ? &a : i % 3 == 1 ? &b : &c, i, i, 0), 0);
	}
	top_snap_sort(&s);
	T_EQ_INT(s.n, 3);
	/* one of each, in an order of their own (hash, then key) */
	T_EQ_INT(!!find_flow(&s, &a) + !!find_flow(&s, &b) + !!find_flow(&s, &c), 3);
	for (size_t i = 1; i < s.n; i++)
		T_CHECK(s.v[i - 1].hash <= s.v[i].hash, "sorted by hash");
	top_snap_free(&s);
	T_EQ_INT(s.n, 0);
}

static void test_delta(void)
{
	struct top_snap prev = { 0 }, cur = { 0 };
	struct tflow_key k[6];
	struct top_row rows[6];
	size_t n;

	for (int i = 0; i < 6; i++)
		k[i] = key4("10.0.0.1", (__u16)(1000 + i), "10.0.0.2", 80, 6);
	top_snap_push(&prev, &k[0], 10, 1000, 1); /* grows: the difference */
	top_snap_push(&prev, &k[1], 50, 5000, 2); /* counters went down: re-created */
	top_snap_push(&prev, &k[2], 7, 700, 3);	  /* vanished: exported, left out */
	top_snap_push(&prev, &k[4], 9, 900, 5);	  /* unchanged: counted nothing */
	top_snap_push(&prev, &k[5], 10, 1000, 6); /* first packet changed: re-created */
	top_snap_push(&cur, &k[5], 20, 2000, 66);
	top_snap_push(&cur, &k[4], 9, 900, 5);
	top_snap_push(&cur, &k[3], 4, 400, 4); /* new: all it has */
	top_snap_push(&cur, &k[1], 3, 300, 2);
	top_snap_push(&cur, &k[0], 15, 1600, 1);
	top_snap_sort(&prev);
	top_snap_sort(&cur);
	n = top_delta(&prev, &cur, rows);
	T_EQ_INT(n, 4);
	T_EQ_INT(find_row(rows, n, &k[0])->packets, 5);
	T_EQ_INT(find_row(rows, n, &k[0])->bytes, 600);
	T_EQ_INT(find_row(rows, n, &k[1])->packets, 3);
	T_EQ_INT(find_row(rows, n, &k[1])->bytes, 300);
	T_EQ_INT(find_row(rows, n, &k[3])->packets, 4);
	T_EQ_INT(find_row(rows, n, &k[3])->bytes, 400);
	T_EQ_INT(find_row(rows, n, &k[5])->packets, 20);
	T_EQ_INT(find_row(rows, n, &k[5])->bytes, 2000);
	for (size_t i = 0; i < n; i++)
		T_EQ_INT(rows[i].flows, 1);
	/* the first reading against nothing: every flow counts all it has */
	top_snap_free(&prev);
	T_EQ_INT(top_delta(&prev, &cur, rows), 5);
	top_snap_free(&cur);
}

static void test_aggregate(void)
{
	struct tflow_key ab1 = key4("10.0.0.1", 1111, "10.0.0.2", 53, 17);
	struct tflow_key ab2 = key4("10.0.0.1", 2222, "10.0.0.2", 80, 6);
	struct tflow_key ba = key4("10.0.0.2", 80, "10.0.0.1", 2222, 6);
	struct tflow_key cb = key4("10.0.0.3", 3333, "10.0.0.2", 53, 17);
	struct tflow_key v6 = key6("fd00::1", 4444, "fd00::2", 53, 17);
	struct top_row rows[5];
	size_t n;

#define FILL()                               \
	do {                                 \
		rows[0] = row(ab1, 1, 100);  \
		rows[1] = row(ab2, 2, 200);  \
		rows[2] = row(ba, 4, 400);   \
		rows[3] = row(cb, 8, 800);   \
		rows[4] = row(v6, 16, 1600); \
	} while (0)

	FILL();
	T_EQ_INT(top_aggregate(rows, 5, TOP_BY_FLOW), 5);
	T_EQ_MEM(&rows[3].key, &cb, sizeof(cb));

	FILL();
	n = top_aggregate(rows, 5, TOP_BY_SRC);
	T_EQ_INT(n, 4);
	top_sort(rows, n, TOP_SORT_BYTES);
	T_EQ_INT(rows[0].bytes, 1600); /* fd00::1 */
	T_EQ_INT(rows[1].bytes, 800);  /* 10.0.0.3 */
	T_EQ_INT(rows[2].bytes, 400);  /* 10.0.0.2 */
	T_EQ_INT(rows[3].bytes, 300);  /* 10.0.0.1: two flows */
	T_EQ_INT(rows[3].packets, 3);
	T_EQ_INT(rows[3].flows, 2);
	T_EQ_MEM(rows[3].key.src, ab1.src, 16);
	T_EQ_INT(rows[3].key.sport, 0);
	T_EQ_INT(rows[3].key.proto, 0);

	FILL();
	n = top_aggregate(rows, 5, TOP_BY_DST);
	top_sort(rows, n, TOP_SORT_BYTES);
	T_EQ_INT(n, 3);
	T_EQ_INT(rows[0].bytes, 1600);
	T_EQ_INT(rows[1].bytes, 1100); /* 10.0.0.2: ab1, ab2, cb */
	T_EQ_INT(rows[1].flows, 3);
	T_EQ_MEM(rows[1].key.dst, ab1.dst, 16);

	/* the unordered pair: a->b and b->a are one conversation */
	FILL();
	n = top_aggregate(rows, 5, TOP_BY_CONV);
	top_sort(rows, n, TOP_SORT_BYTES);
	T_EQ_INT(n, 3);
	T_EQ_INT(rows[1].bytes, 800);
	T_EQ_INT(rows[2].bytes, 700);
	T_EQ_INT(rows[2].flows, 3);
	T_EQ_MEM(rows[2].key.src, ab1.src, 16); /* the lower address first */
	T_EQ_MEM(rows[2].key.dst, ab1.dst, 16);
	T_EQ_MEM(rows[1].key.src, cb.dst, 16); /* 10.0.0.2 < 10.0.0.3 */

	/* protocol and destination port, whatever the address family */
	FILL();
	n = top_aggregate(rows, 5, TOP_BY_PROTO);
	top_sort(rows, n, TOP_SORT_BYTES);
	T_EQ_INT(n, 3);
	T_EQ_INT(rows[0].bytes, 2500); /* udp/53: ab1, cb, v6 */
	T_EQ_INT(rows[0].flows, 3);
	T_EQ_INT(rows[0].key.proto, 17);
	T_EQ_INT(ntohs(rows[0].key.dport), 53);
	T_EQ_INT(rows[0].key.family, 0);
	T_EQ_INT(rows[1].bytes, 400); /* tcp/2222 */
	T_EQ_INT(rows[2].bytes, 200); /* tcp/80 */
#undef FILL
}

static void test_sort(void)
{
	struct top_row rows[4] = {
		row(key4("10.0.0.1", 1, "10.0.0.9", 1, 17), 10, 1000),
		row(key4("10.0.0.2", 1, "10.0.0.9", 1, 17), 50, 900),
		row(key4("10.0.0.4", 1, "10.0.0.9", 1, 17), 10, 1000),
		row(key4("10.0.0.3", 1, "10.0.0.9", 1, 17), 11, 1000),
	};

	top_sort(rows, 4, TOP_SORT_BYTES);
	T_EQ_INT(rows[0].packets, 11); /* ties on bytes: more packets first, then the key */
	T_EQ_INT(rows[1].key.src[15], 1);
	T_EQ_INT(rows[2].key.src[15], 4);
	T_EQ_INT(rows[3].packets, 50);
	top_sort(rows, 4, TOP_SORT_PACKETS);
	T_EQ_INT(rows[0].packets, 50);
	T_EQ_INT(rows[1].packets, 11);
	T_EQ_INT(rows[2].key.src[15], 1);
	T_EQ_INT(rows[3].key.src[15], 4);
}

static void test_units(void)
{
	static const struct {
		double v;
		const char *bits, *pps;
	} cases[] = {
		{ 0, "0 bit/s", "0 pps" },
		{ 999.4, "999 bit/s", "999 pps" },
		{ 999.5, "1.0 kbit/s", "1.0 kpps" },
		{ 1500, "1.5 kbit/s", "1.5 kpps" },
		{ 999949, "999.9 kbit/s", "999.9 kpps" },
		{ 999950, "1.0 Mbit/s", "1.0 Mpps" },
		{ 1644800, "1.6 Mbit/s", "1.6 Mpps" },
		{ 12.8e9, "12.8 Gbit/s", "12.8 Gpps" },
		{ 2.5e12, "2.5 Tbit/s", "2500.0 Gpps" },
		{ 5e15, "5000.0 Tbit/s", "5000000.0 Gpps" },
	};
	char buf[32];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		top_fmt_bits(cases[i].v, buf, sizeof(buf));
		T_CHECK(!strcmp(buf, cases[i].bits), "%g: '%s' want '%s'", cases[i].v, buf,
			cases[i].bits);
		top_fmt_pps(cases[i].v, buf, sizeof(buf));
		T_CHECK(!strcmp(buf, cases[i].pps), "%g: '%s' want '%s'", cases[i].v, buf,
			cases[i].pps);
	}
}

/* What a print function wrote, as a string the caller frees. */
static char *printed(void (*fn)(FILE *, const struct top_view *), const struct top_view *v)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	fn(f, v);
	fclose(f);
	return out;
}

#define T_EQ_STR(got, want) T_CHECK(!strcmp((got), (want)), "got:\n%s\nwant:\n%s", (got), (want))

static void test_json_flow(void)
{
	struct top_row rows[2] = {
		row(key4("192.0.2.1", 40001, "198.51.100.7", 443, 6), 200, 205600),
		row(key6("2001:db8::1", 0, "2001:db8::2", 0x0800, 58), 2, 208),
	};
	struct top_view v = {
		.by = TOP_BY_FLOW,
		.seconds = 2,
		.time = 1700000000.25,
		.cache_flows = 9,
		.active = 3,
		.packets = 203,
		.bytes = 205900,
		.groups = 3,
		.rows = rows,
		.n = 2,
		.ifname = test_ifname,
	};
	char *s;

	rows[1].key.dir = TFLOW_DIR_EGRESS;
	rows[1].key.ifindex = 7;
	s = printed(top_print_json, &v);
	T_EQ_STR(s, "{\"time\":1700000000.250,\"interval\":2.000000,\"by\":\"flow\",\"sort\":"
		    "\"bytes\",\"cache_flows\":9,\"active_flows\":3,\"groups\":3,\"packets\":203,"
		    "\"bytes\":205900,\"packets_per_s\":101.5,\"bytes_per_s\":102950.0,\"top\":["
		    "{\"ifindex\":3,\"ifname\":\"eth0\",\"dir\":\"ingress\",\"proto\":6,\"src\":"
		    "\"192.0.2.1\",\"sport\":40001,\"dst\":\"198.51.100.7\",\"dport\":443,"
		    "\"packets\":200,\"bytes\":205600,\"packets_per_s\":100.0,\"bytes_per_s\":"
		    "102800.0,\"flows\":1},"
		    "{\"ifindex\":7,\"ifname\":\"if7\",\"dir\":\"egress\",\"proto\":58,\"src\":"
		    "\"2001:db8::1\",\"sport\":0,\"dst\":\"2001:db8::2\",\"dport\":2048,"
		    "\"icmp_type\":8,\"icmp_code\":0,\"packets\":2,\"bytes\":208,\"packets_per_s\":"
		    "1.0,\"bytes_per_s\":104.0,\"flows\":1}]}\n");
	free(s);
}

static void test_json_groups(void)
{
	struct top_row r = row(key4("10.0.0.2", 0, "10.0.0.1", 0, 0), 10, 1000);
	struct top_view v = {
		.by = TOP_BY_CONV,
		.sort = TOP_SORT_PACKETS,
		.seconds = 0.5,
		.time = 1.0,
		.rows = &r,
		.n = 1,
		.ifname = test_ifname,
	};
	char *s;

	r.flows = 4;
	s = printed(top_print_json, &v);
	T_CHECK(strstr(s, "\"by\":\"conv\",\"sort\":\"packets\"") != NULL, "%s", s);
	T_CHECK(strstr(s, "\"top\":[{\"a\":\"10.0.0.2\",\"b\":\"10.0.0.1\",\"packets\":10,"
			  "\"bytes\":1000,\"packets_per_s\":20.0,\"bytes_per_s\":2000.0,"
			  "\"flows\":4}]}\n") != NULL,
		"%s", s);
	free(s);
	v.by = TOP_BY_PROTO;
	r.key = key4("0.0.0.0", 0, "0.0.0.0", 53, 17);
	s = printed(top_print_json, &v);
	T_CHECK(strstr(s, "\"top\":[{\"proto\":17,\"dport\":53,\"packets\":10,") != NULL, "%s", s);
	free(s);
	v.by = TOP_BY_SRC;
	s = printed(top_print_json, &v);
	T_CHECK(strstr(s, "\"top\":[{\"src\":\"0.0.0.0\",\"packets\":10,") != NULL, "%s", s);
	free(s);
	/* no rows: an empty list, rates 0 even for a zero interval */
	v.n = 0;
	v.seconds = 0;
	v.packets = 5;
	s = printed(top_print_json, &v);
	T_CHECK(strstr(s, "\"packets_per_s\":0.0,\"bytes_per_s\":0.0,\"top\":[]}\n") != NULL, "%s",
		s);
	free(s);
}

static void test_text(void)
{
	struct top_row rows[2] = {
		row(key4("10.77.1.2", 40001, "10.77.2.2", 5001, 17), 200, 205600),
		row(key4("10.77.1.2", 0, "10.77.2.2", 0x0800, 1), 2, 168),
	};
	struct top_view v = {
		.by = TOP_BY_FLOW,
		.seconds = 1,
		.cache_flows = 12,
		.active = 3,
		.packets = 203,
		.bytes = 205868,
		.groups = 3,
		.rows = rows,
		.n = 2,
		.ifname = test_ifname,
	};
	char *s;

	rows[1].key.dir = TFLOW_DIR_EGRESS;
	s = printed(top_print_text, &v);
	T_EQ_STR(s, "tflow top: by flow, sorted by bytes, 1.00 s: 3 of 12 flows active\n"
		    "IFACE  DIR  PROTO     SOURCE           DESTINATION           RATE  PACKETS\n"
		    "eth0   in   udp       10.77.1.2:40001  10.77.2.2:5001  1.6 Mbit/s  200 pps\n"
		    "eth0   out  icmp 8/0  10.77.1.2        10.77.2.2       1.3 kbit/s    2 pps\n"
		    "(1 more)\n"
		    "TOTAL                                                  1.6 Mbit/s  203 pps\n");
	free(s);

	rows[0] = row(key4("10.77.1.2", 0, "10.77.2.2", 0, 0), 200, 205600);
	rows[0].flows = 3;
	v.by = TOP_BY_CONV;
	v.sort = TOP_SORT_PACKETS;
	v.n = 1;
	v.groups = 1;
	s = printed(top_print_text, &v);
	T_EQ_STR(s, "tflow top: by conv, sorted by packets, 1.00 s: 3 of 12 flows active\n"
		    "ADDRESS A  ADDRESS B        RATE  PACKETS  FLOWS\n"
		    "10.77.1.2  10.77.2.2  1.6 Mbit/s  200 pps      3\n"
		    "TOTAL                 1.6 Mbit/s  203 pps      3\n");
	free(s);

	rows[0] = row(key6("2001:db8::1", 443, "2001:db8::2", 51000, 6), 1, 1000);
	v.by = TOP_BY_FLOW;
	s = printed(top_print_text, &v);
	T_CHECK(strstr(s,
		       "eth0   in   tcp    [2001:db8::1]:443  [2001:db8::2]:51000  8.0 kbit/s") !=
			NULL,
		"%s", s);
	free(s);
}

static void test_by_names(void)
{
	enum top_by by;

	T_EQ_INT(top_by_parse("conv", &by), 0);
	T_EQ_INT(by, TOP_BY_CONV);
	T_EQ_INT(top_by_parse("port", &by), 0);
	T_EQ_INT(by, TOP_BY_PROTO);
	T_EQ_INT(top_by_parse("flow", &by), 0);
	T_EQ_INT(by, TOP_BY_FLOW);
	T_EQ_INT(top_by_parse("flows", &by), -EINVAL);
	T_CHECK(!strcmp(top_by_name(TOP_BY_DST), "dst"), "dst");
}

int main(void)
{
	T_RUN(test_snap_sort_dedup);
	T_RUN(test_delta);
	T_RUN(test_aggregate);
	T_RUN(test_sort);
	T_RUN(test_units);
	T_RUN(test_json_flow);
	T_RUN(test_json_groups);
	T_RUN(test_text);
	T_RUN(test_by_names);
	T_EXIT();
}
