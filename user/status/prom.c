/* SPDX-License-Identifier: GPL-2.0-only */
/* prom.c - render a state snapshot as Prometheus metrics: tflow_ names, HELP and TYPE lines. */
#include <stdio.h>
#include <string.h>
#include "status/prom.h"
#include "datapath/stats.h"

/* How each tflow_stats field is exposed: metric name, and a reason label for the err_* ones. */
static const struct {
	const char *name;
	const char *reason;
} stat_metrics[STATS_NFIELDS] = {
	{ "tflow_packets_seen_total", NULL },
	{ "tflow_packets_non_ip_total", NULL },
	{ "tflow_packets_malformed_total", "eth" },
	{ "tflow_packets_malformed_total", "vlan_depth" },
	{ "tflow_packets_malformed_total", "ip_trunc" },
	{ "tflow_packets_malformed_total", "ip_version" },
	{ "tflow_packets_malformed_total", "ip_ihl" },
	{ "tflow_packets_malformed_total", "ip_len" },
	{ "tflow_packets_malformed_total", "ipv6_ext" },
	{ "tflow_packets_sampled_total", NULL },
	{ "tflow_packets_skipped_total", NULL },
	{ "tflow_packets_accounted_total", NULL },
	{ "tflow_flows_created_total", NULL },
	{ "tflow_cache_full_total", NULL },
	{ "tflow_packets_overflow_total", NULL },
	{ "tflow_packets_lost_total", NULL },
	{ "tflow_packets_l4_truncated_total", NULL },
	{ "tflow_packets_tcp_bad_offset_total", NULL },
	{ "tflow_packets_fragments_total", NULL },
	{ "tflow_ext_failed_total", NULL },
};

static const char *const stat_help[STATS_NFIELDS] = {
	"Packets the datapath programs ran on.",
	"Packets that were not IPv4 or IPv6 (passed, not counted in a flow).",
	"Packets with a header that could not be parsed, by reason (passed).",
	NULL,
	NULL,
	NULL,
	NULL,
	NULL,
	NULL,
	"IP packets taken by sampling.",
	"IP packets left out by sampling.",
	"IP packets counted into flows.",
	"Flows inserted into the cache by the datapath.",
	"Inserts refused because the flow cache was full.",
	"Packets handed to userspace on the overflow ring because the cache was full.",
	"Packets neither in the cache nor on the overflow ring.",
	"Packets accounted with ports 0 because the transport header was truncated.",
	"TCP packets accounted with ports 0 because the data offset was below 5.",
	"Non-first IP fragments, accounted with ports 0.",
	"New flows whose first-packet fields found their ring full (the flow is still counted).",
};

static const char *const reasons[STATE_N_REASONS] = { "?",   "idle",   "active",
						      "eof", "forced", "resources" };

const char *prom_reason_name(int reason)
{
	return reason > 0 && reason < STATE_N_REASONS ? reasons[reason] : "?";
}

