/* mib_vmmib_notify.c - see mib_vmmib_notify.h and doc/vm-mib-notifications.md. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "libvirt_events.h"
#include "model.h"
#include "mib_vmmib_notify.h"
#include "mib_vmmib_state.h"

struct vax_vm_seen {
	uint8_t oper;          /* 0: nothing known */
	uint8_t before;        /* the state before a snapshot changed it, 0: unknown */
	bool from_event;       /* oper was set by an event (else by a snapshot) */
	int64_t at_ms;         /* when that event arrived */
	bool undefined;        /* undefined while active: transient until it stops */
};

/* Whether a VM in this state still has a row after libvirt's "undefine":
 * an active domain only loses its persistent definition. */
static bool active(int oper)
{
	switch (oper) {
	case VAX_VM_OPER_PREPARING: case VAX_VM_OPER_RUNNING:
	case VAX_VM_OPER_SUSPENDING: case VAX_VM_OPER_RESUMING:
	case VAX_VM_OPER_PAUSED: case VAX_VM_OPER_MIGRATING:
	case VAX_VM_OPER_SHUTTINGDOWN:
		return true;
	default:
		return false;
	}
}

/* Indexes are small and dense (index.c hands them out from 1 up); past
 * this a VM is not tracked and its notifications say unknown(1). */
#define MAX_TRACKED (1u << 22)

static struct vax_vm_seen *seen(struct vax_vm_tracker *t, uint32_t index)
{
	if (!index || index >= MAX_TRACKED)
		return NULL;
	if (index >= t->n) {
		size_t n = t->n ? t->n : 64;
		while (n <= index)
			n *= 2;
		struct vax_vm_seen *p = realloc(t->seen, n * sizeof(*p));
		if (!p)
			return NULL;
		memset(p + t->n, 0, (n - t->n) * sizeof(*p));
		t->seen = p;
		t->n = n;
	}
	return &t->seen[index];
}

void vax_vm_tracker_free(struct vax_vm_tracker *t)
{
	free(t->seen);
	t->seen = NULL;
	t->n = 0;
}

void vax_vm_tracker_snapshot(struct vax_vm_tracker *t, const struct vax_snapshot *s)
{
	for (size_t i = 0; i < s->ndomains; i++) {
		const struct vax_domain *d = &s->domains[i];
		struct vax_vm_seen *e;
		int oper;

		if (!vax_has(&d->vals, VAX_DOM_STATE) || !(e = seen(t, d->index)))
			continue;
		oper = vax_vm_oper_state((int)d->vals.v[VAX_DOM_STATE],
					 vax_has(&d->vals, VAX_DOM_REASON)
					 ? (int)d->vals.v[VAX_DOM_REASON] : 0);
		/* Gathering began before the event that set the state arrived:
		 * the state it read may be older than that event. */
		if (e->from_event && s->begun_ms <= e->at_ms)
			continue;
		if (e->oper != oper) {
			e->before = e->oper;
			e->oper = (uint8_t)oper;
			e->from_event = false;
		}
	}
}

size_t vax_vm_tracker_event(struct vax_vm_tracker *t, uint32_t index, int kind, int detail,
			    int persistent, int64_t at_ms, struct vax_vm_trap out[2])
{
	struct vax_vm_seen *e = seen(t, index), none = { 0 };
	int now = vax_vm_event_oper_state(kind, detail), prev;
	size_t n = 0;

	if (!e)
		e = &none;
	if (kind == VAX_EV_UNDEFINED) {
		if (detail == 1)   /* renamed: same UUID, same row, not deleted */
			return 0;
		if (active(e->oper) && e != &none) {
			/* Still running, now transient: vmDeleted when it stops. */
			e->undefined = true;
			return 0;
		}
		out[0] = (struct vax_vm_trap){ VAX_VM_NOTIF_DELETED, index,
			e->oper ? e->oper : VAX_VM_OPER_UNKNOWN, vax_vm_persistent(persistent) };
		*e = none;
		return 1;
	}
	if (kind == VAX_EV_DEFINED) {
		/* A new definition (added, or the new name of a rename) is not
		 * running: know that, so its first start names shutdown(11). */
		if (!e->oper && (detail == 0 || detail == 2) && e != &none)
			*e = (struct vax_vm_seen){ VAX_VM_OPER_SHUTDOWN, 0, true, at_ms, false };
		return 0;
	}
	if (!now)
		return 0;
	/* The RFC's notifications are for a change "from some other state". */
	if (e->oper == now && e->from_event)
		return 0;
	if (!e->oper)
		prev = VAX_VM_OPER_UNKNOWN;
	else if (e->from_event || e->oper != now)
		prev = e->oper;
	else   /* a snapshot already showed this event's state: the one before it */
		prev = e->before ? e->before : VAX_VM_OPER_UNKNOWN;
	bool undefined = e->undefined;
	if (undefined)
		persistent = 0;
	*e = (struct vax_vm_seen){ (uint8_t)now, 0, true, at_ms, undefined };
	out[n++] = (struct vax_vm_trap){ vax_vm_notification(now), index, prev,
		vax_vm_persistent(persistent) };
	/* A transient domain that stops is gone: its row leaves the table. */
	if (kind == VAX_EV_STOPPED && persistent == 0) {
		out[n++] = (struct vax_vm_trap){ VAX_VM_NOTIF_DELETED, index, now,
			VAX_VM_PERSISTENT_NO };
		if (e != &none)
			*e = none;
	}
	return n;
}

