/* SPDX-License-Identifier: GPL-2.0-only */
/* util.h - small helpers with no dependencies, for every folder of user/. */
#ifndef TFLOW_UTIL_H
#define TFLOW_UTIL_H

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
