/* SPDX-License-Identifier: GPL-2.0-only */
/* ifnames.c - the interface names tflow announces: a sorted ifindex -> name table, with changes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "export/ifnames.h"

/* Index of ifindex in s, or of where it would go. */
static int lower_bound(const struct ifnames *s, __u32 ifindex)
{
	int lo = 0, hi = s->n;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (s->v[mid].ifindex < ifindex)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct ifname *ifnames_find(const struct ifnames *s, __u32 ifindex)
{
	int i = lower_bound(s, ifindex);

	return i < s->n && s->v[i].ifindex == ifindex ? &s->v[i] : NULL;
}

int ifnames_set(struct ifnames *s, __u32 ifindex, const char *name)
{
	int i = lower_bound(s, ifindex);
	struct ifname *e;

	if (!name)
		name = "";
	if (i == s->n || s->v[i].ifindex != ifindex) {
		if (s->n >= IFNAMES_MAX)
			return -E2BIG;
		if (s->n == s->cap) {
			int cap = s->cap ? s->cap * 2 : 16;
			struct ifname *v = realloc(s->v, cap * sizeof(*v));

			if (!v)
				return -ENOMEM;
			s->v = v;
			s->cap = cap;
		}
		memmove(&s->v[i + 1], &s->v[i], (s->n - i) * sizeof(*s->v));
		s->n++;
		e = &s->v[i];
		memset(e, 0, sizeof(*e));
		e->ifindex = ifindex;
	} else {
		e = &s->v[i];
		if (!strncmp(e->name, name, IE_IFNAME_LEN))
			return 0;
	}
	snprintf(e->name, sizeof(e->name), "%s", name);
	if (!e->name[0]) {
		e->gen = 0; /* nothing to announce: a name that went away is not unsaid */
		return 0;
	}
	e->gen = ++s->gen;
	return 1;
}

void ifnames_del(struct ifnames *s, __u32 ifindex)
{
	int i = lower_bound(s, ifindex);

	if (i == s->n || s->v[i].ifindex != ifindex)
		return;
	memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof(*s->v));
	s->n--;
}

void ifnames_move(struct ifnames *to, struct ifnames *from)
{
	ifnames_free(to);
	*to = *from;
	memset(from, 0, sizeof(*from));
}

void ifnames_free(struct ifnames *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}
