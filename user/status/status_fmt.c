/* SPDX-License-Identifier: GPL-2.0-only */
/* status_fmt.c - print a state snapshot: RouterOS `print` alignment, or one JSON object. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "record/fields.h"
#include "cache/iter.h"
#include "status/prom.h"
#include "datapath/stats.h"
#include "status/status_fmt.h"
#include "config/value.h"

#define KEY_WIDTH 21 /* "inactive-flow-timeout", the longest key */
#define TAB_COLS 12
#define TAB_CELL 64

static const char *const xdp_names[] = { "none", "native", "generic" };

static const char *xdp_name(__u8 x)
{
	return xdp_names[x < 3 ? x : 0];
}

/* "key: value" with keys right-aligned, as RouterOS prints properties. */
static void kv(FILE *f, const char *key, const char *fmt, ...)
{
	va_list ap;

	fprintf(f, "%*s: ", KEY_WIDTH, key);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
}

/* A table whose columns are as wide as their widest cell; numbers right-aligned. */
struct table {
	int ncols, nrows;
	unsigned int right; /* bit per column */
	char (*cell)[TAB_COLS][TAB_CELL];
};

static int table_init(struct table *t, unsigned int right, int max_rows, ...)
{
	const char *h;
	va_list ap;

	t->cell = calloc(max_rows + 1, sizeof(*t->cell));
	if (!t->cell)
		return -1;
	t->right = right;
	t->nrows = 1;
	t->ncols = 0;
	va_start(ap, max_rows);
	while ((h = va_arg(ap, const char *)) && t->ncols < TAB_COLS)
		snprintf(t->cell[0][t->ncols++], TAB_CELL, "%s", h);
	va_end(ap);
	return 0;
}

static void table_add(struct table *t, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->cell[t->nrows][col], TAB_CELL, fmt, ap);
	va_end(ap);
}

static void table_print(struct table *t, FILE *f)
{
	int w[TAB_COLS] = { 0 };

	for (int r = 0; r < t->nrows; r++)
		for (int c = 0; c < t->ncols; c++)
			if ((int)strlen(t->cell[r][c]) > w[c])
				w[c] = strlen(t->cell[r][c]);
	for (int r = 0; r < t->nrows; r++) {
		for (int c = 0; c < t->ncols; c++) {
			const char *sep = c ? "  " : "";

			if (t->right & (1u << c))
				fprintf(f, "%s%*s", sep, w[c], t->cell[r][c]);
			else if (c == t->ncols - 1)
				fprintf(f, "%s%s", sep, t->cell[r][c]);
			else
				fprintf(f, "%s%-*s", sep, w[c], t->cell[r][c]);
		}
		fputc('\n', f);
	}
	free(t->cell);
}

static const char *fmt_time_ms(__u64 ms, char *buf, size_t size)
{
	time_t t = ms / 1000;
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, size, "%llu", (unsigned long long)t);
	return buf;
}

/* How long ago, in whole seconds, as a RouterOS time ("0s", "1m5s"). */
static const char *fmt_ago(__u64 now_ms, __u64 then_ms, char *buf, size_t size)
{
	__u64 s = now_ms > then_ms ? (now_ms - then_ms) / 1000 : 0;

	return value_fmt_time(s * NS_S, buf, size);
}

