/* collector.c - one refresh: libvirt -> snapshot.
 *
 * A refresh costs three RPCs on a driver with full bulk stats: one
 * virConnectGetAllDomainStats for every domain and group, and two
 * virConnectListAllDomains for the persistent and autostart flags (asking
 * each domain would cost two RPCs per domain). Domain XML is fetched only
 * for a domain that is new, restarted (new id) or names a device its cached
 * XML lacks. Per-domain calls fill only the groups a driver left out of the
 * bulk answer (the test driver returns the state group alone).
 */
#include "config.h"

#include <errno.h>
#if defined HAVE_MALLOC_H && defined HAVE_MALLOC_TRIM
#include <malloc.h>
#endif
#include <net/if.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "collector.h"
#include "domxml.h"
#include "index.h"
#include "libvirt_state.h"
#include "log.h"
#include "stats.h"

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
	bool uri_is_local;
	atomic_bool closed;        /* libvirt's close callback fired */

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
	bool was_connected, ever_tried;
	char *hostname, *hv_type, *hv_version, *lib_version;
	char *conn_uri;            /* libvirt's name for the default URI */
	uint32_t host_cpus;        /* asked once per connection; 0: unknown */
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

/* libvirt prints every error to stderr unless told otherwise; we read
 * errors with virGetLastError() where they happen. */
static void quiet_errors(void *arg, virErrorPtr e)
{
	(void)arg;
	(void)e;
}

static const char *last_error(void)
{
	virErrorPtr e = virGetLastError();

	return e && e->message ? e->message : "unknown libvirt error";
}

static char *version_string(unsigned long v)
{
	char *s;

	if (asprintf(&s, "%lu.%lu.%lu", v / 1000000, v / 1000 % 1000, v % 1000) < 0)
		return NULL;
	return s;
}

static char *strdup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* libvirt_state.h copies libvirt's numbers for the layers above. */
#define SAME(v, l) ((int)VAX_STATE_##v == (int)VIR_DOMAIN_##l)
_Static_assert(SAME(NOSTATE, NOSTATE) && SAME(RUNNING, RUNNING) && SAME(BLOCKED, BLOCKED) &&
	       SAME(PAUSED, PAUSED) && SAME(SHUTDOWN, SHUTDOWN) && SAME(SHUTOFF, SHUTOFF) &&
	       SAME(CRASHED, CRASHED) && SAME(PMSUSPENDED, PMSUSPENDED), "libvirt's virDomainState");
#undef SAME

/* ---- events (called on the thread running libvirt's event loop) ---- */

static void invalidate(struct vax_collector *c, virDomainPtr dom)
{
	char uuid[VIR_UUID_STRING_BUFLEN];

	if (virDomainGetUUIDString(dom, uuid) < 0)
		return;
	pthread_mutex_lock(&c->lock);
	char (*v)[37] = realloc(c->invalid, (c->ninvalid + 1) * sizeof(*v));
	if (v) {
		c->invalid = v;
		memcpy(c->invalid[c->ninvalid++], uuid, 37);
	}
	c->kicked = true;
	pthread_cond_signal(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

static int on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail,
			void *opaque)
{
	struct vax_collector *c = opaque;
	struct vax_event ev = { .kind = event, .detail = detail };
	const char *name = virDomainGetName(dom);

	(void)conn;
	if (virDomainGetUUIDString(dom, ev.uuid) < 0)
		return 0;
	/* A name may hold any bytes (virDomainRename takes them): served as
	 * UTF-8 text, it is made valid first, as in the snapshot. */
	char *clean = vax_utf8_dup(name);
	if (clean) {
		size_t n = vax_utf8_prefix(clean, sizeof(ev.name) - 1);
		memcpy(ev.name, clean, n);
		ev.name[n] = '\0';
		free(clean);
	}
	vax_debug("collector", "event %s/%s for %s", vax_event_kind_name(event),
		  vax_event_detail_name(event, detail), ev.name);
	/* Any lifecycle change may change the XML (a new id, a new
	 * definition): fetch it again, and refresh at once. */
	invalidate(c, dom);
	if (c->on_event)
		c->on_event(&ev, c->arg);
	return 0;
}

static void on_device(virConnectPtr conn, virDomainPtr dom, const char *alias,
		      void *opaque)
{
	(void)conn;
	(void)alias;
	invalidate(opaque, dom);
}

static void on_close(virConnectPtr conn, int reason, void *opaque)
{
	struct vax_collector *c = opaque;

	(void)conn;
	(void)reason;
	atomic_store(&c->closed, true);
	vax_collector_kick(c);
}

/* ---- connection ---- */

static bool uri_is_local(const char *uri)
{
	const char *p = uri ? strstr(uri, "://") : NULL;

	return !p || p[3] == '/' || p[3] == '\0';
}

static void register_events(struct vax_collector *c)
{
	c->cb_lifecycle = virConnectDomainEventRegisterAny(c->conn, NULL,
		VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), c, NULL);
	c->cb_added = virConnectDomainEventRegisterAny(c->conn, NULL,
		VIR_DOMAIN_EVENT_ID_DEVICE_ADDED, VIR_DOMAIN_EVENT_CALLBACK(on_device), c, NULL);
	c->cb_removed = virConnectDomainEventRegisterAny(c->conn, NULL,
		VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED, VIR_DOMAIN_EVENT_CALLBACK(on_device), c, NULL);
	if (c->cb_lifecycle < 0)
		vax_warn("cannot register for domain lifecycle events: %s; no "
			 "notifications until the next reconnect", last_error());
	if (virConnectRegisterCloseCallback(c->conn, on_close, c, NULL) < 0)
		vax_debug("collector", "no close callback: %s", last_error());
}

