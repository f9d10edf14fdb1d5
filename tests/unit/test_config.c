/* test_config.c - RouterOS-syntax config parsing, long options, target specs and round-trips. */
#include <arpa/inet.h>
#include <net/if.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "t.h"
#include "config/config.h"
#include "config/ifmatch.h"
#include "record/fields.h"

#define S(x) ((__u64)(x)*1000000000ULL)
#define MS(x) ((__u64)(x)*1000000ULL)

static char tmp_path[64];

/* Write text to a fresh file under /tmp; the path stays in tmp_path until unlinked. */
static void write_tmp(const char *text, size_t len)
{
	int fd;

	snprintf(tmp_path, sizeof(tmp_path), "/tmp/tflow-test-XXXXXX");
	fd = mkstemp(tmp_path);
	if (!T_CHECK(fd >= 0, "mkstemp"))
		return;
	T_CHECK(write(fd, text, len) == (ssize_t)len, "write");
	close(fd);
}

static int parse_text(struct cfg *c, const char *text, char *err, size_t errlen)
{
	int ret;

	config_defaults(c);
	write_tmp(text, strlen(text));
	ret = config_parse_file(c, tmp_path, err, errlen);
	unlink(tmp_path);
	return ret;
}

/* The file must fail with a message holding "FILE:LINE: " and every given fragment. */
static void expect_file_err(const char *text, int line, const char *frag1, const char *frag2)
{
	char err[CFG_ERR_LEN], where[96];
	struct cfg c;
	int ret = parse_text(&c, text, err, sizeof(err));

	snprintf(where, sizeof(where), "%s:%d: ", tmp_path, line);
	T_CHECK(ret == -EINVAL, "ret %d for: %s", ret, text);
	T_CHECK(!strncmp(err, where, strlen(where)), "want '%s' in: %s", where, err);
	T_CHECK(strstr(err, frag1), "want '%s' in: %s", frag1, err);
	if (frag2)
		T_CHECK(strstr(err, frag2), "want '%s' in: %s", frag2, err);
}

static const struct sockaddr_in *in4(const struct sockaddr_storage *ss)
{
	return (const struct sockaddr_in *)ss;
}

static const struct sockaddr_in6 *in6(const struct sockaddr_storage *ss)
{
	return (const struct sockaddr_in6 *)ss;
}

static int is_ip4(const struct sockaddr_storage *ss, const char *ip, __u16 port)
{
	struct in_addr a;

	inet_pton(AF_INET, ip, &a);
	return ss->ss_family == AF_INET && in4(ss)->sin_addr.s_addr == a.s_addr &&
	       in4(ss)->sin_port == htons(port);
}

static int is_ip6(const struct sockaddr_storage *ss, const char *ip, __u16 port)
{
	struct in6_addr a;

	inet_pton(AF_INET6, ip, &a);
	return ss->ss_family == AF_INET6 && !memcmp(&in6(ss)->sin6_addr, &a, sizeof(a)) &&
	       in6(ss)->sin6_port == htons(port);
}

static void test_defaults(void)
{
	struct cfg c;
	char err[CFG_ERR_LEN];

	config_defaults(&c);
	T_EQ_INT(c.enabled, -1);
	T_CHECK(c.all_interfaces);
	T_EQ_INT(c.n_interfaces, 0);
	T_EQ_INT(c.cache_entries, 4096);
	T_EQ_INT(c.active_timeout_ns, S(1800));
	T_EQ_INT(c.inactive_timeout_ns, S(15));
	T_CHECK(!c.packet_sampling);
	T_EQ_INT(c.sampling_interval, 0);
	T_EQ_INT(c.sampling_space, 0);
	T_EQ_INT(c.scan_interval_ns, S(1));
	T_EQ_INT(c.n_targets, 0);
	T_EQ_INT(c.ipfix_fields, TF_ALL); /* RouterOS exports every field by default */
	T_EQ_INT(config_validate(&c, err, sizeof(err)), 0);
}

static void test_time_good(void)
{
	static const struct {
		const char *s;
		__u64 ns;
	} cases[] = {
		{ "15s", S(15) },
		{ "30m", S(1800) },
		{ "1h", S(3600) },
		{ "1d", S(86400) },
		{ "1w", S(604800) },
		{ "500ms", MS(500) },
		{ "1m30s", S(90) },
		{ "1h2m3s", S(3723) },
		{ "1w2d3h4m5s6ms", S(604800 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5) + MS(6) },
		{ "1s500ms", MS(1500) },
		{ "0", 0 },
		{ "0s", 0 },
		{ "45", S(45) },
		{ "1800", S(1800) },
		{ "00:30:00", S(1800) },
		{ "01:02:03", S(3723) },
		{ "100:00:00", S(360000) },
		{ "05:30", S(330) },
		{ "1d02:00:00", S(86400 + 7200) },
		{ "18446744073s", S(18446744073ULL) },
	};
	size_t i;
	__u64 ns;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ns = 12345;
		T_CHECK(config_parse_time(cases[i].s, &ns) == 0, "'%s' rejected", cases[i].s);
		T_CHECK(ns == cases[i].ns, "'%s': %llu", cases[i].s, (unsigned long long)ns);
	}
}

static void test_time_bad(void)
{
	static const char *const bad[] = {
		"",
		"-1s",
		"+1s",
		"1x",
		"s",
		"1.5s",
		"1 s",
		" 1s",
		"1s ",
		"1m30",
		"30s1m",
		"1s1s",
		"1ms1s",
		"1S",
		"1H",
		"1M",
		"abc",
		"1h01:00:00",
		"1:2:3",
		"01:60:00",
		"00:00:60",
		"1:",
		":30",
		"1::0",
		"01:02:03:04",
		"1s\n",
		"99999999999999999999",
		"18446744074s",
		"30501w",
		"0x10",
		"1e3",
	};
	size_t i;
	__u64 ns = 7;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		T_CHECK(config_parse_time(bad[i], &ns) == -EINVAL, "'%s' accepted", bad[i]);
	T_EQ_INT(ns, 7);
	T_EQ_INT(config_parse_time(NULL, &ns), -EINVAL);
}

static void test_entries(void)
{
	static const struct {
		const char *s;
		__u32 n;
	} good[] = {
		{ "1k", 1024 },	    { "2k", 2048 },	{ "4k", 4096 },	   { "128k", 131072 },
		{ "256k", 262144 }, { "512k", 524288 }, { "1M", 1048576 }, { "2M", 2097152 },
		{ "4M", 4194304 },  { "4096", 4096 },	{ "1024", 1024 },  { "4194304", 4194304 },
	};
	static const char *const bad[] = { "3k",
					   "0",
					   "512",
					   "8M",
					   "4kk",
					   "",
					   "-1",
					   "4K",
					   "4m",
					   "1G",
					   "k",
					   "4 k",
					   "5000",
					   "3M",
					   "4096 ",
					   "8388608",
					   "99999999999999999999k" };
	size_t i;
	__u32 n;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		n = 0;
		T_CHECK(config_parse_entries(good[i].s, &n) == 0, "'%s' rejected", good[i].s);
		T_EQ_INT(n, good[i].n);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = 77;
		T_CHECK(config_parse_entries(bad[i], &n) == -EINVAL, "'%s' accepted", bad[i]);
		T_EQ_INT(n, 77);
	}
}

static void test_issue_example(void)
{
	static const char text[] =
		"/ip traffic-flow set enabled=yes interfaces=eth0,eth1 cache-entries=4k \\\n"
		"    active-flow-timeout=30m inactive-flow-timeout=15s packet-sampling=no\n"
		"/ip traffic-flow target add dst-address=192.0.2.10 port=2055 version=5 "
		"src-address=0.0.0.0\n";
	char err[CFG_ERR_LEN] = "";
	struct cfg c;
	const struct cfg_target *t = &c.targets[0];

	T_EQ_INT(parse_text(&c, text, err, sizeof(err)), 0);
	T_CHECK(!err[0], "%s", err);
	T_EQ_INT(c.enabled, 1);
	T_CHECK(!c.all_interfaces);
	T_EQ_INT(c.n_interfaces, 2);
	T_CHECK(!strcmp(c.interfaces[0], "eth0") && !strcmp(c.interfaces[1], "eth1"));
	T_EQ_INT(c.cache_entries, 4096);
	T_EQ_INT(c.active_timeout_ns, S(1800));
	T_EQ_INT(c.inactive_timeout_ns, S(15));
	T_CHECK(!c.packet_sampling);
	T_EQ_INT(c.n_targets, 1);
	T_CHECK(is_ip4(&t->dst, "192.0.2.10", 2055));
	T_EQ_INT(t->dst_len, sizeof(struct sockaddr_in));
	T_EQ_INT(t->src.ss_family, AF_UNSPEC);
	T_EQ_INT(t->src_len, 0);
	T_EQ_INT(t->port, 2055);
	T_EQ_INT(t->version, 5);
	T_EQ_INT(t->template_refresh, 20);
	T_EQ_INT(t->template_timeout_ns, S(1800));
	T_CHECK(!t->disabled);
	T_EQ_INT(config_validate(&c, err, sizeof(err)), 0);
}

