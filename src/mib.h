/* mib.h - what a MIB view hands to the AgentX glue: SNMP-typed values,
 * described without net-snmp so views stay testable on their own. */
#ifndef VAX_MIB_H
#define VAX_MIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

enum vax_type { VAX_T_INTEGER, VAX_T_GAUGE32, VAX_T_COUNTER64, VAX_T_OCTETS };

struct vax_value {
	enum vax_type type;
	int64_t i;          /* INTEGER */
	uint64_t u;         /* Gauge32, Counter64 */
	const void *s;      /* OCTET STRING: points into the snapshot */
	size_t len;
};

enum vax_lookup { VAX_FOUND, VAX_NO_OBJECT, VAX_NO_INSTANCE };

/* The state a view reads: one snapshot and the clock. */
struct vax_view {
	const struct vax_snapshot *snap;
	int64_t now_ms;
};

#define VAX_MAX_OID 128

/* Lexicographic OID order, as SNMP defines it. */
int vax_oid_cmp(const uint32_t *a, size_t alen, const uint32_t *b, size_t blen);

#endif