static void disconnect(struct vax_collector *c)
{
	if (c->conn) {
		int *ids[] = { &c->cb_lifecycle, &c->cb_added, &c->cb_removed };
		for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
			if (*ids[i] >= 0)
				virConnectDomainEventDeregisterAny(c->conn, *ids[i]);
		virConnectUnregisterCloseCallback(c->conn, on_close);
		virConnectClose(c->conn);
	}
	pthread_mutex_lock(&c->lock);
	virConnectPtr stats = c->stats_conn;
	c->stats_conn = NULL;
	pthread_mutex_unlock(&c->lock);
	if (stats)
		virConnectClose(stats);
	c->cb_lifecycle = c->cb_added = c->cb_removed = -1;
	c->conn = NULL;
	free(c->hostname); free(c->hv_type); free(c->hv_version); free(c->lib_version);
	c->hostname = c->hv_type = c->hv_version = c->lib_version = NULL;
}

static bool connect_libvirt(struct vax_collector *c)
{
	unsigned long v;
	const char *type;

	if (c->conn)
		return true;
	c->conn = virConnectOpenReadOnly(c->uri);
	if (!c->conn) {
		/* Log the first failure and each change of reason, not every retry. */
		if (c->was_connected || !c->ever_tried ||
		    strncmp(c->last_error, last_error(), sizeof(c->last_error) - 1) != 0) {
			vax_err("cannot connect to libvirt at %s: %s; retrying every %d s at most",
				c->uri ? c->uri : "(default URI)", last_error(),
				BACKOFF_MAX_MS / 1000);
			snprintf(c->last_error, sizeof(c->last_error), "%s", last_error());
		}
		c->ever_tried = true;
		c->was_connected = false;
		return false;
	}
	/* Keepalive notices a dead daemon even while no call is made; the
	 * close callback then wakes the worker. */
	virConnectSetKeepAlive(c->conn, 5, 3);
	atomic_store(&c->closed, false);
	register_events(c);
	c->hostname = virConnectGetHostname(c->conn);
	if ((type = virConnectGetType(c->conn)))
		c->hv_type = strdup(type);
	if (virConnectGetVersion(c->conn, &v) == 0)
		c->hv_version = version_string(v);
	if (virConnectGetLibVersion(c->conn, &v) == 0)
		c->lib_version = version_string(v);
	free(c->conn_uri);
	c->conn_uri = virConnectGetURI(c->conn);
	/* Every host CPU, online or not (VM-MIB's affinity rows): one call
	 * per connection, not per refresh. */
	int cpus = virNodeGetCPUMap(c->conn, NULL, NULL, 0);
	virNodeInfo ni;
	if (cpus <= 0 && virNodeGetInfo(c->conn, &ni) == 0)
		cpus = (int)VIR_NODEINFO_MAXCPUS(ni);
	c->host_cpus = cpus > 0 ? (uint32_t)cpus : 0;
	/* Host ifIndexes mean something only if libvirt runs on this host. */
	c->uri_is_local = uri_is_local(c->conn_uri ? c->conn_uri : c->uri);
	c->in_process = c->conn_uri && strncmp(c->conn_uri, "test://", 7) == 0;
	if (!c->uri) {
		vax_notice("connected to libvirt at %s (default URI)",
			   c->conn_uri ? c->conn_uri : "?");
	} else {
		vax_notice("connected to libvirt at %s", c->uri);
	}
	c->nowait_ok = true;
	/* QEMU returns every group in bulk; others tell us as they answer. */
	c->bulk_groups = c->hv_type && strcmp(c->hv_type, "QEMU") == 0 ? VAX_GRP_ALL : 0;
	c->was_connected = c->ever_tried = true;
	c->last_error[0] = '\0';
	return true;
}

/* After a failed call: is the connection itself gone? */
static bool check_alive(struct vax_collector *c)
{
	if (c->conn && !atomic_load(&c->closed) && virConnectIsAlive(c->conn) == 1)
		return true;
	if (c->conn) {
		vax_err("lost the libvirt connection%s%s; reconnecting", c->uri ? " to " : "",
			c->uri ? c->uri : "");
		c->conn_losses++;
	}
	disconnect(c);
	snprintf(c->last_error, sizeof(c->last_error), "%s", "connection lost");
	return false;
}

/* ---- XML cache ---- */

static int cmp_xml(const void *a, const void *b)
{
	return strcmp(((const struct xml_entry *)a)->uuid,
		      ((const struct xml_entry *)b)->uuid);
}

static struct xml_entry *xml_find(struct xml_entry *v, size_t n, const char *uuid)
{
	struct xml_entry key;

	memcpy(key.uuid, uuid, sizeof(key.uuid));
	return n ? bsearch(&key, v, n, sizeof(*v), cmp_xml) : NULL;
}

/* name: as served (valid UTF-8), for the log. *unparsable: the XML came
 * and did not parse. */
static struct vax_domdef *fetch_def(virDomainPtr dom, const char *name, bool *unparsable)
{
	char err[256];
	struct vax_domdef *def;
	char *xml = virDomainGetXMLDesc(dom, 0), *clean;

	*unparsable = false;
	if (!xml) {
		vax_debug("collector", "no XML for %s: %s", name, last_error());
		return NULL;
	}
	/* libvirt's XML has no encoding declaration (it is UTF-8) but
	 * carries a name's bytes as they are, and virDomainRename takes any:
	 * one byte that is not UTF-8 made libxml2 refuse the whole document,
	 * so the domain lost its devices. Made valid as the name is served. */
	clean = vax_utf8_dup(xml);
	free(xml);
	if (!clean)
		return NULL;
	def = vax_domxml_parse(clean, strlen(clean), err, sizeof(err));
	if (!def) {
		vax_warn("domain %s: %s; its devices are not shown until it changes",
			 name, err);
		*unparsable = true;
	}
	free(clean);
	return def;
}

/* ---- UUID sets from virConnectListAllDomains ---- */

struct uuid_set {
	char (*uuid)[37];
	size_t n;
};

