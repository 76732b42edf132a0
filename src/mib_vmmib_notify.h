/* mib_vmmib_notify.h - when to send VM-MIB (RFC 7666) notifications, as pure
 * state: which per-VM notification an event makes, with which previous
 * vmOperState; the bulk notifications' VM sets; a rate limiter. No
 * net-snmp, no libvirt, no clock of its own (time is an argument), so
 * unit tests drive it (tests/unit/check_mib_vmmib_notify.c). The varbinds are
 * mib_vmmib.c's, from the getters that answer GET; agentx_vmmib.c sends. */
#ifndef VAX_MIB_VMMIB_NOTIFY_H
#define VAX_MIB_VMMIB_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "mib_vmmib_state.h"

/* ---- each VM's last known vmOperState ---- */

struct vax_vm_seen;            /* per index: state, where it came from, when */

struct vax_vm_tracker {
	struct vax_vm_seen *seen;  /* by domain index */
	size_t n;
};

/* One per-VM notification to send: vmNotifications.notif for the row
 * index, with vmOperState = prev_oper (the RFC: "the other state is
 * indicated by the included value of vmOperState") and, for vmDeleted,
 * vmPersistent. */
struct vax_vm_trap {
	int notif;
	uint32_t index;
	int prev_oper;
	int persistent;   /* enum vax_vm_persistent */
};

void vax_vm_tracker_free(struct vax_vm_tracker *t);

/* A new snapshot: learn the state of domains no event told about (at
 * start, after lost events). A snapshot gathered before the event that
 * set a domain's state does not override it. */
void vax_vm_tracker_snapshot(struct vax_vm_tracker *t, const struct vax_snapshot *s);

/* A lifecycle event (enum vax_event_kind, libvirt's detail) for the row
 * index, received at at_ms; persistent is libvirt's flag as last known
 * (1, 0, -1 unknown). Fills out[] (at most 2: a transient domain that
 * stops is also deleted) and returns how many. No notification when the
 * event leaves the VM in the state it was already known to be in. */
size_t vax_vm_tracker_event(struct vax_vm_tracker *t, uint32_t index, int kind, int detail,
			    int persistent, int64_t at_ms, struct vax_vm_trap out[2]);

/* ---- bulk notifications: VMs gathered per notification over a window ---- */

#define VAX_VM_NNOTIF 10

struct vax_vm_bulk {
	unsigned window_ms;
	int64_t since_ms;                 /* first change in the window; -1: none */
	uint8_t *bits[VAX_VM_NNOTIF];     /* VirtualMachineList per notification */
	size_t len[VAX_VM_NNOTIF];
};

void vax_vm_bulk_init(struct vax_vm_bulk *b, unsigned window_ms);
void vax_vm_bulk_free(struct vax_vm_bulk *b);
/* Add the VM index to notification notif's (1..10) set. false if the
 * index cannot be represented (above 65535 * 8) or out of memory. */
bool vax_vm_bulk_add(struct vax_vm_bulk *b, int notif, uint32_t index, int64_t now_ms);
/* When the window closes (-1: nothing gathered). */
int64_t vax_vm_bulk_due(const struct vax_vm_bulk *b);
/* Hand over notif's set (malloc'ed VirtualMachineList, *len octets,
 * NULL if empty) and clear it; the window ends when all are taken. */
uint8_t *vax_vm_bulk_take(struct vax_vm_bulk *b, int notif, size_t *len);

/* ---- rate limit: a token bucket ---- */

struct vax_rate {
	unsigned rate;      /* per second; 0: no limit */
	unsigned burst;     /* bucket size */
	int64_t last_ms;
	uint64_t milli;     /* tokens in thousandths */
	bool started;
	uint64_t denied;    /* so far */
};

void vax_rate_init(struct vax_rate *r, unsigned rate, unsigned burst);
/* May one more be sent at now_ms? Takes a token if so. */
bool vax_rate_allow(struct vax_rate *r, int64_t now_ms);

#endif
