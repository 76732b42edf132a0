/* guest.c - the guest-data thread (see guest.h): a dispatcher, one
 * short-lived asker thread per domain being asked, and the table of what
 * each domain's last asking gave, by UUID. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "clock.h"
#include "guest.h"
#include "libvirt_guest.h"
#include "log.h"

#define TICK_MS 2000            /* how often the running domains are listed */
#define MAX_ASKING 32           /* askers at once: a bound on threads */
#define RETRY_MS 10000          /* an agent that did not answer: sooner */
/* No agent channel: its agent is asked again only this often (libvirtd
 * logs an error each time), its addresses as usual. */
#define UNSUPPORTED_MS 300000

struct entry {
	char uuid[37];
	int id;                     /* domain id of the run the data is of */
	bool asking;                /* an asker is out for it */
	bool seen;                  /* in this tick's listing */
	int64_t next_ms;           /* when it is next asked */
	int64_t unsupported_ms;     /* when its agent was found unsupported */
	struct vax_guest *data;     /* NULL: not asked yet */
};

struct vax_guests {
	pthread_t thread;
	pthread_mutex_t lock;       /* everything below */
	pthread_cond_t cond;
	atomic_int ref;             /* the owner and each asker */
	bool stopping, reconfigure;
	unsigned gen;               /* settings changed: one more */
	char *uri;
	struct vax_guest_opts conf;
	struct entry *e;            /* sorted by uuid */
	size_t n, cap;
	unsigned asking;
	virConnectPtr conn;         /* dispatcher's; askers hold a reference */
	bool conn_rw;
	bool open_failed;           /* logged once per failure streak */
};

struct ask {
	struct vax_guests *gs;
	virConnectPtr conn;
	virDomainPtr dom;
	char uuid[37];
	int id;
	unsigned gen;               /* the settings it asks by */
	bool agent;
	bool unsupported;           /* known to have no agent: not asked */
	unsigned timeout;
	unsigned char sources[VAX_GUEST_MAX_SOURCES];
	size_t nsources;
	struct vax_guest_info *last;   /* the last answer, kept if none comes */
};

static void release(struct vax_guests *gs)
{
	if (atomic_fetch_sub(&gs->ref, 1) != 1)
		return;
	for (size_t i = 0; i < gs->n; i++)
		vax_guest_unref(gs->e[i].data);
	free(gs->e);
	free(gs->uri);
	if (gs->conn)
		virConnectClose(gs->conn);
	pthread_mutex_destroy(&gs->lock);
	pthread_cond_destroy(&gs->cond);
	free(gs);
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->uuid, ((const struct entry *)b)->uuid);
}

/* Under lock. */
static struct entry *find(struct vax_guests *gs, const char *uuid)
{
	struct entry key;

	snprintf(key.uuid, sizeof(key.uuid), "%s", uuid);
	return gs->n ? bsearch(&key, gs->e, gs->n, sizeof(*gs->e), cmp_entry) : NULL;
}

struct vax_guest *vax_guests_get(struct vax_guests *gs, const char *uuid, int id)
{
	struct vax_guest *g = NULL;
	struct entry *e;

	if (!gs)
		return NULL;
	pthread_mutex_lock(&gs->lock);
	if ((e = find(gs, uuid)) && e->id == id)
		g = vax_guest_ref(e->data);
	pthread_mutex_unlock(&gs->lock);
	return g;
}

bool vax_guests_agent(struct vax_guests *gs)
{
	bool on;

	if (!gs)
		return false;
	pthread_mutex_lock(&gs->lock);
	on = gs->conf.agent;
	pthread_mutex_unlock(&gs->lock);
	return on;
}

/* ---- one asking (asker thread) ---- */

static enum vax_agent_state failed_state(void)
{
	virErrorPtr e = virGetLastError();

