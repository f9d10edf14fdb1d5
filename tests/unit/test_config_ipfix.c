/* SPDX-License-Identifier: GPL-2.0-only */
/* test_config_ipfix.c - /ip traffic-flow ipfix field selection: files, --ipfix, print. */
#include "config_helpers.h"

/* ---- /ip traffic-flow ipfix: the field selection ---- */

#define ALL_BUT(bits) (TF_ALL & ~(__u64)(bits))

static void test_ipfix_names(void)
{
	for (int f = 0; f < TF_N_FIELDS; f++) {
		T_CHECK(fields_name(f) != NULL, "field %d has no name", f);
		T_EQ_INT(fields_find(fields_name(f)), f);
		for (int g = 0; g < f; g++)
			T_CHECK(strcmp(fields_name(f), fields_name(g)), "%s twice", fields_name(f));
	}
	T_CHECK(fields_name(TF_N_FIELDS) == NULL);
	T_CHECK(!strcmp(fields_name(TF_IP_TOTAL_LENGTH), "ip-total-length"));
	T_EQ_INT(fields_find("ip-total-lenght"), TF_IP_TOTAL_LENGTH); /* the manual's spelling */
	T_EQ_INT(fields_find("nat-events"), TF_NAT_EVENTS);
	T_EQ_INT(fields_find("Bytes"), -EINVAL);
	T_EQ_INT(fields_find(""), -EINVAL);
}

static void test_ipfix_file(void)
{
	char err[CFG_ERR_LEN] = "";
	struct cfg c;

	T_EQ_INT(parse_text(&c,
			    "/ip traffic-flow ipfix set tcp-seq-num=no nat-src-address=no "
			    "ip-total-lenght=no\n"
			    "/ip traffic-flow ipfix set nat-src-address=yes\n",
			    err, sizeof(err)),
		 0);
	T_CHECK(!err[0], "%s", err);
	T_EQ_INT(c.ipfix_fields, ALL_BUT(TF_BIT(TF_TCP_SEQ_NUM) | TF_BIT(TF_IP_TOTAL_LENGTH)));

	/* RouterOS export style: the menu on its own line, then `set`; and the slash form */
	T_EQ_INT(parse_text(&c,
			    "/ip traffic-flow ipfix\n"
			    "set bytes=no packets=NO\n"
			    "/ip/traffic-flow/ipfix/set udp-length=no\n"
			    "/ip traffic-flow set cache-entries=8k\n",
			    err, sizeof(err)),
		 0);
	T_CHECK(!err[0], "%s", err);
	T_EQ_INT(c.ipfix_fields,
		 ALL_BUT(TF_BIT(TF_BYTES) | TF_BIT(TF_PACKETS) | TF_BIT(TF_UDP_LENGTH)));
	T_EQ_INT(c.cache_entries, 8192);

	/* every field off, then two on */
	T_EQ_INT(parse_text(
			 &c,
			 "/ip traffic-flow ipfix set bytes=no packets=no src-address=no "
			 "dst-address=no src-port=no dst-port=no protocol=no tos=no ttl=no "
			 "tcp-flags=no tcp-seq-num=no tcp-ack-num=no tcp-window-size=no "
			 "icmp-type=no icmp-code=no igmp-type=no in-interface=no out-interface=no "
			 "src-mac-address=no dst-mac-address=no src-address-mask=no "
			 "dst-address-mask=no ip-header-length=no ip-total-length=no "
			 "ipv6-flow-label=no is-multicast=no first-forwarded=no last-forwarded=no "
			 "sys-init-time=no gateway=no nat-src-address=no nat-dst-address=no "
			 "nat-src-port=no nat-dst-port=no nat-events=no udp-length=no\n"
			 "/ip traffic-flow ipfix set bytes=yes nat-events=yes\n",
			 err, sizeof(err)),
		 0);
	T_EQ_INT(c.ipfix_fields, TF_BIT(TF_BYTES) | TF_BIT(TF_NAT_EVENTS));
}

static void test_ipfix_errors(void)
{
	char err[CFG_ERR_LEN];
	struct cfg c;

	/* the whole list, not cut short by the message buffer */
	expect_file_err(
		"/ip traffic-flow ipfix set tcp-seq=yes\n", 1,
		"unknown property 'tcp-seq' for /ip traffic-flow ipfix set (accepted: bytes, "
		"packets, src-address,",
		"nat-events, udp-length)");
	expect_file_err("/ip traffic-flow ipfix set tcp-seq-num=maybe\n", 1,
			"tcp-seq-num: 'maybe' is not accepted (yes or no)", NULL);
	expect_file_err("/ip traffic-flow ipfix set ttl=no ttl=yes\n", 1,
			"ttl: given twice on one line", NULL);
	expect_file_err("/ip traffic-flow ipfix set ip-total-length=no ip-total-lenght=no\n", 1,
			"ip-total-length: given twice on one line", NULL);
	expect_file_err("\n/ip traffic-flow ipfix set bytes\n", 2,
			"'bytes' after /ip traffic-flow ipfix set: expected PROP=VALUE", NULL);
	expect_file_err("/ip traffic-flow ipfix add bytes=yes\n", 1,
			"unknown menu or command '/ip traffic-flow ipfix add'",
			"/ip traffic-flow ipfix set FIELD=yes|no");
	expect_file_err("/ip traffic-flow set tcp-seq-num=yes\n", 1,
			"unknown property 'tcp-seq-num' for /ip traffic-flow set", NULL);
	/* a line with an error changes nothing, the lines before it stay */
	T_EQ_INT(parse_text(&c,
			    "/ip traffic-flow ipfix set ttl=no\n"
			    "/ip traffic-flow ipfix set tos=no gateway=perhaps\n",
			    err, sizeof(err)),
		 -EINVAL);
	T_EQ_INT(c.ipfix_fields, ALL_BUT(TF_BIT(TF_TTL)));
}