/* The seeds' forms together: export-style menus, '/'-paths, continuations, address=IP:PORT. */
static void test_seed_file(void)
{
	static const char text[] =
		"\xef\xbb\xbf# jan/02/2024 10:00:00 by RouterOS 7.12\r\n"
		"# software id = ABCD-1234\n"
		"\n"
		"/ip traffic-flow\n"
		"set cache-entries=64k enabled=yes interfaces=ether7\n"
		"/ip traffic-flow target\n"
		"add dst-address=103.0.113.221 port=600 src-address=103.0.113.229 version=5\n"
		"   # indented comment \\\n"
		"/ip/traffic-flow/set packet-sampling=yes sampling-interval=2222 sampling-space=1111\n"
		"# Enable Traffic Flow\n"
		"/ip traffic-flow set \\\n"
		"enabled=yes \\\n"
		"interfaces=\"ether1,ether2\" \\\n"
		"cache-entries=4k \\\n"
		"active-flow-timeout=30m \\\t\r\n"
		"inactive-flow-timeout=15s\n"
		"# Add collector target\n"
		"/ip traffic-flow target add \\\n"
		"dst-address=192.168.1.100 \\\n"
		"port=2055 \\\n"
		"version=9\n"
		"/ip/traffic-flow/target/add dst-address=10.0.0.50 port=4739 version=IPFIX\n"
		"ip traffic-flow target add address=192.168.88.100:9995 disabled=no version=9 "
		"v9-template-refresh=10 v9-template-timeout=1800\n"
		"/ip traffic-flow\n"
		"target add dst-address=2001:db8::5 version=ipfix disabled=yes\n"
		"/ip traffic-flow set scan-interval=500ms\n";
	char err[CFG_ERR_LEN] = "";
	struct cfg c;
	const struct cfg_target *t = c.targets;

	T_EQ_INT(parse_text(&c, text, err, sizeof(err)), 0);
	T_CHECK(!err[0], "%s", err);
	T_EQ_INT(c.enabled, 1);
	T_CHECK(!c.all_interfaces);
	T_EQ_INT(c.n_interfaces, 2);
	T_CHECK(!strcmp(c.interfaces[0], "ether1") && !strcmp(c.interfaces[1], "ether2"));
	T_CHECK(c.interfaces[2][0] == '\0', "stale name from the first set");
	T_EQ_INT(c.cache_entries, 4096);
	T_EQ_INT(c.active_timeout_ns, S(1800));
	T_EQ_INT(c.inactive_timeout_ns, S(15));
	T_CHECK(c.packet_sampling);
	T_EQ_INT(c.sampling_interval, 2222);
	T_EQ_INT(c.sampling_space, 1111);
	T_EQ_INT(c.scan_interval_ns, MS(500));
	T_EQ_INT(c.n_targets, 5);

	T_CHECK(is_ip4(&t[0].dst, "103.0.113.221", 600));
	T_CHECK(is_ip4(&t[0].src, "103.0.113.229", 0));
	T_EQ_INT(t[0].src_len, sizeof(struct sockaddr_in));
	T_EQ_INT(t[0].port, 600);
	T_EQ_INT(t[0].version, 5);

	T_CHECK(is_ip4(&t[1].dst, "192.168.1.100", 2055));
	T_EQ_INT(t[1].version, 9);
	T_EQ_INT(t[1].src.ss_family, AF_UNSPEC);

	T_CHECK(is_ip4(&t[2].dst, "10.0.0.50", 4739));
	T_EQ_INT(t[2].version, CFG_VERSION_IPFIX);

	T_CHECK(is_ip4(&t[3].dst, "192.168.88.100", 9995));
	T_EQ_INT(t[3].port, 9995);
	T_EQ_INT(t[3].template_refresh, 10);
	T_EQ_INT(t[3].template_timeout_ns, S(1800));
	T_CHECK(!t[3].disabled);

	T_CHECK(is_ip6(&t[4].dst, "2001:db8::5", 2055));
	T_EQ_INT(t[4].dst_len, sizeof(struct sockaddr_in6));
	T_EQ_INT(t[4].version, CFG_VERSION_IPFIX);
	T_CHECK(t[4].disabled);
	T_EQ_INT(config_validate(&c, err, sizeof(err)), 0);
}

static void test_ipv6_targets(void)
{
	char err[CFG_ERR_LEN] = "";
	struct cfg c;
	const struct cfg_target *t = c.targets;

	T_EQ_INT(
		parse_text(
			&c,
			"/ip traffic-flow target add dst-address=2001:db8::1 port=4739 "
			"version=IPFIX src-address=2001:db8::2\n"
			"/ip traffic-flow target add dst-address=::ffff:192.0.2.1 src-address=::\n"
			"/ip traffic-flow target add address=[2001:db8::3]:9996\n"
			"/ip traffic-flow target add dst-address=2001:db8::4 src-address=0.0.0.0\n",
			err, sizeof(err)),
		0);
	T_CHECK(!err[0], "%s", err);
	T_EQ_INT(c.n_targets, 4);
	T_CHECK(is_ip6(&t[0].dst, "2001:db8::1", 4739));
	T_CHECK(is_ip6(&t[0].src, "2001:db8::2", 0));
	T_EQ_INT(t[0].src_len, sizeof(struct sockaddr_in6));
	T_CHECK(is_ip6(&t[1].dst, "::ffff:192.0.2.1", 2055));
	T_EQ_INT(t[1].src.ss_family, AF_UNSPEC);
	T_CHECK(is_ip6(&t[2].dst, "2001:db8::3", 9996));
	T_EQ_INT(t[2].port, 9996);
	T_EQ_INT(t[3].src.ss_family, AF_UNSPEC);

	expect_file_err(
		"/ip traffic-flow target add dst-address=2001:db8::1 src-address=192.0.2.1\n", 1,
		"src-address: '192.0.2.1' is not accepted", "same family");
	expect_file_err(
		"/ip traffic-flow target add dst-address=192.0.2.1 src-address=2001:db8::1\n", 1,
		"src-address", "same family");
	expect_file_err("/ip traffic-flow target add dst-address=::\n", 1, "dst-address: '::'",
			"IPv4 or IPv6");
	expect_file_err("/ip traffic-flow target add dst-address=[2001:db8::1]\n", 1,
			"dst-address: '[2001:db8::1]'", "IPv4 or IPv6");
	expect_file_err("/ip traffic-flow target add address=[192.0.2.1]:5\n", 1,
			"address:", "[IPv6]:PORT");
}

