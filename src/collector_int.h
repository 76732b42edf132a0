/* collector_int.h - what the collector's files share (collector*.c only;
 * everyone else uses collector.h).
 *
 *   collector.c        the worker: its life cycle, one refresh
 *   collector_state.c  asking for a refresh, the references (any thread);
 *                      calls no other collector file
 *   collector_index.c  the index map (any thread) and its file
 *   collector_conn.c   the libvirt connection: open, alive check, keepalive,
 *                      event and close callbacks (libvirt's loop thread)
 *   collector_fetch.c  bulk statistics on fetcher threads, with deadlines
 *   collector_xml.c    the cache of parsed domain XML
 *   collector_host.c   the host node: its facts, CPU and memory statistics
 *   collector_storage.c  the storage thread's pools and networks, indexed
 *   collector_build.c  the libvirt calls around one snapshot domain: UUID,
 *                      name, index, XML cache and hot-plug refetch, the
 *                      per-domain fallback for the groups a driver left
 *                      out, host ifindexes; its values are built by
 *                      libvirt_stats_domain.c, which calls nothing
 *
 * Everything here runs on the worker thread unless its comment says
 * otherwise; fields say which lock guards them. */
#ifndef VAX_COLLECTOR_INT_H
#define VAX_COLLECTOR_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "collector.h"
#include "libvirt_domxml.h"
#include "index.h"
#include "model.h"

#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS 30000

/* Cached parse of one domain's XML. */
struct xml_entry {
	char uuid[37];
	int id;                    /* domain id when fetched: a restart changes it */
	struct vax_domdef *def;
	/* The XML came but did not parse: neither fetched nor warned about
	 * again (it would be at every refresh) until the domain changes. */
	bool unparsable;
};

struct vax_collector {
	/* Set at start, read-only after. */
	char *uri;
	void (*publish)(struct vax_snapshot *, void *);
	void (*on_event)(const struct vax_event *, void *);
	void *arg;
	struct vax_guests *guests;
	struct vax_storage *storage;
	bool uri_is_local;         /* worker only: set at each connect */
	atomic_bool closed;        /* libvirt's close callback fired */
	_Atomic uint32_t usage_window_ms;   /* usageWindow (any thread sets it) */

	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool kicked, stopping;     /* under lock */
	char (*invalid)[37];       /* under lock: UUIDs whose XML changed */
	size_t ninvalid;
	bool reconfigure;          /* under lock: new_uri/new_index wait */
	char *new_uri, *new_index;

	pthread_mutex_t index_lock;   /* the index map: worker and main thread */
	struct vax_index *index;
	bool index_dirty;
	bool index_save_failed;    /* worker only */

	/* Worker thread only. */
	virConnectPtr conn;
	virConnectPtr stats_conn;  /* bulk stats only (see start_fetch) */
	bool in_process;           /* test:///...: no second connection */
	bool nowait_ok;            /* driver accepts the NOWAIT flag */
	unsigned bulk_groups;      /* groups this driver returns in bulk */
	int fetch_error;           /* of the last failed bulk call */
	char fetch_message[256];
	int64_t fetch_ms;          /* how long the last bulk call took */
	unsigned fetchers;         /* under lock: bulk calls in flight */
	pthread_t *threads;        /* fetcher threads not joined yet */
	size_t nthreads, threads_cap;
	size_t threads_left;       /* let go of at exit, still in a call */
	unsigned refs;             /* under lock: the owner and each fetcher */
	struct vax_snapshot *prev; /* the last snapshot built: last known values */
	struct vax_snapshot *usage_base;   /* where the usage window began */
	int64_t usage_base_ms;     /* when it was taken (col_refresh.now) */
	bool was_connected, ever_tried;
	char *hostname, *hv_type, *hv_version, *lib_version;
	char *conn_uri;            /* libvirt's name for the default URI */
	uint32_t host_cpus;        /* asked once per connection; 0: unknown */
	struct vax_host_vals node; /* virNodeGetInfo's, once per connection */
	char *cpu_model;
	int node_ncpu, node_nmem;  /* fields of the node statistics; 0: not asked */
	uint32_t *dom_indexes;     /* the last snapshot's, sorted: VM-MIB's */
	size_t ndom_indexes;       /* vmTableLastChange moves when they do */
	bool domains_known;        /* dom_indexes holds a set (maybe empty) */
	int64_t domains_changed_ms;
	int cb_lifecycle, cb_added, cb_removed;   /* event callback ids, -1: none */
	struct xml_entry *xml;     /* sorted by uuid */
	size_t nxml;
	uint64_t refresh_count, refresh_errors, conn_losses;
	unsigned calls;            /* libvirt calls of the refresh under way */
	char last_error[512];
};