static void test_ipfix_option(void)
{
	char err[CFG_ERR_LEN];
	struct cfg c;

	config_defaults(&c);
	T_EQ_INT(config_set(&c, "ipfix", "tcp-seq-num=no,nat-events=no", err, sizeof(err)), 0);
	T_EQ_INT(config_set(&c, "--ipfix", "gateway=no,nat-events=yes", err, sizeof(err)), 0);
	T_EQ_INT(c.ipfix_fields, ALL_BUT(TF_BIT(TF_TCP_SEQ_NUM) | TF_BIT(TF_GATEWAY)));

	T_EQ_INT(config_set(&c, "ipfix", "bytes=no,byte=no", err, sizeof(err)), -EINVAL);
	T_CHECK(!strncmp(err, "unknown property 'byte' for --ipfix (accepted: bytes, packets, ",
			 strlen("unknown property 'byte' for --ipfix (accepted: bytes, packets, ")),
		"%s", err);
	T_EQ_INT(config_set(&c, "ipfix", "bytes=off", err, sizeof(err)), -EINVAL);
	T_CHECK(!strcmp(err, "bytes: 'off' is not accepted (yes or no)"), "%s", err);
	T_EQ_INT(config_set(&c, "ipfix", "bytes=no,,ttl=no", err, sizeof(err)), -EINVAL);
	T_CHECK(!strcmp(err, "--ipfix 'bytes=no,,ttl=no': empty item (accepted: "
			     "FIELD=yes|no,FIELD=yes|no,...)"),
		"%s", err);
	T_EQ_INT(config_set(&c, "ipfix", "", err, sizeof(err)), -EINVAL);
	T_EQ_INT(config_set(&c, "ipfix", "bytes=no,", err, sizeof(err)), -EINVAL);
	T_EQ_INT(config_set(&c, "ipfix", "ttl", err, sizeof(err)), -EINVAL);
	T_CHECK(!strcmp(err, "'ttl' after --ipfix: expected FIELD=yes|no"), "%s", err);
	T_EQ_INT(config_set(&c, "ipfix", "ttl=no,ttl=no", err, sizeof(err)), -EINVAL);
	T_CHECK(strstr(err, "ttl: given twice"), "%s", err);
	/* nothing of a refused option applied */
	T_EQ_INT(c.ipfix_fields, ALL_BUT(TF_BIT(TF_TCP_SEQ_NUM) | TF_BIT(TF_GATEWAY)));
}

static void test_ipfix_print(void)
{
	char buf[8192], err[CFG_ERR_LEN] = "";
	struct cfg c;
	FILE *f;
	size_t n;

	T_EQ_INT(parse_text(&c,
			    "/ip traffic-flow target add dst-address=192.0.2.1 version=IPFIX\n"
			    "/ip traffic-flow ipfix set tcp-seq-num=no nat-events=no bytes=no\n",
			    err, sizeof(err)),
		 0);
	f = fmemopen(buf, sizeof(buf), "w");
	if (!T_CHECK(f, "fmemopen"))
		return;
	config_print(&c, f);
	n = (size_t)ftell(f);
	fclose(f);
	buf[n < sizeof(buf) ? n : sizeof(buf) - 1] = '\0';
	/* after the targets, every field, in the manual's order */
	T_CHECK(strstr(buf,
		       " source-id=0\n/ip traffic-flow ipfix set bytes=no packets=yes "
		       "src-address=yes dst-address=yes src-port=yes dst-port=yes protocol=yes "
		       "tos=yes ttl=yes tcp-flags=yes tcp-seq-num=no tcp-ack-num=yes "
		       "tcp-window-size=yes icmp-type=yes icmp-code=yes igmp-type=yes "
		       "in-interface=yes out-interface=yes src-mac-address=yes "
		       "dst-mac-address=yes src-address-mask=yes dst-address-mask=yes "
		       "ip-header-length=yes ip-total-length=yes ipv6-flow-label=yes "
		       "is-multicast=yes first-forwarded=yes last-forwarded=yes "
		       "sys-init-time=yes gateway=yes nat-src-address=yes nat-dst-address=yes "
		       "nat-src-port=yes nat-dst-port=yes nat-events=no udp-length=yes\n"),
		"%s", buf);
	T_CHECK(buf[n - 1] == '\n' && !strstr(strstr(buf, "ipfix set"), "\n/"), "%s", buf);
	roundtrip(&c, NULL);
	c.ipfix_fields = 0;
	roundtrip(&c, NULL);
	c.ipfix_fields = TF_BIT(TF_UDP_LENGTH) | TF_BIT(TF_BYTES);
	roundtrip(&c, NULL);
}

int main(void)
{
	T_RUN(test_ipfix_names);
	T_RUN(test_ipfix_file);
	T_RUN(test_ipfix_errors);
	T_RUN(test_ipfix_option);
	T_RUN(test_ipfix_print);
	T_EXIT();
}
