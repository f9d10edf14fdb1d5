/* SPDX-License-Identifier: GPL-2.0-only */
/* test_record.c - records from cache entries, and their JSON form. */
#include <arpa/inet.h>
#include <string.h>
#include "t.h"
#include "export/json.h"
#include "record/record.h"

#define MS(x) ((__u64)(x)*1000000ULL)

static void key4(struct tflow_key *k, const char *src, const char *dst)
{
	memset(k, 0, sizeof(*k));
	k->src[10] = k->src[11] = 0xff;
	k->dst[10] = k->dst[11] = 0xff;
	inet_pton(AF_INET, src, k->src + 12);
	inet_pton(AF_INET, dst, k->dst + 12);
	k->family = 4;
}

static void key6(struct tflow_key *k, const char *src, const char *dst)
{
	memset(k, 0, sizeof(*k));
	inet_pton(AF_INET6, src, k->src);
	inet_pton(AF_INET6, dst, k->dst);
	k->family = 6;
}

static void test_from_value(void)
{
	struct tflow_key k;
	struct tflow_value v = {
		.packets = 0x1122334455667788ULL,
		.bytes = 0x99aabbccddeeff00ULL,
		.first_ns = 111111111111ULL,
		.last_ns = 222222222222ULL,
		.peer_ifindex = 70000,
		/* flags 0x12, ToS 0xb8, TTL 63; the top byte is not theirs */
		.flags_tos_ttl = 0xab000000 | TFLOW_ATTRS(0x12, 0xb8, 63),
	};
	struct tflow_record r;

	key4(&k, "192.0.2.1", "198.51.100.2");
	k.sport = htons(40000);
	k.dport = htons(443);
	k.ifindex = 9;
	k.proto = 6;
	k.dir = TFLOW_DIR_EGRESS;
	memset(&r, 0x5a, sizeof(r));
	record_from_value(&r, &k, &v);
	T_EQ_MEM(&r.key, &k, sizeof(k));
	T_CHECK(r.packets == v.packets);
	T_CHECK(r.bytes == v.bytes);
	T_CHECK(r.first_ns == v.first_ns);
	T_CHECK(r.last_ns == v.last_ns);
	/* Egress: the key names the output interface, the peer the input. */
	T_EQ_INT(r.in_ifindex, 70000);
	T_EQ_INT(r.out_ifindex, 9);
	T_EQ_INT(r.tcp_flags, 0x12);
	T_EQ_INT(r.tos, 0xb8);
	T_EQ_INT(r.ttl, 63);
	T_EQ_INT(r.end_reason, 0);
	T_CHECK(record_is_ipv4(&r));
	/* Ingress: the key names the input interface, the peer (the FIB's answer) the output. */
	k.dir = TFLOW_DIR_INGRESS;
	record_from_value(&r, &k, &v);
	T_EQ_INT(r.in_ifindex, 9);
	T_EQ_INT(r.out_ifindex, 70000);
}

static void test_json_ipv4_tcp(void)
{
	static const char want[] =
		"{\"family\":4,\"src\":\"10.0.0.1\",\"dst\":\"10.0.0.2\",\"sport\":1234,"
		"\"dport\":80,\"proto\":6,\"dir\":\"ingress\",\"ifindex\":3,\"in_if\":3,"
		"\"out_if\":0,\"packets\":10,\"bytes\":1200,\"first_ms\":123,\"last_ms\":456,"
		"\"tcp_flags\":\"0x12\",\"tos\":0,\"ttl\":64,\"end\":\"idle\"}";
	struct tflow_record r;
	char buf[512];

	memset(&r, 0, sizeof(r));
	key4(&r.key, "10.0.0.1", "10.0.0.2");
	r.key.sport = htons(1234);
	r.key.dport = htons(80);
	r.key.ifindex = 3;
	r.key.proto = 6;
	r.key.dir = TFLOW_DIR_INGRESS;
	r.in_ifindex = 3;
	r.packets = 10;
	r.bytes = 1200;
	r.first_ns = MS(123) + 999999; /* truncated, not rounded */
	r.last_ns = MS(456);
	r.tcp_flags = 0x12;
	r.ttl = 64;
	r.end_reason = TFLOW_END_IDLE;
	T_EQ_INT(record_to_json(&r, buf, sizeof(buf)), strlen(want));
	T_CHECK(strcmp(buf, want) == 0, "got %s", buf);
}

