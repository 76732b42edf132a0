/* agent.c - AgentX glue: registration, request handler, event loop. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/library/large_fd_set.h>

#include <libvirt/libvirt.h>

#include "agent.h"
#include "collector.h"
#include "events.h"
#include "log.h"
#include "mib_virt.h"

#define APP "virt-agentx"

static struct {
	struct vax_snapshot *current;       /* main thread only */
	struct vax_collector *collector;
	unsigned cache_timeout, refresh_wait_ms;
	bool kick_outstanding;              /* a refresh was asked, not yet seen */
	bool traps_enabled;
	unsigned trap_events;
	enum { LINK_UNKNOWN, LINK_UP, LINK_DOWN } link;   /* as last trapped */
	uint64_t conn_losses;               /* as last seen */

	pthread_mutex_t lock;               /* guards pending */
	pthread_cond_t published;
	struct vax_snapshot *pending;       /* newest unserved snapshot */

	int wake[2];                        /* self-pipe: worker, events, signals */
	volatile sig_atomic_t stop, reload;

	/* Lifecycle events from libvirt's loop thread, for the main thread
	 * (guarded by lock). */
	struct vax_event *events;
	size_t nevents, events_dropped;

	pthread_t loop_thread;              /* runs libvirt's event loop */
	bool loop_started;
	atomic_bool loop_stop;
	int loop_timer;                     /* armed to wake the loop to stop */
	netsnmp_handler_registration *reg;
} A = { .wake = { -1, -1 }, .loop_timer = -1, .lock = PTHREAD_MUTEX_INITIALIZER };

/* Events waiting beyond this many are dropped (and counted): the main
 * thread drains them at once unless it is stuck. */
#define MAX_EVENTS 4096

static void wake_up(void)
{
	char b = 0;
	ssize_t r = write(A.wake[1], &b, 1);   /* full pipe: already awake */

	(void)r;
}

/* A view's value as net-snmp wants it: type, pointer, length. */
struct asn_value {
	u_char type;
	const void *val;
	size_t len;
	union { long l; u_long g; struct counter64 c64; oid o[VAX_MAX_OID]; } buf;
};

static void to_asn(const struct vax_value *v, struct asn_value *a)
{
	size_t n;

	switch (v->type) {
	case VAX_T_INTEGER:
		a->buf.l = (long)v->i;
		a->type = ASN_INTEGER, a->val = &a->buf.l, a->len = sizeof(a->buf.l);
		break;
	case VAX_T_GAUGE32:
		a->buf.g = (u_long)v->u;
		a->type = ASN_GAUGE, a->val = &a->buf.g, a->len = sizeof(a->buf.g);
		break;
	case VAX_T_COUNTER64:
		a->buf.c64.high = (u_long)(v->u >> 32);
		a->buf.c64.low = (u_long)(v->u & 0xFFFFFFFFu);
		a->type = ASN_COUNTER64, a->val = &a->buf.c64, a->len = sizeof(a->buf.c64);
		break;
	case VAX_T_OCTETS:
		a->type = ASN_OCTET_STR, a->val = v->s, a->len = v->len;
		break;
	case VAX_T_OID:
		n = v->len < VAX_MAX_OID ? v->len : VAX_MAX_OID;
		for (size_t k = 0; k < n; k++)
			a->buf.o[k] = ((const uint32_t *)v->s)[k];
		a->type = ASN_OBJECT_ID, a->val = a->buf.o, a->len = n * sizeof(oid);
		break;
	}
}

/* ---- snapshots ---- */

void vax_agent_publish(struct vax_snapshot *snap, void *arg)
{
	struct vax_snapshot *old;

	(void)arg;
	pthread_mutex_lock(&A.lock);
	old = A.pending;   /* never served: safe to drop here */
	A.pending = snap;
	pthread_cond_broadcast(&A.published);
	pthread_mutex_unlock(&A.lock);
	vax_snapshot_free(old);
	wake_up();
}