static int cmp_uuid(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int list_uuids(virConnectPtr conn, unsigned flags, struct uuid_set *set)
{
	virDomainPtr *doms = NULL;
	int n = virConnectListAllDomains(conn, &doms, flags);

	set->uuid = NULL;
	set->n = 0;
	if (n < 0)
		return -1;
	if (n > 0 && (set->uuid = calloc((size_t)n, sizeof(*set->uuid)))) {
		for (int i = 0; i < n; i++)
			if (virDomainGetUUIDString(doms[i], set->uuid[set->n]) == 0)
				set->n++;
		qsort(set->uuid, set->n, sizeof(*set->uuid), cmp_uuid);
	}
	for (int i = 0; i < n; i++)
		virDomainFree(doms[i]);
	free(doms);
	return 0;
}

static bool in_set(const struct uuid_set *set, const char *uuid)
{
	return set->n && bsearch(uuid, set->uuid, set->n, sizeof(*set->uuid), cmp_uuid);
}

/* ---- per-domain fallbacks ---- */

static void fallback(virDomainPtr dom, struct vax_domain *d, unsigned groups,
		     unsigned *calls)
{
	const struct vax_domdef *def = d->def;
	virDomainInfo info = { 0 };
	bool have_info;

	if ((groups & VAX_GRP_ALL) == VAX_GRP_ALL)
		return;
	/* A domain gone since the listing fails here: values stay absent. */
	++*calls;
	if ((have_info = virDomainGetInfo(dom, &info) == 0))
		vax_stats_from_info(d, &info, groups);
	if (!(groups & VAX_GRP_CPU)) {
		virTypedParameter p[8];
		int n = (++*calls, virDomainGetCPUStats(dom, p, 8, -1, 1, 0));
		if (n > 0) {
			/* Total time stays GetInfo's, as virsh dominfo shows it;
			 * this call adds user and system time. */
			struct vax_vals keep = d->vals;
			vax_stats_from_cpu(d, p, n);
			if (vax_has(&keep, VAX_DOM_CPU_TIME))
				vax_set(&d->vals, VAX_DOM_CPU_TIME, keep.v[VAX_DOM_CPU_TIME]);
			virTypedParamsClear(p, n);
		}
	}
	if (!(groups & VAX_GRP_BALLOON)) {
		virDomainMemoryStatStruct m[VIR_DOMAIN_MEMORY_STAT_NR];
		int n = (++*calls, virDomainMemoryStats(dom, m, VIR_DOMAIN_MEMORY_STAT_NR, 0));
		if (n > 0)
			vax_stats_from_memory(d, m, n);
	}
	if (!(groups & VAX_GRP_VCPU) && have_info && info.nrVirtCpu > 0 &&
	    info.nrVirtCpu <= VAX_MAX_VCPUS) {
		virVcpuInfoPtr v = calloc(info.nrVirtCpu, sizeof(*v));
		int n = v ? (++*calls, virDomainGetVcpus(dom, v, (int)info.nrVirtCpu, NULL, 0)) : -1;
		if (n > 0)
			vax_stats_from_vcpus(d, v, n);
		free(v);
	}
	for (size_t i = 0; !(groups & VAX_GRP_BLOCK) && i < def->ndisks; i++) {
		virDomainBlockStatsStruct b;
		virDomainBlockInfo bi;
		if (!def->disks[i].target)
			continue;
		++*calls;
		if (virDomainBlockStats(dom, def->disks[i].target, &b, sizeof(b)) == 0)
			vax_stats_from_block(&d->disks[i], &b);
		/* An empty cdrom has no size; asking logs an error in libvirtd
		 * on every refresh. */
		if (def->disks[i].source && (++*calls,
		    virDomainGetBlockInfo(dom, def->disks[i].target, &bi, 0) == 0))
			vax_stats_from_blockinfo(&d->disks[i], &bi);
	}
	for (size_t i = 0; !(groups & VAX_GRP_NET) && i < def->nnics; i++) {
		virDomainInterfaceStatsStruct s;
		if (def->nics[i].target && (++*calls,
		    virDomainInterfaceStats(dom, def->nics[i].target, &s, sizeof(s)) == 0))
			vax_stats_from_iface(&d->nics[i], &s);
	}
}

/* ---- one refresh ---- */


/* Fill one domain of the snapshot from its bulk record. */
static bool build_domain(struct vax_collector *c, virDomainStatsRecordPtr rec,
			 int64_t now, struct vax_domain *d, struct xml_entry *cache,
			 const struct uuid_set *persistent, const struct uuid_set *autostart)
{
	virDomainPtr dom = rec->dom;
	const char *name = virDomainGetName(dom);
	unsigned id = virDomainGetID(dom);
	bool unknown_dev, fetched = false;
	struct xml_entry *old;
	unsigned groups;

	if (virDomainGetUUIDString(dom, d->uuid) < 0 || !name)
		return false;
	/* Any bytes (see vax_utf8_dup): served and logged as valid UTF-8. */
	if (!(d->name = vax_utf8_dup(name)))
		return false;
	if (!(d->index = vax_collector_index(c, d->uuid))) {
		vax_warn("domain %s (%s): no free index left; not shown", d->name, d->uuid);
		return false;
	}

	memcpy(cache->uuid, d->uuid, sizeof(cache->uuid));
	cache->id = (int)id;
	old = xml_find(c->xml, c->nxml, d->uuid);
	if (old && old->id == (int)id && (old->def || old->unparsable)) {
		cache->def = vax_domdef_ref(old->def);
		cache->unparsable = old->unparsable;
		fetched = old->unparsable;   /* nor again for a device it names */
	} else {
		cache->def = fetch_def(dom, d->name, &cache->unparsable);
		c->calls++;
		fetched = true;
	}
	for (;;) {
		d->def = vax_domdef_ref(cache->def);
		if (!d->def && !(d->def = vax_domdef_new()))
			return false;
		if (d->def->ndisks)
			d->disks = calloc(d->def->ndisks, sizeof(*d->disks));
		if (d->def->nnics)
			d->nics = calloc(d->def->nnics, sizeof(*d->nics));
		if ((d->def->ndisks && !d->disks) || (d->def->nnics && !d->nics) || !d->name)
			return false;
		groups = vax_stats_apply(d, rec->params, rec->nparams, &unknown_dev);
		if (!unknown_dev || fetched)
			break;
		/* Stats name a device the cached XML lacks: it was hot-plugged. */
		vax_domdef_unref(cache->def);
		cache->def = fetch_def(dom, d->name, &cache->unparsable);
		c->calls++;
		fetched = true;
		vax_domdef_unref(d->def);
		free(d->disks); free(d->nics); free(d->vcpus);
		d->def = NULL; d->disks = NULL; d->nics = NULL; d->vcpus = NULL;
		d->nvcpus = 0;
		memset(&d->vals, 0, sizeof(d->vals));
	}
	if (id != (unsigned)-1) {
		unsigned missing = c->bulk_groups & ~groups & VAX_GRP_ALL;
		const struct vax_domain *last = c->prev ? vax_snapshot_find(c->prev, d->index) : NULL;

		vax_set(&d->vals, VAX_DOM_ID, id);
		d->stats_ms = now;
		/* Started while we watched: a new id, or new to a snapshot
		 * that came before. Already running at the first: unknown. */
		if (last && vax_has(&last->vals, VAX_DOM_ID) && last->vals.v[VAX_DOM_ID] == id)
			d->started_ms = last->started_ms;
		else if (c->prev)
			d->started_ms = now;
		/* Calls only for what this driver never returns in bulk. */
		fallback(dom, d, groups | c->bulk_groups, &c->calls);
		if (vax_stats_skipped(d))
			missing = VAX_GRP_ALL;
		if (missing && last && last->stats_ms && strcmp(last->uuid, d->uuid) == 0) {
			vax_debug("collector", "%s skipped by bulk stats: serving values %lld ms old",
				  d->name, (long long)(now - last->stats_ms));
			vax_stats_carry_over(last, d, missing);
		}
	}
	/* The configured sizes fill what the stats did not say. */
	for (int f = 0; f < VAX_DOM_NFIELDS; f++)
		if (vax_has(&d->def->vals, f) && !vax_has(&d->vals, f))
			vax_set(&d->vals, f, d->def->vals.v[f]);
	if (persistent)
		vax_set(&d->vals, VAX_DOM_PERSISTENT, in_set(persistent, d->uuid));
	if (autostart)
		vax_set(&d->vals, VAX_DOM_AUTOSTART, in_set(autostart, d->uuid));
	for (size_t i = 0; c->uri_is_local && i < d->def->nnics; i++) {
		if (d->def->nics[i].target)
			vax_set(&d->nics[i].vals, VAX_NIC_HOST_IFINDEX,
				if_nametoindex(d->def->nics[i].target));
		if (d->def->nics[i].parent)
			vax_set(&d->nics[i].vals, VAX_NIC_PARENT_IFINDEX,
				if_nametoindex(d->def->nics[i].parent));
	}
	return true;
}

/* vmTableLastChange: the set of domain indexes differs from the last
 * snapshot's (the first snapshot counts as a change). */
static void note_domain_set(struct vax_collector *c, struct vax_snapshot *s)
{
	bool same = c->domains_known && s->ndomains == c->ndom_indexes;

	for (size_t i = 0; same && i < s->ndomains; i++)
		same = s->domains[i].index == c->dom_indexes[i];
	if (!same) {
		uint32_t *v = realloc(c->dom_indexes, (s->ndomains + 1) * sizeof(*v));
		/* Out of memory: unknown, so the next refresh counts as a change. */
		c->domains_known = v != NULL;
		if (v) {
			c->dom_indexes = v;
			c->ndom_indexes = s->ndomains;
			for (size_t i = 0; i < s->ndomains; i++)
				v[i] = s->domains[i].index;
		}
		c->domains_changed_ms = s->taken_ms;
	}
	s->domains_changed_ms = c->domains_changed_ms;
}

/* The host's boot on the monotonic clock, for vmHvUpTime: only when
 * libvirt runs on this host (the QEMU/KVM hypervisor is its kernel). */
static void host_facts(struct vax_collector *c, struct vax_snapshot *s)
{
	struct timespec boot, mono;

	s->host_cpus = c->host_cpus;
	if (c->conn && c->uri_is_local && clock_gettime(CLOCK_BOOTTIME, &boot) == 0 &&
	    clock_gettime(CLOCK_MONOTONIC, &mono) == 0) {
		s->host_boot_known = true;
		s->host_boot_ms = ((int64_t)mono.tv_sec - boot.tv_sec) * 1000 +
				  (mono.tv_nsec - boot.tv_nsec) / 1000000;
	}
}

/* A snapshot with room for n domains and the collector's own facts. */
static struct vax_snapshot *new_snapshot(struct vax_collector *c, size_t n)
{
	struct vax_snapshot *s = vax_snapshot_new(n);

	if (!s)
		return NULL;
	/* Empty: libvirt's default URI, before it ever answered. The
	 * configuration file may hold any bytes but control characters. */
	s->uri = vax_utf8_dup(c->uri ? c->uri : c->conn_uri ? c->conn_uri : "");
	s->conn_losses = c->conn_losses;
	s->refresh_count = c->refresh_count;
	s->refresh_errors = c->refresh_errors;
	return s;
}

/* Write the index file when it gained entries, from a copy: the main
 * thread looks indexes up for notifications and must not wait on a disk.
 * A failure is logged once, and retried at the next refresh. */
static void save_index(struct vax_collector *c)
{
	struct vax_index *copy = NULL;
	char err[512];

	pthread_mutex_lock(&c->index_lock);
	if (c->index_dirty && (copy = vax_index_dup(c->index)))
		c->index_dirty = false;
	pthread_mutex_unlock(&c->index_lock);
	if (!copy)
		return;
	if (vax_index_save(copy, err, sizeof(err)) < 0) {
		if (!c->index_save_failed)
			vax_warn("%s%s; indexes may change when the agent restarts", err,
				 geteuid() ? " (the agent does not run as root: the file's "
				 "directory must be writable by its user, see -U)" : "");
		c->index_save_failed = true;
		pthread_mutex_lock(&c->index_lock);
		c->index_dirty = true;
		pthread_mutex_unlock(&c->index_lock);
	} else if (c->index_save_failed) {
		vax_notice("%s written again", vax_index_path(copy));
		c->index_save_failed = false;
	}
	vax_index_free(copy);
}

/* Forget the cached XML of domains whose definition changed. */
static void drop_invalid_xml(struct vax_collector *c)
{
	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < c->ninvalid; i++) {
		struct xml_entry *e = xml_find(c->xml, c->nxml, c->invalid[i]);
		if (e) {
			vax_domdef_unref(e->def);
			e->def = NULL;
			e->unparsable = false;
		}
	}
	c->ninvalid = 0;
	pthread_mutex_unlock(&c->lock);
}

