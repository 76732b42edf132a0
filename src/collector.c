/* collector.c - one refresh: libvirt -> snapshot.
 *
 * A refresh costs five RPCs on a driver with full bulk stats: one
 * virConnectGetAllDomainStats for every domain and group, two
 * virConnectListAllDomains for the persistent and autostart flags (asking
 * each domain would cost two RPCs per domain), and the host's CPU and
 * memory statistics (collector_host.c). Domain XML is fetched only
 * for a domain that is new, restarted (new id) or names a device its cached
 * XML lacks. Per-domain calls fill only the groups a driver left out of the
 * bulk answer (the test driver returns the state group alone).
 */
#include "config.h"

#include <errno.h>
#if defined HAVE_MALLOC_H && defined HAVE_MALLOC_TRIM
#include <malloc.h>
#endif
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector_int.h"
#include "guest.h"
#include "libvirt_state.h"
#include "log.h"
#include "libvirt_stats.h"
#include "libvirt_stats_domain.h"
#include "usage.h"
#include "utf8.h"

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

/* One refresh: a snapshot, or an empty one that says what failed. */
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

	col_drop_invalid_xml(c);
	if (c->conn && atomic_load(&c->closed))
		col_check_alive(c);   /* closed under us: reconnect at once */
	if (!col_connect_libvirt(c))
		goto failed;
	c->calls = 0;
	n = col_fetch_stats(c, groups, &recs);
	if (n < 0 && c->nowait_ok && (c->fetch_error == VIR_ERR_INVALID_ARG ||
				      c->fetch_error == VIR_ERR_NO_SUPPORT) && col_check_alive(c)) {
		/* Older drivers reject NOWAIT; remember and ask plainly. */
		c->nowait_ok = false;
		n = col_fetch_stats(c, groups, &recs);
	}
	if (n == -2)
		return NULL;   /* stopping or switching over: no verdict */
	if (n < 0) {
		if (col_check_alive(c))
			vax_err("virConnectGetAllDomainStats failed: %s", c->fetch_message);
		goto failed;
	}
	/* Which groups does this driver return in bulk? Learnt from every
	 * running domain, before any domain decides on per-domain calls. */
	for (int i = 0; i < n; i++)
		if (virDomainGetID(recs[i]->dom) != VAX_NO_ID)
			for (int k = 0; k < recs[i]->nparams; k++)
				c->bulk_groups |= vax_stats_group(recs[i]->params[k].field);
	struct col_refresh r = { .now = vax_now_ms() };

	/* A failed list only leaves those two columns absent. */
	c->calls += 2;
	if (col_list_uuids(c->conn, VIR_CONNECT_LIST_DOMAINS_PERSISTENT, &persistent) == 0)
		r.persistent = &persistent;
	if (col_list_uuids(c->conn, VIR_CONNECT_LIST_DOMAINS_AUTOSTART, &autostart) == 0)
		r.autostart = &autostart;

	if (!(s = new_snapshot(c, (size_t)n)) ||
	    (n && !(cache = calloc((size_t)n, sizeof(*cache))))) {
		vax_err("out of memory building a snapshot of %d domains", n);
		goto fail_lists;
	}
	for (int i = 0; i < n; i++) {
		struct vax_domain *d = vax_snapshot_add(s);
		if (col_build_domain(c, &r, recs[i], d, &cache[ncache]))
			ncache++;
		else
			vax_snapshot_drop_last(s);   /* not shown: the slot is reused */
	}
	col_host_sample(c, s, r.now);
	col_storage_rows(c, s);
	/* Gauges, from the samples the snapshots already hold. */
	int64_t window = (int64_t)atomic_load(&c->usage_window_ms);
	bool window_closed = vax_usage_fill(s->domains, s->ndomains, c->usage_base,
					    c->usage_base_ms, c->prev, r.now, window);
	vax_usage_host(s, c->usage_base, c->prev, window);
	if (vax_snapshot_seal(s) < 0) {
		vax_err("out of memory sealing a snapshot");
		goto fail_lists;
	}
	/* The new cache holds only the domains that exist now. */
	for (size_t i = 0; i < c->nxml; i++)
		vax_domdef_unref(c->xml[i].def);
	free(c->xml);
	if (ncache)   /* no domain: cache is NULL, which qsort may not take */
		qsort(cache, ncache, sizeof(*cache), col_cmp_xml);
	c->xml = cache;
	c->nxml = ncache;
	cache = NULL;
	col_save_index(c);

	free(persistent.uuid);
	free(autostart.uuid);
	virDomainStatsRecordListFree(recs);
	s->conn = VAX_CONNECTED;
	/* The daemon's host name is whatever that host was given. */
	s->hostname = vax_utf8_dup(c->hostname);
	s->hv_type = vax_utf8_dup(c->hv_type);
	s->hv_version = col_strdup_or_null(c->hv_version);
	s->lib_version = col_strdup_or_null(c->lib_version);
	s->taken_ms = vax_now_ms();
	s->begun_ms = t0;
	s->refresh_ms = (uint32_t)(s->taken_ms - t0);
	col_host_facts(c, s);
	s->guest_agent = vax_guests_agent(c->guests);
	col_note_domain_set(c, s);
	s->refresh_count = ++c->refresh_count;
	s->refresh_calls = c->calls;
	vax_snapshot_free(c->prev);
	c->prev = vax_snapshot_ref(s);
	if (window_closed) {   /* the next window begins here */
		vax_snapshot_free(c->usage_base);
		c->usage_base = vax_snapshot_ref(s);
		c->usage_base_ms = r.now;
	}
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
		col_host_facts(c, s);
		col_note_domain_set(c, s);
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
		col_disconnect(c);
		free(c->uri);
		c->uri = *uri ? uri : (free(uri), NULL);
		c->ever_tried = false;
		vax_snapshot_free(c->prev);
		c->prev = NULL;
		vax_snapshot_free(c->usage_base);   /* another host's domains */
		c->usage_base = NULL;
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
			col_reap_fetchers(c, 0);   /* their stacks, before an idle spell */
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
	col_reap_fetchers(c, 2000);
	col_disconnect(c);
	col_save_index(c);   /* indexes given out for notifications since */
	return NULL;
}