/* ---- notifications ---- */

static void send_trap(const struct vax_varbind *vb, size_t n)
{
	netsnmp_variable_list *vars = NULL;
	oid name[VAX_MAX_OID];
	struct asn_value a;

	if (!n)
		return;
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < vb[i].len; k++)
			name[k] = vb[i].oid[k];
		to_asn(&vb[i].val, &a);
		snmp_varlist_add_variable(&vars, name, vb[i].len, a.type, a.val, a.len);
	}
	/* net-snmp adds sysUpTime.0; as a subagent it goes to snmpd as an
	 * AgentX Notify, and snmpd sends it to its trap sinks. */
	send_v2trap(vars);
	snmp_free_varbind(vars);
}

/* Connection notifications follow the snapshots: a loss counted by the
 * collector, or a change of state, even if a quick reconnect hid it. */
static void connection_traps(const struct vax_snapshot *s)
{
	struct vax_varbind vb[3];
	struct vax_view view = { s, vax_now_ms(), A.cache_timeout };
	bool lost = s->conn_losses > A.conn_losses && A.link == LINK_UP;

	A.conn_losses = s->conn_losses;
	if (lost || (s->conn == VAX_DISCONNECTED && A.link != LINK_DOWN)) {
		struct vax_snapshot down = *s;   /* the state at the loss */
		down.conn = VAX_DISCONNECTED;
		view.snap = &down;
		if (A.traps_enabled)
			send_trap(vb, vax_virt_connection_trap(&view, false, vb, 3));
		A.link = LINK_DOWN;
		view.snap = s;
	}
	if (s->conn == VAX_CONNECTED) {
		if (A.link == LINK_DOWN && A.traps_enabled)
			send_trap(vb, vax_virt_connection_trap(&view, true, vb, 3));
		A.link = LINK_UP;
	}
}

static void take_pending(void)
{
	struct vax_snapshot *s;

	pthread_mutex_lock(&A.lock);
	s = A.pending;
	A.pending = NULL;
	pthread_mutex_unlock(&A.lock);
	if (!s)
		return;
	vax_snapshot_free(A.current);
	A.current = s;
	A.kick_outstanding = false;
	connection_traps(s);
}

/* One lifecycle event as its notification, on the main thread. */
static void event_trap(const struct vax_event *ev)
{
	struct vax_varbind vb[VAX_TRAP_VARBINDS];
	static struct vax_domdef nodef;   /* a domain not yet in any snapshot */
	struct vax_domain d = { .def = &nodef };
	int state = vax_event_state(ev->kind);
	char name[sizeof(ev->name)];

	if (!A.traps_enabled || ev->kind < 0 || ev->kind >= VAX_EV_NKINDS ||
	    !(A.trap_events & (1u << ev->kind)))
		return;
	take_pending();
	/* The row as it is served, if it is, with the state the event set. */
	for (size_t i = 0; i < A.current->ndomains; i++)
		if (strcmp(A.current->domains[i].uuid, ev->uuid) == 0)
			d = A.current->domains[i];
	if (!d.index) {
		d.index = vax_collector_index(A.collector, ev->uuid);
		memcpy(d.uuid, ev->uuid, sizeof(d.uuid));
	}
	/* The event's name: after a rename the row still has the old one. */
	memcpy(name, ev->name, sizeof(name));
	d.name = name;
	/* Every object the notification lists must be there: a domain defined
	 * or undefined without a known state is one that is not running. */
	if (state < 0 && !vax_has(&d.vals, VAX_DOM_STATE))
		state = 5;
	if (!d.index) {
		vax_warn("no index for domain %s: notification not sent", ev->uuid);
		return;
	}
	if (state >= 0)
		vax_set(&d.vals, VAX_DOM_STATE, (uint64_t)state);
	send_trap(vb, vax_virt_domain_trap(&d, ev->kind, ev->detail, vb, VAX_TRAP_VARBINDS));
	vax_debug("traps", "sent %s (%s) for %s, index %u", vax_event_kind_name(ev->kind),
		  vax_event_detail_name(ev->kind, ev->detail), ev->name, d.index);
}