/* ---- bulk ---- */

void vax_vm_bulk_init(struct vax_vm_bulk *b, unsigned window_ms)
{
	memset(b, 0, sizeof(*b));
	b->window_ms = window_ms;
	b->since_ms = -1;
}

void vax_vm_bulk_free(struct vax_vm_bulk *b)
{
	for (int i = 0; i < VAX_VM_NNOTIF; i++)
		free(b->bits[i]);
	vax_vm_bulk_init(b, b->window_ms);
}

bool vax_vm_bulk_add(struct vax_vm_bulk *b, int notif, uint32_t index, int64_t now_ms)
{
	size_t octet, need;
	int k = notif - 1;

	if (k < 0 || k >= VAX_VM_NNOTIF || !index || index > 65535u * 8)
		return false;
	/* VirtualMachineList: octet 0 holds VMs 1..8, most significant bit
	 * first. */
	octet = (index - 1) / 8;
	need = octet + 1;
	if (need > b->len[k]) {
		uint8_t *p = realloc(b->bits[k], need);
		if (!p)
			return false;
		memset(p + b->len[k], 0, need - b->len[k]);
		b->bits[k] = p;
		b->len[k] = need;
	}
	b->bits[k][octet] |= (uint8_t)(0x80u >> ((index - 1) % 8));
	if (b->since_ms < 0)
		b->since_ms = now_ms;
	return true;
}

int64_t vax_vm_bulk_due(const struct vax_vm_bulk *b)
{
	return b->since_ms < 0 ? -1 : b->since_ms + b->window_ms;
}

uint8_t *vax_vm_bulk_take(struct vax_vm_bulk *b, int notif, size_t *len)
{
	int k = notif - 1;
	uint8_t *p;

	*len = 0;
	if (k < 0 || k >= VAX_VM_NNOTIF)
		return NULL;
	p = b->bits[k];
	*len = b->len[k];
	b->bits[k] = NULL;
	b->len[k] = 0;
	for (int i = 0; i < VAX_VM_NNOTIF; i++)
		if (b->len[i])
			return p;
	b->since_ms = -1;
	return p;
}

/* ---- rate ---- */

void vax_rate_init(struct vax_rate *r, unsigned rate, unsigned burst)
{
	memset(r, 0, sizeof(*r));
	r->rate = rate;
	r->burst = burst ? burst : rate;
}

bool vax_rate_allow(struct vax_rate *r, int64_t now_ms)
{
	uint64_t cap = (uint64_t)r->burst * 1000;

	if (!r->rate)
		return true;
	if (!r->started) {   /* a full bucket to start with */
		r->started = true;
		r->milli = cap;
		r->last_ms = now_ms;
	}
	if (now_ms > r->last_ms) {
		/* rate tokens per 1000 ms = rate thousandths per ms */
		uint64_t add = (uint64_t)(now_ms - r->last_ms) * r->rate;
		r->milli = add >= cap - r->milli ? cap : r->milli + add;
		r->last_ms = now_ms;
	}
	if (r->milli >= 1000) {
		r->milli -= 1000;
		return true;
	}
	r->denied++;
	return false;
}
