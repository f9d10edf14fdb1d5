/* SPDX-License-Identifier: GPL-2.0-only */
/* kernel.c - what the running kernel refuses tflow, and why, in words for the log. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "datapath/kernel.h"
#include "util/log.h"

#define LOCKDOWN_PATH "/sys/kernel/security/lockdown"

const char *kernel_lockdown(char *buf, size_t len)
{
	char line[128], *a, *b;
	FILE *f = fopen(LOCKDOWN_PATH, "re");

	if (!f)
		return NULL;
	a = fgets(line, sizeof(line), f);
	fclose(f);
	/* "none [integrity] confidentiality": the mode in force is in brackets. */
	if (!a || !(a = strchr(line, '[')) || !(b = strchr(a, ']')))
		return NULL;
	snprintf(buf, len, "%.*s", (int)(b - a - 1), a + 1);
	return buf;
}

const char *kernel_refusal(int err, const char *needs, char *buf, size_t len)
{
	char mode[32];
	const char *lockdown;

	if (err < 0)
		err = -err;
	switch (err) {
	case EPERM:
	case EACCES:
		lockdown = kernel_lockdown(mode, sizeof(mode));
		if (lockdown && strcmp(lockdown, "none"))
			snprintf(buf, len, "the kernel refused it: %s (lockdown=%s)", strerror(err),
				 lockdown);
		else
			snprintf(
				buf, len,
				"the kernel refused it: %s (a security policy such as lockdown or an "
				"LSM, or no CAP_BPF and CAP_PERFMON)",
				strerror(err));
		break;
	case EINVAL:
	case ENOTSUP:
	case E2BIG:
	case ENOENT:
	case ESRCH:
	case 524: /* the kernel's ENOTSUPP, which libbpf passes on */
		snprintf(buf, len, "this kernel does not have it (%s; it needs %s)", strerror(err),
			 needs);
		break;
	default:
		snprintf(buf, len, "%s", strerror(err));
	}
	return buf;
}

/* "yes", or "no" (a probe that failed says so with its error). */
static const char *yes_no(int probe, char *buf, size_t len)
{
	if (probe > 0)
		return "yes";
	if (!probe)
		return "no";
	snprintf(buf, len, "unknown (%s)", strerror(-probe));
	return buf;
}

void kernel_log_features(void)
{
	char mode[32], a[64], b[64], c[64], d[64];
	const char *lockdown = kernel_lockdown(mode, sizeof(mode));
	int tracing = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_TRACING, NULL);
	int syscall = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_SYSCALL, NULL);
	int foreach = syscall > 0 ? libbpf_probe_bpf_helper(BPF_PROG_TYPE_SYSCALL,
							    BPF_FUNC_for_each_map_elem, NULL)
				  : 0;
	int ringbuf = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL);

	pr_info("kernel: BPF syscall programs %s, bpf_for_each_map_elem in them %s, tracing programs "
		"(map iterators) %s%s, ring buffers %s; lockdown %s",
		yes_no(syscall, a, sizeof(a)), yes_no(foreach, b, sizeof(b)),
		yes_no(tracing, c, sizeof(c)),
		tracing == 0 && syscall > 0
			? " (refused while other types load: a security policy such as lockdown)"
			: "",
		yes_no(ringbuf, d, sizeof(d)),
		lockdown ? lockdown : "unknown (securityfs not mounted)");
}