static void test_json_ipv6_udp(void)
{
	static const char want[] =
		"{\"family\":6,\"src\":\"2001:db8::1\",\"dst\":\"ff02::fb\",\"sport\":5353,"
		"\"dport\":5353,\"proto\":17,\"dir\":\"egress\",\"ifindex\":70000,\"in_if\":0,"
		"\"out_if\":70000,\"packets\":18446744073709551615,\"bytes\":4294967296,"
		"\"first_ms\":18446744073709,\"last_ms\":18446744073709,\"tcp_flags\":\"0x00\","
		"\"tos\":184,\"ttl\":255,\"end\":\"resources\"}";
	struct tflow_record r;
	char buf[512];

	memset(&r, 0, sizeof(r));
	key6(&r.key, "2001:db8::1", "ff02::fb");
	r.key.sport = htons(5353);
	r.key.dport = htons(5353);
	r.key.ifindex = 70000;
	r.key.proto = 17;
	r.key.dir = TFLOW_DIR_EGRESS;
	r.out_ifindex = 70000;
	r.packets = ~0ULL; /* 64-bit counters printed in full */
	r.bytes = 0x100000000ULL;
	r.first_ns = ~0ULL;
	r.last_ns = ~0ULL;
	r.tos = 0xb8;
	r.ttl = 255;
	r.end_reason = TFLOW_END_RESOURCES;
	T_EQ_INT(record_to_json(&r, buf, sizeof(buf)), strlen(want));
	T_CHECK(strcmp(buf, want) == 0, "got %s", buf);
}

static void test_json_icmp(void)
{
	static const char want4[] =
		"{\"family\":4,\"src\":\"192.0.2.254\",\"dst\":\"10.0.0.1\",\"sport\":0,"
		"\"dport\":2816,\"proto\":1,\"icmp_type\":11,\"icmp_code\":0,\"dir\":\"ingress\","
		"\"ifindex\":2,\"in_if\":2,\"out_if\":0,\"packets\":1,\"bytes\":56,\"first_ms\":5,"
		"\"last_ms\":5,\"tcp_flags\":\"0x00\",\"tos\":0,\"ttl\":1,\"end\":\"active\"}";
	static const char want6[] =
		"{\"family\":6,\"src\":\"fe80::1\",\"dst\":\"fe80::2\",\"sport\":0,\"dport\":259,"
		"\"proto\":58,\"icmp_type\":1,\"icmp_code\":3,\"dir\":\"ingress\",\"ifindex\":4,"
		"\"in_if\":4,\"out_if\":0,\"packets\":2,\"bytes\":96,\"first_ms\":0,\"last_ms\":1,"
		"\"tcp_flags\":\"0x00\",\"tos\":0,\"ttl\":64,\"end\":\"eof\"}";
	struct tflow_record r;
	char buf[512];

	/* ICMP time exceeded (11), TTL exceeded in transit (0) */
	memset(&r, 0, sizeof(r));
	key4(&r.key, "192.0.2.254", "10.0.0.1");
	r.key.dport = htons(11 * 256 + 0);
	r.key.ifindex = 2;
	r.key.proto = 1;
	r.in_ifindex = 2;
	r.packets = 1;
	r.bytes = 56;
	r.first_ns = MS(5);
	r.last_ns = MS(5);
	r.ttl = 1;
	r.end_reason = TFLOW_END_ACTIVE;
	T_EQ_INT(record_to_json(&r, buf, sizeof(buf)), strlen(want4));
	T_CHECK(strcmp(buf, want4) == 0, "got %s", buf);

	/* ICMPv6 destination unreachable (1), address unreachable (3) */
	memset(&r, 0, sizeof(r));
	key6(&r.key, "fe80::1", "fe80::2");
	r.key.dport = htons(1 * 256 + 3);
	r.key.ifindex = 4;
	r.key.proto = 58;
	r.in_ifindex = 4;
	r.packets = 2;
	r.bytes = 96;
	r.first_ns = 999999;
	r.last_ns = MS(1);
	r.ttl = 64;
	r.end_reason = TFLOW_END_EOF;
	T_EQ_INT(record_to_json(&r, buf, sizeof(buf)), strlen(want6));
	T_CHECK(strcmp(buf, want6) == 0, "got %s", buf);
}

static void test_json_end_names(void)
{
	static const char *const names[] = { "unknown", "idle",	     "active", "eof",
					     "forced",	"resources", "unknown" };
	struct tflow_record r;
	char buf[512], want[32];

	memset(&r, 0, sizeof(r));
	key4(&r.key, "10.0.0.1", "10.0.0.2");
	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		r.end_reason = i;
		record_to_json(&r, buf, sizeof(buf));
		snprintf(want, sizeof(want), ",\"end\":\"%s\"}", names[i]);
		T_CHECK(strstr(buf, want) != NULL, "end_reason %u: %s", i, buf);
	}
}

