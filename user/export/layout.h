/* SPDX-License-Identifier: GPL-2.0-only */
/* layout.h - the v9/IPFIX data templates (struct ie_layout) built from a field selection. */
#ifndef TFLOW_LAYOUT_H
#define TFLOW_LAYOUT_H

#include <linux/types.h>
#include "export/ie.h"
#include "record/fields.h"

/* Build l for the selection sel (TF_BIT() of enum tflow_field) in format f. */
void fields_layout(struct ie_layout *l, __u64 sel, enum ie_format f);

#endif
