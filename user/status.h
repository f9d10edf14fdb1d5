/* SPDX-License-Identifier: GPL-2.0-only */
/* status.h - the `tflow status` command. */
#ifndef TFLOW_STATUS_H
#define TFLOW_STATUS_H

/* argv[1] is "status"; returns the exit status (0 running, 3 not running, 4 no permission). */
int status_main(int argc, char **argv);

#endif
