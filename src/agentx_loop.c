/* agentx_loop.c - the AgentX side's main thread: registration, the served
 * snapshot and its freshness, events turned into both MIBs' notifications
 * (agentx_virtagentx.c, agentx_vmmib.c), and net-snmp's loop with the
 * wake-up pipe and signals. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/library/large_fd_set.h>

#include "agentx.h"
#include "agentx_handler.h"
#include "agentx_notify.h"
#include "agentx_virtagentx.h"
#include "agentx_vmmib.h"
#include "collector.h"
#include "libvirt_events.h"
#include "handoff.h"
#include "log.h"
#include "conf.h"
#include "utf8.h"

#define APP "virt-agentx"

static struct {
	struct vax_snapshot *current;       /* main thread only */
	struct vax_collector *collector;
	const struct vax_config *conf;      /* the daemon's (vax_agent_init) */
	bool kick_outstanding;              /* a refresh was asked, not yet seen */

	struct vax_handoff in;              /* snapshots and events from other threads */

	int wake[2];                        /* self-pipe: worker, events, signals */
	volatile sig_atomic_t stop, reload, cut;

} A = { .wake = { -1, -1 } };

/* Events waiting beyond this many are dropped (and counted): the main
 * thread turns them into notifications as fast as snmpd takes those. */
#define MAX_EVENTS 4096

/* Notifications one loop round builds and sends at most, after it has
 * read what snmpd sent: requests keep their priority over a backlog. */
#define NOTIFY_ROUND 64
/* How long a stopping agent keeps sending what is queued. */
#define STOP_DRAIN_MS 2000
/* After this long (the drain, then up to 2 s for libvirt statistics
 * threads) a stop still inside net-snmp (snmpd hung, our socket full, a
 * synchronous AgentX ping or Close waiting for its answer) cuts the
 * AgentX socket, which ends every such wait at once. */
#define STOP_GRACE_S 3

static void wake_up(void)
{
	char b = 0;
	ssize_t r = write(A.wake[1], &b, 1);   /* full pipe: already awake */

	(void)r;
}

/* ---- snapshots ---- */

void vax_agent_publish(struct vax_snapshot *snap, void *arg)
{
	(void)arg;
	vax_handoff_publish(&A.in, snap);
}

/* s (if any) becomes the served snapshot. */
static void serve(struct vax_snapshot *s)
{
	if (!s)
		return;
	vax_snapshot_free(A.current);
	A.current = s;
	A.kick_outstanding = false;
	vax_vmtraps_snapshot(s);
	vax_virttraps_snapshot(A.conf, s);
}

static void take_pending(void)
{
	serve(vax_handoff_take(&A.in));
}


/* ---- events: the notifications of both MIBs ---- */

/* The index of a domain not in the snapshot yet; 0 once the collector,
 * which owns the index map, is stopped (see vax_agent_run). */
static uint32_t collector_index(const char *uuid, const char *what)
{
	return A.collector ? vax_collector_index(A.collector, uuid, what) : 0;
}

/* The row the current snapshot serves for a UUID, NULL if none: found by
 * its index (a burst of events over thousands of rows stays cheap), else
 * by a search (after a reload switched the index file, the served
 * snapshot still has the old file's indexes until the next one). */
static const struct vax_domain *served_domain(const char *uuid)
{
	const struct vax_domain *d = A.collector ?
		vax_snapshot_find(A.current, vax_collector_lookup(A.collector, uuid)) : NULL;

	if (d && strcmp(d->uuid, uuid) == 0)
		return d;
	for (size_t i = 0; i < A.current->ndomains; i++)
		if (strcmp(A.current->domains[i].uuid, uuid) == 0)
			return &A.current->domains[i];
	return NULL;
}

/* One lifecycle event as the notifications of both MIBs. */
static void event_trap(const struct vax_event *ev)
{
	const struct vax_domain *row;
	uint32_t index;

	take_pending();
	if (ev->object == VAX_OBJ_POOL || ev->object == VAX_OBJ_NETWORK) {
		/* One map of indexes: a pool's or network's is never a domain's. */
		if (vax_virttraps_storage_wanted(A.conf, ev))
			vax_virttraps_storage(ev, collector_index(ev->uuid,
				ev->object == VAX_OBJ_POOL ? "pool" : "network"));
		return;
	}
	row = served_domain(ev->uuid);
	index = row ? row->index : 0;
	/* A domain not served yet gets its index only for a notification. */
	if (!index && (vax_virttraps_wanted(A.conf, ev) || vax_vmtraps_served()))
		index = collector_index(ev->uuid, "domain");
	vax_vmtraps_event(ev, row, index);
	vax_virttraps_event(A.conf, ev, row, index);
}

/* Called by the collector on libvirt's loop thread: queue the event for
 * the main thread, the only one that touches net-snmp. */