/* Masks and NAT translation that userspace added, and a NAT event record. */
static void test_json_nat_masks(void)
{
	static const char want4[] =
		"{\"family\":4,\"src\":\"10.0.1.2\",\"dst\":\"198.51.100.7\",\"sport\":40000,"
		"\"dport\":53,\"proto\":17,\"dir\":\"ingress\",\"ifindex\":3,\"in_if\":3,"
		"\"out_if\":0,\"packets\":2,\"bytes\":120,\"first_ms\":1,\"last_ms\":2,"
		"\"tcp_flags\":\"0x00\",\"tos\":0,\"ttl\":64,\"src_mask\":24,\"dst_mask\":16,"
		"\"nat_src\":\"203.0.113.1\",\"nat_dst\":\"198.51.100.7\",\"nat_sport\":61000,"
		"\"nat_dport\":53,\"end\":\"idle\"}";
	static const char want6[] =
		"{\"family\":6,\"src\":\"fd00::2\",\"dst\":\"2001:db8::7\",\"sport\":5000,"
		"\"dport\":443,\"proto\":6,\"dir\":\"ingress\",\"ifindex\":0,\"in_if\":0,"
		"\"out_if\":0,\"packets\":0,\"bytes\":0,\"first_ms\":9,\"last_ms\":9,"
		"\"tcp_flags\":\"0x00\",\"tos\":0,\"ttl\":0,\"nat_src\":\"2001:db8:1::1\","
		"\"nat_dst\":\"2001:db8::7\",\"nat_sport\":5000,\"nat_dport\":443,\"nat_event\":2,"
		"\"end\":\"unknown\"}";
	struct tflow_record r;
	char buf[1024];

	memset(&r, 0, sizeof(r));
	key4(&r.key, "10.0.1.2", "198.51.100.7");
	r.key.sport = htons(40000);
	r.key.dport = htons(53);
	r.key.ifindex = 3;
	r.key.proto = 17;
	r.in_ifindex = 3;
	r.packets = 2;
	r.bytes = 120;
	r.first_ns = MS(1);
	r.last_ns = MS(2);
	r.ttl = 64;
	r.end_reason = TFLOW_END_IDLE;
	r.src_mask = 24;
	r.dst_mask = 16;
	r.has_nat = 1;
	memcpy(r.nat_src, r.key.src, 12); /* the v4-mapped prefix */
	memcpy(r.nat_dst, r.key.dst, 16);
	inet_pton(AF_INET, "203.0.113.1", r.nat_src + 12);
	r.nat_sport = htons(61000);
	r.nat_dport = htons(53);
	T_EQ_INT(record_to_json(&r, buf, sizeof(buf)), strlen(want4));
	T_CHECK(strcmp(buf, want4) == 0, "got %s", buf);

	/* an IPv6 session's delete event: no counters, no masks */
	memset(&r, 0, sizeof(r));
	key6(&r.key, "fd00::2", "2001:db8::7");
	r.key.sport = htons(5000);
	r.key.dport = htons(443);
	r.key.proto = 6;
	r.first_ns = r.last_ns = MS(9);
	r.has_nat = 1;
	r.nat_event = 2;
	inet_pton(AF_INET6, "2001:db8:1::1", r.nat_src);
	inet_pton(AF_INET6, "2001:db8::7", r.nat_dst);
	r.nat_sport = htons(5000);
	r.nat_dport = htons(443);
	T_EQ_INT(record_to_json(&r, buf, sizeof(buf)), strlen(want6));
	T_CHECK(strcmp(buf, want6) == 0, "got %s", buf);
}