const char *prom_version_name(__u32 version)
{
	static const char *const names[] = { "?", "1", "5", "9", "IPFIX" };

	return names[version == 1    ? 1
		     : version == 5  ? 2
		     : version == 9  ? 3
		     : version == 10 ? 4
				     : 0];
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value: backslash, double quote and newline escaped, as the format requires. */
static void label_value(FILE *f, const char *s, size_t max)
{
	for (size_t i = 0; i < max && s[i]; i++) {
		if (s[i] == '\\' || s[i] == '"')
			fputc('\\', f);
		if (s[i] == '\n')
			fputs("\\n", f);
		else
			fputc(s[i], f);
	}
}

static void stats_metrics(const struct state_snap *s, FILE *f)
{
	const __u64 *v = (const __u64 *)&s->stats;

	for (size_t i = 0; i < STATS_NFIELDS; i++) {
		if (stat_help[i])
			family(f, stat_metrics[i].name, "counter", stat_help[i]);
		if (stat_metrics[i].reason)
			fprintf(f, "%s{reason=\"%s\"} %llu\n", stat_metrics[i].name,
				stat_metrics[i].reason, (unsigned long long)v[i]);
		else
			fprintf(f, "%s %llu\n", stat_metrics[i].name, (unsigned long long)v[i]);
	}
}

static void interface_labels(FILE *f, const char *metric, const struct state_if *si)
{
	fprintf(f, "%s{interface=\"", metric);
	label_value(f, si->name, sizeof(si->name));
	fputc('"', f);
}

static void interface_metrics(const struct tflow_state *st, FILE *f)
{
	static const char *const dirs[2] = { "ingress", "egress" };
	static const char *const xdp[] = { "none", "native", "generic" };
	const struct state_if *si;

	family(f, "tflow_interface_info", "gauge",
	       "Interfaces with flows: 1 while attached; xdp mode and tc egress as attached.");
	for (si = st->ifs; si < st->ifs + st->n_ifs; si++) {
		interface_labels(f, "tflow_interface_info", si);
		fprintf(f, ",ifindex=\"%u\",xdp=\"%s\",tc=\"%s\"} %d\n", si->ifindex,
			xdp[si->xdp < 3 ? si->xdp : 0], si->tc_egress ? "egress" : "none",
			si->attached);
	}
	family(f, "tflow_interface_packets_total", "counter",
	       "Packets in exported flow records, by observation interface and direction.");
	for (si = st->ifs; si < st->ifs + st->n_ifs; si++)
		for (int d = 0; d < 2; d++) {
			interface_labels(f, "tflow_interface_packets_total", si);
			fprintf(f, ",direction=\"%s\"} %llu\n", dirs[d],
				(unsigned long long)si->packets[d]);
		}
	family(f, "tflow_interface_bytes_total", "counter",
	       "IP bytes in exported flow records, by observation interface and direction.");
	for (si = st->ifs; si < st->ifs + st->n_ifs; si++)
		for (int d = 0; d < 2; d++) {
			interface_labels(f, "tflow_interface_bytes_total", si);
			fprintf(f, ",direction=\"%s\"} %llu\n", dirs[d],
				(unsigned long long)si->bytes[d]);
		}
}

enum target_field { TF_DGRAMS, TF_RECORDS, TF_TEMPLATES, TF_ERRORS, TF_REFUSED, TF_SKIPPED };

static const struct {
	const char *name;
	const char *help;
} target_metrics[] = {
	[TF_DGRAMS] = { "tflow_target_datagrams_total", "Export datagrams sent to the target." },
	[TF_RECORDS] = { "tflow_target_records_total",
			 "Records sent to the target (v9/IPFIX: options records included)." },
	[TF_TEMPLATES] = { "tflow_target_template_datagrams_total",
			   "Datagrams to the target that carried templates." },
	[TF_ERRORS] = { "tflow_target_send_errors_total",
			"Datagrams that could not be sent to the target." },
	[TF_REFUSED] = { "tflow_target_refused_total",
			 "Datagrams the target answered with ICMP port unreachable." },
	[TF_SKIPPED] = { "tflow_target_skipped_ipv6_total",
			 "IPv6 flows a v1/v5 target cannot carry." },
};

static __u64 target_value(const struct state_target *t, enum target_field k)
{
	switch (k) {
	case TF_DGRAMS:
		return t->datagrams;
	case TF_RECORDS:
		return t->records;
	case TF_TEMPLATES:
		return t->templates_sent;
	case TF_ERRORS:
		return t->send_errors;
	case TF_REFUSED:
		return t->refused;
	case TF_SKIPPED:
		return t->skipped_ipv6;
	}
	return 0;
}

static void target_labels(FILE *f, const char *metric, const struct state_target *t)
{
	fprintf(f, "%s{target=\"", metric);
	label_value(f, t->addr, sizeof(t->addr));
	fprintf(f, "\",version=\"%s\"}", prom_version_name(t->version));
}

static void target_metric_families(const struct tflow_state *st, FILE *f)
{
	const struct state_target *t;

	for (size_t k = 0; k < sizeof(target_metrics) / sizeof(target_metrics[0]); k++) {
		family(f, target_metrics[k].name, "counter", target_metrics[k].help);
		for (t = st->targets; t < st->targets + st->n_targets; t++) {
			target_labels(f, target_metrics[k].name, t);
			fprintf(f, " %llu\n", (unsigned long long)target_value(t, k));
		}
	}
	family(f, "tflow_target_last_template_timestamp_seconds", "gauge",
	       "Unix time templates were last sent to the target; 0 if never.");
	for (t = st->targets; t < st->targets + st->n_targets; t++) {
		target_labels(f, "tflow_target_last_template_timestamp_seconds", t);
		fprintf(f, " %llu.%03llu\n", (unsigned long long)t->last_template_ms / 1000,
			(unsigned long long)t->last_template_ms % 1000);
	}
}

void prom_render(const struct state_snap *s, FILE *f)
{
	const struct tflow_state *st = &s->st;

	family(f, "tflow_start_time_seconds", "gauge", "Unix time this tflow run started.");
	fprintf(f, "tflow_start_time_seconds %llu.%03llu\n",
		(unsigned long long)st->start_ms / 1000, (unsigned long long)st->start_ms % 1000);
	stats_metrics(s, f);
	family(f, "tflow_cache_entries", "gauge",
	       "Flows in the datapath's flow cache at the last scan.");
	fprintf(f, "tflow_cache_entries %llu\n", (unsigned long long)s->active_flows);
	family(f, "tflow_cache_size", "gauge", "Size of the flow cache (cache-entries).");
	fprintf(f, "tflow_cache_size %u\n", s->cache_size);
	family(f, "tflow_spill_entries", "gauge",
	       "Flows in userspace's spill table (packets that found the cache full).");
	fprintf(f, "tflow_spill_entries %llu\n", (unsigned long long)st->spill_entries);
	family(f, "tflow_flows_exported_total", "counter",
	       "Flow records exported, by end reason (active: a delta of a flow that goes on).");
	for (int r = 1; r < STATE_N_REASONS; r++)
		fprintf(f, "tflow_flows_exported_total{reason=\"%s\"} %llu\n", reasons[r],
			(unsigned long long)st->by_reason[r]);
	family(f, "tflow_json_records_total", "counter",
	       "Records printed as JSON lines on stdout (no target configured).");
	fprintf(f, "tflow_json_records_total %llu\n", (unsigned long long)st->json_records);
	family(f, "tflow_scans_total", "counter", "Scans of the flow cache.");
	fprintf(f, "tflow_scans_total %llu\n", (unsigned long long)st->scans);
	interface_metrics(st, f);
	target_metric_families(st, f);
}