	/* No agent channel in the domain XML, or a hypervisor without
	 * guest agents: asking again will not help. */
	if (e && (e->code == VIR_ERR_ARGUMENT_UNSUPPORTED || e->code == VIR_ERR_NO_SUPPORT ||
		  e->code == VIR_ERR_OPERATION_UNSUPPORTED))
		return VAX_AGENT_UNSUPPORTED;
	return VAX_AGENT_NOT_RESPONDING;
}

static void ask_agent(struct ask *a, struct vax_guest *g)
{
	virTypedParameterPtr p = NULL;
	int n = 0, rc;
	const unsigned base = VIR_DOMAIN_GUEST_INFO_USERS | VIR_DOMAIN_GUEST_INFO_OS |
		VIR_DOMAIN_GUEST_INFO_TIMEZONE | VIR_DOMAIN_GUEST_INFO_HOSTNAME |
		VIR_DOMAIN_GUEST_INFO_FILESYSTEM;
	unsigned types = base;
	virErrorPtr e;

#if LIBVIR_CHECK_VERSION(7, 10, 0)   /* an enum: no #ifdef */
	types |= VIR_DOMAIN_GUEST_INFO_INTERFACES;
#endif
	/* libvirt waits for an agent for ever by default; this bounds every
	 * agent call to this domain (see guestTimeout in the README). */
	if (a->timeout)
		virDomainAgentSetResponseTimeout(a->dom, (int)a->timeout, 0);
	rc = virDomainGetGuestInfo(a->dom, types, &p, &n, 0);
	/* A daemon older than this library may not know the interfaces type. */
	if (rc < 0 && types != base && (e = virGetLastError()) && e->code == VIR_ERR_INVALID_ARG)
		rc = virDomainGetGuestInfo(a->dom, base, &p, &n, 0);
	if (rc == 0) {
		g->info = vax_guest_info_from_params(p, n, vax_now_ms());
		virTypedParamsFree(p, n);
	}
	if (g->info) {
		g->state = VAX_AGENT_CONNECTED;
		return;
	}
	g->state = failed_state();
	g->error = strdup(virGetLastErrorMessage());
	g->info = vax_guest_info_ref(a->last);
}

/* One source's addresses into list (freed by the caller). */
static void ask_source(struct ask *a, const struct vax_guest *g, unsigned src,
		       struct vax_guest_addr **list, size_t *n, bool *answered)
{
	virDomainInterfacePtr *ifs = NULL;
	int k;

	*list = NULL;
	*n = 0;
	if (src == VAX_SRC_AGENT) {
		/* The agent's own answer already has them (one agent call). */
		if (g->state == VAX_AGENT_CONNECTED && g->info && g->info->naddrs) {
			struct vax_addr_list l = { g->info->addrs, g->info->naddrs };
			vax_guest_merge_addrs(&l, 1, list, n);
		}
		*answered = *answered || g->state == VAX_AGENT_CONNECTED;
		return;
	}
	k = virDomainInterfaceAddresses(a->dom, &ifs, src == VAX_SRC_LEASE ?
		VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE : VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_ARP, 0);
	if (k < 0)
		return;
	*answered = true;
	vax_guest_addrs_from_ifaces(ifs, k, (enum vax_addr_source)src, list, n);
	for (int i = 0; i < k; i++)
		virDomainInterfaceFree(ifs[i]);
	free(ifs);
}

/* How long until a domain is asked again, after an asking that gave g. */
static int64_t next_in(const struct vax_guest_opts *o, const struct vax_guest *g)
{
	int64_t ms = (int64_t)o->interval * 1000;

	if (g && g->state == VAX_AGENT_NOT_RESPONDING && ms > RETRY_MS)
		return RETRY_MS;       /* starting up, or back soon */
	return ms;
}

