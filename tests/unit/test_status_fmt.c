/* SPDX-License-Identifier: GPL-2.0-only */
/* test_status_fmt.c - `tflow status` text and JSON, and the Prometheus text, from one snapshot. */
#include <stdlib.h>
#include <string.h>
#include "t.h"
#include "record/fields.h"
#include "cache/iter.h"
#include "status/prom.h"
#include "status/status_fmt.h"

#define NS_S 1000000000ULL

static struct state_snap *snap_make(void)
{
	struct state_snap *s = calloc(1, sizeof(*s));
	struct tflow_state *st = &s->st;

	st->magic = STATE_MAGIC;
	st->version = STATE_VERSION;
	st->pid = 4242;
	st->start_ms = 1700000000123ULL;
	st->updated_ms = 1700000059000ULL;
	s->now_ms = 1700000062500ULL; /* 62 s after start */
	s->running = true;
	st->cache_entries = 4096;
	st->active_timeout_ns = 30 * 60 * NS_S;
	st->inactive_timeout_ns = 15 * NS_S;
	st->scan_interval_ns = NS_S;
	st->scan_mode = SCAN_SYSCALL;
	st->packet_sampling = 1;
	st->sampling_interval = 2;
	st->sampling_space = 3;
	st->ipfix_fields = TF_ALL;
	st->n_cfg_ifs = 2;
	strcpy(st->cfg_ifs[0], "eth0");
	strcpy(st->cfg_ifs[1], "we\"ird\\");
	st->records = 17;
	st->by_reason[TFLOW_END_IDLE] = 5;
	st->by_reason[TFLOW_END_ACTIVE] = 9;
	st->by_reason[TFLOW_END_EOF] = 2;
	st->by_reason[TFLOW_END_RESOURCES] = 1;
	st->spill_entries = 3;
	st->scans = 61;
	st->n_ifs = 2;
	st->ifs[0] = (struct state_if){ .name = "eth0",
					.ifindex = 2,
					.attached = 1,
					.xdp = STATE_XDP_NATIVE,
					.tc_egress = 1,
					.up = 1,
					.packets = { 100, 7 },
					.bytes = { 150000, 700 } };
	st->ifs[1] = (struct state_if){ .name = "we\"ird\\",
					.ifindex = 31,
					.attached = 1,
					.xdp = STATE_XDP_GENERIC,
					.tc_egress = 1,
					.up = 0,
					.packets = { 1, 0 },
					.bytes = { 60, 0 } };
	st->n_targets = 2;
	st->targets[0] = (struct state_target){
		.addr = "192.0.2.10:2055", .version = 5, .datagrams = 2, .records = 11
	};
	st->targets[1] = (struct state_target){ .addr = "[2001:db8::1]:4739",
						.version = 10,
						.datagrams = 4,
						.records = 19,
						.templates_sent = 2,
						.send_errors = 1,
						.refused = 1,
						.last_template_ms = 1700000050000ULL };
	s->stats.seen = 120;
	s->stats.non_ip = 4;
	s->stats.err_ip_ihl = 1;
	s->stats.sampled = 115;
	s->stats.accounted = 115;
	s->stats.flows_created = 20;
	s->stats.lost = 2;
	s->cache_size = 4096;
	s->active_flows = 41;
	return s;
}

static char *render(const struct state_snap *s, int what)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (what == 0)
		status_print(s, "/sys/fs/bpf/tflow", f);
	else if (what == 1)
		status_json(s, "/sys/fs/bpf/tflow", f);
	else
		prom_render(s, f);
	fclose(f);
	return buf;
}

static int has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)); p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return 1;
	fprintf(stderr, "  missing line: [%s]\n", line);
	return 0;
}

