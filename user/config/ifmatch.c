/* SPDX-License-Identifier: GPL-2.0-only */
/* ifmatch.c - does the configuration select an interface, and in which direction. */
#include <fnmatch.h>
#include <string.h>
#include <net/if.h>
#include "config/ifmatch.h"

bool ifmatch_is_pattern(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

int ifmatch_list(const struct cfg *c, const char *name)
{
	for (int i = 0; i < c->n_lists && i < CFG_MAX_LISTS; i++)
		if (!strcmp(c->lists[i], name))
			return i;
	return -1;
}

static bool name_match(const char *pat, const char *name)
{
	return ifmatch_is_pattern(pat) ? !fnmatch(pat, name, 0) : !strcmp(pat, name);
}

bool ifmatch_entry(const struct cfg *c, const char *entry, const char *name)
{
	int l = ifmatch_is_pattern(entry) ? -1 : ifmatch_list(c, entry);

	if (l < 0)
		return name_match(entry, name);
	for (int i = 0; i < c->n_members && i < CFG_MAX_MEMBERS; i++)
		if (c->members[i].list == (__u32)l && name_match(c->members[i].iface, name))
			return true;
	return false;
}

bool ifmatch_selected(const struct cfg *c, const char *name, unsigned int flags)
{
	if (c->all_interfaces)
		return !(flags & IFF_LOOPBACK) && (flags & IFF_UP);
	for (int i = 0; i < c->n_interfaces && i < CFG_MAX_IFACES; i++)
		if (ifmatch_entry(c, c->interfaces[i], name))
			return true;
	return false;
}

int ifmatch_direction(const struct cfg *c, const char *name)
{
	int dir = (int)c->direction;

	for (int i = 0; i < c->n_ifdirs && i < CFG_MAX_IFDIRS; i++)
		if (ifmatch_entry(c, c->ifdirs[i].iface, name))
			dir = (int)c->ifdirs[i].dir;
	return dir;
}

const char *ifmatch_dir_name(int dir)
{
	return dir == CFG_DIR_INGRESS ? "ingress" : dir == CFG_DIR_EGRESS ? "egress" : "both";
}
