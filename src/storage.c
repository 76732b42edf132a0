/* storage.c - the storage thread (see storage.h): a dispatcher, jobs on
 * short-lived threads (one listing, one asking per pool), and what each
 * pool's last asking gave, by UUID. */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "clock.h"
#include "libvirt_state.h"
#include "libvirt_storage.h"
#include "log.h"
#include "storage.h"
#include "usage.h"
#include "utf8.h"

_Static_assert((int)VAX_POOL_STATE_RUNNING == (int)VIR_STORAGE_POOL_RUNNING &&
	       (int)VAX_POOL_STATE_INACCESSIBLE == (int)VIR_STORAGE_POOL_INACCESSIBLE, "pool states");
_Static_assert((int)VAX_EV_POOL_STARTED == VIR_STORAGE_POOL_EVENT_STARTED &&
	       (int)VAX_EV_POOL_STOPPED == VIR_STORAGE_POOL_EVENT_STOPPED &&
	       (int)VAX_EV_NET_STARTED == VIR_NETWORK_EVENT_STARTED &&
	       (int)VAX_EV_NET_STOPPED == VIR_NETWORK_EVENT_STOPPED, "event numbers");

#define WAIT_MS 5000            /* a listing's and its askings' deadline */
#define MAX_POOLS 4096          /* askings at once: a bound on threads */

/* A job: fn runs on a thread of its own, then done is set. Held by the
 * dispatcher until it takes the result or gives up, and by the thread
 * until it ends: the last reference frees (under st->lock). */
struct job {
	struct vax_storage *st;
	int refs;
	bool done;
	unsigned round;             /* the dispatcher's round that started it */
	virConnectPtr conn;
	bool refresh, local;
	/* A listing: pools to ask and networks, with what they gave. */
	virStoragePoolPtr *pools;
	int npools;
	struct vax_network *nets;
	int nnets;
	/* A pool's asking. */
	virStoragePoolPtr pool;
	struct vax_pool out;
};

struct entry {
	char uuid[37];
	bool seen;                  /* in this listing */
	bool low;                   /* above its threshold, as last notified */
	struct job *job;            /* an asking not taken yet (maybe hung) */
	struct vax_pool last;       /* its last answer; read_ms 0: none yet */
};

struct vax_storage {
	pthread_t thread;
	pthread_mutex_t lock;       /* everything below */
	pthread_cond_t cond;
	int refs;                   /* the owner and each job's thread */
	bool stopping, reconfigure, kicked, ended;
	unsigned round;             /* counts round_trip()s */
	char *uri;
	struct vax_storage_opts conf;   /* conf.pools: thresholds below */
	struct vax_pool_threshold *thresholds;   /* owned copies */
	size_t nthresholds;
	void (*on_event)(const struct vax_event *ev, void *arg);
	void *arg;
	struct entry *e;            /* sorted by uuid */
	size_t n;
	struct job *listing;        /* a listing not taken yet */
	struct vax_network *nets;   /* the last listing's networks */
	size_t nnets;
	struct vax_storage_set *set;
	virConnectPtr conn;         /* the dispatcher's; jobs hold a reference */
	bool conn_rw, open_failed;
	bool local;                 /* the daemon is on this machine: statvfs applies */
	int cb_pool, cb_net;        /* event callback ids, -1: none */
	/* Jobs' connections whose last reference went under the lock: closed
	 * outside it (a last close talks to libvirtd, which may hang). */
	virConnectPtr *closing;
	size_t nclosing;
};

static void free_conf(struct vax_storage *st)
{
	for (size_t i = 0; i < st->nthresholds; i++)
		free(st->thresholds[i].name);
	free(st->thresholds);
	st->thresholds = NULL;
	st->nthresholds = 0;
	st->conf.pools = NULL;
	st->conf.npools = 0;
}

static void pool_clear(struct vax_pool *p)
{
	free(p->name);
	free(p->type);
	free(p->target);
	memset(p, 0, sizeof(*p));
}