/* Called by the collector on libvirt's loop thread: queue the event for
 * the main thread, the only one that touches net-snmp. */
void vax_agent_event(const struct vax_event *ev, void *arg)
{
	(void)arg;
	pthread_mutex_lock(&A.lock);
	if (A.nevents == MAX_EVENTS) {
		A.events_dropped++;
	} else {
		if (!A.events)
			A.events = malloc(MAX_EVENTS * sizeof(*A.events));
		if (A.events)
			A.events[A.nevents++] = *ev;
		else
			A.events_dropped++;
	}
	pthread_mutex_unlock(&A.lock);
	wake_up();
}

static void deliver_events(void)
{
	static struct vax_event batch[64];
	size_t n, dropped;

	do {
		pthread_mutex_lock(&A.lock);
		n = A.nevents < 64 ? A.nevents : 64;
		if (n) {
			memcpy(batch, A.events, n * sizeof(*batch));
			memmove(A.events, A.events + n, (A.nevents - n) * sizeof(*A.events));
			A.nevents -= n;
		}
		dropped = A.events_dropped;
		A.events_dropped = 0;
		pthread_mutex_unlock(&A.lock);
		if (dropped)
			vax_warn("%zu libvirt events arrived faster than they could be "
				 "handled: no notification for them", dropped);
		for (size_t i = 0; i < n; i++)
			event_trap(&batch[i]);
	} while (n);
}

void vax_agent_configure(struct vax_collector *collector, unsigned cache_timeout,
			 unsigned refresh_wait_ms, bool traps_enabled, unsigned trap_events)
{
	A.collector = collector;
	A.cache_timeout = cache_timeout;
	A.refresh_wait_ms = refresh_wait_ms;
	A.traps_enabled = traps_enabled;
	A.trap_events = trap_events;
}

/* Before answering: is the data older than the cache timeout? Then ask
 * for a refresh and give it a short time to land, so a poller after a
 * quiet spell gets fresh numbers; a slow libvirt only costs that wait once
 * per refresh, never a timeout at snmpd. */
static void ensure_fresh(void)
{
	int64_t now = vax_now_ms();

	take_pending();
	if (now - A.current->taken_ms < (int64_t)A.cache_timeout * 1000 ||
	    A.kick_outstanding)
		return;
	vax_collector_kick(A.collector);
	A.kick_outstanding = true;
	if (!A.refresh_wait_ms)
		return;

	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_nsec += (long)A.refresh_wait_ms * 1000000L;
	until.tv_sec += until.tv_nsec / 1000000000L;
	until.tv_nsec %= 1000000000L;
	pthread_mutex_lock(&A.lock);
	while (!A.pending &&
	       pthread_cond_timedwait(&A.published, &A.lock, &until) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&A.lock);
	take_pending();
}

/* ---- the request handler ---- */

static void set_value(netsnmp_variable_list *vb, const struct vax_value *v)
{
	struct asn_value a;

	to_asn(v, &a);
	snmp_set_var_typed_value(vb, a.type, a.val, a.len);
}

/* The request OID below our root. Returns false when it is not under the
 * root; *before is then set if it sorts before the whole subtree. */
static bool below_root(const oid *name, size_t len, uint32_t *sub, size_t *sublen,
		       bool *before)
{
	size_t n = vax_virt_root_len;

	*before = false;
	for (size_t i = 0; i < n; i++) {
		if (i >= len) {
			*before = true;
			return false;
		}
		if (name[i] != vax_virt_root[i]) {
			*before = name[i] < vax_virt_root[i];
			return false;
		}
	}
	if (len - n > VAX_MAX_OID - n)
		len = VAX_MAX_OID;   /* longer than anything we serve: still ordered */
	*sublen = len - n;
	for (size_t i = 0; i < *sublen; i++)
		sub[i] = (uint32_t)name[n + i];
	return true;
}

