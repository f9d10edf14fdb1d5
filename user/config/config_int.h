/* config_int.h - what config.c, config_target.c and config_parse.c share; not for other modules. */
#ifndef TFLOW_CONFIG_INT_H
#define TFLOW_CONFIG_INT_H

#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>
#include "config/config.h"
#include "config/value.h"
#include "util/util.h"

#define MAX_WORDS 64

struct word {
	char *key;
	char *val; /* NULL for a word without '=' (menu path or command) */
};

enum ptype { P_BOOL, P_INTBOOL, P_U32, P_TIME, P_ENTRIES, P_FN };

struct prop {
	const char *name;
	enum ptype type;
	size_t off; /* of the field in struct cfg or struct tbuild (config_target.c) */
	__u64 min, max;
	const char *acc; /* what is accepted, for messages */
	int (*fn)(const struct pctx *p, const struct prop *pr, void *obj, const char *val);
};

/* Set the properties named by w[0..n) in obj from tab; what names the command, for messages. */
int config_apply_props(const struct pctx *p, const struct prop *tab, int ntab, const char *what,
		       void *obj, const struct word *w, int n);

/* `/ip traffic-flow set` words (or one long option): all applied, or on error none. */
int config_set_words(struct cfg *c, const struct pctx *p, const char *what, const struct word *w,
		     int n);

/* `/ip traffic-flow target add` words: one more target in c, or on error none. */
int config_add_target_words(struct cfg *c, const struct pctx *p, const char *what,
			    const struct word *w, int n);

#define ACC_IFACES                                                                             \
	"all, or a comma-separated list of up to 64 interface names (1-15 characters without " \
	"'/', ':' or spaces), /interface list names and patterns such as ppp* or vlan1?"
#define ACC_DIR "both, ingress or egress"

/* config_iface.c: interfaces= and direction= (P_FN), the add commands of interface selection. */
int config_set_interfaces(const struct pctx *p, const struct prop *pr, void *obj, const char *val);
int config_set_direction(const struct pctx *p, const struct prop *pr, void *obj, const char *val);
int config_add_list_words(struct cfg *c, const struct pctx *p, const char *what,
			  const struct word *w, int n);
int config_add_member_words(struct cfg *c, const struct pctx *p, const char *what,
			    const struct word *w, int n);
int config_add_ifdir_words(struct cfg *c, const struct pctx *p, const char *what,
			   const struct word *w, int n);

/* n names stride bytes apart, joined by ',', quoted when one holds '"' or '\'. */
void config_fput_names(FILE *f, const char *names, size_t stride, int n);
/* The `/interface list` lines (before the set line that may use them), and the direction lines. */
void config_print_lists(const struct cfg *c, FILE *f);
void config_print_ifdirs(const struct cfg *c, FILE *f);

/* `/ip traffic-flow ipfix set` words: FIELD=yes|no each; all applied, or on error none. */
int config_ipfix_words(struct cfg *c, const struct pctx *p, const char *what, const struct word *w,
		       int n);

/* `--ipfix FIELD=yes|no,...`, the same as config_ipfix_words. */
int config_ipfix_spec(struct cfg *c, const struct pctx *p, const char *spec);

/* The `/ip traffic-flow ipfix set` line of c, every field. */
void config_print_ipfix(const struct cfg *c, FILE *f);

#endif