static void test_target_spec(void)
{
	char err[CFG_ERR_LEN] = "";
	struct cfg c;
	const struct cfg_target *t = c.targets;

	config_defaults(&c);
	T_EQ_INT(config_add_target_spec(&c, "192.0.2.1", err, sizeof(err)), 0);
	T_EQ_INT(config_add_target_spec(&c, "192.0.2.1:9995", err, sizeof(err)), 0);
	T_EQ_INT(config_add_target_spec(&c, "[2001:db8::1]:4739,version=ipfix", err, sizeof(err)),
		 0);
	T_EQ_INT(config_add_target_spec(&c, "2001:db8::2", err, sizeof(err)), 0);
	T_EQ_INT(
		config_add_target_spec(&c,
				       "192.0.2.3:9995,version=5,src-address=192.0.2.2,"
				       "v9-template-refresh=10,v9-template-timeout=1m,disabled=yes",
				       err, sizeof(err)),
		0);
	T_EQ_INT(config_add_target_spec(&c, "[2001:db8::9],port=6343,version=1", err, sizeof(err)),
		 0);
	T_CHECK(!err[0], "%s", err);
	T_EQ_INT(c.n_targets, 6);
	T_EQ_INT(t[0].mtu, 1500);
	T_EQ_INT(t[0].source_id, 0);
	T_EQ_INT(config_add_target_spec(&c, "192.0.2.4,mtu=9000,source-id=4294967295", err,
					sizeof(err)),
		 0);
	T_EQ_INT(t[6].mtu, 9000);
	T_EQ_INT(t[6].source_id, 4294967295u);
	T_EQ_INT(config_add_target_spec(&c, "192.0.2.4,mtu=500", err, sizeof(err)), -EINVAL);
	T_CHECK(strstr(err, "mtu: '500' is not accepted") && strstr(err, "576 to 65535"), "%s",
		err);
	T_EQ_INT(config_add_target_spec(&c, "192.0.2.4,source-id=-1", err, sizeof(err)), -EINVAL);
	T_EQ_INT(c.n_targets, 7);
	c.n_targets = 6;
	T_CHECK(is_ip4(&t[0].dst, "192.0.2.1", 2055));
	T_EQ_INT(t[0].version, 9);
	T_CHECK(is_ip4(&t[1].dst, "192.0.2.1", 9995));
	T_CHECK(is_ip6(&t[2].dst, "2001:db8::1", 4739));
	T_EQ_INT(t[2].version, CFG_VERSION_IPFIX);
	T_CHECK(is_ip6(&t[3].dst, "2001:db8::2", 2055));
	T_CHECK(is_ip4(&t[4].dst, "192.0.2.3", 9995));
	T_CHECK(is_ip4(&t[4].src, "192.0.2.2", 0));
	T_EQ_INT(t[4].version, 5);
	T_EQ_INT(t[4].template_refresh, 10);
	T_EQ_INT(t[4].template_timeout_ns, S(60));
	T_CHECK(t[4].disabled);
	T_CHECK(is_ip6(&t[5].dst, "2001:db8::9", 6343));
	T_EQ_INT(t[5].version, 1);

	static const struct {
		const char *spec, *frag;
	} bad[] = {
		{ "", "address: '' is not accepted" },
		{ "collector.example:2055", "IPv4, IPv4:PORT, IPv6 or [IPv6]:PORT" },
		{ "[2001:db8::1", "[IPv6]:PORT" },
		{ "[2001:db8::1]x", "[IPv6]:PORT" },
		{ "192.0.2.1:0", "1 to 65535" },
		{ "192.0.2.1:65536", "1 to 65535" },
		{ "192.0.2.1:", "1 to 65535" },
		{ "0.0.0.0", "not a collector address" },
		{ "192.0.2.1,version=7", "version: '7' is not accepted (1, 5, 9 or IPFIX)" },
		{ "192.0.2.1:2055,port=9", "port is given twice" },
		{ "192.0.2.1,dst-address=192.0.2.2", "given twice" },
		{ "192.0.2.1,version=5,version=9", "version: given twice" },
		{ "192.0.2.1,bogus=1", "unknown property 'bogus'" },
		{ "192.0.2.1,version", "expected PROP=VALUE" },
		{ "192.0.2.1,src-address=2001:db8::1", "same family" },
		{ "192.0.2.1,v9-template-refresh=0", "from 1 to" },
		{ "192.0.2.1,v9-template-timeout=0", "not 0" },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		T_CHECK(config_add_target_spec(&c, bad[i].spec, err, sizeof(err)) == -EINVAL, "%s",
			bad[i].spec);
		T_CHECK(!strncmp(err, "target '", 8), "no target prefix: %s", err);
		T_CHECK(strstr(err, bad[i].frag), "'%s': want '%s' in: %s", bad[i].spec,
			bad[i].frag, err);
	}
	T_EQ_INT(c.n_targets, 6);
	T_EQ_INT(config_add_target_spec(&c, "192.0.2.1,\x7f", err, sizeof(err)), -EINVAL);
	T_CHECK(strstr(err, "control character 0x7f at byte 11"), "%s", err);
	T_EQ_INT(config_add_target_spec(&c, "192.0.2.1,comment=x", err, sizeof(err)), -EINVAL);
	T_CHECK(strstr(err, "v9-template-refresh") && strstr(err, "disabled"), "%s", err);
}

static void test_errors(void)
{
	char big[6000];

	expect_file_err("# one\n\n/ip traffic-flow set cache-entries=3k\n", 3,
			"cache-entries: '3k' is not accepted (1k, 2k, 4k ... 256k, or a power of "
			"two up to 4M)",
			NULL);
	expect_file_err(
		"/ip traffic-flow set cache-enties=4k\n", 1,
		"unknown property 'cache-enties' for /ip traffic-flow set",
		"accepted: enabled, interfaces, cache-entries, active-flow-timeout, "
		"inactive-flow-timeout, packet-sampling, sampling-interval, sampling-space, "
		"scan-interval");
	expect_file_err("/ip traffic-flow target add dst-address=192.0.2.1 comment=x\n", 1,
			"unknown property 'comment' for /ip traffic-flow target add",
			"dst-address, port, version, src-address, v9-template-refresh, "
			"v9-template-timeout, disabled, mtu, source-id, address");
	expect_file_err("/ip firewall filter add chain=input\n", 1,
			"unknown menu or command '/ip firewall'",
			"supported: /ip traffic-flow set");
	expect_file_err("/ip traffic-flow ipfix print\n", 1,
			"unknown menu or command '/ip traffic-flow ipfix print'",
			"/ip traffic-flow target add");
	expect_file_err("/ip traffic-flow print\n", 1,
			"unknown menu or command '/ip traffic-flow print'", "supported");
	expect_file_err("/ip traffic-flow target set 0 port=1\n", 1,
			"'/ip traffic-flow target set'", "supported");
	expect_file_err("set enabled=yes\n", 1, "unknown menu or command '/set'", "supported");
	expect_file_err("enabled=yes\n", 1, "'enabled=...' needs a command", "supported");
	expect_file_err("/ip traffic-flow\nenabled=yes\n", 2,
			"needs a command in menu /ip traffic-flow", NULL);
	/* The Splynx article's line has a stray `set` in the middle. */
	expect_file_err("ip traffic-flow set enabled=yes cache-entries=4k set "
			"active-flow-timeout=30m\n",
			1, "'set' after /ip traffic-flow set: expected PROP=VALUE", NULL);
	expect_file_err("/ip traffic-flow set enabled=yes enabled=no\n", 1, "enabled: given twice",
			NULL);
	expect_file_err("/ip traffic-flow set enabled=maybe\n", 1,
			"enabled: 'maybe' is not accepted (yes or no)", NULL);
	expect_file_err("/ip traffic-flow set packet-sampling=1\n", 1,
			"packet-sampling: '1' is not accepted (yes or no)", NULL);
	expect_file_err("/ip traffic-flow set active-flow-timeout=30x\n", 1,
			"active-flow-timeout: '30x' is not accepted", "15s, 30m, 1h");
	expect_file_err("/ip traffic-flow set inactive-flow-timeout=0s\n", 1,
			"inactive-flow-timeout: '0s' is not accepted", "not 0");
	expect_file_err("/ip traffic-flow set scan-interval=50ms\n", 1,
			"scan-interval: '50ms' is not accepted", "100ms to 1h");
	expect_file_err("/ip traffic-flow set scan-interval=2h\n", 1, "scan-interval: '2h'", "1h");
	expect_file_err("/ip traffic-flow set sampling-interval=-1\n", 1,
			"sampling-interval: '-1' is not accepted", "0 to 4294967295");
	expect_file_err("/ip traffic-flow set sampling-space=4294967296\n", 1,
			"sampling-space: '4294967296'", "0 to 4294967295");
	expect_file_err("/ip traffic-flow set interfaces=eth0,,eth1\n", 1,
			"interfaces: 'eth0,,eth1' is not accepted: empty interface name",
			"comma-separated");
	expect_file_err("/ip traffic-flow set interfaces=a234567890123456\n", 1,
			"a name longer than 15 characters", "all, or");
	expect_file_err("/ip traffic-flow set interfaces=eth0,eth1,eth0\n", 1,
			"'eth0' is listed twice", "all, or");
	expect_file_err("/ip traffic-flow set interfaces=all,eth0\n", 1,
			"'all' combined with names", NULL);
	expect_file_err("/ip traffic-flow set interfaces=eth0/1\n", 1, "invalid interface name",
			NULL);
	expect_file_err("/ip traffic-flow set interfaces=\n", 1, "interfaces: '' is not accepted",
			NULL);
	expect_file_err("/ip traffic-flow target add port=2055\n", 1, "dst-address is required",
			"IPv4 or IPv6");
	expect_file_err("/ip traffic-flow target add dst-address=192.0.2.1:9995\n", 1,
			"dst-address: '192.0.2.1:9995' is not accepted", "port=");
	expect_file_err("/ip traffic-flow target add dst-address=192.0.2.1 port=0\n", 1,
			"port: '0' is not accepted (an integer from 1 to 65535)", NULL);
	expect_file_err("/ip traffic-flow target add dst-address=192.0.2.1 port=65536\n", 1,
			"port: '65536'", "1 to 65535");
	expect_file_err("/ip traffic-flow target add dst-address=192.0.2.1 version=10\n", 1,
			"version: '10' is not accepted (1, 5, 9 or IPFIX)", NULL);
	expect_file_err("/ip traffic-flow target add address=192.0.2.1:9995 port=9995\n", 1,
			"port is given twice", NULL);
	expect_file_err("/ip traffic-flow target add address=192.0.2.1 dst-address=192.0.2.2\n", 1,
			"given twice", NULL);
	expect_file_err("/ip traffic-flow target add address=192.168.88.100.182:9995\n", 1,
			"address: '192.168.88.100.182:9995'", "IPv4:PORT");
	expect_file_err("/ip traffic-flow set interfaces=\"eth0\n", 1, "unterminated quote", NULL);
	expect_file_err("/ip traffic-flow set interfaces=\"e\\th0\"\n", 1, "unsupported escape",
			NULL);
	expect_file_err("/ip traffic-flow set =4k\n", 1, "no property name", NULL);
	/* A continuation reports its first line. */
	expect_file_err("#\n/ip traffic-flow set \\\n  enabled=yes \\\n  cache-entries=7\n", 2,
			"cache-entries: '7'", NULL);
	expect_file_err(
		"/ip traffic-flow set enabled=yes\n/ip traffic-flow set interfaces=\xc3\x28\n", 2,
		"invalid UTF-8 at byte 33", NULL);
	expect_file_err("/ip traffic-flow set interfaces=\xed\xa0\x80\n", 1, "invalid UTF-8", NULL);
	expect_file_err("/ip traffic-flow set interfaces=\xc0\xaf\n", 1, "invalid UTF-8", NULL);
	expect_file_err("/ip traffic-flow set interfaces=\x01\n", 1, "control character 0x01",
			NULL);
	expect_file_err("/ip traffic-flow set interfaces=\xff\n", 1, "invalid UTF-8", NULL);

	/* NUL bytes (strlen would stop at them, so write the file by hand). */
	{
		static const char nul[] = "/ip traffic-flow set\0 enabled=yes\n";
		char err[CFG_ERR_LEN];
		struct cfg c;

		config_defaults(&c);
		write_tmp(nul, sizeof(nul) - 1);
		T_EQ_INT(config_parse_file(&c, tmp_path, err, sizeof(err)), -EINVAL);
		T_CHECK(strstr(err, ":1: NUL byte"), "%s", err);
		unlink(tmp_path);
	}

	/* Too long: one physical line, and one made of continuations. */
	memset(big, 'a', sizeof(big));
	memcpy(big, "/ip traffic-flow set interfaces=", 32);
	big[5000] = '\n';
	big[5001] = '\0';
	expect_file_err(big, 1, "longer than 4096 bytes", NULL);
	memset(big, ' ', sizeof(big));
	memcpy(big, "#\n/ip traffic-flow set \\\n", 25);
	for (int i = 0; i < 30; i++)
		memcpy(big + 25 + i * 150, "\\\n", 2);
	big[25 + 30 * 150] = '\0';
	expect_file_err(big, 2, "longer than 4096 bytes", NULL);

	/* Many words: bounded, not overflowed. */
	{
		char many[4000] = "/ip traffic-flow set";

		for (int i = 0; i < 100; i++)
			strcat(many, " enabled=yes");
		strcat(many, "\n");
		expect_file_err(many, 1, "more than 64 words", NULL);
	}
	/* A long bad value is cut in the message so the accepted list still fits. */
	memset(big, '9', sizeof(big));
	memcpy(big, "/ip traffic-flow set cache-entries=", 35);
	big[3000] = '\n';
	big[3001] = '\0';
	expect_file_err(big, 1, "9999...' is not accepted (1k, 2k", NULL);
}

