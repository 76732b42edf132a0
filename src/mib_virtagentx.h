/* mib_virtagentx.h - VIRT-AGENTX-MIB served from a snapshot: objects and
 * notification varbinds. Pure; the main thread calls it with the snapshot
 * it serves. */
#ifndef VAX_MIB_VIRTAGENTX_H
#define VAX_MIB_VIRTAGENTX_H

#include "mib.h"

/* The MIB's root. The one place in the code that names the enterprise
 * number: 32473 is RFC 5612's documentation number, a placeholder (see the
 * README on moving it). Keep in sync with mibs/VIRT-AGENTX-MIB.txt; a test
 * checks that they agree. */
#define VAX_VIRT_ROOT 1, 3, 6, 1, 4, 1, 32473
extern const uint32_t vax_virt_root[];
extern const size_t vax_virt_root_len;

/* Both take the OID below the root (sub, len). */
enum vax_lookup vax_virt_get(const struct vax_view *view, const uint32_t *sub,
			     size_t len, struct vax_value *val);
/* The first served instance after sub: written to out (*outlen sub-ids,
 * at most VAX_MAX_OID). false past the end of the MIB. */
bool vax_virt_next(const struct vax_view *view, const uint32_t *sub, size_t len,
		   uint32_t *out, size_t *outlen, struct vax_value *val);

/* Notifications: snmpTrapOID.0 first, then the objects the MIB lists for
 * it, built by the code that answers GET for them, so a trap and a walk
 * agree. Return the number of varbinds written (at most max). */
#define VAX_TRAP_VARBINDS 6
size_t vax_virt_domain_trap(const struct vax_domain *d, int kind, int detail,
			    struct vax_varbind *out, size_t max);
size_t vax_virt_connection_trap(const struct vax_view *view, bool restored,
				struct vax_varbind *out, size_t max);
/* A pool's lifecycle (started, stopped) or space (low, ok) notification,
 * kind a vax_storage_event_kind (another: 0 varbinds); a network's. */
size_t vax_virt_pool_trap(const struct vax_pool *p, uint32_t index, int kind,
			  struct vax_varbind *out, size_t max);
size_t vax_virt_network_trap(const struct vax_network *n, uint32_t index, int kind,
			     struct vax_varbind *out, size_t max);

#endif