static void nets_free(struct vax_network *n, size_t count)
{
	for (size_t i = 0; n && i < count; i++) {
		free(n[i].name);
		free(n[i].bridge);
		free(n[i].forward);
	}
	free(n);
}

static void close_all(virConnectPtr *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		virConnectClose(c[i]);
	free(c);
}

/* Under lock: drop a reference. The last frees st, its lock too (true);
 * else the lock stays held (false). */
static bool release(struct vax_storage *st)
{
	if (--st->refs)
		return false;
	for (size_t i = 0; i < st->n; i++)
		pool_clear(&st->e[i].last);
	free(st->e);
	nets_free(st->nets, st->nnets);
	vax_storage_set_unref(st->set);
	free_conf(st);
	free(st->uri);
	pthread_mutex_unlock(&st->lock);
	close_all(st->closing, st->nclosing);
	pthread_mutex_destroy(&st->lock);
	pthread_cond_destroy(&st->cond);
	free(st);
	return true;
}

/* Under lock: the connections to close, taken; close_all them unlocked. */
static virConnectPtr *take_closing(struct vax_storage *st, size_t *n)
{
	virConnectPtr *c = st->closing;

	*n = st->nclosing;
	st->closing = NULL;
	st->nclosing = 0;
	return c;
}

/* Under lock: drop a reference to j; the last frees it. */
static void job_release(struct job *j)
{
	struct vax_storage *st = j->st;
	virConnectPtr *c;

	if (--j->refs)
		return;
	for (int i = 0; i < j->npools; i++)
		if (j->pools[i])
			virStoragePoolFree(j->pools[i]);   /* local: no call */
	free(j->pools);
	nets_free(j->nets, (size_t)(j->nnets > 0 ? j->nnets : 0));
	if (j->pool)
		virStoragePoolFree(j->pool);
	pool_clear(&j->out);
	if ((c = realloc(st->closing, (st->nclosing + 1) * sizeof(*c)))) {
		st->closing = c;
		c[st->nclosing++] = j->conn;
	} else {
		virConnectClose(j->conn);   /* out of memory: better late than leak */
	}
	free(j);
}

/* ---- the jobs (their own threads; libvirt calls, no lock held) ---- */

static void ask_network(virNetworkPtr net, struct vax_network *n)
{
	char uuid[VIR_UUID_STRING_BUFLEN], err[256];
	char *xml;
	int x;

	if (virNetworkGetUUIDString(net, uuid) == 0)
		snprintf(n->uuid, sizeof(n->uuid), "%s", uuid);
	n->name = vax_utf8_dup(virNetworkGetName(net));
	if ((xml = virNetworkGetXMLDesc(net, 0))) {
		if (vax_net_parse_xml(xml, strlen(xml), n, err, sizeof(err)) < 0)
			vax_debug("storage", "network %s: %s", n->name ? n->name : uuid, err);
		free(xml);
	}
	if ((x = virNetworkIsActive(net)) >= 0)
		vax_set(&n->vals, VAX_NET_ACTIVE, (uint64_t)x);
	if ((x = virNetworkIsPersistent(net)) >= 0)
		vax_set(&n->vals, VAX_NET_PERSISTENT, (uint64_t)x);
	if (virNetworkGetAutostart(net, &x) == 0)
		vax_set(&n->vals, VAX_NET_AUTOSTART, x != 0);
	/* Only an active network has leases; a driver without them (the
	 * test driver) leaves the count absent, not 0. */
	if (vax_has(&n->vals, VAX_NET_ACTIVE) && n->vals.v[VAX_NET_ACTIVE]) {
		virNetworkDHCPLeasePtr *leases = NULL;
		int k = virNetworkGetDHCPLeases(net, NULL, &leases, 0);
		if (k >= 0)
			vax_set(&n->vals, VAX_NET_LEASES, (uint64_t)k);
		for (int i = 0; i < k; i++)
			virNetworkDHCPLeaseFree(leases[i]);
		free(leases);
	}
}