static void test_file_errors(void)
{
	char err[CFG_ERR_LEN];
	struct cfg c;

	config_defaults(&c);
	T_EQ_INT(config_parse_file(&c, "/nonexistent/tflow.conf", err, sizeof(err)), -ENOENT);
	T_CHECK(strstr(err, "/nonexistent/tflow.conf: cannot open"), "%s", err);
	T_EQ_INT(config_parse_file(&c, "/tmp", err, sizeof(err)), -EIO);
	T_CHECK(strstr(err, "/tmp: read error"), "%s", err);
	/* A tiny err buffer is still terminated and not overrun. */
	T_EQ_INT(config_parse_line(&c, "/ip traffic-flow set bogus=1", "f", 1, err, 8), -EINVAL);
	T_CHECK(!strcmp(err, "f:1: un"), "%s", err);
	T_EQ_INT(config_parse_line(&c, "/ip traffic-flow set bogus=1", NULL, 0, NULL, 0), -EINVAL);
}

static void test_parse_line(void)
{
	char err[CFG_ERR_LEN];
	struct cfg c, before;

	config_defaults(&c);
	T_EQ_INT(config_parse_line(&c, "", "x", 1, err, sizeof(err)), 0);
	T_EQ_INT(config_parse_line(&c, "   # comment", "x", 1, err, sizeof(err)), 0);
	T_EQ_INT(config_parse_line(&c, "/ip traffic-flow", "x", 1, err, sizeof(err)), 0);
	T_EQ_INT(config_parse_line(&c, "/ip/traffic-flow/set cache-entries=1M # why", "x", 1, err,
				   sizeof(err)),
		 0);
	T_EQ_INT(c.cache_entries, 1048576);
	T_EQ_INT(config_parse_line(&c, "/ip/traffic-flow/ set cache-entries=2k", "x", 1, err,
				   sizeof(err)),
		 0);
	T_EQ_INT(c.cache_entries, 2048);
	T_EQ_INT(config_parse_line(&c, "/ip traffic-flow set /x enabled=yes", "x", 1, err,
				   sizeof(err)),
		 -EINVAL);
	T_CHECK(strstr(err, "'/' after /ip traffic-flow set: expected PROP=VALUE"), "%s", err);
	T_EQ_INT(config_parse_line(&c, "/ip traffic-flow set interfaces=\"a\\\"b\",\"c\\\\d\"", "x",
				   1, err, sizeof(err)),
		 0);
	T_CHECK(!strcmp(c.interfaces[0], "a\"b") && !strcmp(c.interfaces[1], "c\\d"), "%s %s",
		c.interfaces[0], c.interfaces[1]);
	/* Without a file, lines say their number; a line with an error changes nothing. */
	before = c;
	T_EQ_INT(config_parse_line(&c, "/ip traffic-flow set enabled=no cache-entries=3k", NULL, 7,
				   err, sizeof(err)),
		 -EINVAL);
	T_CHECK(!strncmp(err, "line 7: cache-entries: '3k'", 27), "%s", err);
	T_CHECK(!memcmp(&c, &before, sizeof(c)), "config changed by a failed line");
	T_EQ_INT(config_parse_line(&c, "/ip traffic-flow set interfaces=x,x", NULL, 0, err,
				   sizeof(err)),
		 -EINVAL);
	T_CHECK(!memcmp(&c, &before, sizeof(c)), "config changed by a failed line");
}

static void test_config_set(void)
{
	char err[CFG_ERR_LEN];
	struct cfg c;

	config_defaults(&c);
	T_EQ_INT(config_set(&c, "cache-entries", "64k", err, sizeof(err)), 0);
	T_EQ_INT(config_set(&c, "--interfaces", "eth0,wlan0", err, sizeof(err)), 0);
	T_EQ_INT(config_set(&c, "active-flow-timeout", "1m", err, sizeof(err)), 0);
	T_EQ_INT(config_set(&c, "inactive-flow-timeout", "00:00:10", err, sizeof(err)), 0);
	T_EQ_INT(config_set(&c, "packet-sampling", "yes", err, sizeof(err)), 0);
	T_EQ_INT(config_set(&c, "sampling-interval", "10", err, sizeof(err)), 0);
	T_EQ_INT(config_set(&c, "sampling-space", "90", err, sizeof(err)), 0);
	T_EQ_INT(config_set(&c, "scan-interval", "100ms", err, sizeof(err)), 0);
	T_EQ_INT(config_set(&c, "enabled", "no", err, sizeof(err)), 0);
	T_EQ_INT(c.cache_entries, 65536);
	T_EQ_INT(c.n_interfaces, 2);
	T_CHECK(!strcmp(c.interfaces[1], "wlan0"));
	T_EQ_INT(c.active_timeout_ns, S(60));
	T_EQ_INT(c.inactive_timeout_ns, S(10));
	T_CHECK(c.packet_sampling);
	T_EQ_INT(c.sampling_interval, 10);
	T_EQ_INT(c.sampling_space, 90);
	T_EQ_INT(c.scan_interval_ns, MS(100));
	T_EQ_INT(c.enabled, 0);
	T_EQ_INT(config_set(&c, "interfaces", "all", err, sizeof(err)), 0);
	T_CHECK(c.all_interfaces);
	T_EQ_INT(c.n_interfaces, 0);

	T_EQ_INT(config_set(&c, "cache-entries", "3k", err, sizeof(err)), -EINVAL);
	T_CHECK(!strcmp(err, "cache-entries: '3k' is not accepted (1k, 2k, 4k ... 256k, or a "
			     "power of two up to 4M)"),
		"%s", err);
	T_EQ_INT(c.cache_entries, 65536);
	T_EQ_INT(config_set(&c, "cache-size", "4k", err, sizeof(err)), -EINVAL);
	T_CHECK(strstr(err, "unknown property 'cache-size'") && strstr(err, "scan-interval"), "%s",
		err);
	T_EQ_INT(config_set(&c, "dst-address", "192.0.2.1", err, sizeof(err)), -EINVAL);
	T_EQ_INT(config_set(&c, "scan-interval", "50ms", err, sizeof(err)), -EINVAL);
	T_EQ_INT(config_set(&c, "enabled", "\xff", err, sizeof(err)), -EINVAL);
	T_CHECK(!strcmp(err, "enabled: invalid UTF-8 at byte 1 (only UTF-8 text is accepted)"),
		"%s", err);
	T_EQ_INT(config_set(&c, "enabled", NULL, err, sizeof(err)), -EINVAL);
}