static void test_status_text(void)
{
	struct state_snap *s = snap_make();
	char *t;

	setenv("TZ", "UTC", 1);
	t = render(s, 0);
	T_CHECK(has_line(t, "               status: running"), "status");
	T_CHECK(has_line(t, "                  pid: 4242"), "pid");
	T_CHECK(has_line(t, "              started: 2023-11-14 22:13:20 (up 1m2s)"), "started");
	T_CHECK(has_line(t, "           interfaces: eth0,we\"ird\\"), "interfaces");
	T_CHECK(has_line(t, "        cache-entries: 4k"), "cache-entries");
	T_CHECK(has_line(t, "  active-flow-timeout: 30m"), "active");
	T_CHECK(has_line(t, "inactive-flow-timeout: 15s"), "inactive");
	T_CHECK(has_line(t, "      packet-sampling: yes"), "sampling");
	T_CHECK(has_line(t, "         ipfix-fields: all (36)"), "fields");
	T_CHECK(has_line(t, "           cache-scan: syscall program"), "cache-scan");
	T_CHECK(has_line(t, "           cache-used: 41 of 4096 (1.0%)"), "cache-used");
	T_CHECK(has_line(t, "        spill-entries: 3"), "spill");
	T_CHECK(has_line(t, "        by-end-reason: idle=5 active=9 eof=2 forced=0 resources=1"),
		"reasons");
	T_CHECK(has_line(t, "       finished-flows: 8"), "finished: all reasons but active");
	T_CHECK(has_line(t, "           err_ip_ihl: 1"), "stats");
	T_CHECK(has_line(t, "                 lost: 2"), "stats");
	T_CHECK(has_line(t, "#  NAME     IFINDEX  XDP      TC      LINK  IN-PACKETS  IN-BYTES  "
			    "OUT-PACKETS  OUT-BYTES"),
		"interface header");
	T_CHECK(has_line(t, "0  eth0           2  native   egress  up           100    150000  "
			    "          7        700"),
		"interface row");
	T_CHECK(has_line(t, "1  we\"ird\\       31  generic  egress  down           1        60  "
			    "          0          0"),
		"interface row");
	T_CHECK(has_line(t, "0    192.0.2.10:2055     5                2       11          0  "
			    "          0        0             0  -"),
		"v5 target row: no templates");
	T_CHECK(has_line(t, "1    [2001:db8::1]:4739  IPFIX            4       19          2  "
			    "          1        1             0  12s ago"),
		"IPFIX target row");
	if (t_case_failed)
		fputs(t, stderr);
	free(t);
	free(s);
}

static void test_status_json(void)
{
	struct state_snap *s = snap_make();
	char *t = render(s, 1);

	T_CHECK(strstr(t, "{\"running\":true,\"pid\":4242,\"start_ms\":1700000000123,") == t, "%s",
		t);
	T_CHECK(strstr(t, "\"interfaces\":[\"eth0\",\"we\\\"ird\\\\\"],\"cache_entries\":4096,"),
		"settings: names escaped");
	T_CHECK(strstr(t, "\"scan_interval_ms\":1000,\"cache_scan\":\"syscall program\","), "%s",
		t);
	T_CHECK(strstr(t, "\"cache\":{\"active_flows\":41,\"size\":4096,\"used_percent\":1.0,"
			  "\"spill_entries\":3}"),
		"cache");
	T_CHECK(strstr(t, "\"flows\":{\"exported\":17,\"finished\":8,\"idle\":5,\"active\":9,"
			  "\"eof\":2,\"forced\":0,\"resources\":1,\"json_records\":0}"),
		"flows");
	T_CHECK(strstr(t, "{\"name\":\"eth0\",\"ifindex\":2,\"attached\":true,\"xdp\":\"native\","
			  "\"tc_egress\":true,\"up\":true,\"in_packets\":100,\"in_bytes\":150000,"
			  "\"out_packets\":7,\"out_bytes\":700}"),
		"interface");
	T_CHECK(strstr(t, "{\"address\":\"[2001:db8::1]:4739\",\"version\":\"IPFIX\","
			  "\"disabled\":false,\"datagrams\":4,\"records\":19,\"templates\":2,"
			  "\"send_errors\":1,\"refused\":1,\"skipped_ipv6\":0,"
			  "\"last_template_ms\":1700000050000}]}\n"),
		"target, and the object's end");
	free(t);
	free(s);
}

