/* kernel.c - what the running kernel refuses tflow, and why, in words for the log. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "kernel.h"

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
			snprintf(buf, len,
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
