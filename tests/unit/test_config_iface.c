/* SPDX-License-Identifier: GPL-2.0-only */
/* test_config_iface.c - interface lists, members, patterns and directions, and their errors. */
#include "config_helpers.h"

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

/* /interface list and its members; menus that are not there. */
static void iface_errors_lists(void)
{
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
}

/* interfaces= names and patterns, directions, /ip traffic-flow interface add, the limits. */
static void iface_errors_patterns(void)
{
	char many[4096] = "", line[96];

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

static void test_iface_errors(void)
{
	iface_errors_lists();
	iface_errors_patterns();
}

int main(void)
{
	T_RUN(test_iface_select);
	T_RUN(test_iface_errors);
	T_EXIT();
}