/* ---- bulk stats on a fetcher thread ----
 *
 * virConnectGetAllDomainStats with NOWAIT skips a domain whose QEMU job is
 * busy, but when the job is free it takes it and asks the monitor; if that
 * QEMU is hung, the call never returns. So the call runs on a thread of
 * its own: past a deadline the collector abandons it (it keeps the hung
 * domain's job, so a new NOWAIT call skips that domain) and asks again.
 * A fetcher only calls libvirt, on a connection it holds a reference to. */

#define MAX_FETCHERS 4


static void collector_release(struct vax_collector *c);

struct fetch {
	struct vax_collector *c;
	virConnectPtr conn;        /* NULL: the fetcher opens one (open_uri) */
	char *open_uri;
	unsigned groups, flags;
	int refs;                  /* under c->lock: collector and fetcher */
	bool done;
	int n, error;
	int64_t started_ms, took_ms;
	char message[256];
	virDomainStatsRecordPtr *recs;
};

static void fetch_release(struct fetch *f)
{
	struct vax_collector *c = f->c;
	bool last;

	pthread_mutex_lock(&c->lock);
	last = --f->refs == 0;
	pthread_mutex_unlock(&c->lock);
	if (!last)
		return;
	virDomainStatsRecordListFree(f->recs);   /* an abandoned answer */
	if (f->conn)
		virConnectClose(f->conn);
	free(f->open_uri);
	free(f);
}

