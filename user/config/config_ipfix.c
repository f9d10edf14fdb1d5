/* SPDX-License-Identifier: GPL-2.0-only */
/* config_ipfix.c - the IPFIX field selection: `/ip traffic-flow ipfix set` and `--ipfix`. */
#include <stdio.h>
#include <string.h>
#include "config/config.h"
#include "config/config_int.h"
#include "record/fields.h"
#include "config/value.h"

/* "bytes, packets, ..." for messages: every field, in the RouterOS manual's order. */
static const char *field_list(void)
{
	static char list[TF_N_FIELDS * 20];
	size_t off = 0;

	if (list[0])
		return list;
	for (int f = 0; f < TF_N_FIELDS; f++)
		off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s", f ? ", " : "",
					fields_name(f));
	return list;
}

int config_ipfix_words(struct cfg *c, const struct pctx *p, const char *what, const struct word *w,
		       int n)
{
	__u64 sel = c->ipfix_fields, seen = 0;
	bool on;
	int f;

	for (int i = 0; i < n; i++) {
		if (!w[i].val)
			return value_fail(p, "'%.*s%s' after %s: expected FIELD=yes|no",
					  SHOW(w[i].key), what);
		f = fields_find(w[i].key);
		if (f < 0)
			return value_fail(p, "unknown property '%.*s%s' for %s (accepted: %s)",
					  SHOW(w[i].key), what, field_list());
		if (seen & TF_BIT(f))
			return value_fail(p, "%s: given twice on one line (accepted: once)",
					  fields_name(f));
		seen |= TF_BIT(f);
		if (value_parse_bool(w[i].val, &on))
			return value_bad(p, fields_name(f), w[i].val, NULL, ACC_BOOL);
		sel = on ? sel | TF_BIT(f) : sel & ~TF_BIT(f);
	}
	c->ipfix_fields = sel; /* all applied, or on error none */
	return 0;
}

int config_ipfix_spec(struct cfg *c, const struct pctx *p, const char *spec)
{
	char buf[LINE_MAX_BYTES + 1], *s = buf, *comma;
	struct word w[TF_N_FIELDS + 1];
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", spec); /* value_check_text() bounded it */
	for (;; s = comma + 1) {
		comma = strchr(s, ',');
		if (comma)
			*comma = '\0';
		if (!*s)
			return value_fail(p,
					  "--ipfix '%.*s%s': empty item (accepted: "
					  "FIELD=yes|no,FIELD=yes|no,...)",
					  SHOW(spec));
		if (n == TF_N_FIELDS + 1)
			return value_fail(p,
					  "--ipfix: more than %d items (accepted: each field once)",
					  TF_N_FIELDS);
		w[n].key = s;
		w[n].val = strchr(s, '=');
		if (w[n].val)
			*w[n].val++ = '\0';
		n++;
		if (!comma)
			break;
	}
	return config_ipfix_words(c, p, "--ipfix", w, n);
}

void config_print_ipfix(const struct cfg *c, FILE *f)
{
	fprintf(f, "/ip traffic-flow ipfix set");
	for (int i = 0; i < TF_N_FIELDS; i++)
		fprintf(f, " %s=%s", fields_name(i), c->ipfix_fields & TF_BIT(i) ? "yes" : "no");
	fputc('\n', f);
}