void vax_agent_event(const struct vax_event *ev, void *arg)
{
	(void)arg;
	vax_handoff_event(&A.in, ev, vax_now_ms());
}

/* Once a round: events become notifications only while few wait for the
 * socket (a backlog stays in the event queue, which counts what it
 * cannot hold), then as many go as snmpd takes, up to NOTIFY_ROUND. When
 * the socket is full the loop waits for it (vax_notify_wait_fd); else
 * what is left goes in the next round, after snmpd's requests. */
static void deliver_events(void)
{
	static struct vax_event ev;   /* 1 KiB: not on the stack */
	size_t dropped;

	while (vax_notify_queued() < NOTIFY_ROUND && vax_handoff_next_event(&A.in, &ev))
		event_trap(&ev);
	if ((dropped = vax_handoff_take_dropped(&A.in)))
		vax_warn("%zu libvirt events arrived faster than they could be "
			 "handled: no notification for them", dropped);
	/* More to do: at once if the socket takes it, when it has room if it
	 * is full (vax_notify_wait_fd), after registration if there is no
	 * session (this runs after every round). */
	if ((vax_notify_flush(NOTIFY_ROUND) || vax_handoff_events(&A.in)) && vax_notify_connected() &&
	    vax_notify_wait_fd() < 0)
		wake_up();
}

void vax_agent_configure(const struct vax_config *c)
{
	A.conf = c;
	vax_vmtraps_configure(c);
}

/* Before answering: is the data older than the cache timeout? Then ask
 * for a refresh and give it a short time to land, so a poller after a
 * quiet spell gets fresh numbers; a slow libvirt only costs that wait once
 * per refresh, never a timeout at snmpd. */
static void ensure_fresh(void)
{
	int64_t now = vax_now_ms();

	take_pending();
	/* No collector outside vax_agent_run, yet requests come: net-snmp
	 * handles them while it waits for snmpd's answers, in init_snmp()
	 * to our registrations (they get the empty first snapshot) and in
	 * snmp_shutdown() to our close (the last snapshot). */
	if (!A.collector || A.kick_outstanding ||
	    now - A.current->taken_ms < (int64_t)A.conf->cache_timeout * 1000)
		return;
	vax_collector_kick(A.collector);
	A.kick_outstanding = true;
	if (!A.conf->refresh_wait_ms)
		return;

	serve(vax_handoff_wait(&A.in, A.conf->refresh_wait_ms));
}

/* The handler's view of the data: fresh (as ensure_fresh makes it) for a
 * GET or GETNEXT. */
static void current_view(struct vax_view *view, bool fresh)
{
	if (fresh)
		ensure_fresh();
	*view = (struct vax_view){ A.current, vax_now_ms(), A.conf->cache_timeout };
}

/* ---- the main loop: net-snmp's sockets, the wake-up pipe, signals ---- */

static void drain_wake(void)
{
	char buf[64];

	while (read(A.wake[0], buf, sizeof(buf)) > 0)
		;
	vax_log_flush();
}

/* One round of net-snmp's loop (what agent_check_and_process does), with
 * the wake-up pipe among its sockets, and the AgentX socket's room when
 * notifications wait for it; then the round's notifications, after the
 * requests it read. Waits at most max_ms (< 0: as long as net-snmp says). */
static void snmp_round(int64_t max_ms)
{
	netsnmp_large_fd_set set, wset;
	struct timeval tv = { 0, 0 };
	int maxfd = 0, block = 1, n, wfd = vax_notify_wait_fd();

	netsnmp_large_fd_set_init(&set, FD_SETSIZE);
	netsnmp_large_fd_set_init(&wset, FD_SETSIZE);
	NETSNMP_LARGE_FD_ZERO(&set);
	NETSNMP_LARGE_FD_ZERO(&wset);
	snmp_select_info2(&maxfd, &set, &tv, &block);
	NETSNMP_LARGE_FD_SET(A.wake[0], &set);
	if (A.wake[0] >= maxfd)
		maxfd = A.wake[0] + 1;
	if (wfd >= 0) {
		NETSNMP_LARGE_FD_SET(wfd, &wset);
		if (wfd >= maxfd)
			maxfd = wfd + 1;
	}
	if (max_ms >= 0 && (block || tv.tv_sec * 1000 + tv.tv_usec / 1000 > max_ms)) {
		tv.tv_sec = (time_t)(max_ms / 1000);
		tv.tv_usec = (suseconds_t)(max_ms % 1000) * 1000;
		block = 0;
	}
	n = netsnmp_large_fd_set_select(maxfd, &set, wfd >= 0 ? &wset : NULL, NULL,
					block ? NULL : &tv);
	if (n > 0) {
		if (NETSNMP_LARGE_FD_ISSET(A.wake[0], &set)) {
			NETSNMP_LARGE_FD_CLR(A.wake[0], &set);
			drain_wake();
		}
		snmp_read2(&set);
	} else if (n == 0) {
		snmp_timeout();
	} else if (errno != EINTR) {
		vax_err("select: %s", strerror(errno));
		sleep(1);   /* not a busy loop, whatever went wrong */
	}
	netsnmp_large_fd_set_cleanup(&set);
	netsnmp_large_fd_set_cleanup(&wset);
	run_alarms();
	netsnmp_check_outstanding_agent_requests();
	take_pending();
	deliver_events();
}