static void *fetcher(void *arg)
{
	struct fetch *f = arg;
	struct vax_collector *c = f->c;
	virDomainStatsRecordPtr *recs = NULL;
	virConnectPtr dead = NULL;
	int n = -1;

	/* Opening can hang too (a wedged daemon): here, not on the worker.
	 * The new connection is shared with the calls that follow. */
	if (!f->conn && (f->conn = virConnectOpenReadOnly(f->open_uri))) {
		pthread_mutex_lock(&c->lock);
		if (!c->stats_conn && !c->stopping && virConnectRef(f->conn) == 0)
			c->stats_conn = f->conn;
		pthread_mutex_unlock(&c->lock);
	}
	if (f->conn)
		n = virConnectGetAllDomainStats(f->conn, f->groups, &recs, f->flags);
	pthread_mutex_lock(&c->lock);
	f->n = n;
	f->recs = recs;
	f->took_ms = vax_now_ms() - f->started_ms;
	if (n < 0) {
		f->error = virGetLastErrorCode();
		snprintf(f->message, sizeof(f->message), "%s", last_error());
		/* A stats connection that died alone is replaced. */
		if (f->conn && f->conn == c->stats_conn && virConnectIsAlive(f->conn) != 1) {
			dead = c->stats_conn;
			c->stats_conn = NULL;
		}
	}
	f->done = true;
	c->fetchers--;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
	if (dead)   /* libvirt is never called under c->lock: it may block */
		virConnectClose(dead);
	fetch_release(f);
	collector_release(c);
	return NULL;
}

/* Join the fetcher threads that have ended; with wait_ms > 0, wait that
 * long for the others (at exit: a thread still running when the process
 * ends is cut off mid-call), then let go of those still in a libvirt call
 * that does not return. Worker thread only. */
static void reap_fetchers(struct vax_collector *c, int wait_ms)
{
	struct timespec until = { 0, 0 };
	size_t kept = 0, left = 0;

	if (wait_ms > 0)
		until = vax_time_in(CLOCK_MONOTONIC, wait_ms);
	for (size_t i = 0; i < c->nthreads; i++) {
		pthread_t t = c->threads[i];
		if ((wait_ms > 0 ? pthread_clockjoin_np(t, NULL, CLOCK_MONOTONIC, &until)
				 : pthread_tryjoin_np(t, NULL)) == 0)
			continue;
		if (wait_ms == 0) {
			c->threads[kept++] = t;
			continue;
		}
		pthread_detach(t);
		left++;
	}
	c->threads_left += left;
	if (left)
		vax_warn("%zu libvirt statistics thread%s still in a call after %d ms; "
			 "exiting without waiting longer", left, left > 1 ? "s" : "", wait_ms);
	c->nthreads = kept;
	if (wait_ms > 0) {
		free(c->threads);
		c->threads = NULL;
		c->threads_cap = 0;
	}
}

/* Start a fetcher unless MAX_FETCHERS are in flight. Bulk stats never go
 * through the connection that carries events and lists: a call hung on a
 * connection holds up later calls on it. An in-process test driver has no
 * shared state to reach twice. */
static struct fetch *start_fetch(struct vax_collector *c, unsigned groups)
{
	struct fetch *f = calloc(1, sizeof(*f));
	pthread_t t;
	bool full;

