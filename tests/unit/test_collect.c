/* SPDX-License-Identifier: GPL-2.0-only */
/* test_collect.c - tflow_config.collect from the targets and the ipfix field selection. */
#include "t.h"
#include "config/collect.h"
#include "tflow.h"

#define EXT TFLOW_COLLECT_EXT
#define FIB TFLOW_COLLECT_FIB

static void with_targets(struct cfg *c, int v1, int v2)
{
	config_defaults(c);
	c->n_targets = 0;
	if (v1)
		c->targets[c->n_targets++].version = v1;
	if (v2)
		c->targets[c->n_targets++].version = v2;
}

static void test_defaults(void)
{
	struct cfg c;

	/* Every field by default, as RouterOS: a v9 or IPFIX target wants both. */
	with_targets(&c, 9, 0);
	T_EQ_INT(collect_bits(&c), EXT | FIB);
	with_targets(&c, CFG_VERSION_IPFIX, 0);
	T_EQ_INT(collect_bits(&c), EXT | FIB);
	/* v1/v5 records have no first-packet fields, but an output interface and a next hop. */
	with_targets(&c, 5, 0);
	T_EQ_INT(collect_bits(&c), FIB);
	with_targets(&c, 1, 5);
	T_EQ_INT(collect_bits(&c), FIB);
	with_targets(&c, 5, 9);
	T_EQ_INT(collect_bits(&c), EXT | FIB);
	/* No target: JSON lines show everything. */
	with_targets(&c, 0, 0);
	T_EQ_INT(collect_bits(&c), EXT | FIB);
}

static void test_selection(void)
{
	struct cfg c;

	with_targets(&c, CFG_VERSION_IPFIX, 0);
	c.ipfix_fields = TF_BIT(TF_BYTES) | TF_BIT(TF_PACKETS) | TF_BIT(TF_SRC_ADDRESS);
	T_EQ_INT(collect_bits(&c), 0);
	c.ipfix_fields |= TF_BIT(TF_TCP_SEQ_NUM);
	T_EQ_INT(collect_bits(&c), EXT);
	/* The FIB's fields alone need no header reads. */
	c.ipfix_fields = TF_BIT(TF_OUT_INTERFACE);
	T_EQ_INT(collect_bits(&c), FIB);
	c.ipfix_fields = TF_BIT(TF_GATEWAY) | TF_BIT(TF_UDP_LENGTH);
	T_EQ_INT(collect_bits(&c), EXT | FIB);
	/* Fields userspace finds elsewhere (NAT, masks) ask nothing of the datapath. */
	c.ipfix_fields = TF_NAT_MASK | TF_ROUTE_MASK | TF_BIT(TF_NAT_EVENTS);
	T_EQ_INT(collect_bits(&c), 0);
	with_targets(&c, 5, 0);
	c.ipfix_fields = TF_BIT(TF_TCP_SEQ_NUM);
	T_EQ_INT(collect_bits(&c), 0);
}

static void test_disabled_targets(void)
{
	struct cfg c;

	with_targets(&c, 5, 9);
	c.targets[1].disabled = true; /* the v9 one */
	T_EQ_INT(collect_bits(&c), FIB);
	c.targets[0].disabled = true;
	T_EQ_INT(collect_bits(&c), 0);
}

int main(void)
{
	T_RUN(test_defaults);
	T_RUN(test_selection);
	T_RUN(test_disabled_targets);
	T_EXIT();
}