static void run_listing(struct job *j)
{
	virNetworkPtr *nets = NULL;
	int k;

	j->npools = virConnectListAllStoragePools(j->conn, &j->pools, 0);
	if (j->npools < 0) {
		vax_debug("storage", "listing pools: %s", virGetLastErrorMessage());
		j->pools = NULL;
	}
	k = virConnectListAllNetworks(j->conn, &nets, 0);
	if (k > 0 && (j->nets = calloc((size_t)k, sizeof(*j->nets)))) {
		j->nnets = k;
		for (int i = 0; i < k; i++)
			ask_network(nets[i], &j->nets[i]);
	} else if (k != 0) {   /* failed, or out of memory: nothing said */
		j->nnets = -1;
		vax_debug("storage", "listing networks: %s", virGetLastErrorMessage());
	}
	for (int i = 0; i < k; i++)
		virNetworkFree(nets[i]);
	free(nets);
}

static void run_asking(struct job *j)
{
	virStoragePoolInfo info;
	struct vax_pool *p = &j->out;
	char err[256], *xml;
	int x;

	if (j->refresh && virStoragePoolIsActive(j->pool) == 1 &&
	    virStoragePoolRefresh(j->pool, 0) < 0)
		vax_debug("storage", "refreshing pool %s: %s", p->name, virGetLastErrorMessage());
	if ((xml = virStoragePoolGetXMLDesc(j->pool, 0))) {
		if (vax_pool_parse_xml(xml, strlen(xml), p, err, sizeof(err)) < 0)
			vax_debug("storage", "pool %s: %s", p->name, err);
		free(xml);
	}
	if (virStoragePoolGetInfo(j->pool, &info) == 0)
		vax_pool_from_info(&p->vals, &info);
	if ((x = virStoragePoolIsPersistent(j->pool)) >= 0)
		vax_set(&p->vals, VAX_POOL_PERSISTENT, (uint64_t)x);
	if (virStoragePoolGetAutostart(j->pool, &x) == 0)
		vax_set(&p->vals, VAX_POOL_AUTOSTART, x != 0);
	if (vax_has(&p->vals, VAX_POOL_STATE) && p->vals.v[VAX_POOL_STATE] == VIR_STORAGE_POOL_RUNNING) {
		struct statvfs sv;
		if ((x = virStoragePoolNumOfVolumes(j->pool)) >= 0)
			vax_set(&p->vals, VAX_POOL_VOLUMES, (uint64_t)x);
		/* The filesystem knows what libvirt's cache does not (see
		 * storage.h); this call is why an asking may hang. */
		if (!j->refresh && j->local && vax_pool_type_is_local_fs(p->type) && p->target &&
		    statvfs(p->target, &sv) == 0)
			vax_pool_from_statvfs(&p->vals, &sv);
	}
	p->read_ms = vax_now_ms();
}

static void *job_thread(void *arg)
{
	struct job *j = arg;
	struct vax_storage *st = j->st;

	if (j->pool)
		run_asking(j);
	else
		run_listing(j);
	virConnectPtr *c;
	size_t n;

	pthread_mutex_lock(&st->lock);
	j->done = true;
	pthread_cond_broadcast(&st->cond);
	job_release(j);
	if (release(st))
		return NULL;   /* the last: it closed what was left */
	c = take_closing(st, &n);
	pthread_mutex_unlock(&st->lock);
	close_all(c, n);
	return NULL;
}

/* Under lock: a job on a thread of its own (pool taken over; NULL: a
 * listing); NULL if none could start. */
static struct job *start_job(struct vax_storage *st, virStoragePoolPtr pool)
{
	struct job *j = calloc(1, sizeof(*j));
	pthread_attr_t attr;
	pthread_t t;
	sigset_t all, old;
	int rc;