static void *asker(void *arg)
{
	struct ask *a = arg;
	struct vax_guests *gs = a->gs;
	struct vax_guest *g = vax_guest_new();
	struct vax_guest_addr *lists[VAX_GUEST_MAX_SOURCES] = { 0 };
	struct vax_addr_list l[VAX_GUEST_MAX_SOURCES];
	bool answered = false;
	struct entry *e;

	if (g) {
		g->state = VAX_AGENT_NOT_CONFIGURED;
		if (a->agent && a->unsupported)
			g->state = VAX_AGENT_UNSUPPORTED;
		else if (a->agent)
			ask_agent(a, g);
		for (size_t i = 0; i < a->nsources; i++)
			ask_source(a, g, a->sources[i], &lists[i], &l[i].n, &answered);
		for (size_t i = 0; i < a->nsources; i++)
			l[i].a = lists[i];
		if (vax_guest_merge_addrs(l, a->nsources, &g->addrs, &g->naddrs) == 0 && answered)
			g->addrs_ms = vax_now_ms();
		for (size_t i = 0; i < a->nsources; i++)
			vax_guest_addrs_free(lists[i], l[i].n);
	}
	pthread_mutex_lock(&gs->lock);
	if ((e = find(gs, a->uuid))) {
		e->asking = false;
		/* Asked by settings a reload replaced (an agent no longer
		 * asked, sources no longer named): thrown away, asked again. */
		if (a->gen != gs->gen)
			e->next_ms = 0;
		else if (g && e->id == a->id) {
			/* Addresses no source could give this time stay as
			 * they were, with their age. */
			if (!g->addrs_ms && e->data && e->data->addrs_ms) {
				vax_guest_addrs_free(g->addrs, g->naddrs);
				g->addrs = NULL;
				g->naddrs = 0;
				if (vax_guest_merge_addrs(&(struct vax_addr_list){ e->data->addrs,
					e->data->naddrs }, 1, &g->addrs, &g->naddrs) == 0)
					g->addrs_ms = e->data->addrs_ms;
			}
			if (g->state == VAX_AGENT_UNSUPPORTED &&
			    (!e->data || e->data->state != VAX_AGENT_UNSUPPORTED))
				e->unsupported_ms = vax_now_ms();
			vax_guest_unref(e->data);
			e->data = g;
			g = NULL;
		}
		if (a->gen == gs->gen)
			e->next_ms = vax_now_ms() + next_in(&gs->conf, e->data);
	}
	gs->asking--;
	pthread_cond_broadcast(&gs->cond);
	pthread_mutex_unlock(&gs->lock);
	vax_guest_unref(g);
	vax_guest_info_unref(a->last);
	virDomainFree(a->dom);
	virConnectClose(a->conn);
	free(a);
	release(gs);
	return NULL;
}

/* Under lock: send an asker for entry e (dom is taken over). */
static void start_asker(struct vax_guests *gs, struct entry *e, virDomainPtr dom, int64_t now)
{
	struct ask *a = calloc(1, sizeof(*a));
	pthread_attr_t attr;
	pthread_t t;
	sigset_t all, old;
	int rc;

	if (!a) {
		virDomainFree(dom);
		return;
	}
	*a = (struct ask){ .gs = gs, .conn = gs->conn, .dom = dom, .id = e->id, .gen = gs->gen,
		.agent = gs->conf.agent, .timeout = gs->conf.timeout,
		.unsupported = e->data && e->data->state == VAX_AGENT_UNSUPPORTED &&
			       now - e->unsupported_ms < UNSUPPORTED_MS,
		.nsources = gs->conf.nsources,
		.last = e->data ? vax_guest_info_ref(e->data->info) : NULL };
	memcpy(a->sources, gs->conf.sources, sizeof(a->sources));
	memcpy(a->uuid, e->uuid, sizeof(a->uuid));
	virConnectRef(a->conn);
	atomic_fetch_add(&gs->ref, 1);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);   /* signals are the main thread's */
	rc = pthread_create(&t, &attr, asker, a);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		vax_guest_info_unref(a->last);
		virDomainFree(dom);
		virConnectClose(a->conn);
		free(a);
		atomic_fetch_sub(&gs->ref, 1);   /* the owner still holds one */
		return;
	}
	e->asking = true;
	gs->asking++;
}