static void test_validate(void)
{
	char err[CFG_ERR_LEN];
	struct cfg c;
	int i;

	config_defaults(&c);
	c.packet_sampling = true;
	T_EQ_INT(config_validate(&c, err, sizeof(err)), -EINVAL);
	T_CHECK(strstr(err, "packet-sampling=yes needs sampling-interval of at least 1"), "%s",
		err);
	c.sampling_interval = 1;
	T_EQ_INT(config_validate(&c, err, sizeof(err)), 0);

	T_EQ_INT(
		parse_text(&c, "/ip traffic-flow set inactive-flow-timeout=1h\n", err, sizeof(err)),
		0);
	T_EQ_INT(config_validate(&c, err, sizeof(err)), -EINVAL);
	T_CHECK(strstr(err, "inactive-flow-timeout (1h) must not be longer than "
			    "active-flow-timeout (30m)"),
		"%s", err);
	T_EQ_INT(parse_text(&c, "/ip traffic-flow set inactive-flow-timeout=30m\n", err,
			    sizeof(err)),
		 0);
	T_EQ_INT(config_validate(&c, err, sizeof(err)), 0);

	config_defaults(&c);
	c.active_timeout_ns = 0;
	T_EQ_INT(config_validate(&c, err, sizeof(err)), -EINVAL);
	T_CHECK(strstr(err, "active-flow-timeout"), "%s", err);

	/* The same collector twice would get every flow twice: refused, whatever the version. */
	config_defaults(&c);
	T_EQ_INT(config_add_target_spec(&c, "192.0.2.1:2055", err, sizeof(err)), 0);
	T_EQ_INT(config_add_target_spec(&c, "192.0.2.1:2055,version=IPFIX", err, sizeof(err)),
		 -EINVAL);
	T_CHECK(strstr(err, "192.0.2.1 port 2055 is given twice"), "%s", err);
	T_EQ_INT(config_add_target_spec(&c, "192.0.2.1:2056,version=IPFIX", err, sizeof(err)), 0);
	T_EQ_INT(c.n_targets, 2);

	/* The 17th target is refused when added, and a struct filled by hand too. */
	config_defaults(&c);
	for (i = 0; i < CFG_MAX_TARGETS; i++) {
		char spec[32];

		snprintf(spec, sizeof(spec), "192.0.2.1:%d", 3000 + i);
		T_EQ_INT(config_add_target_spec(&c, spec, err, sizeof(err)), 0);
	}
	T_EQ_INT(config_add_target_spec(&c, "192.0.2.1", err, sizeof(err)), -EINVAL);
	T_CHECK(strstr(err, "too many targets (at most 16)"), "%s", err);
	T_EQ_INT(config_parse_line(&c, "/ip traffic-flow target add dst-address=192.0.2.1", "f", 9,
				   err, sizeof(err)),
		 -EINVAL);
	T_CHECK(strstr(err, "f:9: too many targets"), "%s", err);
	T_EQ_INT(c.n_targets, CFG_MAX_TARGETS);
	T_EQ_INT(config_validate(&c, err, sizeof(err)), 0);
	c.n_targets = CFG_MAX_TARGETS + 1;
	T_EQ_INT(config_validate(&c, err, sizeof(err)), -EINVAL);
	T_CHECK(strstr(err, "17 targets is not accepted (at most 16)"), "%s", err);
}

/* Interface lists as a RouterOS export writes them, patterns, and directions. */
static void test_iface_select(void)
{
	char err[CFG_ERR_LEN] = "";
	struct cfg c;

	T_EQ_INT(
		parse_text(
			&c,
			"/interface list\n"
			"add comment=defconf name=WAN\n"
			"add comment=defconf name=LAN\n"
			"add name=access-routers-and-uplinks\n"
			"/interface list member\n"
			"add comment=defconf interface=ether1 list=WAN\n"
			"add interface=sfp* list=WAN\n"
			"add interface=bridge list=LAN\n"
			"add interface=ether2 list=LAN disabled=yes\n"
			"add interface=lte1 list=access-routers-and-uplinks\n"
			"/ip traffic-flow set interfaces=WAN,ppp*,vlan1?,access-routers-and-uplinks "
			"direction=egress\n"
			"/ip traffic-flow interface\n"
			"add interface=ppp* direction=ingress\n"
			"add interface=WAN direction=both\n"
			"add interface=sfp1 direction=ingress\n",
			err, sizeof(err)),
		0);
	T_CHECK(!err[0], "%s", err);
	T_EQ_INT(c.n_lists, 3);
	T_CHECK(!strcmp(c.lists[2], "access-routers-and-uplinks"));
	T_EQ_INT(c.n_members, 4); /* the disabled one selects nothing and is not kept */
	T_CHECK(!strcmp(c.members[1].iface, "sfp*") && c.members[1].list == 0);
	T_EQ_INT(c.members[3].list, 2);
	T_EQ_INT(c.n_interfaces, 4);
	T_EQ_INT(c.direction, CFG_DIR_EGRESS);
	T_EQ_INT(c.n_ifdirs, 3);
	T_EQ_INT(config_validate(&c, err, sizeof(err)), 0);

	/* Selection: names of lists, members by name or pattern, patterns; flags do not matter. */
	T_CHECK(ifmatch_selected(&c, "ether1", 0));
	T_CHECK(ifmatch_selected(&c, "sfp-sfpplus1", 0));
	T_CHECK(ifmatch_selected(&c, "ppp0", 0) && ifmatch_selected(&c, "ppp", 0));
	T_CHECK(ifmatch_selected(&c, "vlan12", 0) && !ifmatch_selected(&c, "vlan123", 0));
	T_CHECK(!ifmatch_selected(&c, "vlan1", 0));
	T_CHECK(ifmatch_selected(&c, "lte1", 0));
	T_CHECK(!ifmatch_selected(&c, "bridge", 0), "LAN is not in interfaces=");
	T_CHECK(!ifmatch_selected(&c, "ether2", 0), "a disabled member");
	T_CHECK(!ifmatch_selected(&c, "WAN", 0), "a list name is not an interface");
	T_CHECK(!ifmatch_selected(&c, "eth0", IFF_UP));
	/* Direction: the last entry that matches wins, else the global one. */
	T_EQ_INT(ifmatch_direction(&c, "ppp7"), CFG_DIR_INGRESS);
	T_EQ_INT(ifmatch_direction(&c, "ether1"), CFG_DIR_BOTH);
	T_EQ_INT(ifmatch_direction(&c, "sfp2"), CFG_DIR_BOTH);
	T_EQ_INT(ifmatch_direction(&c, "sfp1"), CFG_DIR_INGRESS);
	T_EQ_INT(ifmatch_direction(&c, "vlan10"), CFG_DIR_EGRESS);
	T_CHECK(!strcmp(ifmatch_dir_name(CFG_DIR_EGRESS), "egress"));

	/* interfaces=all: up and not loopback, whatever the name. */
	config_defaults(&c);
	T_CHECK(ifmatch_selected(&c, "anything", IFF_UP));
	T_CHECK(!ifmatch_selected(&c, "anything", 0));
	T_CHECK(!ifmatch_selected(&c, "lo", IFF_UP | IFF_LOOPBACK));
	T_EQ_INT(ifmatch_direction(&c, "anything"), CFG_DIR_BOTH);

	/* Patterns: fnmatch(3), '\' quotes, a list named like an interface wins over it. */
	T_EQ_INT(parse_text(&c,
			    "/interface list add name=eth0\n"
			    "/interface list member add interface=eth9 list=eth0\n"
			    "/ip traffic-flow set interfaces=eth0,ve[!t]h*,[a-c]x,q\\*\n",
			    err, sizeof(err)),
		 0);
	T_CHECK(!err[0], "%s", err);
	T_CHECK(!ifmatch_selected(&c, "eth0", 0) && ifmatch_selected(&c, "eth9", 0));
	T_CHECK(ifmatch_selected(&c, "vexh0", 0) && !ifmatch_selected(&c, "veth0", 0));
	T_CHECK(ifmatch_selected(&c, "bx", 0) && !ifmatch_selected(&c, "dx", 0));
	T_CHECK(ifmatch_selected(&c, "q*", 0) && !ifmatch_selected(&c, "q1", 0));

	/* The long option, and interfaces= naming a long list added before. */
	T_EQ_INT(config_set(&c, "--direction", "ingress", err, sizeof(err)), 0);
	T_EQ_INT(c.direction, CFG_DIR_INGRESS);
	T_EQ_INT(config_set(&c, "direction", "in", err, sizeof(err)), -EINVAL);
	T_CHECK(!strcmp(err, "direction: 'in' is not accepted (both, ingress or egress)"), "%s",
		err);
	T_EQ_INT(parse_text(&c,
			    "/interface list add name=a-list-name-longer-than-15\n"
			    "/ip traffic-flow set interfaces=a-list-name-longer-than-15\n",
			    err, sizeof(err)),
		 0);
	T_CHECK(!err[0], "%s", err);
	T_EQ_INT(config_set(&c, "interfaces", "a-list-name-longer-than-15,ppp*", err, sizeof(err)),
		 0);
	T_EQ_INT(c.n_interfaces, 2);
}

