/* SPDX-License-Identifier: GPL-2.0-only */
/* test_config_errors.c - config errors name the line and what is accepted; random lines too. */
#include "config_helpers.h"

/* Menus, commands and the properties of /ip traffic-flow set. */
static void errors_set(void)
{
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
}

/* Targets, quoting, continuations, bytes that are not UTF-8 text. */
static void errors_target(void)
{
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
}

/* NUL bytes, lines too long, too many words. */
static void errors_bytes(void)
{
	char big[6000];

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

static void test_errors(void)
{
	errors_set();
	errors_target();
	errors_bytes();
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
	T_RUN(test_errors);
	T_RUN(test_file_errors);
	T_RUN(test_fuzz_lines);
	T_EXIT();
}
