/* SPDX-License-Identifier: GPL-2.0-only */
/* main.c - the tflow command: commands, options, and the configuration they make. */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config/config.h"
#include "util/log.h"
#include "metrics.h"
#include "run.h"
#include "status.h"
#include "tflow.h"
#include "top/top.h"

#define EXIT_CONFIG 2

static const char usage[] =
	"usage: tflow run [--config FILE] [options]\n"
	"       tflow top [--by flow|src|dst|proto|conv] [--json] [options]  (tflow top --help)\n"
	"       tflow status [--json] [--pin-dir DIR]\n"
	"       tflow version\n"
	"\n"
	"Options (each sets the /ip traffic-flow property of the same name):\n"
	"  --interfaces LIST|all         interfaces to watch: names, /interface list names,\n"
	"                                patterns such as ppp* (default all)\n"
	"  --direction both|ingress|egress  hooks per interface: XDP, tc egress (both)\n"
	"  --cache-entries N             flow cache size: 1k..256k, powers of two to 4M (4k)\n"
	"  --active-flow-timeout TIME    export long flows this often (30m)\n"
	"  --inactive-flow-timeout TIME  export a flow idle this long (15s)\n"
	"  --packet-sampling yes|no      sample packets (no)\n"
	"  --sampling-interval N         packets taken in a row when sampling\n"
	"  --sampling-space N            packets skipped in a row when sampling\n"
	"  --scan-interval TIME          how often the cache is scanned (1s)\n"
	"  --enabled yes|no              run at all (a config file may say no)\n"
	"  --ipfix FIELD=yes|no[,...]    v9/IPFIX fields, as /ip traffic-flow ipfix (all yes)\n"
	"  --target HOST[:PORT][,version=1|5|9|IPFIX][,src-address=A][,mtu=N][,source-id=N]\n"
	"                                a collector (default port 2055, version 9); repeat\n"
	"  -c, --config FILE             RouterOS-syntax configuration file\n"
	"  --pin-dir DIR                 where maps are pinned, on a bpffs (/sys/fs/bpf/tflow)\n"
	"  --user USER                   run as USER once attached (CAP_BPF, CAP_NET_ADMIN kept)\n"
	"  --metrics ADDR:PORT           serve Prometheus metrics at http://ADDR:PORT/metrics\n"
	"  --metrics-textfile PATH       write them to PATH each scan (node_exporter textfile)\n"
	"  -v, --verbose                 more messages (twice: libbpf's too)\n"
	"  -q, --quiet                   errors and warnings only\n"
	"\n"
	"With no target, finished flows are printed on stdout as JSON lines.\n"
	"SIGTERM/SIGINT: export every flow, detach, exit. SIGUSR1: exit for a restart, leaving\n"
	"the programs attached and the cache pinned for the next run. SIGHUP: reload the\n"
	"configuration (templates are sent again to every target).\n";

/* clang-format lays out 9 names in columns but 10 one a line: keep the columns */
/* clang-format off */
static const char *const properties[] = {
	"interfaces",	   "cache-entries",	"active-flow-timeout", "inactive-flow-timeout",
	"packet-sampling", "sampling-interval", "sampling-space",      "scan-interval",
	"enabled",	   "direction",		"ipfix",
};
/* clang-format on */
#define N_PROPS (int)(sizeof(properties) / sizeof(properties[0]))
#define OPT_TARGET 1000
#define OPT_PIN_DIR 1001
#define OPT_USER 1002
#define OPT_METRICS 1010
#define OPT_METRICS_TEXTFILE 1011

/* What the command line said, kept so SIGHUP can build the configuration again. */
struct options {
	const char *config_path;
	struct {
		int prop; /* index in properties[], or OPT_TARGET */
		const char *val;
	} * sets;
	int nsets;
};

/* Defaults, then the file, then the command line on top of it, whatever their order. */
static int options_cfg(const struct options *o, struct cfg *c, char *err, size_t errlen)
{
	int ret;

	config_defaults(c);
	if (o->config_path && config_parse_file(c, o->config_path, err, errlen))
		return -EINVAL;
	for (int i = 0; i < o->nsets; i++) {
		if (o->sets[i].prop == OPT_TARGET)
			ret = config_add_target_spec(c, o->sets[i].val, err, errlen);
		else
			ret = config_set(c, properties[o->sets[i].prop], o->sets[i].val, err,
					 errlen);
		if (ret)
			return ret;
	}
	return config_validate(c, err, errlen);
}

