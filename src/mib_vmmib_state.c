/* mib_vmmib_state.c - see mib_vmmib_state.h. The choices made where libvirt and the
 * VM-MIB do not line up one to one are listed in
 * doc/vm-mib-notifications.md. */
#include "config.h"

#include <string.h>

#include "libvirt_events.h"
#include "model.h"
#include "libvirt_state.h"
#include "mib_vmmib_state.h"

/* libvirt's numbers (virDomainState and reasons), spelled out here so that
 * this file needs no libvirt header; tests/unit/check_mib_vmmib_state.c checks
 * them against libvirt's. */
enum { RUNNING_POSTCOPY = 10 };
enum { PAUSED_MIGRATION = 2, PAUSED_SAVE = 3, PAUSED_SHUTTING_DOWN = 8,
	PAUSED_CRASHED = 10, PAUSED_STARTING_UP = 11, PAUSED_POSTCOPY = 12 };
enum { SHUTOFF_CRASHED = 3, SHUTOFF_SAVED = 5 };
enum { EV_SUSPENDED_MIGRATED = 1, EV_SUSPENDED_POSTCOPY = 7 };
enum { EV_RESUMED_POSTCOPY = 3 };
enum { EV_STOPPED_CRASHED = 2, EV_STOPPED_SAVED = 4 };

int vax_vm_oper_state(int state, int reason)
{
	switch (state) {
	case VAX_STATE_RUNNING:
		return reason == RUNNING_POSTCOPY ? VAX_VM_OPER_MIGRATING : VAX_VM_OPER_RUNNING;
	case VAX_STATE_BLOCKED:   /* waiting on a resource, still scheduled */
		return VAX_VM_OPER_RUNNING;
	case VAX_STATE_PAUSED:
		switch (reason) {
		case PAUSED_MIGRATION:
		case PAUSED_POSTCOPY:
			return VAX_VM_OPER_MIGRATING;
		case PAUSED_SAVE:   /* memory being written to a state file */
			return VAX_VM_OPER_SUSPENDING;
		case PAUSED_SHUTTING_DOWN:
			return VAX_VM_OPER_SHUTTINGDOWN;
		case PAUSED_CRASHED:
			return VAX_VM_OPER_CRASHED;
		case PAUSED_STARTING_UP:
			return VAX_VM_OPER_PREPARING;
		default:
			return VAX_VM_OPER_PAUSED;
		}
	case VAX_STATE_SHUTDOWN:   /* libvirt: "being shut down" */
		return VAX_VM_OPER_SHUTTINGDOWN;
	case VAX_STATE_SHUTOFF:
		if (reason == SHUTOFF_SAVED)   /* managed save: resumes at next start */
			return VAX_VM_OPER_SUSPENDED;
		return reason == SHUTOFF_CRASHED ? VAX_VM_OPER_CRASHED : VAX_VM_OPER_SHUTDOWN;
	case VAX_STATE_CRASHED:
		return VAX_VM_OPER_CRASHED;
	case VAX_STATE_PMSUSPENDED:   /* the guest suspended itself (S3/S4) */
		return VAX_VM_OPER_SUSPENDED;
	case VAX_STATE_NOSTATE:
		return VAX_VM_OPER_UNKNOWN;
	default:   /* not known (< 0), or a state newer than this code */
		return state < 0 ? VAX_VM_OPER_UNKNOWN : VAX_VM_OPER_OTHER;
	}
}

int vax_vm_admin_state(int oper)
{
	switch (oper) {
	case VAX_VM_OPER_PREPARING:
	case VAX_VM_OPER_RUNNING:
	case VAX_VM_OPER_RESUMING:
	case VAX_VM_OPER_MIGRATING:   /* meant to go on running, here or there */
		return VAX_VM_ADMIN_RUNNING;
	case VAX_VM_OPER_SUSPENDING:
	case VAX_VM_OPER_SUSPENDED:
		return VAX_VM_ADMIN_SUSPENDED;
	case VAX_VM_OPER_PAUSED:
		return VAX_VM_ADMIN_PAUSED;
	case VAX_VM_OPER_SHUTTINGDOWN:
	case VAX_VM_OPER_SHUTDOWN:
	case VAX_VM_OPER_CRASHED:
		return VAX_VM_ADMIN_SHUTDOWN;
	default:   /* unknown, other */
		return 0;
	}
}

int vax_vm_persistent(int persistent)
{
	if (persistent < 0)
		return VAX_VM_PERSISTENT_UNKNOWN;
	return persistent ? VAX_VM_PERSISTENT_YES : VAX_VM_PERSISTENT_NO;
}

int vax_vm_event_oper_state(int event, int detail)
{
	switch (event) {
	case VAX_EV_STARTED:
		return VAX_VM_OPER_RUNNING;
	case VAX_EV_SUSPENDED:
		return detail == EV_SUSPENDED_MIGRATED || detail == EV_SUSPENDED_POSTCOPY
			? VAX_VM_OPER_MIGRATING : VAX_VM_OPER_PAUSED;
	case VAX_EV_RESUMED:
		return detail == EV_RESUMED_POSTCOPY ? VAX_VM_OPER_MIGRATING : VAX_VM_OPER_RUNNING;
	case VAX_EV_STOPPED:
		if (detail == EV_STOPPED_SAVED)
			return VAX_VM_OPER_SUSPENDED;
		return detail == EV_STOPPED_CRASHED ? VAX_VM_OPER_CRASHED : VAX_VM_OPER_SHUTDOWN;
	case VAX_EV_SHUTDOWN:   /* the guest is down, the process not yet gone */
		return VAX_VM_OPER_SHUTTINGDOWN;
	case VAX_EV_PMSUSPENDED:
		return VAX_VM_OPER_SUSPENDED;
	case VAX_EV_CRASHED:
		return VAX_VM_OPER_CRASHED;
	default:   /* defined, undefined, unknown kinds: no change of state */
		return 0;
	}
}

int vax_vm_notification(int oper)
{
	switch (oper) {
	case VAX_VM_OPER_RUNNING: return 1;
	case VAX_VM_OPER_SHUTTINGDOWN: return 2;
	case VAX_VM_OPER_SHUTDOWN: return 3;
	case VAX_VM_OPER_PAUSED: return 4;
	case VAX_VM_OPER_SUSPENDING: return 5;
	case VAX_VM_OPER_SUSPENDED: return 6;
	case VAX_VM_OPER_RESUMING: return 7;
	case VAX_VM_OPER_MIGRATING: return 8;
	case VAX_VM_OPER_CRASHED: return 9;
	default: return 0;
	}
}

const char *vax_vm_oper_name(int oper)
{
	static const char *const names[] = { "?", "unknown", "other", "preparing",
		"running", "suspending", "suspended", "resuming", "paused", "migrating",
		"shuttingdown", "shutdown", "crashed" };

	return oper >= 1 && oper <= 12 ? names[oper] : "?";
}