static int handler(netsnmp_mib_handler *h, netsnmp_handler_registration *reg,
		   netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
	uint32_t sub[VAX_MAX_OID], next[VAX_MAX_OID];
	oid out[VAX_MAX_OID + 16];
	size_t sublen = 0, nextlen;
	struct vax_value val;
	bool before, under;

	(void)h;
	(void)reg;
	if (reqinfo->mode == MODE_GET || reqinfo->mode == MODE_GETNEXT)
		ensure_fresh();
	struct vax_view view = { A.current, vax_now_ms(), A.cache_timeout };

	for (netsnmp_request_info *r = requests; r; r = r->next) {
		netsnmp_variable_list *vb = r->requestvb;
		if (r->processed)
			continue;
		under = below_root(vb->name, vb->name_length, sub, &sublen, &before);
		switch (reqinfo->mode) {
		case MODE_GET:
			switch (under ? vax_virt_get(&view, sub, sublen, &val) : VAX_NO_OBJECT) {
			case VAX_FOUND:
				set_value(vb, &val);
				break;
			case VAX_NO_INSTANCE:
				netsnmp_set_request_error(reqinfo, r, SNMP_NOSUCHINSTANCE);
				break;
			default:
				netsnmp_set_request_error(reqinfo, r, SNMP_NOSUCHOBJECT);
			}
			break;
		case MODE_GETNEXT:
			if (!under && !before)
				break;   /* past our subtree: the next registration answers */
			if (!vax_virt_next(&view, sub, under ? sublen : 0, next, &nextlen, &val))
				break;
			for (size_t i = 0; i < vax_virt_root_len; i++)
				out[i] = vax_virt_root[i];
			for (size_t i = 0; i < nextlen; i++)
				out[vax_virt_root_len + i] = next[i];
			snmp_set_var_objid(vb, out, vax_virt_root_len + nextlen);
			set_value(vb, &val);
			break;
		default:
			/* Every object is read-only: no SET phase may change anything. */
			netsnmp_set_request_error(reqinfo, r, SNMP_ERR_NOTWRITABLE);
		}
	}
	return SNMP_ERR_NOERROR;
}

/* ---- threads: net-snmp's loop here, libvirt's on a thread of its own ---- */

/* libvirt's default event loop (connection keepalive, close and domain
 * events) runs on its own thread; its callbacks only queue and wake the
 * main thread.  Until 0.1 the main thread ran libvirt's GLib loop with
 * net-snmp's sockets mirrored into it, and that loop's bookkeeping on
 * every AgentX request cost ~45% more CPU per varbind than a plain
 * net-snmp subagent (bench/). */
static void *loop_main(void *arg)
{
	(void)arg;
	while (!atomic_load(&A.loop_stop))
		if (virEventRunDefaultImpl() < 0 && errno != EINTR)
			vax_err("libvirt's event loop failed");
	return NULL;
}

static void on_loop_timer(int timer, void *opaque)
{
	(void)opaque;
	virEventUpdateTimeout(timer, -1);   /* only there to end a wait */
}

static void drain_wake(void)
{
	char buf[64];

	while (read(A.wake[0], buf, sizeof(buf)) > 0)
		;
	vax_log_flush();
	take_pending();
	deliver_events();
}

/* One round of net-snmp's loop (what agent_check_and_process does), with
 * the wake-up pipe among its sockets. */