static int reload_cfg(struct cfg *c, void *arg)
{
	char err[CFG_ERR_LEN];

	if (!options_cfg(arg, c, err, sizeof(err)))
		return 0;
	pr_err("%s", err);
	return -EINVAL;
}

int main(int argc, char **argv)
{
	struct option opts[N_PROPS + 10];
	struct run_opts ro = { .pin_dir = TFLOW_PIN_DIR };
	char err[CFG_ERR_LEN];
	struct options o = { 0 };
	struct cfg *c;
	int opt, idx, ret;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_CONFIG : 0;
	}
	if (!strcmp(argv[1], "version")) {
		printf("tflow 0.1\n");
		return 0;
	}
	if (!strcmp(argv[1], "top"))
		return top_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "status"))
		return status_main(argc, argv);
	if (strcmp(argv[1], "run")) {
		fprintf(stderr,
			"tflow: unknown command '%s' (commands: run, top, status, version, help)\n",
			argv[1]);
		return EXIT_CONFIG;
	}
	for (idx = 0; idx < N_PROPS; idx++)
		opts[idx] = (struct option){ properties[idx], required_argument, NULL, idx };
	opts[idx++] = (struct option){ "target", required_argument, NULL, OPT_TARGET };
	opts[idx++] = (struct option){ "pin-dir", required_argument, NULL, OPT_PIN_DIR };
	opts[idx++] = (struct option){ "user", required_argument, NULL, OPT_USER };
	opts[idx++] = (struct option){ "metrics", required_argument, NULL, OPT_METRICS };
	opts[idx++] = (struct option){ "metrics-textfile", required_argument, NULL,
				       OPT_METRICS_TEXTFILE };
	opts[idx++] = (struct option){ "config", required_argument, NULL, 'c' };
	opts[idx++] = (struct option){ "verbose", no_argument, NULL, 'v' };
	opts[idx++] = (struct option){ "quiet", no_argument, NULL, 'q' };
	opts[idx++] = (struct option){ "help", no_argument, NULL, 'h' };
	opts[idx] = (struct option){ 0 };

	c = calloc(1, sizeof(*c));
	o.sets = calloc(argc, sizeof(*o.sets));
	if (!c || !o.sets)
		return 1;
	optind = 2;
	while ((opt = getopt_long(argc, argv, "c:vqh", opts, NULL)) != -1) {
		if (opt == 'c') {
			o.config_path = optarg;
		} else if (opt == OPT_PIN_DIR) {
			ro.pin_dir = optarg;
		} else if (opt == OPT_USER) {
			ro.user = optarg;
		} else if (opt == OPT_METRICS) {
			ro.metrics_addr = optarg;
		} else if (opt == OPT_METRICS_TEXTFILE) {
			ro.metrics_textfile = optarg;
		} else if (opt == 'v') {
			log_level = log_level < LOG_LVL_DEBUG ? log_level + 1 : log_level;
		} else if (opt == 'q') {
			log_level = LOG_LVL_WARN;
		} else if (opt == 'h') {
			fputs(usage, stdout);
			return 0;
		} else if ((opt >= 0 && opt < N_PROPS) || opt == OPT_TARGET) {
			o.sets[o.nsets].prop = opt;
			o.sets[o.nsets++].val = optarg;
		} else {
			fputs(usage, stderr);
			return EXIT_CONFIG;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tflow: unexpected argument '%s'\n", argv[optind]);
		return EXIT_CONFIG;
	}
	if (options_cfg(&o, c, err, sizeof(err))) {
		fprintf(stderr, "tflow: %s\n", err);
		return EXIT_CONFIG;
	}
	if (ro.metrics_addr && metrics_check_addr(ro.metrics_addr, err, sizeof(err))) {
		fprintf(stderr, "tflow: %s\n", err);
		return EXIT_CONFIG;
	}
	/* Checked now, not after attaching: a bad command line must leave nothing behind. */
	if (ro.user && !getpwnam(ro.user)) {
		fprintf(stderr, "tflow: --user %s: no such user\n", ro.user);
		return EXIT_CONFIG;
	}
	ro.reload = reload_cfg;
	ro.reload_arg = &o;
	ret = run(c, &ro);
	free(o.sets);
	free(c);
	return ret;
}
