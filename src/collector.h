/* collector.h - gathers snapshots from libvirt on a worker thread.
 *
 * The worker owns the libvirt connection, the index map and the cache of
 * parsed domain XML. It never touches net-snmp: each finished snapshot goes
 * to publish(), which must be thread-safe (the agent queues it for the main
 * thread). */
#ifndef VAX_COLLECTOR_H
#define VAX_COLLECTOR_H

#include "clock.h"
#include "libvirt_events.h"
#include "model.h"

struct vax_libvirt_loop;
struct vax_guests;
struct vax_storage;

struct vax_collector_opts {
	/* Required: libvirt's event loop runs (vax_libvirt_loop_start), so
	 * connections get their keepalives and events. */
	const struct vax_libvirt_loop *loop;
	const char *uri;              /* NULL: libvirt's default */
	const char *index_file;       /* NULL: indexes kept in memory only */
	void (*publish)(struct vax_snapshot *snap, void *arg);
	/* A domain lifecycle event, called on libvirt's event-loop thread
	 * (libvirt_loop.h): it must only hand the event over. */
	void (*on_event)(const struct vax_event *ev, void *arg);
	void *arg;
	/* What is known inside the guests (guest.h), put into each running
	 * domain of a snapshot; NULL: nothing. Must outlive the collector. */
	struct vax_guests *guests;
	/* Pools and networks (storage.h), put into each snapshot; NULL:
	 * none. Must outlive the collector. */
	struct vax_storage *storage;
	/* usageWindow: the shortest window of the usage gauges, ms (> 0). */
	uint32_t usage_window_ms;
};

struct vax_collector;

/* Loads the index file and starts the worker, which connects (retrying
 * with backoff) and gathers a first snapshot. NULL with err on failure. */
struct vax_collector *vax_collector_start(const struct vax_collector_opts *o,
					  char *err, size_t errlen);
/* Ask for a refresh (returns at once; a refresh already running counts). */
void vax_collector_kick(struct vax_collector *c);
/* The index of a domain's, pool's or network's UUID (what: "domain",
 * ..., for the log), assigning one if new (any thread): a notification
 * for one not yet in any snapshot still has its index. */
uint32_t vax_collector_index(struct vax_collector *c, const char *uuid, const char *what);
/* The index a UUID already has, 0 if none (any thread; assigns nothing). */
uint32_t vax_collector_lookup(struct vax_collector *c, const char *uuid);
/* After a reload: reconnect to another URI (NULL: libvirt's default)
 * and/or use another index file (NULL: unchanged). Returns at once: the
 * worker applies it, so a hung libvirt never blocks the caller. */
void vax_collector_reconfigure(struct vax_collector *c, const char *uri,
			       bool uri_changed, const char *index_file);
/* After a reload: the usage gauges' shortest window (ms, > 0), from the
 * next refresh on (any thread). */
void vax_collector_set_usage_window(struct vax_collector *c, uint32_t ms);
/* Stop the worker, close libvirt, free everything. False when a thread
 * is left in a libvirt call that did not return (see col_reap_fetchers). */
bool vax_collector_stop(struct vax_collector *c);

#endif
