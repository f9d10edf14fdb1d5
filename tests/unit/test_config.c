/* SPDX-License-Identifier: GPL-2.0-only */
/* test_config.c - RouterOS-syntax config: defaults, times, the seed file, lines, options. */
#include "config_helpers.h"

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
		T_CHECK(value_parse_time(cases[i].s, &ns) == 0, "'%s' rejected", cases[i].s);
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
		T_CHECK(value_parse_time(bad[i], &ns) == -EINVAL, "'%s' accepted", bad[i]);
	T_EQ_INT(ns, 7);
	T_EQ_INT(value_parse_time(NULL, &ns), -EINVAL);
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
		T_CHECK(value_parse_entries(good[i].s, &n) == 0, "'%s' rejected", good[i].s);
		T_EQ_INT(n, good[i].n);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = 77;
		T_CHECK(value_parse_entries(bad[i], &n) == -EINVAL, "'%s' accepted", bad[i]);
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

int main(void)
{
	T_RUN(test_defaults);
	T_RUN(test_time_good);
	T_RUN(test_time_bad);
	T_RUN(test_entries);
	T_RUN(test_issue_example);
	T_RUN(test_seed_file);
	T_RUN(test_parse_line);
	T_RUN(test_config_set);
	T_RUN(test_validate);
	T_EXIT();
}
