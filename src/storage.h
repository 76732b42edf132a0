/* storage.h - the storage thread: libvirt's storage pools and networks,
 * on their own cadence and connection, and the notifications they raise.
 *
 * A pool's numbers can hang (an NFS pool whose server is gone blocks a
 * statvfs, and libvirtd's pool lock while it refreshes), so nothing here
 * is on the stats path or an SNMP answer: a dispatcher thread starts the
 * listing and each pool's asking on short-lived threads of their own and
 * waits for them a bounded time; one that does not return is left, and
 * its pool keeps its last numbers, marked stalled, until it does. The
 * result is an immutable struct vax_storage_set, which the collector
 * worker puts into each snapshot it builds (vax_storage_get).
 *
 * libvirt caches a pool's numbers until the pool is refreshed, which a
 * read-only connection may not ask for; so for pools whose volumes live in
 * a filesystem at the target path (dir, fs, netfs) the numbers are the
 * filesystem's own (statvfs), else libvirt's. With poolRefresh the
 * connection is read-write and each active pool is refreshed first.
 *
 * Pool and network lifecycle events (libvirt's loop thread) and a pool's
 * used space crossing its threshold (the dispatcher) are handed to
 * on_event. It never touches net-snmp. */
#ifndef VAX_STORAGE_H
#define VAX_STORAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libvirt_events.h"
#include "model.h"

struct vax_libvirt_loop;
struct vax_storage;

/* A pool's own poolSpaceThreshold. */
struct vax_pool_threshold {
	char *name;
	uint32_t threshold;     /* hundredths of a percent; 0: none for it */
};

/* What to do (the daemon fills it from virt-agentx.conf). */
struct vax_storage_opts {
	unsigned interval;      /* poolInterval: seconds between listings (> 0) */
	bool refresh;           /* poolRefresh yes: refresh pools (read-write) */
	uint32_t threshold;     /* poolSpaceThreshold, hundredths of a %; 0: off */
	uint32_t hysteresis;    /* poolSpaceHysteresis, hundredths of a % */
	const struct vax_pool_threshold *pools;   /* per pool, copied */
	size_t npools;
};

/* Start the thread for uri (NULL: libvirt's default). The loop must run
 * (libvirt_loop.h). on_event is called on libvirt's loop thread or the
 * dispatcher and must only hand the event over. NULL: out of memory. */
struct vax_storage *vax_storage_start(const struct vax_libvirt_loop *loop, const char *uri,
				      const struct vax_storage_opts *o,
				      void (*on_event)(const struct vax_event *ev, void *arg),
				      void *arg);
/* After a reload: another URI or settings, applied by the thread. */
void vax_storage_reconfigure(struct vax_storage *st, const char *uri,
			     const struct vax_storage_opts *o);
/* A reference to the last set (any thread); NULL before the first. */
struct vax_storage_set *vax_storage_get(struct vax_storage *st);
/* Stop the dispatcher (waiting for it at most a few seconds), free. */
void vax_storage_stop(struct vax_storage *st);

#endif