static void test_iface_errors(void)
{
	char many[4096] = "", line[96];

	expect_file_err("/interface list member add interface=ether1 list=WAN\n", 1,
			"list: 'WAN' is not accepted: no such list (add it first: /interface list "
			"add name=WAN)",
			NULL);
	/* Order matters, as in RouterOS: the list first, then its members. */
	expect_file_err("/interface list member add interface=ether1 list=WAN\n"
			"/interface list add name=WAN\n",
			1, "no such list", NULL);
	expect_file_err("/interface list add name=WAN\n/interface list add name=WAN\n", 2,
			"list 'WAN' is added twice", NULL);
	expect_file_err("/interface list add comment=x\n", 1, "name is required", NULL);
	expect_file_err("/interface list add name=all\n", 1, "name: 'all' is not accepted",
			"letters, digits");
	expect_file_err("/interface list add name=wan*\n", 1, "name: 'wan*' is not accepted", NULL);
	expect_file_err("/interface list add name=W,AN\n", 1, "name: 'W,AN'", NULL);
	expect_file_err("/interface list add name=WAN include=LAN\n", 1,
			"unknown property 'include' for /interface list add",
			"accepted: name, comment");
	expect_file_err("/interface list add name=WAN\n/interface list member add list=WAN\n", 2,
			"interface is required", NULL);
	expect_file_err("/interface list add name=WAN\n/interface list member add "
			"interface=ether1\n",
			2, "list is required", NULL);
	expect_file_err("/interface list add name=WAN\n/interface list add name=LAN\n"
			"/interface list member add interface=LAN list=WAN\n",
			3, "interface: 'LAN' is not accepted: a list cannot be a member of a list",
			NULL);
	expect_file_err("/interface list add name=WAN\n"
			"/interface list member add interface=e1 list=WAN\n"
			"/interface list member add interface=e1 list=WAN\n",
			3, "'e1' is added to list 'WAN' twice", NULL);
	expect_file_err("/interface list add name=WAN\n"
			"/interface list member add interface=abcdefghijklmnop list=WAN\n",
			2, "a name longer than 15 characters", NULL);
	expect_file_err("/interface list member set 0 list=WAN\n", 1,
			"unknown menu or command '/interface list member set'",
			"/interface list add");
	expect_file_err("/interface bridge add name=br0\n", 1,
			"unknown menu or command '/interface bridge'", NULL);
	/* interfaces=: a long name must be a list added before; patterns must be able to match. */
	expect_file_err("/ip traffic-flow set interfaces=a-list-name-longer-than-15\n"
			"/interface list add name=a-list-name-longer-than-15\n",
			1, "a name longer than 15 characters, and no /interface list of that name",
			"patterns such as ppp*");
	expect_file_err("/ip traffic-flow set interfaces=ppp[0-9\n", 1,
			"interfaces: 'ppp[0-9' is not accepted: a '[' without its ']'", NULL);
	expect_file_err("/ip traffic-flow set interfaces=vlan*/1\n", 1,
			"an interface name cannot hold '/', ':' or spaces", NULL);
	expect_file_err("/ip traffic-flow set interfaces=\"ppp*\\\\\"\n", 1,
			"a '\\' ends the pattern", NULL);
	expect_file_err("/ip traffic-flow set interfaces=????????????????*\n", 1,
			"every name it matches is longer than 15 characters", NULL);
	expect_file_err("/ip traffic-flow set interfaces=ppp*,ppp*\n", 1, "'ppp*' is listed twice",
			NULL);
	expect_file_err("/ip traffic-flow set interfaces=ppp*,"
			"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa*\n",
			1, "is longer than 63 characters", NULL);
	expect_file_err("/ip traffic-flow set direction=out\n", 1,
			"direction: 'out' is not accepted (both, ingress or egress)", NULL);
	/* /ip traffic-flow interface add */
	expect_file_err("/ip traffic-flow interface add interface=ppp*\n", 1,
			"direction is required (both, ingress or egress)", NULL);
	expect_file_err("/ip traffic-flow interface add direction=ingress\n", 1,
			"interface is required", NULL);
	expect_file_err("/ip traffic-flow interface add interface=ppp* direction=sideways\n", 1,
			"direction: 'sideways' is not accepted", NULL);
	expect_file_err(
		"/ip traffic-flow interface add interface=all direction=ingress\n", 1,
		"interface: 'all' is not accepted: set every interface's direction with /ip "
		"traffic-flow set direction=",
		NULL);
	expect_file_err("/ip traffic-flow interface add interface=ppp* direction=ingress\n"
			"/ip traffic-flow interface add interface=ppp* direction=egress\n",
			2, "interface 'ppp*' is given twice", "the last entry that matches");
	expect_file_err("/ip traffic-flow interface add interface=abcdefghijklmnopq "
			"direction=egress\n",
			1, "no /interface list of that name was added before", NULL);
	expect_file_err("/ip traffic-flow interface add interface=ppp* direction=egress "
			"disabled=no\n",
			1, "unknown property 'disabled' for /ip traffic-flow interface add",
			"interface, direction, comment");
	/* Limits: named in the message, and a failed line changes nothing. */
	for (int i = 0; i <= CFG_MAX_LISTS; i++) {
		snprintf(line, sizeof(line), "/interface list add name=L%d\n", i);
		strcat(many, line);
	}
	expect_file_err(many, CFG_MAX_LISTS + 1, "too many interface lists (at most 32)", NULL);
	many[0] = '\0';
	for (int i = 0; i <= CFG_MAX_IFDIRS; i++) {
		snprintf(line, sizeof(line),
			 "/ip traffic-flow interface add interface=e%d "
			 "direction=ingress\n",
			 i);
		strcat(many, line);
	}
	expect_file_err(many, CFG_MAX_IFDIRS + 1, "too many /ip traffic-flow interface entries",
			"at most 64");
}

static void roundtrip(const struct cfg *c, const char *want_first_line)
{
	static char buf[65536];
	char err[CFG_ERR_LEN] = "";
	struct cfg back;
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	size_t n;

	if (!T_CHECK(f, "fmemopen"))
		return;
	config_print(c, f);
	n = (size_t)ftell(f);
	fclose(f);
	if (!T_CHECK(n < sizeof(buf) - 1, "output too long"))
		return;
	buf[n] = '\0';
	if (want_first_line)
		T_CHECK(!strncmp(buf, want_first_line, strlen(want_first_line)), "got: %s", buf);
	T_EQ_INT(parse_text(&back, buf, err, sizeof(err)), 0);
	T_CHECK(!err[0], "%s\nin:\n%s", err, buf);
	T_CHECK(!memcmp(c, &back, sizeof(back)), "round-trip differs:\n%s", buf);
}