static void snmp_round(void)
{
	netsnmp_large_fd_set set;
	struct timeval tv = { 0, 0 };
	int maxfd = 0, block = 1, n;

	netsnmp_large_fd_set_init(&set, FD_SETSIZE);
	NETSNMP_LARGE_FD_ZERO(&set);
	snmp_select_info2(&maxfd, &set, &tv, &block);
	NETSNMP_LARGE_FD_SET(A.wake[0], &set);
	if (A.wake[0] >= maxfd)
		maxfd = A.wake[0] + 1;
	n = netsnmp_large_fd_set_select(maxfd, &set, NULL, NULL, block ? NULL : &tv);
	if (n > 0) {
		if (NETSNMP_LARGE_FD_ISSET(A.wake[0], &set)) {
			NETSNMP_LARGE_FD_CLR(A.wake[0], &set);
			drain_wake();
			n--;
		}
		if (n > 0)
			snmp_read2(&set);
	} else if (n == 0) {
		snmp_timeout();
	} else if (errno != EINTR) {
		vax_err("select: %s", strerror(errno));
		sleep(1);   /* not a busy loop, whatever went wrong */
	}
	netsnmp_large_fd_set_cleanup(&set);
	run_alarms();
	netsnmp_check_outstanding_agent_requests();
}

static void on_signal(int sig)
{
	int saved = errno;

	if (sig == SIGTERM || sig == SIGINT)
		A.stop = 1;
	else if (sig == SIGHUP)
		A.reload = 1;
	wake_up();
	errno = saved;
}

int vax_agent_event_init(char *err, size_t errlen)
{
	if (pipe2(A.wake, O_CLOEXEC | O_NONBLOCK) < 0) {
		snprintf(err, errlen, "cannot create a pipe: %s", strerror(errno));
		return -1;
	}
	vax_log_init(wake_up);
	if (virEventRegisterDefaultImpl() < 0 ||
	    (A.loop_timer = virEventAddTimeout(-1, on_loop_timer, NULL, NULL)) < 0) {
		snprintf(err, errlen, "cannot set up libvirt's event loop");
		return -1;
	}
	/* Signals go to the main thread, whose select() they interrupt. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int rc = pthread_create(&A.loop_thread, NULL, loop_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		snprintf(err, errlen, "cannot start a thread: %s", strerror(rc));
		return -1;
	}
	A.loop_started = true;
	return 0;
}

int vax_agent_init(const struct vax_agent_opts *o, char *err, size_t errlen)
{
	static const oid root[] = { VAX_VIRT_ROOT };
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&A.published, &attr);
	pthread_condattr_destroy(&attr);
	A.refresh_wait_ms = o->refresh_wait_ms;
	A.cache_timeout = o->cache_timeout;
	A.traps_enabled = o->traps_enabled;
	A.trap_events = o->trap_events;
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
	A.reg = netsnmp_create_handler_registration("virtAgentxMIB", handler, root,
						    vax_virt_root_len, HANDLER_CAN_RONLY);
	if (!A.reg || netsnmp_register_handler(A.reg) != MIB_REGISTERED_OK) {
		snprintf(err, errlen, "cannot register the VIRT-AGENTX-MIB subtree");
		return -1;
	}
	init_snmp(APP);
	return 0;
}

void vax_agent_run(struct vax_collector *collector, void (*reload)(void *), void *arg)
{
	struct sigaction sa;

	A.collector = collector;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	while (!A.stop) {
		if (A.reload) {
			A.reload = 0;
			vax_notice("SIGHUP: reloading the configuration");
			reload(arg);
		}
		snmp_round();
	}
	vax_notice("stopping");
}

void vax_agent_shutdown(void)
{
	/* While net-snmp's logging still works. */
	take_pending();
	deliver_events();
	vax_log_flush();
	snmp_shutdown(APP);
	shutdown_agent();
	vax_snapshot_free(A.current);
	A.current = NULL;
	if (A.loop_started) {
		atomic_store(&A.loop_stop, true);
		virEventUpdateTimeout(A.loop_timer, 0);
		pthread_join(A.loop_thread, NULL);
		A.loop_started = false;
	}
	if (A.loop_timer >= 0)
		virEventRemoveTimeout(A.loop_timer);
	free(A.events);
	A.events = NULL;
	close(A.wake[0]);
	close(A.wake[1]);
}