	if (!f)
		return NULL;
	*f = (struct fetch){ .c = c, .groups = groups, .refs = 2,
		.started_ms = vax_now_ms(),
		.flags = c->nowait_ok ? VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT : 0 };
	pthread_mutex_lock(&c->lock);
	full = c->fetchers >= MAX_FETCHERS;
	if (!full) {
		if (c->stats_conn || c->in_process) {
			f->conn = c->stats_conn ? c->stats_conn : c->conn;
			virConnectRef(f->conn);
		}
		c->fetchers++;
		c->refs++;
	}
	pthread_mutex_unlock(&c->lock);
	if (full) {
		free(f);
		return NULL;
	}
	if (!f->conn)
		f->open_uri = strdup_or_null(c->conn_uri ? c->conn_uri : c->uri);
	reap_fetchers(c, 0);
	if (c->nthreads == c->threads_cap) {
		size_t cap = c->threads_cap ? 2 * c->threads_cap : MAX_FETCHERS;
		pthread_t *nt = realloc(c->threads, cap * sizeof(*nt));
		if (nt) {
			c->threads = nt;
			c->threads_cap = cap;
		}
	}
	if (c->nthreads == c->threads_cap || pthread_create(&t, NULL, fetcher, f) != 0) {
		pthread_mutex_lock(&c->lock);
		c->fetchers--;
		c->refs--;
		pthread_mutex_unlock(&c->lock);
		if (f->conn)
			virConnectClose(f->conn);
		free(f->open_uri);
		free(f);
		return NULL;
	}
	c->threads[c->nthreads++] = t;
	return f;
}

/* The first fetcher done among f[0..nf), or -1; waits until the deadline
 * (INT64_MAX: for ever), a stop or a reconfiguration. Under c->lock. */
static int wait_fetch(struct vax_collector *c, struct fetch **f, int nf, int64_t deadline)
{
	for (;;) {
		for (int i = 0; i < nf; i++)
			if (f[i]->done)
				return i;
		if (c->stopping || c->reconfigure || vax_now_ms() >= deadline)
			return -1;
		if (deadline == INT64_MAX) {
			pthread_cond_wait(&c->cond, &c->lock);
			continue;
		}
		struct timespec ts = { deadline / 1000, (long)(deadline % 1000) * 1000000L };
		pthread_cond_timedwait(&c->cond, &c->lock, &ts);
	}
}

/* The bulk answer; -1 (c->fetch_error, c->fetch_message) on failure, -2
 * when stopping or reconfiguring. Waits for a fetcher at most 2 s plus
 * three times the last answer's own time, then abandons it and asks again
 * on a new connection (at most MAX_FETCHERS calls in flight). */
static int fetch_stats(struct vax_collector *c, unsigned groups,
		       virDomainStatsRecordPtr **recs)
{
	struct fetch *f[MAX_FETCHERS] = { NULL };
	virConnectPtr abandoned;
	int64_t t0 = vax_now_ms(), deadline;
	int nf = 0, n = -1, got = -1;
	bool quit = false;

	c->fetch_error = VIR_ERR_INTERNAL_ERROR;
	snprintf(c->fetch_message, sizeof(c->fetch_message), "cannot start a thread");
	for (;;) {
		/* Stopping: a call started now would only be waited for at exit. */
		pthread_mutex_lock(&c->lock);
		quit = c->stopping || c->reconfigure;
		pthread_mutex_unlock(&c->lock);
		if (quit)
			break;
		struct fetch *nw = nf < MAX_FETCHERS ? start_fetch(c, groups) : NULL;
		if (nw) {
			f[nf++] = nw;
			c->calls++;
		}
		if (!nf)
			break;
		/* No new call could start: wait for one of those in flight. */
		deadline = nw ? vax_now_ms() + 2000 + 3 * c->fetch_ms : INT64_MAX;
		if (!nw)
			vax_warn("libvirt has not answered bulk stats for %lld s (%d calls in "
				 "flight); serving the last values",
				 (long long)(vax_now_ms() - t0) / 1000, nf);
		abandoned = NULL;
		pthread_mutex_lock(&c->lock);
		got = wait_fetch(c, f, nf, deadline);
		quit = c->stopping || c->reconfigure;
		if (got < 0 && !quit && c->stats_conn) {
			/* The abandoned call keeps its reference; the next gets a
			 * new connection, not one a call hangs on. */
			abandoned = c->stats_conn;
			c->stats_conn = NULL;
		}
		pthread_mutex_unlock(&c->lock);
		if (abandoned)
			virConnectClose(abandoned);
		if (got >= 0 || quit)
			break;
		vax_debug("collector", "bulk stats slow (%lld ms): asking again, "
			  "a domain with a hung monitor will be skipped",
			  (long long)(vax_now_ms() - t0));
	}
	if (got >= 0) {
		n = f[got]->n;
		if (n >= 0) {
			*recs = f[got]->recs;
			f[got]->recs = NULL;
			c->fetch_ms = f[got]->took_ms;   /* its own time, not the wait */
		} else {
			c->fetch_error = f[got]->error;
			snprintf(c->fetch_message, sizeof(c->fetch_message), "%s", f[got]->message);
		}
	} else if (quit) {
		n = -2;
	}
	for (int i = 0; i < nf; i++)
		fetch_release(f[i]);
	return n;
}

static struct vax_snapshot *refresh(struct vax_collector *c)
{
	const unsigned groups = VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_CPU_TOTAL |
		VIR_DOMAIN_STATS_BALLOON | VIR_DOMAIN_STATS_VCPU |
		VIR_DOMAIN_STATS_INTERFACE | VIR_DOMAIN_STATS_BLOCK;
	int64_t t0 = vax_now_ms();
	virDomainStatsRecordPtr *recs = NULL;
	struct uuid_set persistent, autostart;
	struct xml_entry *cache = NULL;
	struct vax_snapshot *s = NULL;
	size_t ncache = 0;
	int n;