	if (!j) {
		if (pool)
			virStoragePoolFree(pool);
		return NULL;
	}
	*j = (struct job){ .st = st, .refs = 2, .round = st->round, .conn = st->conn,
		.pool = pool, .refresh = st->conf.refresh, .local = st->local };
	if (pool) {
		char uuid[VIR_UUID_STRING_BUFLEN];
		if (virStoragePoolGetUUIDString(pool, uuid) == 0)   /* local: no call */
			snprintf(j->out.uuid, sizeof(j->out.uuid), "%s", uuid);
		j->out.name = vax_utf8_dup(virStoragePoolGetName(pool));
	}
	virConnectRef(j->conn);
	st->refs++;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);   /* signals are the main thread's */
	rc = pthread_create(&t, &attr, job_thread, j);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		st->refs--;
		j->refs = 1;
		job_release(j);   /* its connection reference: closed later */
		return NULL;
	}
	return j;
}

/* ---- the dispatcher ---- */

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->uuid, ((const struct entry *)b)->uuid);
}

static struct entry *find(struct vax_storage *st, const char *uuid)
{
	struct entry key;

	snprintf(key.uuid, sizeof(key.uuid), "%s", uuid);
	return st->n ? bsearch(&key, st->e, st->n, sizeof(*st->e), cmp_entry) : NULL;
}

static void hand_over(struct vax_storage *st, const struct vax_event *ev)
{
	if (st->on_event)
		st->on_event(ev, st->arg);
}

/* libvirt's loop thread: hand the event over, list again at once. */
static void lifecycle(struct vax_storage *st, int object, int kind, const char *name,
		      const char *uuid)
{
	static _Thread_local struct vax_event ev;   /* 1 KiB: not on the stack */

	memset(&ev, 0, sizeof(ev));
	ev.object = object;
	ev.kind = kind;
	snprintf(ev.uuid, sizeof(ev.uuid), "%s", uuid);
	vax_utf8_copy(ev.name, sizeof(ev.name), name);
	hand_over(st, &ev);
	pthread_mutex_lock(&st->lock);
	st->kicked = true;
	pthread_cond_broadcast(&st->cond);
	pthread_mutex_unlock(&st->lock);
}

static void pool_event(virConnectPtr conn, virStoragePoolPtr pool, int event, int detail,
		       void *arg)
{
	char uuid[VIR_UUID_STRING_BUFLEN];

	(void)conn;
	(void)detail;
	if (virStoragePoolGetUUIDString(pool, uuid) == 0)
		lifecycle(arg, VAX_OBJ_POOL, event, virStoragePoolGetName(pool), uuid);
}

static void net_event(virConnectPtr conn, virNetworkPtr net, int event, int detail, void *arg)
{
	char uuid[VIR_UUID_STRING_BUFLEN];

	(void)conn;
	(void)detail;
	if (virNetworkGetUUIDString(net, uuid) == 0)
		lifecycle(arg, VAX_OBJ_NETWORK, event, virNetworkGetName(net), uuid);
}

/* Under lock, released around libvirt calls. */
static void disconnect(struct vax_storage *st)
{
	virConnectPtr conn = st->conn;

	if (!conn)
		return;
	st->conn = NULL;
	pthread_mutex_unlock(&st->lock);
	if (st->cb_pool >= 0)
		virConnectStoragePoolEventDeregisterAny(conn, st->cb_pool);
	if (st->cb_net >= 0)
		virConnectNetworkEventDeregisterAny(conn, st->cb_net);
	st->cb_pool = st->cb_net = -1;
	virConnectClose(conn);
	pthread_mutex_lock(&st->lock);
}

