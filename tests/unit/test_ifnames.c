/* SPDX-License-Identifier: GPL-2.0-only */
/* test_ifnames.c - the table of interface names announced in options template 261. */
#include <errno.h>
#include <string.h>
#include "t.h"
#include "export/ifnames.h"

static void test_set_find(void)
{
	struct ifnames s = {};
	const struct ifname *e;

	T_EQ_INT(ifnames_set(&s, 7, "eth1"), 1);
	T_EQ_INT(ifnames_set(&s, 2, "eth0"), 1);
	T_EQ_INT(ifnames_set(&s, 40, "ppp0"), 1);
	T_EQ_INT(s.n, 3);
	/* sorted by ifindex whatever the order of arrival */
	T_EQ_INT(s.v[0].ifindex, 2);
	T_EQ_INT(s.v[1].ifindex, 7);
	T_EQ_INT(s.v[2].ifindex, 40);
	e = ifnames_find(&s, 7);
	T_CHECK(e && !strcmp(e->name, "eth1"), "eth1");
	T_CHECK(!ifnames_find(&s, 3), "3 unknown");
	T_CHECK(!ifnames_find(&s, 41), "41 unknown");
	/* each change gets the next generation */
	T_EQ_INT(ifnames_find(&s, 7)->gen, 1);
	T_EQ_INT(ifnames_find(&s, 2)->gen, 2);
	T_EQ_INT(ifnames_find(&s, 40)->gen, 3);
	T_EQ_INT(s.gen, 3);
	ifnames_free(&s);
	T_EQ_INT(s.n, 0);
}

static void test_changes(void)
{
	struct ifnames s = {}, t = {};
	char many[24];

	ifnames_set(&s, 5, "vz");
	/* the same name again: no change, nothing to send */
	T_EQ_INT(ifnames_set(&s, 5, "vz"), 0);
	T_EQ_INT(s.gen, 1);
	/* renamed: a new generation, so it is sent again */
	T_EQ_INT(ifnames_set(&s, 5, "vzr"), 1);
	T_EQ_INT(ifnames_find(&s, 5)->gen, 2);
	T_CHECK(!strcmp(ifnames_find(&s, 5)->name, "vzr"), "renamed");
	/* no name (a lookup that failed): remembered, never announced */
	T_EQ_INT(ifnames_set(&s, 9, NULL), 0);
	T_EQ_INT(ifnames_find(&s, 9)->gen, 0);
	T_EQ_INT(s.gen, 2);
	/* a name longer than an interface name is cut to the element's 16 bytes */
	T_EQ_INT(ifnames_set(&s, 11, "this-name-is-too-long"), 1);
	T_EQ_INT(strlen(ifnames_find(&s, 11)->name), IE_IFNAME_LEN);
	/* deleted: forgotten; others stay in order */
	ifnames_del(&s, 5);
	ifnames_del(&s, 6); /* not there: nothing */
	T_EQ_INT(s.n, 2);
	T_EQ_INT(s.v[0].ifindex, 9);
	T_EQ_INT(s.v[1].ifindex, 11);
	/* moved to a new exporter whole, generation included */
	ifnames_set(&t, 1, "x");
	ifnames_move(&t, &s);
	T_EQ_INT(t.n, 2);
	T_EQ_INT(t.gen, 3);
	T_EQ_INT(s.n, 0);
	T_CHECK(!s.v, "emptied");
	/* bounded */
	for (int i = 0; i < IFNAMES_MAX; i++) {
		snprintf(many, sizeof(many), "if%d", i);
		ifnames_set(&s, 1000 + i, many);
	}
	T_EQ_INT(s.n, IFNAMES_MAX);
	T_EQ_INT(ifnames_set(&s, 1, "one-too-many"), -E2BIG);
	T_EQ_INT(ifnames_set(&s, 1000, "renamed"), 1); /* a known one still changes */
	ifnames_free(&s);
	ifnames_free(&t);
}

int main(void)
{
	T_RUN(test_set_find);
	T_RUN(test_changes);
	T_EXIT();
}
