/* handoff.c - the snapshot mailbox and the event queue between threads
 * (see handoff.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "clock.h"
#include "handoff.h"

int vax_handoff_init(struct vax_handoff *h, size_t max_events, void (*wake)(void))
{
	*h = (struct vax_handoff){ .max_events = max_events, .wake = wake };
	/* Allocated whole now: an event arriving never needs memory. */
	if (max_events && !(h->events = calloc(max_events, sizeof(*h->events))))
		return -1;
	pthread_mutex_init(&h->lock, NULL);
	vax_cond_init_monotonic(&h->published);
	return 0;
}

void vax_handoff_free(struct vax_handoff *h)
{
	vax_snapshot_free(h->pending);
	h->pending = NULL;
	free(h->events);
	h->events = NULL;
	h->nevents = h->head = 0;
	pthread_cond_destroy(&h->published);
	pthread_mutex_destroy(&h->lock);
}

void vax_handoff_publish(struct vax_handoff *h, struct vax_snapshot *s)
{
	struct vax_snapshot *old;

	pthread_mutex_lock(&h->lock);
	old = h->pending;   /* never served: safe to drop here */
	h->pending = s;
	pthread_cond_broadcast(&h->published);
	pthread_mutex_unlock(&h->lock);
	vax_snapshot_free(old);
	if (h->wake)
		h->wake();
}

struct vax_snapshot *vax_handoff_take(struct vax_handoff *h)
{
	struct vax_snapshot *s;

	pthread_mutex_lock(&h->lock);
	s = h->pending;
	h->pending = NULL;
	pthread_mutex_unlock(&h->lock);
	return s;
}

struct vax_snapshot *vax_handoff_wait(struct vax_handoff *h, int64_t ms)
{
	struct timespec until = vax_time_in(CLOCK_MONOTONIC, ms);
	struct vax_snapshot *s;

	pthread_mutex_lock(&h->lock);
	while (!h->pending &&
	       pthread_cond_timedwait(&h->published, &h->lock, &until) != ETIMEDOUT)
		;
	s = h->pending;
	h->pending = NULL;
	pthread_mutex_unlock(&h->lock);
	return s;
}

void vax_handoff_event(struct vax_handoff *h, const struct vax_event *ev, int64_t at_ms)
{
	pthread_mutex_lock(&h->lock);
	if (h->nevents == h->max_events) {
		h->dropped++;
	} else {
		struct vax_event *e = &h->events[(h->head + h->nevents++) % h->max_events];
		*e = *ev;
		e->at_ms = at_ms;
	}
	pthread_mutex_unlock(&h->lock);
	if (h->wake)
		h->wake();
}

bool vax_handoff_next_event(struct vax_handoff *h, struct vax_event *ev)
{
	bool got;

	pthread_mutex_lock(&h->lock);
	if ((got = h->nevents > 0)) {
		*ev = h->events[h->head];
		h->head = (h->head + 1) % h->max_events;
		h->nevents--;
	}
	pthread_mutex_unlock(&h->lock);
	return got;
}

size_t vax_handoff_events(struct vax_handoff *h)
{
	pthread_mutex_lock(&h->lock);
	size_t n = h->nevents;
	pthread_mutex_unlock(&h->lock);
	return n;
}

size_t vax_handoff_take_dropped(struct vax_handoff *h)
{
	pthread_mutex_lock(&h->lock);
	size_t n = h->dropped;
	h->dropped = 0;
	pthread_mutex_unlock(&h->lock);
	return n;
}