/* ---- the dispatcher ---- */

static void quiet(void *arg, virErrorPtr e)
{
	(void)arg;
	(void)e;
}

/* Under lock, released around libvirt calls. */
static bool connect_libvirt(struct vax_guests *gs)
{
	bool rw = gs->conf.agent;
	char *uri = gs->uri ? strdup(gs->uri) : NULL;
	virConnectPtr conn;

	if (gs->conn && virConnectIsAlive(gs->conn) == 1 && gs->conn_rw == rw) {
		free(uri);
		return true;
	}
	if (gs->conn) {
		virConnectClose(gs->conn);
		gs->conn = NULL;
	}
	pthread_mutex_unlock(&gs->lock);
	/* Read-write only for the guest agent: libvirt refuses its calls on
	 * a read-only connection, and it costs root-equivalent access. */
	conn = rw ? virConnectOpen(uri) : virConnectOpenReadOnly(uri);
	if (conn) {
		virConnectSetKeepAlive(conn, 5, 3);
		if (gs->open_failed)
			vax_notice("guest data: connected to libvirt again");
	} else if (!gs->open_failed)
		vax_warn("guest data: cannot open %s libvirt connection "
			"to %s: %s%s", rw ? "a read-write" : "a read-only", uri ? uri : "the default URI",
			virGetLastErrorMessage(), rw ? " (guestAgent yes needs one: run "
			"virt-agentx as a member of group libvirt, or set guestAgent no)" : "");
	pthread_mutex_lock(&gs->lock);
	free(uri);
	gs->open_failed = !conn;
	gs->conn = conn;
	gs->conn_rw = rw;
	return conn != NULL;
}

/* Under lock: one entry per running domain listed, in UUID order; the
 * entries of domains no longer running go. */
static void tick(struct vax_guests *gs, virDomainPtr *doms, int n, int64_t now)
{
	size_t k = 0;

	for (size_t i = 0; i < gs->n; i++)
		gs->e[i].seen = false;
	for (int i = 0; i < n; i++) {
		char uuid[VIR_UUID_STRING_BUFLEN];
		int id = (int)virDomainGetID(doms[i]);
		struct entry *e;

		if (virDomainGetUUIDString(doms[i], uuid) < 0)
			continue;
		if (!(e = find(gs, uuid))) {
			if (gs->n == gs->cap) {
				size_t cap = gs->cap ? gs->cap * 2 : 16;
				struct entry *p = realloc(gs->e, cap * sizeof(*p));
				if (!p)
					continue;
				gs->e = p;
				gs->cap = cap;
			}
			e = &gs->e[gs->n++];
			memset(e, 0, sizeof(*e));
			snprintf(e->uuid, sizeof(e->uuid), "%s", uuid);
			e->id = id;
			qsort(gs->e, gs->n, sizeof(*gs->e), cmp_entry);
			e = find(gs, uuid);
		}
		if (e->id != id && !e->asking) {
			/* Another run of the domain: nothing of the last holds. */
			vax_guest_unref(e->data);
			e->data = NULL;
			e->id = id;
			e->next_ms = 0;
		}
		e->seen = true;
	}
	for (size_t i = 0; i < gs->n; i++) {
		struct entry *e = &gs->e[i];
		if (!e->seen && !e->asking) {
			vax_guest_unref(e->data);
			continue;
		}
		gs->e[k++] = *e;
	}
	gs->n = k;
	if (!gs->conf.agent && !gs->conf.nsources)
		return;
	for (int i = 0; i < n && gs->asking < MAX_ASKING; i++) {
		char uuid[VIR_UUID_STRING_BUFLEN];
		struct entry *e;
		if (virDomainGetUUIDString(doms[i], uuid) < 0 || !(e = find(gs, uuid)) ||
		    e->asking || e->next_ms > now)
			continue;
		start_asker(gs, e, doms[i], now);
		doms[i] = NULL;
	}
}

