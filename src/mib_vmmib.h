/* mib_vmmib.h - the IETF VM-MIB (RFC 7666) served from a snapshot, beside
 * VIRT-AGENTX-MIB: same rows, same indexes (vmIndex == virtDomainIndex).
 * Pure; the main thread calls it with the snapshot it serves. */
#ifndef VAX_MIB_VMMIB_H
#define VAX_MIB_VMMIB_H

#include "mib.h"
#include "mib_vmmib_notify.h"
#include "mib_vmmib_state.h"

/* vmMIB ::= { mib-2 236 }; its length counted by the compiler. */
#define VAX_VM_ROOT 1, 3, 6, 1, 2, 1, 236
#define VAX_VM_ROOT_LEN (sizeof((const uint32_t[]){ VAX_VM_ROOT }) / sizeof(uint32_t))
/* vmPerVMNotificationsEnabled, vmBulkNotificationsEnabled (scalars). */
#define VAX_VM_PER_VM_ENABLED_OID VAX_VM_ROOT, 1, 9
#define VAX_VM_BULK_ENABLED_OID VAX_VM_ROOT, 1, 10
extern const uint32_t vax_vm_root[];
extern const size_t vax_vm_root_len;

/* The subtrees below the root that this view answers for, each
 * registered on its own: vmHypervisor (.1.1), vmNumber (.1.2),
 * vmTableLastChange (.1.3) and the tables .1.4 to .1.8. Not .1.9
 * (vmPerVMNotificationsEnabled), .1.10 (vmBulkNotificationsEnabled) nor
 * .0 (notifications): whoever serves those registers them apart. */
#define VAX_VM_NSUBTREES 8
extern const uint32_t vax_vm_subtrees[VAX_VM_NSUBTREES][2];

/* As vax_virt_get / vax_virt_next, for OIDs below vax_vm_root. */
enum vax_lookup vax_vm_get(const struct vax_view *view, const uint32_t *sub,
			   size_t len, struct vax_value *val);
bool vax_vm_next(const struct vax_view *view, const uint32_t *sub, size_t len,
		 uint32_t *out, size_t *outlen, struct vax_value *val);

/* A per-VM notification the policy decided on (mib_vmmib_notify.h) for domain d
 * (as served, or made from the event: name and uuid_raw are read):
 * snmpTrapOID.0, vmName and vmUUID as vmTable serves them, then
 * vmOperState = t->prev_oper (the state before: RFC 7666) and, for
 * vmDeleted, vmPersistent = t->persistent, each .t->index. The values
 * point into d. Returns the count (0 if max < 5). */
size_t vax_vm_trap_varbinds(const struct vax_vm_trap *t, const struct vax_domain *d,
			    struct vax_varbind *out, size_t max);
/* snmpTrapOID.0 = vmBulk<notif>, vmAffectedVMs.0 = bits. */
size_t vax_vm_bulk_varbinds(int notif, const uint8_t *bits, size_t len,
			    struct vax_varbind *out, size_t max);

#endif