static void test_print_roundtrip(void)
{
	char err[CFG_ERR_LEN] = "", stars[50];
	struct cfg c;

	config_defaults(&c);
	roundtrip(&c,
		  "/ip traffic-flow set interfaces=all cache-entries=4k active-flow-timeout=30m "
		  "inactive-flow-timeout=15s packet-sampling=no sampling-interval=0 "
		  "sampling-space=0 scan-interval=1s\n");

	T_EQ_INT(
		parse_text(&c,
			   "/ip traffic-flow set enabled=no interfaces=eth0,\"we ird\\\"\\\\\" "
			   "cache-entries=512k active-flow-timeout=1w1d1h1m1s1ms "
			   "inactive-flow-timeout=1m30s packet-sampling=yes sampling-interval=2222 "
			   "sampling-space=4294967295 scan-interval=250ms\n"
			   "/ip traffic-flow target add dst-address=192.0.2.10 port=2055 version=5 "
			   "src-address=192.0.2.1 disabled=yes\n"
			   "/ip traffic-flow target add dst-address=2001:db8::1 port=4739 "
			   "version=ipfix src-address=2001:db8::2 v9-template-refresh=1 "
			   "v9-template-timeout=01:00:00\n"
			   "/ip traffic-flow target add address=[::1]:9 version=1\n",
			   err, sizeof(err)),
		-EINVAL);
	/* Spaces are refused in names, so drop that one and print the rest. */
	T_CHECK(strstr(err, "invalid interface name"), "%s", err);
	T_EQ_INT(
		parse_text(&c,
			   "/ip traffic-flow set enabled=no interfaces=eth0,\"we\\\"ird\\\\\" "
			   "cache-entries=512k active-flow-timeout=1w1d1h1m1s1ms "
			   "inactive-flow-timeout=1m30s packet-sampling=yes sampling-interval=2222 "
			   "sampling-space=4294967295 scan-interval=250ms\n"
			   "/ip traffic-flow target add dst-address=192.0.2.10 port=2055 version=5 "
			   "src-address=192.0.2.1 disabled=yes\n"
			   "/ip traffic-flow target add dst-address=2001:db8::1 port=4739 "
			   "version=ipfix src-address=2001:db8::2 v9-template-refresh=1 "
			   "v9-template-timeout=01:00:00\n"
			   "/ip traffic-flow target add address=[::1]:9 version=1\n",
			   err, sizeof(err)),
		0);
	T_CHECK(!err[0], "%s", err);
	T_CHECK(!strcmp(c.interfaces[1], "we\"ird\\"), "%s", c.interfaces[1]);
	roundtrip(&c, "/ip traffic-flow set enabled=no interfaces=\"eth0,we\\\"ird\\\\\" "
		      "cache-entries=512k active-flow-timeout=1w1d1h1m1s1ms "
		      "inactive-flow-timeout=1m30s packet-sampling=yes sampling-interval=2222 "
		      "sampling-space=4294967295 scan-interval=250ms\n"
		      "/ip traffic-flow target add dst-address=192.0.2.10 port=2055 version=5 "
		      "src-address=192.0.2.1 v9-template-refresh=20 v9-template-timeout=30m "
		      "disabled=yes mtu=1500 source-id=0\n"
		      "/ip traffic-flow target add dst-address=2001:db8::1 port=4739 "
		      "version=IPFIX src-address=2001:db8::2 v9-template-refresh=1 "
		      "v9-template-timeout=1h disabled=no mtu=1500 source-id=0\n"
		      "/ip traffic-flow target add dst-address=::1 port=9 version=1 "
		      "v9-template-refresh=20 v9-template-timeout=30m disabled=no mtu=1500 "
		      "source-id=0\n");

	/* Lists, members, patterns, directions; names that need quoting. */
	T_EQ_INT(parse_text(&c,
			    "/ip traffic-flow interface add interface=\"p\\\"*\" direction=egress\n"
			    "/interface list add name=WAN\n/interface list add name=up.links-1\n"
			    "/interface list member add interface=\"e\\\\1\" list=up.links-1\n"
			    "/interface list member add interface=sfp? list=WAN\n"
			    "/ip traffic-flow set interfaces=WAN,ppp*,up.links-1,eth0 "
			    "direction=ingress\n"
			    "/ip traffic-flow interface add interface=WAN direction=both\n",
			    err, sizeof(err)),
		 0);
	T_CHECK(!err[0], "%s", err);
	T_CHECK(!strcmp(c.ifdirs[0].iface, "p\"*") && !strcmp(c.members[0].iface, "e\\1"));
	roundtrip(&c, "/interface list add name=WAN\n/interface list add name=up.links-1\n"
		      "/interface list member add interface=\"e\\\\1\" list=up.links-1\n"
		      "/interface list member add interface=sfp? list=WAN\n"
		      "/ip traffic-flow set interfaces=WAN,ppp*,up.links-1,eth0 cache-entries=4k ");

	/* A pattern with a space or '#' inside brackets is printed quoted (found by fuzz_config).
	 */
	config_defaults(&c);
	T_EQ_INT(parse_text(&c, "/ip traffic-flow set interfaces=\"S[!0 ]-9,a[#=]\"\n", err,
			    sizeof(err)),
		 0);
	T_CHECK(!err[0], "%s", err);
	roundtrip(&c, "/ip traffic-flow set interfaces=\"S[!0 ]-9,a[#=]\" cache-entries=4k ");

	/* The seeds' file, and everything at its largest. */
	memset(stars, '*', sizeof(stars) - 1);
	stars[sizeof(stars) - 1] = '\0';
	config_defaults(&c);
	c.enabled = 1;
	c.all_interfaces = false;
	for (c.n_interfaces = 0; c.n_interfaces < CFG_MAX_IFACES; c.n_interfaces++)
		snprintf(c.interfaces[c.n_interfaces], CFG_IFNAME_LEN, "veth-long-%05u",
			 (unsigned int)c.n_interfaces & 0xffff);
	c.cache_entries = 4194304;
	c.active_timeout_ns = S(18446744073ULL);
	c.direction = CFG_DIR_EGRESS;
	for (c.n_lists = 0; c.n_lists < CFG_MAX_LISTS; c.n_lists++)
		snprintf(c.lists[c.n_lists], CFG_NAME_LEN, "%062d", c.n_lists);
	for (c.n_members = 0; c.n_members < CFG_MAX_MEMBERS; c.n_members++) {
		/* 14 characters and stars: the longest pattern that matches a name */
		snprintf(c.members[c.n_members].iface, CFG_NAME_LEN, "%s%013d%.49s",
			 c.n_members & 1 ? "\\" : "\"", c.n_members, stars);
		c.members[c.n_members].list = (__u32)c.n_members % CFG_MAX_LISTS;
	}
	for (c.n_ifdirs = 0; c.n_ifdirs < CFG_MAX_IFDIRS; c.n_ifdirs++) {
		snprintf(c.ifdirs[c.n_ifdirs].iface, CFG_NAME_LEN, "%062d", c.n_ifdirs % 32);
		if (c.n_ifdirs >= 32)
			snprintf(c.ifdirs[c.n_ifdirs].iface, CFG_NAME_LEN, "x%013d%.49s",
				 c.n_ifdirs, stars);
		c.ifdirs[c.n_ifdirs].dir = 1 + c.n_ifdirs % 3;
	}
	for (int i = 0; i < CFG_MAX_TARGETS; i++) {
		char spec[128];

		snprintf(spec, sizeof(spec),
			 "[2001:db8:ffff:ffff:ffff:ffff:ffff:%x]:65535,"
			 "src-address=2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
			 i);
		T_EQ_INT(config_add_target_spec(&c, spec, err, sizeof(err)), 0);
	}
	roundtrip(&c, NULL);
}

/* ---- /ip traffic-flow ipfix: the field selection ---- */

#define ALL_BUT(bits) (TF_ALL & ~(__u64)(bits))

static void test_ipfix_names(void)
{
	for (int f = 0; f < TF_N_FIELDS; f++) {
		T_CHECK(fields_name(f) != NULL, "field %d has no name", f);
		T_EQ_INT(fields_find(fields_name(f)), f);
		for (int g = 0; g < f; g++)
			T_CHECK(strcmp(fields_name(f), fields_name(g)), "%s twice", fields_name(f));
	}
	T_CHECK(fields_name(TF_N_FIELDS) == NULL);
	T_CHECK(!strcmp(fields_name(TF_IP_TOTAL_LENGTH), "ip-total-length"));
	T_EQ_INT(fields_find("ip-total-lenght"), TF_IP_TOTAL_LENGTH); /* the manual's spelling */
	T_EQ_INT(fields_find("nat-events"), TF_NAT_EVENTS);
	T_EQ_INT(fields_find("Bytes"), -EINVAL);
	T_EQ_INT(fields_find(""), -EINVAL);
}

static void test_ipfix_file(void)
{
	char err[CFG_ERR_LEN] = "";
	struct cfg c;

	T_EQ_INT(parse_text(&c,
			    "/ip traffic-flow ipfix set tcp-seq-num=no nat-src-address=no "
			    "ip-total-lenght=no\n"
			    "/ip traffic-flow ipfix set nat-src-address=yes\n",
			    err, sizeof(err)),
		 0);
	T_CHECK(!err[0], "%s", err);
	T_EQ_INT(c.ipfix_fields, ALL_BUT(TF_BIT(TF_TCP_SEQ_NUM) | TF_BIT(TF_IP_TOTAL_LENGTH)));

	/* RouterOS export style: the menu on its own line, then `set`; and the slash form */
	T_EQ_INT(parse_text(&c,
			    "/ip traffic-flow ipfix\n"
			    "set bytes=no packets=NO\n"
			    "/ip/traffic-flow/ipfix/set udp-length=no\n"
			    "/ip traffic-flow set cache-entries=8k\n",
			    err, sizeof(err)),
		 0);
	T_CHECK(!err[0], "%s", err);
	T_EQ_INT(c.ipfix_fields,
		 ALL_BUT(TF_BIT(TF_BYTES) | TF_BIT(TF_PACKETS) | TF_BIT(TF_UDP_LENGTH)));
	T_EQ_INT(c.cache_entries, 8192);

	/* every field off, then two on */
	T_EQ_INT(parse_text(
			 &c,
			 "/ip traffic-flow ipfix set bytes=no packets=no src-address=no "
			 "dst-address=no src-port=no dst-port=no protocol=no tos=no ttl=no "
			 "tcp-flags=no tcp-seq-num=no tcp-ack-num=no tcp-window-size=no "
			 "icmp-type=no icmp-code=no igmp-type=no in-interface=no out-interface=no "
			 "src-mac-address=no dst-mac-address=no src-address-mask=no "
			 "dst-address-mask=no ip-header-length=no ip-total-length=no "
			 "ipv6-flow-label=no is-multicast=no first-forwarded=no last-forwarded=no "
			 "sys-init-time=no gateway=no nat-src-address=no nat-dst-address=no "
			 "nat-src-port=no nat-dst-port=no nat-events=no udp-length=no\n"
			 "/ip traffic-flow ipfix set bytes=yes nat-events=yes\n",
			 err, sizeof(err)),
		 0);
	T_EQ_INT(c.ipfix_fields, TF_BIT(TF_BYTES) | TF_BIT(TF_NAT_EVENTS));
}

