/* SPDX-License-Identifier: GPL-2.0-only */
/* kernel.h - what the running kernel refuses tflow, and why, in words for the log. */
#ifndef TFLOW_KERNEL_H
#define TFLOW_KERNEL_H

#include <stddef.h>

/*
 * The kernel lockdown mode ("integrity", "confidentiality"), from securityfs; "none", or NULL when
 * securityfs is not mounted or the kernel has no lockdown LSM.
 */
const char *kernel_lockdown(char *buf, size_t len);

/*
 * Why a BPF load failed with -err, into buf: EPERM names the lockdown mode (or a security policy
 * and the capabilities it may be), EINVAL/ENOTSUP/E2BIG/ENOENT say the kernel lacks what `needs`
 * names ("Linux 5.14"). Returns buf.
 */
const char *kernel_refusal(int err, const char *needs, char *buf, size_t len);

/*
 * Probe once, at start, what of BPF the kernel offers tflow (program and map types, helpers) and
 * log it in one line with the lockdown mode. Needs the privileges of a load.
 */
void kernel_log_features(void);

#endif
