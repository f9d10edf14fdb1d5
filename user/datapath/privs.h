/* SPDX-License-Identifier: GPL-2.0-only */
/* privs.h - after attaching, keep only the privileges tflow still needs. */
#ifndef TFLOW_PRIVS_H
#define TFLOW_PRIVS_H

/*
 * Drop every capability but CAP_BPF and CAP_NET_ADMIN (from the bounding set too) and set
 * no_new_privs. With user, first hand the pin directory to that user and become it, keeping
 * those two capabilities. Returns 0 or -errno (logged).
 */
int privs_drop(const char *user, const char *pin_dir);

#endif