static bool connect_libvirt(struct vax_storage *st)
{
	bool rw = st->conf.refresh;
	char *uri;
	virConnectPtr conn;
	bool local = false;

	if (st->conn && virConnectIsAlive(st->conn) == 1 && st->conn_rw == rw)
		return true;
	disconnect(st);
	uri = st->uri ? strdup(st->uri) : NULL;
	pthread_mutex_unlock(&st->lock);
	/* Read-write only for poolRefresh: libvirt refuses a pool refresh on a
	 * read-only connection, and read-write costs root-equivalent access. */
	conn = rw ? virConnectOpen(uri) : virConnectOpenReadOnly(uri);
	if (conn) {
		virConnectSetKeepAlive(conn, 5, 3);
		st->cb_pool = virConnectStoragePoolEventRegisterAny(conn, NULL,
			VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE,
			VIR_STORAGE_POOL_EVENT_CALLBACK(pool_event), st, NULL);
		st->cb_net = virConnectNetworkEventRegisterAny(conn, NULL,
			VIR_NETWORK_EVENT_ID_LIFECYCLE, VIR_NETWORK_EVENT_CALLBACK(net_event), st, NULL);
		if (st->cb_pool < 0 || st->cb_net < 0)
			vax_warn("pools and networks: cannot register for %s lifecycle events: %s; "
				 "no such notifications until the next reconnect",
				 st->cb_pool < 0 ? "pool" : "network", virGetLastErrorMessage());
		/* A remote daemon's target paths are not this machine's. */
		char *real = virConnectGetURI(conn);
		local = vax_uri_is_local(real ? real : uri);
		free(real);
		if (st->open_failed)
			vax_notice("pools and networks: connected to libvirt again");
	} else if (!st->open_failed) {
		vax_warn("pools and networks: cannot open %s libvirt connection to %s: %s%s",
			 rw ? "a read-write" : "a read-only", uri ? uri : "the default URI",
			 virGetLastErrorMessage(), rw ? " (poolRefresh yes needs one: run "
			 "virt-agentx as a member of group libvirt, or set poolRefresh no)" : "");
	}
	pthread_mutex_lock(&st->lock);
	free(uri);
	st->open_failed = !conn;
	st->conn = conn;
	st->conn_rw = rw;
	st->local = local;
	return conn != NULL;
}

/* Under lock: wait until the listing out (if any) and the askings this
 * round started are done, or the deadline passed. An asking left from an
 * earlier round is not waited for: its pool is already stalled, and
 * waiting for it would hold up every other pool's answer by the whole
 * deadline, round after round (it is taken whenever it returns). */
static void wait_jobs(struct vax_storage *st, int64_t deadline)
{
	for (;;) {
		bool all = !st->listing || st->listing->done;
		for (size_t i = 0; all && i < st->n; i++)
			all = !st->e[i].job || st->e[i].job->done ||
			      st->e[i].job->round != st->round;
		if (all || st->stopping || vax_now_ms() >= deadline)
			return;
		struct timespec ts = { deadline / 1000, (long)(deadline % 1000) * 1000000L };
		pthread_cond_timedwait(&st->cond, &st->lock, &ts);
	}
}

/* Under lock: the listing's pools become the entries (in UUID order),
 * each asked unless an asking is still out for it. */
static void take_listing(struct vax_storage *st, struct job *l)
{
	size_t k = 0;

	if (l->nnets >= 0) {   /* a failed listing keeps what is known, as for pools */
		nets_free(st->nets, st->nnets);
		st->nets = l->nets;
		st->nnets = (size_t)l->nnets;
		l->nets = NULL;
		l->nnets = 0;
	}
	for (size_t i = 0; i < st->n; i++)
		st->e[i].seen = false;
	if (l->npools < 0)
		return;   /* keep what is known; a listing that failed says nothing */
	for (int i = 0; i < l->npools; i++) {
		char uuid[VIR_UUID_STRING_BUFLEN];
		struct entry *e;
		if (virStoragePoolGetUUIDString(l->pools[i], uuid) < 0)
			continue;
		if (!(e = find(st, uuid))) {
			struct entry *p = realloc(st->e, (st->n + 1) * sizeof(*p));
			if (!p)
				continue;
			st->e = p;
			e = &st->e[st->n++];
			memset(e, 0, sizeof(*e));
			snprintf(e->uuid, sizeof(e->uuid), "%s", uuid);
			qsort(st->e, st->n, sizeof(*st->e), cmp_entry);
			e = find(st, uuid);
		}
		e->seen = true;
		if (!e->job && k++ < MAX_POOLS) {
			e->job = start_job(st, l->pools[i]);
			l->pools[i] = NULL;
		}
	}
	k = 0;
	for (size_t i = 0; i < st->n; i++) {
		struct entry *e = &st->e[i];
		if (!e->seen) {   /* gone: an asking still out is let go */
			if (e->job)
				job_release(e->job);
			pool_clear(&e->last);
			continue;
		}
		st->e[k++] = *e;
	}
	st->n = k;
}