static void test_json_truncation(void)
{
	struct tflow_record r;
	char full[512], buf[64];
	int n;

	memset(&r, 0, sizeof(r));
	key6(&r.key, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db8::2");
	r.key.proto = 58;
	r.key.dport = htons(128 * 256);
	r.end_reason = TFLOW_END_FORCED;
	n = record_to_json(&r, full, sizeof(full));
	T_CHECK(n > 16 && (size_t)n == strlen(full));

	/* 16 bytes allowed of a larger buffer: 15 characters and a NUL, the rest untouched */
	memset(buf, 0x7e, sizeof(buf));
	T_EQ_INT(record_to_json(&r, buf, 16), n);
	T_EQ_MEM(buf, full, 15);
	T_EQ_INT(buf[15], 0);
	for (size_t i = 16; i < sizeof(buf); i++)
		T_EQ_INT(buf[i], 0x7e);

	/* size 0 writes nothing and still reports the length */
	T_EQ_INT(record_to_json(&r, NULL, 0), n);
	T_EQ_INT(record_to_json(&r, buf, 1), n);
	T_EQ_INT(buf[0], 0);
}

static void test_json_ext(void)
{
	static const char want4[] =
		"{\"family\":4,\"src\":\"10.0.0.1\",\"dst\":\"198.51.100.9\",\"sport\":40000,"
		"\"dport\":443,\"proto\":6,\"dir\":\"ingress\",\"ifindex\":3,\"in_if\":3,"
		"\"out_if\":5,\"packets\":1,\"bytes\":60,\"first_ms\":0,\"last_ms\":0,"
		"\"tcp_flags\":\"0x02\",\"tos\":0,\"ttl\":64,\"src_mac\":\"02:00:00:00:0a:01\","
		"\"dst_mac\":\"fe:ff:ff:ff:ff:ff\",\"ip_hdr_len\":20,\"ip_tot_len\":60,"
		"\"tcp_seq\":4294967295,\"tcp_ack\":0,\"tcp_win\":64240,"
		"\"gateway\":\"10.1.0.254\",\"fib_if\":5,\"end\":\"idle\"}";
	static const char ext6[] = ",\"ttl\":0,\"src_mac\":\"00:00:00:00:00:00\","
				   "\"dst_mac\":\"00:00:00:00:00:00\",\"ip_hdr_len\":48,"
				   "\"ip_tot_len\":1280,\"flow_label\":1048575,\"udp_len\":1232,"
				   "\"end\"";
	static const __u8 gw[16] = { [10] = 0xff, [11] = 0xff, 10, 1, 0, 254 };
	struct tflow_record r;
	char buf[768];

	memset(&r, 0, sizeof(r));
	key4(&r.key, "10.0.0.1", "198.51.100.9");
	r.key.sport = htons(40000);
	r.key.dport = htons(443);
	r.key.ifindex = 3;
	r.key.proto = 6;
	r.in_ifindex = 3;
	r.out_ifindex = 5;
	r.packets = 1;
	r.bytes = 60;
	r.tcp_flags = 0x02;
	r.ttl = 64;
	r.end_reason = TFLOW_END_IDLE;
	r.ext = (struct tflow_ext){ .src_mac = { 2, 0, 0, 0, 0x0a, 1 },
				    .dst_mac = { 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff },
				    .tcp_seq = 0xffffffff,
				    .tcp_win = 64240,
				    .ip_tot_len = 60,
				    .ip_hdr_len = 20,
				    .udp_len = 7, /* not a UDP flow: not shown */
				    .fib_ifindex = 5,
				    .fib_ok = 1,
				    .collected = TFLOW_COLLECT_EXT | TFLOW_COLLECT_FIB };
	memcpy(r.ext.gateway, gw, sizeof(gw));
	T_EQ_INT(record_to_json(&r, buf, sizeof(buf)), strlen(want4));
	T_CHECK(strcmp(buf, want4) == 0, "got %s", buf);

	/* FIB only, directly connected: gateway 0.0.0.0 for an IPv4 flow */
	memset(&r.ext, 0, sizeof(r.ext));
	r.ext.collected = TFLOW_COLLECT_FIB;
	r.ext.fib_ifindex = 5;
	record_to_json(&r, buf, sizeof(buf));
	T_CHECK(strstr(buf, ",\"ttl\":64,\"gateway\":\"0.0.0.0\",\"fib_if\":5,\"end\"") != NULL,
		"got %s", buf);
	/* An IPv4 route via an IPv6 next hop */
	memcpy(r.ext.gateway, "\xfe\x80\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	record_to_json(&r, buf, sizeof(buf));
	T_CHECK(strstr(buf, "\"gateway\":\"fe80::1\"") != NULL, "got %s", buf);

	/* IPv6 UDP, EXT only: flow label, UDP length, no FIB fields */
	memset(&r, 0, sizeof(r));
	key6(&r.key, "2001:db8::1", "2001:db8::2");
	r.key.proto = 17;
	r.ext.ip_hdr_len = 48;
	r.ext.ip_tot_len = 1280;
	r.ext.flow_label = 0xfffff;
	r.ext.udp_len = 1232;
	r.ext.collected = TFLOW_COLLECT_EXT;
	record_to_json(&r, buf, sizeof(buf));
	T_CHECK(strstr(buf, ext6) != NULL, "got %s", buf);

	/* Nothing collected: no extra keys */
	r.ext.collected = 0;
	record_to_json(&r, buf, sizeof(buf));
	T_CHECK(strstr(buf, ",\"ttl\":0,\"end\"") != NULL, "got %s", buf);
}

int main(void)
{
	T_RUN(test_from_value);
	T_RUN(test_json_ext);
	T_RUN(test_json_ipv4_tcp);
	T_RUN(test_json_ipv6_udp);
	T_RUN(test_json_icmp);
	T_RUN(test_json_end_names);
	T_RUN(test_json_truncation);
	T_RUN(test_json_nat_masks);
	T_EXIT();
}
