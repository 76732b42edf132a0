/* mib.h - what a MIB view hands to the AgentX glue: SNMP-typed values,
 * described without net-snmp so views stay testable on their own. Pure
 * data; the main thread fills and reads it. */
#ifndef VAX_MIB_H
#define VAX_MIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

enum vax_type { VAX_T_INTEGER, VAX_T_GAUGE32, VAX_T_COUNTER64, VAX_T_OCTETS,
	VAX_T_OID /* s: uint32_t sub-ids, len: how many */,
	VAX_T_TIMETICKS /* u: centiseconds, modulo 2^32 */ };

struct vax_value {
	enum vax_type type;
	int64_t i;          /* INTEGER */
	uint64_t u;         /* Gauge32, Counter64 */
	const void *s;      /* OCTET STRING: points into the snapshot */
	size_t len;
};

enum vax_lookup { VAX_FOUND, VAX_NO_OBJECT, VAX_NO_INSTANCE };

/* The state a view reads: one snapshot, the clock, and the settings in
 * force (a reload changes them before the next snapshot). */
struct vax_view {
	const struct vax_snapshot *snap;
	int64_t now_ms;
	unsigned cache_timeout;
};

#define VAX_MAX_OID 128

/* One variable of a notification. */
struct vax_varbind {
	uint32_t oid[32];
	size_t len;
	struct vax_value val;
};

/* snmpTrapOID.0 (SNMPv2-MIB), the first varbind of every notification. */
#define VAX_SNMP_TRAP_OID 1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0

/* Lexicographic OID order, as SNMP defines it. */
int vax_oid_cmp(const uint32_t *a, size_t alen, const uint32_t *b, size_t blen);

#endif