static void *dispatcher(void *arg)
{
	struct vax_guests *gs = arg;

	pthread_mutex_lock(&gs->lock);
	while (!gs->stopping) {
		virDomainPtr *doms = NULL;
		virConnectPtr conn;
		int n = -1;

		if (gs->reconfigure) {
			gs->reconfigure = false;
			if (gs->conn)
				virConnectClose(gs->conn);
			gs->conn = NULL;
			/* What was gathered by the old settings is not served
			 * by the new: with nothing left to ask, no tick would
			 * ever replace it (a connected agent state, addresses
			 * of a source no longer named). */
			for (size_t i = 0; i < gs->n; i++) {
				vax_guest_unref(gs->e[i].data);
				gs->e[i].data = NULL;
				gs->e[i].next_ms = 0;
			}
		}
		if ((gs->conf.agent || gs->conf.nsources) && connect_libvirt(gs)) {
			conn = gs->conn;
			virConnectRef(conn);
			pthread_mutex_unlock(&gs->lock);
			n = virConnectListAllDomains(conn, &doms, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
			pthread_mutex_lock(&gs->lock);
			if (n >= 0 && conn == gs->conn && !gs->stopping)
				tick(gs, doms, n, vax_now_ms());
			virConnectClose(conn);
		}
		for (int i = 0; i < n; i++)
			if (doms[i])
				virDomainFree(doms[i]);
		free(doms);
		if (!gs->stopping && !gs->reconfigure) {
			struct timespec until = vax_time_in(CLOCK_MONOTONIC, TICK_MS);
			pthread_cond_timedwait(&gs->cond, &gs->lock, &until);
		}
	}
	pthread_mutex_unlock(&gs->lock);
	return NULL;
}

static void set_conf(struct vax_guests *gs, const char *uri, const struct vax_guest_opts *g)
{
	free(gs->uri);
	gs->uri = uri ? strdup(uri) : NULL;
	gs->conf = *g;
}

struct vax_guests *vax_guests_start(const struct vax_libvirt_loop *loop, const char *uri,
				    const struct vax_guest_opts *g)
{
	struct vax_guests *gs;
	sigset_t all, old;
	int rc;

	if (!loop || !(gs = calloc(1, sizeof(*gs))))
		return NULL;
	/* Errors are read where they happen (libvirt would print them). */
	virSetErrorFunc(NULL, quiet);
	atomic_init(&gs->ref, 1);
	pthread_mutex_init(&gs->lock, NULL);
	vax_cond_init_monotonic(&gs->cond);
	set_conf(gs, uri, g);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&gs->thread, NULL, dispatcher, gs);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		release(gs);
		return NULL;
	}
	return gs;
}

void vax_guests_reconfigure(struct vax_guests *gs, const char *uri,
			    const struct vax_guest_opts *g)
{
	if (!gs)
		return;
	pthread_mutex_lock(&gs->lock);
	set_conf(gs, uri, g);
	gs->gen++;
	gs->reconfigure = true;
	pthread_cond_broadcast(&gs->cond);
	pthread_mutex_unlock(&gs->lock);
}

void vax_guests_stop(struct vax_guests *gs)
{
	struct timespec until;

	if (!gs)
		return;
	pthread_mutex_lock(&gs->lock);
	gs->stopping = true;
	pthread_cond_broadcast(&gs->cond);
	pthread_mutex_unlock(&gs->lock);
	pthread_join(gs->thread, NULL);
	/* Askers under way end within guestTimeout; one whose agent call
	 * does not return is let go (it holds a reference). */
	until = vax_time_in(CLOCK_MONOTONIC, 3000);
	pthread_mutex_lock(&gs->lock);
	while (gs->asking && pthread_cond_timedwait(&gs->cond, &gs->lock, &until) == 0)
		;
	if (gs->asking)
		vax_warn("guest data: %u guest agent call(s) did not "
			"return; not waiting for them", gs->asking);
	pthread_mutex_unlock(&gs->lock);
	release(gs);
}