/* UUIDs from virConnectListAllDomains, sorted. */
struct uuid_set {
	char (*uuid)[37];
	size_t n;
};


/* collector_conn.c */
/* After a failed call: is the connection still there? Else disconnect. */
bool col_check_alive(struct vax_collector *c);
/* Open c->conn if it is not (read-only), with keepalive and callbacks. */
bool col_connect_libvirt(struct vax_collector *c);
void col_disconnect(struct vax_collector *c);
/* libvirt's last error on this thread, as text. */
const char *col_last_error(void);
/* For virSetErrorFunc: errors are read where they happen, not printed. */
void col_quiet_errors(void *arg, virErrorPtr e);
char *col_strdup_or_null(const char *s);

/* collector_xml.c */
/* Cache entries by UUID (qsort, bsearch). */
int col_cmp_xml(const void *a, const void *b);
/* Forget the cached XML of the domains events said changed. */
void col_drop_invalid_xml(struct vax_collector *c);
/* Fetch and parse one domain's XML; NULL, *unparsable set, if it does not parse. */
struct vax_domdef *col_fetch_def(virDomainPtr dom, const char *name, bool *unparsable);
struct xml_entry *col_xml_find(struct xml_entry *v, size_t n, const char *uuid);

/* collector_build.c */
/* What one refresh knows for every domain it builds. */
struct col_refresh {
	int64_t now;                         /* monotonic ms, after the bulk call */
	const struct uuid_set *persistent;   /* NULL: that listing failed */
	const struct uuid_set *autostart;
};
/* d (zeroed) and its XML cache entry from one bulk stats record, with the
 * per-domain calls; false to skip the domain: then d holds what
 * vax_snapshot_drop_last frees, and the entry is empty. */
bool col_build_domain(struct vax_collector *c, const struct col_refresh *r,
		      virDomainStatsRecordPtr rec, struct vax_domain *d,
		      struct xml_entry *cache);
/* The connection's host facts into the snapshot. */
void col_host_facts(struct vax_collector *c, struct vax_snapshot *s);
/* The UUIDs virConnectListAllDomains gives for flags; -1 on failure. */
int col_list_uuids(virConnectPtr conn, unsigned flags, struct uuid_set *set);
/* vmTableLastChange: when the set of domain indexes last changed. */
void col_note_domain_set(struct vax_collector *c, struct vax_snapshot *s);

/* collector_host.c */
/* After connecting: the host's facts and which statistics it gives. */
void col_host_connect(struct vax_collector *c);
/* Into a snapshot being built (its domains added): the host's facts,
 * statistics (up to two calls) and the running domains' sums; now: the
 * refresh's time (col_refresh.now). */
void col_host_sample(struct vax_collector *c, struct vax_snapshot *s, int64_t now);

/* collector_fetch.c */
/* The bulk answer (see the comment at its definition for -1 and -2). */
int col_fetch_stats(struct vax_collector *c, unsigned groups,
		    virDomainStatsRecordPtr **recs);
/* Join ended fetchers; with wait_ms > 0 wait for the rest, then let go. */
void col_reap_fetchers(struct vax_collector *c, int wait_ms);

/* collector_state.c (any thread) */
/* Ask the worker for a refresh; with a UUID, that domain's XML is
 * fetched again first (an event said it changed). */
void col_ask(struct vax_collector *c, const char *uuid);
/* Drop a reference (the owner's or a fetcher's); the last frees. */
void col_release(struct vax_collector *c);

/* collector_storage.c */
/* The storage thread's last set into s, with its pool and network rows. */
void col_storage_rows(struct vax_collector *c, struct vax_snapshot *s);

/* collector_index.c (vax_collector_index/lookup: any thread) */

/* Write the index file if it gained entries (worker; a failure is
 * logged once and retried at the next refresh). */
void col_save_index(struct vax_collector *c);

#endif