	drop_invalid_xml(c);
	if (c->conn && atomic_load(&c->closed))
		check_alive(c);   /* closed under us: reconnect at once */
	if (!connect_libvirt(c))
		goto failed;
	c->calls = 0;
	n = fetch_stats(c, groups, &recs);
	if (n < 0 && c->nowait_ok && (c->fetch_error == VIR_ERR_INVALID_ARG ||
				      c->fetch_error == VIR_ERR_NO_SUPPORT) && check_alive(c)) {
		/* Older drivers reject NOWAIT; remember and ask plainly. */
		c->nowait_ok = false;
		n = fetch_stats(c, groups, &recs);
	}
	if (n == -2)
		return NULL;   /* stopping or switching over: no verdict */
	if (n < 0) {
		if (check_alive(c))
			vax_err("virConnectGetAllDomainStats failed: %s", c->fetch_message);
		goto failed;
	}
	/* Which groups does this driver return in bulk? Learnt from every
	 * running domain, before any domain decides on per-domain calls. */
	for (int i = 0; i < n; i++)
		if (virDomainGetID(recs[i]->dom) != (unsigned)-1)
			for (int k = 0; k < recs[i]->nparams; k++)
				c->bulk_groups |= vax_stats_group(recs[i]->params[k].field);
	int64_t now = vax_now_ms();

	/* A failed list only leaves those two columns absent. */
	c->calls += 2;
	bool have_p = list_uuids(c->conn, VIR_CONNECT_LIST_DOMAINS_PERSISTENT, &persistent) == 0;
	bool have_a = list_uuids(c->conn, VIR_CONNECT_LIST_DOMAINS_AUTOSTART, &autostart) == 0;

	if (!(s = new_snapshot(c, (size_t)n)) ||
	    (n && !(cache = calloc((size_t)n, sizeof(*cache))))) {
		vax_err("out of memory building a snapshot of %d domains", n);
		goto fail_lists;
	}
	for (int i = 0; i < n; i++) {
		struct vax_domain *d = vax_snapshot_add(s);
		if (build_domain(c, recs[i], now, d, &cache[ncache], have_p ? &persistent : NULL,
				 have_a ? &autostart : NULL)) {
			ncache++;
			continue;
		}
		/* Undo a half-built domain; the slot is reused. */
		free(d->name); free(d->vcpus); free(d->disks); free(d->nics);
		vax_domdef_unref(d->def);
		vax_domdef_unref(cache[ncache].def);
		cache[ncache].def = NULL;
		cache[ncache].unparsable = false;
		s->ndomains--;
	}
	if (vax_snapshot_seal(s) < 0) {
		vax_err("out of memory sealing a snapshot");
		goto fail_lists;
	}
	/* The new cache holds only the domains that exist now. */
	for (size_t i = 0; i < c->nxml; i++)
		vax_domdef_unref(c->xml[i].def);
	free(c->xml);
	qsort(cache, ncache, sizeof(*cache), cmp_xml);
	c->xml = cache;
	c->nxml = ncache;
	cache = NULL;
	save_index(c);

	free(persistent.uuid);
	free(autostart.uuid);
	virDomainStatsRecordListFree(recs);
	s->conn = VAX_CONNECTED;
	/* The daemon's host name is whatever that host was given. */
	s->hostname = vax_utf8_dup(c->hostname);
	s->hv_type = vax_utf8_dup(c->hv_type);
	s->hv_version = strdup_or_null(c->hv_version);
	s->lib_version = strdup_or_null(c->lib_version);
	s->taken_ms = vax_now_ms();
	s->begun_ms = t0;
	s->refresh_ms = (uint32_t)(s->taken_ms - t0);
	host_facts(c, s);
	note_domain_set(c, s);
	s->refresh_count = ++c->refresh_count;
	s->refresh_calls = c->calls;
	vax_snapshot_free(c->prev);
	c->prev = vax_snapshot_ref(s);
	vax_debug("collector", "refreshed %zu domains in %u ms", s->ndomains, s->refresh_ms);
	return s;

fail_lists:
	for (size_t i = 0; cache && i < ncache; i++)
		vax_domdef_unref(cache[i].def);
	free(cache);
	free(persistent.uuid);
	free(autostart.uuid);
	virDomainStatsRecordListFree(recs);
	vax_snapshot_free(s);
failed:
	/* No rows rather than stale ones: an empty snapshot, which says whether
	 * the connection itself is still there. */
	c->refresh_errors++;
	vax_snapshot_free(c->prev);
	c->prev = NULL;
	s = new_snapshot(c, 0);
	if (s) {
		s->conn = c->conn ? VAX_CONNECTED : VAX_DISCONNECTED;
		s->taken_ms = vax_now_ms();
		s->begun_ms = t0;
		s->refresh_ms = (uint32_t)(s->taken_ms - t0);
		host_facts(c, s);
		note_domain_set(c, s);
	}
	return s;
}

/* ---- the worker ---- */

static void warn_line(const char *msg)
{
	vax_warn("%s (line ignored)", msg);
}

/* On the worker: a SIGHUP changed the URI or the index file. A new index
 * file that cannot be read leaves the old map in place. */
static void apply_reconfigure(struct vax_collector *c, char *uri, char *index_file)
{
	char err[512];

	if (index_file) {
		struct vax_index *ix = vax_index_new(index_file);
		if (!ix || vax_index_load(ix, warn_line, err, sizeof(err)) < 0) {
			vax_err("%s; keeping %s", ix ? err : "out of memory",
				vax_index_path(c->index) ? vax_index_path(c->index) : "the current indexes");
			vax_index_free(ix);
		} else {
			pthread_mutex_lock(&c->index_lock);
			vax_index_free(c->index);
			c->index = ix;
			c->index_dirty = true;   /* write what we know into it */
			pthread_mutex_unlock(&c->index_lock);
		}
		free(index_file);
	}
	if (uri) {
		disconnect(c);
		free(c->uri);
		c->uri = *uri ? uri : (free(uri), NULL);
		c->ever_tried = false;
		vax_snapshot_free(c->prev);
		c->prev = NULL;
	}
}

