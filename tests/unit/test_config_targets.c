/* SPDX-License-Identifier: GPL-2.0-only */
/* test_config_targets.c - config targets: IPv6 collectors and --target specs. */
#include "config_helpers.h"

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

int main(void)
{
	T_RUN(test_ipv6_targets);
	T_RUN(test_target_spec);
	T_EXIT();
}
