/* mib_vmmib_state.h - libvirt's view of a domain as the IETF VM-MIB (RFC 7666)
 * shows it: vmOperState, vmAdminState, vmPersistent (vmUUID:
 * vax_uuid_parse in uuid.h; vmName: mib_vmmib.c).
 *
 * Pure functions, no libvirt or net-snmp: the VM-MIB tables and the VM-MIB
 * notifications both call them, so a walk and a notification agree.
 * States and reasons are libvirt's numbers (virDomainState and the
 * vir<State>Reason enums); libvirt's headers are not needed. */
#ifndef VAX_MIB_VMMIB_STATE_H
#define VAX_MIB_VMMIB_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* VirtualMachineOperState (VM-MIB). */
enum vax_vm_oper {
	VAX_VM_OPER_UNKNOWN = 1, VAX_VM_OPER_OTHER, VAX_VM_OPER_PREPARING,
	VAX_VM_OPER_RUNNING, VAX_VM_OPER_SUSPENDING, VAX_VM_OPER_SUSPENDED,
	VAX_VM_OPER_RESUMING, VAX_VM_OPER_PAUSED, VAX_VM_OPER_MIGRATING,
	VAX_VM_OPER_SHUTTINGDOWN, VAX_VM_OPER_SHUTDOWN, VAX_VM_OPER_CRASHED
};

/* VirtualMachineAdminState (VM-MIB). */
enum vax_vm_admin {
	VAX_VM_ADMIN_RUNNING = 1, VAX_VM_ADMIN_SUSPENDED, VAX_VM_ADMIN_PAUSED,
	VAX_VM_ADMIN_SHUTDOWN
};

/* VirtualMachinePersistent (VM-MIB). */
enum vax_vm_persistent {
	VAX_VM_PERSISTENT_UNKNOWN = 1, VAX_VM_PERSISTENT_YES, VAX_VM_PERSISTENT_NO
};

/* vmOperState of a domain in libvirt state `state` for `reason`
 * (virDomainGetState). state < 0 (not known) or NOSTATE: unknown(1); a
 * state newer than this code: other(2). */
int vax_vm_oper_state(int state, int reason);

/* vmAdminState: what a domain in operational state `oper` is meant to be
 * (libvirt has no separate administrative state); 0 for unknown and
 * other, which the admin state has no value for (the cell is absent). */
int vax_vm_admin_state(int oper);

/* vmPersistent from libvirt's persistent flag: 1, 0, or < 0 unknown. */
int vax_vm_persistent(int persistent);

/* The vmOperState a libvirt lifecycle event (virDomainEventType and its
 * detail) leaves the domain in; 0 when the event is no change of
 * operational state (defined, undefined). */
int vax_vm_event_oper_state(int event, int detail);

/* The per-VM notification (vmNotifications.N) for a change to operational
 * state `oper`; 0 for states that have none (unknown, other, preparing).
 * The bulk notification is N + 10. */
#define VAX_VM_NOTIF_DELETED 10
#define VAX_VM_NOTIF_BULK_OFFSET 10
int vax_vm_notification(int oper);

/* "running", "shuttingdown", ... (the VM-MIB's enum labels). */
const char *vax_vm_oper_name(int oper);

#endif