static void *worker(void *arg)
{
	struct vax_collector *c = arg;
	unsigned backoff = BACKOFF_MIN_MS;

	pthread_mutex_lock(&c->lock);
	while (!c->stopping) {
		c->kicked = false;
		if (c->reconfigure) {
			char *uri = c->new_uri, *index = c->new_index;
			c->new_uri = c->new_index = NULL;
			c->reconfigure = false;
			pthread_mutex_unlock(&c->lock);
			apply_reconfigure(c, uri, index);
			backoff = BACKOFF_MIN_MS;
		} else {
			pthread_mutex_unlock(&c->lock);
		}

		struct vax_snapshot *s = refresh(c);
		if (s)
			c->publish(s, c->arg);
#if defined HAVE_MALLOC_H && defined HAVE_MALLOC_TRIM
		/* A refresh decodes a few KiB of typed parameters per domain
		 * on the worker's and fetchers' malloc arenas and frees them;
		 * glibc keeps such pages resident.  Hand them back once per
		 * refresh (0.1 MiB at 1000 domains in bench/, more when
		 * domains churn). */
		malloc_trim(0);
#endif

		pthread_mutex_lock(&c->lock);
		if (c->conn) {
			backoff = BACKOFF_MIN_MS;
			pthread_mutex_unlock(&c->lock);
			reap_fetchers(c, 0);   /* their stacks, before an idle spell */
			pthread_mutex_lock(&c->lock);
			while (!c->kicked && !c->stopping)
				pthread_cond_wait(&c->cond, &c->lock);
			continue;
		}
		/* Disconnected: retry after the backoff even if nobody asks,
		 * so the state shows connected again as soon as it can. */
		struct timespec until = vax_time_in(CLOCK_MONOTONIC, backoff);
		while (!c->stopping && !c->reconfigure &&
		       pthread_cond_timedwait(&c->cond, &c->lock, &until) != ETIMEDOUT)
			;
		backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
	}
	pthread_mutex_unlock(&c->lock);
	reap_fetchers(c, 2000);
	disconnect(c);
	save_index(c);   /* indexes given out for notifications since */
	return NULL;
}

struct vax_collector *vax_collector_start(const struct vax_collector_opts *o,
					  char *err, size_t errlen)
{
	struct vax_collector *c;
	pthread_condattr_t attr;

	if (!o->loop) {   /* a connection without it never gets keepalives */
		snprintf(err, errlen, "libvirt's event loop is not running");
		return NULL;
	}
	if (!(c = calloc(1, sizeof(*c)))) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->uri = strdup_or_null(o->uri);
	c->refs = 1;
	atomic_init(&c->closed, false);
	c->on_event = o->on_event;
	c->cb_lifecycle = c->cb_added = c->cb_removed = -1;
	c->publish = o->publish;
	c->arg = o->arg;
	/* Once, before any thread: libvirt keeps it in a process-wide global. */
	virSetErrorFunc(NULL, quiet_errors);
	if (!(c->index = vax_index_new(o->index_file)) ||
	    vax_index_load(c->index, warn_line, err, errlen) < 0)
		goto fail;
	pthread_mutex_init(&c->lock, NULL);
	pthread_mutex_init(&c->index_lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&c->cond, &attr);
	pthread_condattr_destroy(&attr);
	if ((errno = pthread_create(&c->thread, NULL, worker, c)) != 0) {
		snprintf(err, errlen, "cannot start the collector thread: %s", strerror(errno));
		pthread_cond_destroy(&c->cond);
		pthread_mutex_destroy(&c->lock);
		pthread_mutex_destroy(&c->index_lock);
		goto fail;
	}
	return c;
fail:
	vax_index_free(c->index);
	free(c->uri);
	free(c);
	return NULL;
}

void vax_collector_kick(struct vax_collector *c)
{
	pthread_mutex_lock(&c->lock);
	c->kicked = true;
	pthread_cond_signal(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

/* Freed by the last of the owner and the fetcher threads still in a call. */
static void collector_release(struct vax_collector *c)
{
	bool last;

	pthread_mutex_lock(&c->lock);
	last = --c->refs == 0;
	pthread_mutex_unlock(&c->lock);
	if (!last)
		return;
	for (size_t i = 0; i < c->nxml; i++)
		vax_domdef_unref(c->xml[i].def);
	free(c->xml);
	vax_index_free(c->index);
	vax_snapshot_free(c->prev);
	free(c->invalid);
	free(c->conn_uri);
	free(c->dom_indexes);
	free(c->new_uri);
	free(c->new_index);
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->lock);
	pthread_mutex_destroy(&c->index_lock);
	free(c->uri);
	free(c);
}

bool vax_collector_stop(struct vax_collector *c)
{
	bool all_ended;

	if (!c)
		return true;
	pthread_mutex_lock(&c->lock);
	c->stopping = true;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
	all_ended = c->threads_left == 0;   /* the worker's, now ended */
	collector_release(c);
	return all_ended;
}

void vax_collector_reconfigure(struct vax_collector *c, const char *uri,
			       bool uri_changed, const char *index_file)
{
	pthread_mutex_lock(&c->lock);
	if (uri_changed) {
		free(c->new_uri);
		c->new_uri = strdup(uri ? uri : "");   /* "": the default URI */
	}
	if (index_file) {
		free(c->new_index);
		c->new_index = strdup(index_file);
	}
	c->reconfigure = true;
	c->kicked = true;
	pthread_cond_signal(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

uint32_t vax_collector_lookup(struct vax_collector *c, const char *uuid)
{
	uint32_t index;

	pthread_mutex_lock(&c->index_lock);
	index = vax_index_lookup(c->index, uuid);
	pthread_mutex_unlock(&c->index_lock);
	return index;
}

uint32_t vax_collector_index(struct vax_collector *c, const char *uuid)
{
	bool added;
	uint32_t index;

	pthread_mutex_lock(&c->index_lock);
	index = vax_index_get(c->index, uuid, &added);
	c->index_dirty |= added;
	pthread_mutex_unlock(&c->index_lock);
	if (added)
		vax_info("domain %s gets index %u", uuid, index);
	return index;
}
