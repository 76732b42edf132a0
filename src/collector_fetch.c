/* collector_fetch.c - bulk statistics on fetcher threads, each call with
 * a deadline past which it is abandoned (a hung QEMU monitor never holds
 * up a refresh). */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collector_int.h"
#include "libvirt_state.h"
#include "log.h"

/* ---- bulk stats on a fetcher thread ----
 *
 * virConnectGetAllDomainStats with NOWAIT skips a domain whose QEMU job is
 * busy, but when the job is free it takes it and asks the monitor; if that
 * QEMU is hung, the call never returns. So the call runs on a thread of
 * its own: past a deadline the collector abandons it (it keeps the hung
 * domain's job, so a new NOWAIT call skips that domain) and asks again.
 * A fetcher only calls libvirt, on a connection it holds a reference to. */

#define MAX_FETCHERS 4



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
		snprintf(f->message, sizeof(f->message), "%s", col_last_error());
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
	col_release(c);
	return NULL;
}

/* Join the fetcher threads that have ended; with wait_ms > 0, wait that
 * long for the others (at exit: a thread still running when the process
 * ends is cut off mid-call), then let go of those still in a libvirt call
 * that does not return. Worker thread only. */
void col_reap_fetchers(struct vax_collector *c, int wait_ms)
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
		f->open_uri = col_strdup_or_null(c->conn_uri ? c->conn_uri : c->uri);
	col_reap_fetchers(c, 0);
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
int col_fetch_stats(struct vax_collector *c, unsigned groups,
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