static int popcount64(__u64 v)
{
	int n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

static void print_settings(const struct state_snap *s, const char *pin_dir, FILE *f)
{
	const struct tflow_state *st = &s->st;
	char a[64], b[64];

	kv(f, "status", "%s", s->running ? "running" : "not running");
	kv(f, "pid", "%d", st->pid);
	kv(f, "started", "%s (up %s)%s", fmt_time_ms(st->start_ms, a, sizeof(a)),
	   fmt_ago(s->now_ms, st->start_ms, b, sizeof(b)),
	   st->resumed ? ", resumed the previous run's cache" : "");
	kv(f, "pin-dir", "%s", pin_dir);
	fprintf(f, "%*s: ", KEY_WIDTH, "interfaces");
	if (st->all_interfaces)
		fputs("all", f);
	for (__u32 i = 0; !st->all_interfaces && i < st->n_cfg_ifs && i < CFG_MAX_IFACES; i++)
		fprintf(f, "%s%.*s", i ? "," : "", CFG_IFNAME_LEN, st->cfg_ifs[i]);
	fputc('\n', f);
	kv(f, "cache-entries", "%s", value_fmt_entries(st->cache_entries, a, sizeof(a)));
	kv(f, "active-flow-timeout", "%s", value_fmt_time(st->active_timeout_ns, a, sizeof(a)));
	kv(f, "inactive-flow-timeout", "%s", value_fmt_time(st->inactive_timeout_ns, a, sizeof(a)));
	kv(f, "packet-sampling", "%s", st->packet_sampling ? "yes" : "no");
	kv(f, "sampling-interval", "%u", st->sampling_interval);
	kv(f, "sampling-space", "%u", st->sampling_space);
	kv(f, "scan-interval", "%s", value_fmt_time(st->scan_interval_ns, a, sizeof(a)));
	kv(f, "cache-scan", "%s", scan_mode_name(st->scan_mode));
	if (st->ipfix_fields == TF_ALL)
		kv(f, "ipfix-fields", "all (%d)", TF_N_FIELDS);
	else
		kv(f, "ipfix-fields", "%d of %d (mask 0x%llx)", popcount64(st->ipfix_fields),
		   TF_N_FIELDS, (unsigned long long)st->ipfix_fields);
}

static double used_percent(const struct state_snap *s)
{
	return s->cache_size ? 100.0 * s->active_flows / s->cache_size : 0;
}

static void print_cache(const struct state_snap *s, FILE *f)
{
	const struct tflow_state *st = &s->st;

	fputs("\nCACHE\n", f);
	kv(f, "active-flows", "%llu", (unsigned long long)s->active_flows);
	kv(f, "cache-used", "%llu of %u (%.1f%%)", (unsigned long long)s->active_flows,
	   s->cache_size, used_percent(s));
	kv(f, "spill-entries", "%llu", (unsigned long long)st->spill_entries);
	kv(f, "exported-flows", "%llu", (unsigned long long)st->records);
	fprintf(f, "%*s: ", KEY_WIDTH, "by-end-reason");
	for (int r = 1; r < STATE_N_REASONS; r++)
		fprintf(f, "%s%s=%llu", r > 1 ? " " : "", prom_reason_name(r),
			(unsigned long long)st->by_reason[r]);
	fputc('\n', f);
	kv(f, "finished-flows", "%llu", (unsigned long long)state_finished(st));
	if (!st->n_targets)
		kv(f, "json-records", "%llu", (unsigned long long)st->json_records);
}

static void print_datapath(const struct state_snap *s, FILE *f)
{
	const __u64 *v = (const __u64 *)&s->stats;

	fputs("\nDATAPATH (tflow_stats, all CPUs)\n", f);
	for (size_t i = 0; i < STATS_NFIELDS; i++)
		kv(f, stats_names[i], "%llu", (unsigned long long)v[i]);
}

static void print_interfaces(const struct tflow_state *st, FILE *f)
{
	struct table t;

	if (table_init(&t, 0x3c5, st->n_ifs, "#", "NAME", "IFINDEX", "XDP", "TC", "LINK",
		       "IN-PACKETS", "IN-BYTES", "OUT-PACKETS", "OUT-BYTES", NULL))
		return;
	fputs("\nINTERFACES (packets and bytes of exported flows; in: XDP, out: tc egress)\n", f);
	for (__u32 i = 0; i < st->n_ifs; i++, t.nrows++) {
		const struct state_if *si = &st->ifs[i];

		table_add(&t, 0, "%u", i);
		table_add(&t, 1, "%.*s", CFG_IFNAME_LEN, si->name);
		table_add(&t, 2, "%u", si->ifindex);
		table_add(&t, 3, "%s", si->attached ? xdp_name(si->xdp) : "detached");
		table_add(&t, 4, "%s", si->attached && si->tc_egress ? "egress" : "-");
		table_add(&t, 5, "%s", !si->attached ? "-" : si->up ? "up" : "down");
		for (int d = 0; d < 2; d++) {
			table_add(&t, 6 + 2 * d, "%llu", (unsigned long long)si->packets[d]);
			table_add(&t, 7 + 2 * d, "%llu", (unsigned long long)si->bytes[d]);
		}
	}
	table_print(&t, f);
}

static void print_targets(const struct state_snap *s, FILE *f)
{
	const struct tflow_state *st = &s->st;
	struct table t;
	char a[64];

	if (table_init(&t, 0x3f1, st->n_targets, "#", "", "DST-ADDRESS", "VERSION", "DATAGRAMS",
		       "RECORDS", "TEMPLATES", "SEND-ERRORS", "REFUSED", "SKIPPED-IPV6",
		       "LAST-TEMPLATE", NULL))
		return;
	fputs("\nTARGETS (Flags: X - disabled)\n", f);
	for (__u32 i = 0; i < st->n_targets; i++, t.nrows++) {
		const struct state_target *tg = &st->targets[i];

		table_add(&t, 0, "%u", i);
		table_add(&t, 1, "%s", tg->disabled ? "X" : "");
		table_add(&t, 2, "%.*s", STATE_ADDR_LEN, tg->addr);
		table_add(&t, 3, "%s", prom_version_name(tg->version));
		table_add(&t, 4, "%llu", (unsigned long long)tg->datagrams);
		table_add(&t, 5, "%llu", (unsigned long long)tg->records);
		table_add(&t, 6, "%llu", (unsigned long long)tg->templates_sent);
		table_add(&t, 7, "%llu", (unsigned long long)tg->send_errors);
		table_add(&t, 8, "%llu", (unsigned long long)tg->refused);
		table_add(&t, 9, "%llu", (unsigned long long)tg->skipped_ipv6);
		if (tg->last_template_ms)
			table_add(&t, 10, "%s ago",
				  fmt_ago(s->now_ms, tg->last_template_ms, a, sizeof(a)));
		else
			table_add(&t, 10, "%s",
				  tg->version == 9 || tg->version == 10 ? "never" : "-");
	}
	table_print(&t, f);
}

void status_print(const struct state_snap *s, const char *pin_dir, FILE *f)
{
	print_settings(s, pin_dir, f);
	print_cache(s, f);
	print_datapath(s, f);
	print_interfaces(&s->st, f);
	if (s->st.n_targets)
		print_targets(s, f);
	else
		fputs("\nTARGETS: none (finished flows go to stdout as JSON lines)\n", f);
}

/* A JSON string: quote, backslash and control characters escaped. */
static void json_str(FILE *f, const char *s, size_t max)
{
	fputc('"', f);
	for (size_t i = 0; i < max && s[i]; i++) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_u64(FILE *f, const char *key, __u64 v, bool comma)
{
	fprintf(f, "\"%s\":%llu%s", key, (unsigned long long)v, comma ? "," : "");
}

static void json_settings(const struct tflow_state *st, FILE *f)
{
	fputs("\"settings\":{\"interfaces\":", f);
	if (st->all_interfaces)
		fputs("\"all\"", f);
	else
		fputc('[', f);
	for (__u32 i = 0; !st->all_interfaces && i < st->n_cfg_ifs && i < CFG_MAX_IFACES; i++) {
		fputs(i ? "," : "", f);
		json_str(f, st->cfg_ifs[i], CFG_IFNAME_LEN);
	}
	fputs(st->all_interfaces ? "," : "],", f);
	json_u64(f, "cache_entries", st->cache_entries, true);
	json_u64(f, "active_flow_timeout_ms", st->active_timeout_ns / 1000000, true);
	json_u64(f, "inactive_flow_timeout_ms", st->inactive_timeout_ns / 1000000, true);
	fprintf(f, "\"packet_sampling\":%s,", st->packet_sampling ? "true" : "false");
	json_u64(f, "sampling_interval", st->sampling_interval, true);
	json_u64(f, "sampling_space", st->sampling_space, true);
	json_u64(f, "scan_interval_ms", st->scan_interval_ns / 1000000, true);
	fprintf(f, "\"cache_scan\":\"%s\",", scan_mode_name(st->scan_mode));
	fprintf(f, "\"ipfix_fields\":\"0x%llx\"},", (unsigned long long)st->ipfix_fields);
}

static void json_interfaces(const struct tflow_state *st, FILE *f)
{
	fputs("\"interfaces\":[", f);
	for (__u32 i = 0; i < st->n_ifs; i++) {
		const struct state_if *si = &st->ifs[i];

		fputs(i ? ",{\"name\":" : "{\"name\":", f);
		json_str(f, si->name, sizeof(si->name));
		fprintf(f, ",\"ifindex\":%u,\"attached\":%s,\"xdp\":\"%s\",\"tc_egress\":%s,",
			si->ifindex, si->attached ? "true" : "false",
			si->attached ? xdp_name(si->xdp) : "none",
			si->attached && si->tc_egress ? "true" : "false");
		fprintf(f, "\"up\":%s,", si->up ? "true" : "false");
		json_u64(f, "in_packets", si->packets[0], true);
		json_u64(f, "in_bytes", si->bytes[0], true);
		json_u64(f, "out_packets", si->packets[1], true);
		json_u64(f, "out_bytes", si->bytes[1], false);
		fputc('}', f);
	}
	fputs("],", f);
}

static void json_targets(const struct tflow_state *st, FILE *f)
{
	fputs("\"targets\":[", f);
	for (__u32 i = 0; i < st->n_targets; i++) {
		const struct state_target *t = &st->targets[i];

		fputs(i ? ",{\"address\":" : "{\"address\":", f);
		json_str(f, t->addr, sizeof(t->addr));
		fprintf(f, ",\"version\":\"%s\",\"disabled\":%s,", prom_version_name(t->version),
			t->disabled ? "true" : "false");
		json_u64(f, "datagrams", t->datagrams, true);
		json_u64(f, "records", t->records, true);
		json_u64(f, "templates", t->templates_sent, true);
		json_u64(f, "send_errors", t->send_errors, true);
		json_u64(f, "refused", t->refused, true);
		json_u64(f, "skipped_ipv6", t->skipped_ipv6, true);
		json_u64(f, "last_template_ms", t->last_template_ms, false);
		fputc('}', f);
	}
	fputs("]", f);
}

void status_json(const struct state_snap *s, const char *pin_dir, FILE *f)
{
	const struct tflow_state *st = &s->st;
	const __u64 *v = (const __u64 *)&s->stats;

	fprintf(f, "{\"running\":%s,\"pid\":%d,", s->running ? "true" : "false", st->pid);
	json_u64(f, "start_ms", st->start_ms, true);
	json_u64(f, "updated_ms", st->updated_ms, true);
	json_u64(f, "now_ms", s->now_ms, true);
	fprintf(f, "\"resumed\":%s,\"pin_dir\":", st->resumed ? "true" : "false");
	json_str(f, pin_dir, strlen(pin_dir));
	fputc(',', f);
	json_settings(st, f);
	fputs("\"cache\":{", f);
	json_u64(f, "active_flows", s->active_flows, true);
	json_u64(f, "size", s->cache_size, true);
	fprintf(f, "\"used_percent\":%.1f,", used_percent(s));
	json_u64(f, "spill_entries", st->spill_entries, false);
	fputs("},\"flows\":{", f);
	json_u64(f, "exported", st->records, true);
	json_u64(f, "finished", state_finished(st), true);
	for (int r = 1; r < STATE_N_REASONS; r++)
		json_u64(f, prom_reason_name(r), st->by_reason[r], true);
	json_u64(f, "json_records", st->json_records, false);
	fputs("},\"datapath\":{", f);
	for (size_t i = 0; i < STATS_NFIELDS; i++)
		json_u64(f, stats_names[i], v[i], i + 1 < STATS_NFIELDS);
	fputs("},", f);
	json_interfaces(st, f);
	json_targets(st, f);
	fputs("}\n", f);
}
