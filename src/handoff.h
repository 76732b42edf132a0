/* handoff.h - what other threads hand the main thread: the newest
 * snapshot (from the collector's worker) and libvirt's lifecycle events
 * (from libvirt's event-loop thread).
 *
 * Any thread may publish a snapshot or queue an event; only the main
 * thread takes them. Plain pthreads: no net-snmp, no libvirt, so unit
 * tests drive it from threads of their own. */
#ifndef VAX_HANDOFF_H
#define VAX_HANDOFF_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libvirt_events.h"
#include "model.h"

struct vax_handoff {
	pthread_mutex_t lock;
	pthread_cond_t published;       /* on CLOCK_MONOTONIC */
	struct vax_snapshot *pending;   /* newest unserved snapshot */
	struct vax_event *events;       /* a ring of max_events, oldest at head */
	size_t max_events, head, nevents, dropped;
	void (*wake)(void);             /* after each put: the main thread looks */
};

/* An empty hand-off for up to max_events queued events; wake (may be
 * NULL) is called after each put, outside the lock. -1 if out of memory. */
int vax_handoff_init(struct vax_handoff *h, size_t max_events, void (*wake)(void));
/* Free what was never taken. */
void vax_handoff_free(struct vax_handoff *h);

/* Any thread: s replaces an unserved older snapshot (freed here). */
void vax_handoff_publish(struct vax_handoff *h, struct vax_snapshot *s);
/* Main thread: the newest snapshot, or NULL; the caller owns it. */
struct vax_snapshot *vax_handoff_take(struct vax_handoff *h);
/* Main thread: wait up to ms for a snapshot (one already there counts),
 * then take it; NULL if none came. */
struct vax_snapshot *vax_handoff_wait(struct vax_handoff *h, int64_t ms);

/* Any thread: queue ev, stamped at_ms; counted as dropped when the queue
 * is full (an event is never silently lost). */
void vax_handoff_event(struct vax_handoff *h, const struct vax_event *ev, int64_t at_ms);
/* Main thread: the oldest event into *ev; false if none. */
bool vax_handoff_next_event(struct vax_handoff *h, struct vax_event *ev);
/* Events queued now. */
size_t vax_handoff_events(struct vax_handoff *h);
/* Events dropped since the last call. */
size_t vax_handoff_take_dropped(struct vax_handoff *h);

#endif