static void on_signal(int sig)
{
	int saved = errno;

	if (sig == SIGTERM || sig == SIGINT) {
		if (!A.stop)
			alarm(STOP_GRACE_S);
		A.stop = 1;
	} else if (sig == SIGALRM) {   /* only armed by a stop */
		A.cut = 1;
		vax_notify_cut();
	} else if (sig == SIGHUP)
		A.reload = 1;
	wake_up();
	errno = saved;
}

int vax_agent_event_init(char *err, size_t errlen)
{
	struct sigaction sa;

	if (pipe2(A.wake, O_CLOEXEC | O_NONBLOCK) < 0) {
		snprintf(err, errlen, "cannot create a pipe: %s", strerror(errno));
		return -1;
	}
	if (vax_handoff_init(&A.in, MAX_EVENTS, wake_up) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* Before the first socket: a SIGTERM while we register ends the loop
	 * at its first round, and a peer gone mid-write is EPIPE, not death. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	vax_log_init(wake_up);
	return 0;
}

int vax_agent_init(const struct vax_config *o, char *err, size_t errlen)
{
	A.conf = o;
	vax_vmtraps_start(o);
	if (!(A.current = vax_snapshot_new(0))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	A.current->uri = vax_utf8_dup(o->uri ? o->uri : "");   /* served as text */

	/* A subagent with nothing to persist, no config of net-snmp's own
	 * (ours is read by conf.c) and no MIB files to parse. */
	netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_ALARM_DONT_USE_SIG, 1);
	setenv("MIBS", "", 1);
	if (o->agentx_socket)
		netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET,
				      o->agentx_socket);
	/* net-snmp keeps it in microseconds and sends it to the master in
	 * the AgentX Open: how long snmpd waits for our answers. */
	if (o->agentx_timeout)
		netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_TIMEOUT,
				   (int)o->agentx_timeout * ONE_SEC);
	if (init_agent(APP) != 0) {
		snprintf(err, errlen, "net-snmp init_agent failed");
		return -1;
	}
	/* Only takes effect between init_agent() and init_snmp(). */
	netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL,
			   (int)o->agentx_ping);
	if (vax_handler_register(o->mibs, current_view, err, errlen) < 0)
		return -1;
	if ((o->mibs & VAX_MIB_VM) && vax_vmtraps_register(err, errlen) < 0)
		return -1;
	vax_notify_init();
	init_snmp(APP);
	return 0;
}

void vax_agent_run(struct vax_collector *collector, void (*reload)(void *), void *arg)
{
	A.collector = collector;
	while (!A.stop) {
		if (A.reload) {
			A.reload = 0;
			vax_notice("SIGHUP: reloading the configuration");
			reload(arg);
		}
		snmp_round(-1);
	}
	vax_notice("stopping");
	/* What is queued goes for a while more, as snmpd takes it, while the
	 * collector can still give out indexes (the caller stops it next, and
	 * it saves them). Requests are still answered meanwhile. */
	int64_t until = vax_now_ms() + STOP_DRAIN_MS, now;
	take_pending();
	deliver_events();
	while ((vax_handoff_events(&A.in) || vax_notify_queued()) && vax_notify_connected() &&
	       !A.cut && (now = vax_now_ms()) < until)
		snmp_round(until - now);
	A.collector = NULL;
	size_t left = vax_handoff_events(&A.in);
	if (left)
		vax_warn("stopping with %zu libvirt events not sent as notifications", left);
}

void vax_agent_shutdown(void)
{
	/* While net-snmp's logging still works. */
	take_pending();
	vax_vmtraps_stop();   /* queues what the bulk window gathered so far */
	vax_notify_flush(NOTIFY_ROUND);
	vax_notify_shutdown();
	if (A.cut)
		vax_warn("stopping took over %d s (snmpd not answering?): AgentX session cut",
			 STOP_GRACE_S);
	vax_log_flush();
	snmp_shutdown(APP);
	shutdown_agent();
	vax_snapshot_free(A.current);
	A.current = NULL;
	vax_vmtraps_free();
	vax_handoff_free(&A.in);
	close(A.wake[0]);
	close(A.wake[1]);
}