/* The text format's rules: HELP then TYPE once per family, before its samples, names match. */
static void test_prom_structure(void)
{
	struct state_snap *s = snap_make();
	char *t = render(s, 2), *save = NULL, family[128] = "", seen[8192] = " ";
	int samples = 0, families = 0;

	for (char *line = strtok_r(t, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[128], type[16], key[132];

		if (!strncmp(line, "# HELP ", 7)) {
			T_CHECK(sscanf(line + 7, "%127s", name) == 1, "%s", line);
			snprintf(key, sizeof(key), " %s ", name);
			T_CHECK(!strstr(seen, key), "family %s twice", name);
			strncat(seen, key + 1, sizeof(seen) - strlen(seen) - 1);
			snprintf(family, sizeof(family), "%s", name);
			families++;
			continue;
		}
		if (!strncmp(line, "# TYPE ", 7)) {
			T_CHECK(sscanf(line + 7, "%127s %15s", name, type) == 2, "%s", line);
			T_CHECK(!strcmp(name, family), "TYPE %s after HELP %s", name, family);
			T_CHECK(!strcmp(type, "counter") || !strcmp(type, "gauge"), "%s", line);
			T_CHECK(strcmp(type, "counter") || strstr(name, "_total"), "%s", name);
			continue;
		}
		T_CHECK(line[0] != '#', "%s", line);
		T_CHECK(!strncmp(line, family, strlen(family)) &&
				(line[strlen(family)] == ' ' || line[strlen(family)] == '{'),
			"sample outside its family %s: %s", family, line);
		samples++;
	}
	/* start, 14 datapath, 6 cache and flows, 3 interface, 7 target families */
	T_EQ_INT(families, 1 + 14 + 6 + 3 + 7);
	/* start, 20 datapath, 3 cache, 5 reasons, json and scans, 2 x 5 interface, 2 x 7 target */
	T_EQ_INT(samples, 1 + 20 + 3 + 5 + 2 + 10 + 14);
	free(t);
	free(s);
}

static void test_prom_values(void)
{
	struct state_snap *s = snap_make();
	char *t = render(s, 2);

	T_CHECK(has_line(t, "tflow_start_time_seconds 1700000000.123"), "start");
	T_CHECK(has_line(t, "tflow_packets_seen_total 120"), "seen");
	T_CHECK(has_line(t, "tflow_packets_malformed_total{reason=\"ip_ihl\"} 1"), "malformed");
	T_CHECK(has_line(t, "tflow_packets_lost_total 2"), "lost");
	T_CHECK(has_line(t, "tflow_cache_entries 41"), "entries");
	T_CHECK(has_line(t, "tflow_cache_size 4096"), "size");
	T_CHECK(has_line(t, "tflow_spill_entries 3"), "spill");
	T_CHECK(has_line(t, "tflow_flows_exported_total{reason=\"resources\"} 1"), "reason");
	T_CHECK(has_line(t, "tflow_interface_info{interface=\"we\\\"ird\\\\\",ifindex=\"31\","
			    "xdp=\"generic\",tc=\"egress\"} 1"),
		"interface info, label escaped");
	T_CHECK(has_line(t, "tflow_interface_packets_total{interface=\"eth0\","
			    "direction=\"egress\"} 7"),
		"packets");
	T_CHECK(has_line(t, "tflow_interface_bytes_total{interface=\"eth0\","
			    "direction=\"ingress\"} 150000"),
		"bytes");
	T_CHECK(has_line(t, "tflow_target_datagrams_total{target=\"[2001:db8::1]:4739\","
			    "version=\"IPFIX\"} 4"),
		"datagrams");
	T_CHECK(has_line(t, "tflow_target_send_errors_total{target=\"192.0.2.10:2055\","
			    "version=\"5\"} 0"),
		"errors");
	T_CHECK(has_line(t, "tflow_target_last_template_timestamp_seconds{"
			    "target=\"[2001:db8::1]:4739\",version=\"IPFIX\"} 1700000050.000"),
		"last template");
	free(t);
	free(s);
}

int main(void)
{
	T_RUN(test_status_text);
	T_RUN(test_status_json);
	T_RUN(test_prom_structure);
	T_RUN(test_prom_values);
	T_EXIT();
}