/* The threshold for pool p, hundredths of a percent; 0: none. */
static uint32_t threshold_of(const struct vax_storage_opts *o, const char *name)
{
	for (size_t i = 0; name && i < o->npools; i++)
		if (strcmp(o->pools[i].name, name) == 0)
			return o->pools[i].threshold;
	return o->threshold;
}

/* Under lock: e's new answer; *ev set (true returned) when its used space
 * crossed its threshold up, or back below it less the hysteresis. */
static bool take_answer(struct vax_storage *st, struct entry *e, struct vax_event *ev)
{
	uint32_t th = threshold_of(&st->conf, e->job->out.name);
	uint64_t used;
	bool low = e->low;

	pool_clear(&e->last);
	e->last = e->job->out;
	memset(&e->job->out, 0, sizeof(e->job->out));
	job_release(e->job);
	e->job = NULL;
	if (th)
		vax_set(&e->last.vals, VAX_POOL_THRESHOLD, th);
	if (!th)
		low = false;   /* no notification: and none owed when one comes */
	else if (vax_pool_used(&e->last.vals, &used)) {
		if (used >= th)
			low = true;
		else if (used + st->conf.hysteresis < th)
			low = false;
	}
	if (low == e->low)
		return false;
	e->low = low;
	memset(ev, 0, sizeof(*ev));
	ev->object = VAX_OBJ_POOL;
	ev->kind = low ? VAX_EV_POOL_SPACE_LOW : VAX_EV_POOL_SPACE_OK;
	snprintf(ev->uuid, sizeof(ev->uuid), "%s", e->uuid);
	vax_utf8_copy(ev->name, sizeof(ev->name), e->last.name);
	ev->pool = e->last.vals;
	return true;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* Under lock: a new set from the entries and networks. */
static struct vax_storage_set *build_set(struct vax_storage *st, int64_t now)
{
	size_t np = 0;
	struct vax_storage_set *set;

	for (size_t i = 0; i < st->n; i++)
		np += st->e[i].last.read_ms != 0;
	if (!(set = vax_storage_set_new(np, st->nnets)))
		return NULL;
	set->listed_ms = now;
	for (size_t i = 0; i < st->n; i++) {
		const struct vax_pool *p = &st->e[i].last;
		struct vax_pool *q;
		if (!p->read_ms)
			continue;   /* never answered: nothing to serve yet */
		q = &set->pools[set->npools++];
		*q = *p;
		q->name = dup_or_null(p->name);
		q->type = dup_or_null(p->type);
		q->target = dup_or_null(p->target);
		/* Its asking, or the listing before any, has not returned. */
		q->stalled = st->e[i].job || (st->listing && !st->listing->done);
	}
	for (size_t i = 0; i < st->nnets; i++) {
		struct vax_network *q = &set->nets[set->nnets++];
		*q = st->nets[i];
		q->name = dup_or_null(st->nets[i].name);
		q->bridge = dup_or_null(st->nets[i].bridge);
		q->forward = dup_or_null(st->nets[i].forward);
	}
	return set;
}

/* Under lock: one round: a listing (unless the last is still out), at
 * most WAIT_MS for it; the askings it starts, at most WAIT_MS for them
 * (each asking gets its own 5 s, however long the listing took); then a
 * new set. */
static void round_trip(struct vax_storage *st)
{
	struct vax_event *evs = NULL;
	size_t nev = 0;
	struct vax_storage_set *set;

	st->round++;
	if (!st->listing)
		st->listing = start_job(st, NULL);
	wait_jobs(st, vax_now_ms() + WAIT_MS);
	if (st->listing && st->listing->done) {
		take_listing(st, st->listing);
		job_release(st->listing);
		st->listing = NULL;
		wait_jobs(st, vax_now_ms() + WAIT_MS);
	}
	if (st->n && !(evs = calloc(st->n, sizeof(*evs))))
		return;
	for (size_t i = 0; i < st->n; i++)
		if (st->e[i].job && st->e[i].job->done && take_answer(st, &st->e[i], &evs[nev]))
			nev++;
	for (size_t i = 0; i < st->n; i++)
		if (st->e[i].job && !st->e[i].job->done && st->e[i].last.read_ms)
			vax_debug("storage", "pool %s: no answer for %lld s", st->e[i].last.name,
				  (long long)(vax_now_ms() - st->e[i].last.read_ms) / 1000);
	if ((set = build_set(st, vax_now_ms()))) {
		vax_storage_set_unref(st->set);
		st->set = set;
	}
	size_t nc;
	virConnectPtr *c = take_closing(st, &nc);
	pthread_mutex_unlock(&st->lock);
	close_all(c, nc);
	for (size_t i = 0; i < nev; i++) {
		uint64_t used = 0;   /* as virtPoolUsed says it */
		vax_pool_used(&evs[i].pool, &used);
		vax_info("pool %s: %s (%.2f%% used, threshold %.2f%%)", evs[i].name,
			 evs[i].kind == VAX_EV_POOL_SPACE_LOW ? "space low" : "space ok again",
			 (double)used / 100.0, (double)evs[i].pool.v[VAX_POOL_THRESHOLD] / 100.0);
		hand_over(st, &evs[i]);
	}
	free(evs);
	pthread_mutex_lock(&st->lock);
}

static void *dispatcher(void *arg)
{
	struct vax_storage *st = arg;
	int64_t retry_ms = 1000;   /* after a failed connect: 1 s, doubling */

	pthread_mutex_lock(&st->lock);
	while (!st->stopping) {
		if (st->reconfigure) {
			st->reconfigure = false;
			disconnect(st);
		}
		st->kicked = false;
		int64_t wait_ms = (int64_t)st->conf.interval * 1000;
		if (connect_libvirt(st)) {
			retry_ms = 1000;
			if (!st->stopping)
				round_trip(st);
		} else {
			/* libvirtd not up yet (the agent started first): soon, as
			 * the collector retries, not a whole poolInterval later. */
			if (retry_ms < wait_ms)
				wait_ms = retry_ms;
			retry_ms = retry_ms * 2 > 30000 ? 30000 : retry_ms * 2;
		}
		if (st->stopping || st->reconfigure || st->kicked)
			continue;
		struct timespec until = vax_time_in(CLOCK_MONOTONIC, wait_ms);
		pthread_cond_timedwait(&st->cond, &st->lock, &until);
	}
	if (st->listing)
		job_release(st->listing);
	st->listing = NULL;
	for (size_t i = 0; i < st->n; i++)
		if (st->e[i].job) {
			job_release(st->e[i].job);
			st->e[i].job = NULL;
		}
	disconnect(st);
	size_t nc;
	virConnectPtr *c = take_closing(st, &nc);
	pthread_mutex_unlock(&st->lock);
	close_all(c, nc);
	pthread_mutex_lock(&st->lock);
	st->ended = true;
	pthread_cond_broadcast(&st->cond);
	pthread_mutex_unlock(&st->lock);
	return NULL;
}

/* Under lock (or before the thread starts). */
static void set_conf(struct vax_storage *st, const char *uri, const struct vax_storage_opts *o)
{
	struct vax_pool_threshold *p = o->npools ? calloc(o->npools, sizeof(*p)) : NULL;

	free(st->uri);
	st->uri = uri ? strdup(uri) : NULL;
	free_conf(st);
	st->conf = *o;
	st->thresholds = p;
	for (size_t i = 0; p && i < o->npools; i++)
		if ((p[st->nthresholds].name = strdup(o->pools[i].name)))
			p[st->nthresholds++].threshold = o->pools[i].threshold;
	st->conf.pools = p;
	st->conf.npools = st->nthresholds;
	if (!st->conf.interval)
		st->conf.interval = 30;
}

struct vax_storage *vax_storage_start(const struct vax_libvirt_loop *loop, const char *uri,
				      const struct vax_storage_opts *o,
				      void (*on_event)(const struct vax_event *ev, void *arg),
				      void *arg)
{
	struct vax_storage *st;
	sigset_t all, old;
	int rc;

	if (!loop || !(st = calloc(1, sizeof(*st))))
		return NULL;
	st->refs = 1;
	st->cb_pool = st->cb_net = -1;
	st->on_event = on_event;
	st->arg = arg;
	pthread_mutex_init(&st->lock, NULL);
	vax_cond_init_monotonic(&st->cond);
	set_conf(st, uri, o);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&st->thread, NULL, dispatcher, st);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		pthread_mutex_lock(&st->lock);
		release(st);   /* the only reference: frees */
		return NULL;
	}
	return st;
}

