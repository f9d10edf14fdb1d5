/* SPDX-License-Identifier: GPL-2.0-only */
/* privs.c - least privilege once attached: two capabilities, optionally another user. */
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include "util/log.h"
#include "datapath/privs.h"

/*
 * What is left to do after attaching needs only these two:
 * CAP_BPF: map reads and deletes through the fds we hold (kernels before 6.5 refuse every bpf()
 * command without it when unprivileged BPF is disabled, Debian's default);
 * CAP_NET_ADMIN: attaching on reload and detaching at exit (netlink XDP and tc).
 */
static int keep_caps[] = { CAP_BPF, CAP_NET_ADMIN };

static int last_cap(void)
{
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "r");
	int n = CAP_LAST_CAP;

	if (f) {
		if (fscanf(f, "%d", &n) != 1)
			n = CAP_LAST_CAP;
		fclose(f);
	}
	return n;
}

static int kept(int cap)
{
	for (size_t i = 0; i < sizeof(keep_caps) / sizeof(keep_caps[0]); i++)
		if (keep_caps[i] == cap)
			return 1;
	return 0;
}

/* The pins are files on bpffs: whoever runs tflow must be able to remove them at exit. */
static int chown_pins(const char *dir, uid_t uid, gid_t gid)
{
	char path[512];
	struct dirent *d;
	DIR *dh = opendir(dir);

	if (!dh || chown(dir, uid, gid))
		goto fail;
	while ((d = readdir(dh))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		if (chown(path, uid, gid))
			goto fail;
	}
	closedir(dh);
	return 0;
fail:
	pr_err("cannot hand %s to uid %u: %s", dir, uid, strerror(errno));
	if (dh)
		closedir(dh);
	return -errno;
}

static int become(const char *user, const char *pin_dir)
{
	struct passwd *pw = getpwnam(user);

	if (!pw) {
		pr_err("--user %s: no such user", user);
		return -ENOENT;
	}
	if (chown_pins(pin_dir, pw->pw_uid, pw->pw_gid))
		return -EPERM;
	/* Keep the permitted set across setuid; the effective set is restored below. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) || setgroups(0, NULL) || setgid(pw->pw_gid) ||
	    setuid(pw->pw_uid)) {
		pr_err("--user %s: cannot switch to uid %u: %s", user, pw->pw_uid, strerror(errno));
		return -errno;
	}
	return 0;
}

int privs_drop(const char *user, const char *pin_dir)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};
	int last = last_cap(), err;

	/* Before 5.8 there is no CAP_BPF: bpf() then wants CAP_SYS_ADMIN. */
	if (CAP_BPF > last)
		keep_caps[0] = CAP_SYS_ADMIN;

	/* Bounding set first: it takes CAP_SETPCAP, which goes with the rest below. */
	for (int cap = 0; cap <= last; cap++)
		if (!kept(cap) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && errno != EINVAL) {
			pr_err("cannot drop capability %d: %s", cap, strerror(errno));
			return -errno;
		}
	if (user) {
		err = become(user, pin_dir);
		if (err)
			return err;
	}
	for (size_t i = 0; i < sizeof(keep_caps) / sizeof(keep_caps[0]); i++) {
		data[keep_caps[i] / 32].effective |= 1u << (keep_caps[i] % 32);
		data[keep_caps[i] / 32].permitted |= 1u << (keep_caps[i] % 32);
	}
	if (syscall(SYS_capset, &hdr, data) || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		pr_err("cannot drop capabilities: %s", strerror(errno));
		return -errno;
	}
	pr_info("privileges dropped: CAP_BPF and CAP_NET_ADMIN kept%s%s",
		user ? ", running as " : "", user ? user : "");
	return 0;
}
