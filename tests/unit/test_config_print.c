/* SPDX-License-Identifier: GPL-2.0-only */
/* test_config_print.c - config_print() output parses back to the same config. */
#include "config_helpers.h"

/* The defaults, every property set, targets of each version. */
static void print_values(void)
{
	char err[CFG_ERR_LEN] = "";
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
}

static void print_ifaces(void)
{
	char err[CFG_ERR_LEN] = "";
	struct cfg c;

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
}

static void print_largest(void)
{
	char err[CFG_ERR_LEN] = "", stars[50];
	struct cfg c;

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

static void test_print_roundtrip(void)
{
	print_values();
	print_ifaces();
	print_largest();
}

int main(void)
{
	T_RUN(test_print_roundtrip);
	T_EXIT();
}