struct vax_collector *vax_collector_start(const struct vax_collector_opts *o,
					  char *err, size_t errlen)
{
	struct vax_collector *c;

	if (!o->loop) {   /* a connection without it never gets keepalives */
		snprintf(err, errlen, "libvirt's event loop is not running");
		return NULL;
	}
	if (!(c = calloc(1, sizeof(*c)))) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->uri = col_strdup_or_null(o->uri);
	c->refs = 1;
	atomic_init(&c->closed, false);
	c->on_event = o->on_event;
	c->cb_lifecycle = c->cb_added = c->cb_removed = -1;
	c->publish = o->publish;
	c->arg = o->arg;
	c->guests = o->guests;
	c->storage = o->storage;
	atomic_init(&c->usage_window_ms, o->usage_window_ms ? o->usage_window_ms : 10000);
	/* Once, before any thread: libvirt keeps it in a process-wide global. */
	virSetErrorFunc(NULL, col_quiet_errors);
	if (!(c->index = vax_index_new(o->index_file)) ||
	    vax_index_load(c->index, warn_line, err, errlen) < 0)
		goto fail;
	pthread_mutex_init(&c->lock, NULL);
	pthread_mutex_init(&c->index_lock, NULL);
	vax_cond_init_monotonic(&c->cond);
	/* Signals are the main thread's: the worker and the fetcher threads it
	 * starts inherit this mask. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	errno = pthread_create(&c->thread, NULL, worker, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (errno != 0) {
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
	col_release(c);
	return all_ended;
}

void vax_collector_set_usage_window(struct vax_collector *c, uint32_t ms)
{
	if (ms)
		atomic_store(&c->usage_window_ms, ms);
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