static void test_ipfix_errors(void)
{
	char err[CFG_ERR_LEN];
	struct cfg c;

	/* the whole list, not cut short by the message buffer */
	expect_file_err(
		"/ip traffic-flow ipfix set tcp-seq=yes\n", 1,
		"unknown property 'tcp-seq' for /ip traffic-flow ipfix set (accepted: bytes, "
		"packets, src-address,",
		"nat-events, udp-length)");
	expect_file_err("/ip traffic-flow ipfix set tcp-seq-num=maybe\n", 1,
			"tcp-seq-num: 'maybe' is not accepted (yes or no)", NULL);
	expect_file_err("/ip traffic-flow ipfix set ttl=no ttl=yes\n", 1,
			"ttl: given twice on one line", NULL);
	expect_file_err("/ip traffic-flow ipfix set ip-total-length=no ip-total-lenght=no\n", 1,
			"ip-total-length: given twice on one line", NULL);
	expect_file_err("\n/ip traffic-flow ipfix set bytes\n", 2,
			"'bytes' after /ip traffic-flow ipfix set: expected PROP=VALUE", NULL);
	expect_file_err("/ip traffic-flow ipfix add bytes=yes\n", 1,
			"unknown menu or command '/ip traffic-flow ipfix add'",
			"/ip traffic-flow ipfix set FIELD=yes|no");
	expect_file_err("/ip traffic-flow set tcp-seq-num=yes\n", 1,
			"unknown property 'tcp-seq-num' for /ip traffic-flow set", NULL);
	/* a line with an error changes nothing, the lines before it stay */
	T_EQ_INT(parse_text(&c,
			    "/ip traffic-flow ipfix set ttl=no\n"
			    "/ip traffic-flow ipfix set tos=no gateway=perhaps\n",
			    err, sizeof(err)),
		 -EINVAL);
	T_EQ_INT(c.ipfix_fields, ALL_BUT(TF_BIT(TF_TTL)));
}

static void test_ipfix_option(void)
{
	char err[CFG_ERR_LEN];
	struct cfg c;

	config_defaults(&c);
	T_EQ_INT(config_set(&c, "ipfix", "tcp-seq-num=no,nat-events=no", err, sizeof(err)), 0);
	T_EQ_INT(config_set(&c, "--ipfix", "gateway=no,nat-events=yes", err, sizeof(err)), 0);
	T_EQ_INT(c.ipfix_fields, ALL_BUT(TF_BIT(TF_TCP_SEQ_NUM) | TF_BIT(TF_GATEWAY)));

	T_EQ_INT(config_set(&c, "ipfix", "bytes=no,byte=no", err, sizeof(err)), -EINVAL);
	T_CHECK(!strncmp(err, "unknown property 'byte' for --ipfix (accepted: bytes, packets, ",
			 strlen("unknown property 'byte' for --ipfix (accepted: bytes, packets, ")),
		"%s", err);
	T_EQ_INT(config_set(&c, "ipfix", "bytes=off", err, sizeof(err)), -EINVAL);
	T_CHECK(!strcmp(err, "bytes: 'off' is not accepted (yes or no)"), "%s", err);
	T_EQ_INT(config_set(&c, "ipfix", "bytes=no,,ttl=no", err, sizeof(err)), -EINVAL);
	T_CHECK(!strcmp(err, "--ipfix 'bytes=no,,ttl=no': empty item (accepted: "
			     "FIELD=yes|no,FIELD=yes|no,...)"),
		"%s", err);
	T_EQ_INT(config_set(&c, "ipfix", "", err, sizeof(err)), -EINVAL);
	T_EQ_INT(config_set(&c, "ipfix", "bytes=no,", err, sizeof(err)), -EINVAL);
	T_EQ_INT(config_set(&c, "ipfix", "ttl", err, sizeof(err)), -EINVAL);
	T_CHECK(!strcmp(err, "'ttl' after --ipfix: expected FIELD=yes|no"), "%s", err);
	T_EQ_INT(config_set(&c, "ipfix", "ttl=no,ttl=no", err, sizeof(err)), -EINVAL);
	T_CHECK(strstr(err, "ttl: given twice"), "%s", err);
	/* nothing of a refused option applied */
	T_EQ_INT(c.ipfix_fields, ALL_BUT(TF_BIT(TF_TCP_SEQ_NUM) | TF_BIT(TF_GATEWAY)));
}

static void test_ipfix_print(void)
{
	char buf[8192], err[CFG_ERR_LEN] = "";
	struct cfg c;
	FILE *f;
	size_t n;

	T_EQ_INT(parse_text(&c,
			    "/ip traffic-flow target add dst-address=192.0.2.1 version=IPFIX\n"
			    "/ip traffic-flow ipfix set tcp-seq-num=no nat-events=no bytes=no\n",
			    err, sizeof(err)),
		 0);
	f = fmemopen(buf, sizeof(buf), "w");
	if (!T_CHECK(f, "fmemopen"))
		return;
	config_print(&c, f);
	n = (size_t)ftell(f);
	fclose(f);
	buf[n < sizeof(buf) ? n : sizeof(buf) - 1] = '\0';
	/* after the targets, every field, in the manual's order */
	T_CHECK(strstr(buf,
		       " source-id=0\n/ip traffic-flow ipfix set bytes=no packets=yes "
		       "src-address=yes dst-address=yes src-port=yes dst-port=yes protocol=yes "
		       "tos=yes ttl=yes tcp-flags=yes tcp-seq-num=no tcp-ack-num=yes "
		       "tcp-window-size=yes icmp-type=yes icmp-code=yes igmp-type=yes "
		       "in-interface=yes out-interface=yes src-mac-address=yes "
		       "dst-mac-address=yes src-address-mask=yes dst-address-mask=yes "
		       "ip-header-length=yes ip-total-length=yes ipv6-flow-label=yes "
		       "is-multicast=yes first-forwarded=yes last-forwarded=yes "
		       "sys-init-time=yes gateway=yes nat-src-address=yes nat-dst-address=yes "
		       "nat-src-port=yes nat-dst-port=yes nat-events=no udp-length=yes\n"),
		"%s", buf);
	T_CHECK(buf[n - 1] == '\n' && !strstr(strstr(buf, "ipfix set"), "\n/"), "%s", buf);
	roundtrip(&c, NULL);
	c.ipfix_fields = 0;
	roundtrip(&c, NULL);
	c.ipfix_fields = TF_BIT(TF_UDP_LENGTH) | TF_BIT(TF_BYTES);
	roundtrip(&c, NULL);
}

/* Random lines from pieces of real syntax, run under ASan/UBSan: errors are fine, crashes not. */
static void test_fuzz_lines(void)
{
	static const char *const pieces[] = {
		"/ip",
		" ",
		"traffic-flow",
		"/",
		"set",
		"add",
		"target",
		"=",
		"\"",
		"\\",
		"\\\"",
		",",
		":",
		"[",
		"]",
		"#",
		"..",
		"enabled",
		"yes",
		"1k",
		"4M",
		"1h2m3s",
		"00:00:",
		"192.0.2.1",
		"2001:db8::1",
		"dst-address",
		"address",
		"version",
		"ipfix",
		"port",
		"interfaces",
		"eth0",
		"\xc3\xa9",
		"\xff",
		"\t",
		"99999999999999999999",
		"src-address",
		"cache-entries",
		"/interface list",
		"member",
		"interface",
		"list=",
		"name=",
		"ppp*",
		"vlan1?",
		"[!a-",
		"direction",
		"ingress",
		"tcp-seq-num",
		"no",
	};
	char line[600], err[CFG_ERR_LEN];
	unsigned int seed = 12345;
	struct cfg c;
	size_t len;
	int i, k;

	for (i = 0; i < 20000; i++) {
		config_defaults(&c);
		len = 0;
		line[0] = '\0';
		for (k = 0; k < 30; k++) {
			const char *pc =
				pieces[rand_r(&seed) % (sizeof(pieces) / sizeof(pieces[0]))];

			if (len + strlen(pc) >= sizeof(line))
				break;
			memcpy(line + len, pc, strlen(pc) + 1);
			len += strlen(pc);
		}
		config_parse_line(&c, line, "fuzz", i, err, sizeof(err));
		config_set(&c, "interfaces", line, err, sizeof(err));
		config_add_target_spec(&c, line, err, sizeof(err));
		config_set(&c, "ipfix", line, err, sizeof(err));
		T_CHECK(memchr(err, '\0', sizeof(err)), "unterminated err");
		T_CHECK(c.n_targets <= CFG_MAX_TARGETS && c.n_interfaces <= CFG_MAX_IFACES);
		T_CHECK(c.n_lists <= CFG_MAX_LISTS && c.n_members <= CFG_MAX_MEMBERS &&
			c.n_ifdirs <= CFG_MAX_IFDIRS);
	}
}

int main(void)
{
	T_RUN(test_defaults);
	T_RUN(test_time_good);
	T_RUN(test_time_bad);
	T_RUN(test_entries);
	T_RUN(test_issue_example);
	T_RUN(test_seed_file);
	T_RUN(test_ipv6_targets);
	T_RUN(test_target_spec);
	T_RUN(test_errors);
	T_RUN(test_file_errors);
	T_RUN(test_parse_line);
	T_RUN(test_config_set);
	T_RUN(test_validate);
	T_RUN(test_iface_select);
	T_RUN(test_iface_errors);
	T_RUN(test_print_roundtrip);
	T_RUN(test_ipfix_names);
	T_RUN(test_ipfix_file);
	T_RUN(test_ipfix_errors);
	T_RUN(test_ipfix_option);
	T_RUN(test_ipfix_print);
	T_RUN(test_fuzz_lines);
	T_EXIT();
}