void vax_storage_reconfigure(struct vax_storage *st, const char *uri,
			     const struct vax_storage_opts *o)
{
	if (!st)
		return;
	pthread_mutex_lock(&st->lock);
	/* Another URI or access: a new connection; thresholds or the
	 * interval: the next round, now. */
	if (o->refresh != st->conf.refresh ||
	    ((uri || st->uri) && (!uri || !st->uri || strcmp(uri, st->uri) != 0)))
		st->reconfigure = true;
	st->kicked = true;
	set_conf(st, uri, o);
	pthread_cond_broadcast(&st->cond);
	pthread_mutex_unlock(&st->lock);
}

struct vax_storage_set *vax_storage_get(struct vax_storage *st)
{
	struct vax_storage_set *set;

	if (!st)
		return NULL;
	pthread_mutex_lock(&st->lock);
	set = vax_storage_set_ref(st->set);
	pthread_mutex_unlock(&st->lock);
	return set;
}

void vax_storage_stop(struct vax_storage *st)
{
	struct timespec until = vax_time_in(CLOCK_MONOTONIC, 3000);
	bool ended;

	if (!st)
		return;
	pthread_mutex_lock(&st->lock);
	st->stopping = true;
	pthread_cond_broadcast(&st->cond);
	while (!st->ended && pthread_cond_timedwait(&st->cond, &st->lock, &until) == 0)
		;
	ended = st->ended;
	pthread_mutex_unlock(&st->lock);
	/* A dispatcher in a libvirt call that does not return (opening a
	 * connection to a hung daemon) is let go: it holds no reference
	 * the process needs. */
	if (ended)
		pthread_join(st->thread, NULL);
	else {
		vax_warn("pools and networks: a libvirt call did not return; not waiting for it");
		pthread_detach(st->thread);
		return;
	}
	/* Jobs under way end within moments unless a pool hangs: those are
	 * let go, and the last of them frees st. */
	until = vax_time_in(CLOCK_MONOTONIC, 2000);
	pthread_mutex_lock(&st->lock);
	while (st->refs > 1 && pthread_cond_timedwait(&st->cond, &st->lock, &until) == 0)
		;
	if (st->refs > 1)
		vax_warn("pools and networks: %d libvirt or filesystem call(s) did not return; "
			 "not waiting for them", st->refs - 1);
	if (!release(st))
		pthread_mutex_unlock(&st->lock);
}
