/* collector_conn.c - the collector's libvirt connection: open (read-only),
 * keepalive, alive check, host facts, and the event and close callbacks,
 * which run on libvirt's event-loop thread and only hand work over. */
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
#include "libvirt_storage.h"
#include "libvirt_state.h"
#include "log.h"
#include "libvirt_stats.h"
#include "utf8.h"

/* libvirt prints every error to stderr unless told otherwise; we read
 * errors with virGetLastError() where they happen. */
void col_quiet_errors(void *arg, virErrorPtr e)
{
	(void)arg;
	(void)e;
}

const char *col_last_error(void)
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

char *col_strdup_or_null(const char *s)
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

	if (virDomainGetUUIDString(dom, uuid) == 0)
		col_ask(c, uuid);
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
	vax_utf8_copy(ev.name, sizeof(ev.name), name);
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
	col_ask(c, NULL);
}

/* ---- connection ---- */

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
			 "notifications until the next reconnect", col_last_error());
	if (virConnectRegisterCloseCallback(c->conn, on_close, c, NULL) < 0)
		vax_debug("collector", "no close callback: %s", col_last_error());
}

void col_disconnect(struct vax_collector *c)
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

bool col_connect_libvirt(struct vax_collector *c)
{
	unsigned long v;
	const char *type;

	if (c->conn)
		return true;
	c->conn = virConnectOpenReadOnly(c->uri);
	if (!c->conn) {
		/* Log the first failure and each change of reason, not every retry. */
		if (c->was_connected || !c->ever_tried ||
		    strncmp(c->last_error, col_last_error(), sizeof(c->last_error) - 1) != 0) {
			vax_err("cannot connect to libvirt at %s: %s; retrying every %d s at most",
				c->uri ? c->uri : "(default URI)", col_last_error(),
				BACKOFF_MAX_MS / 1000);
			snprintf(c->last_error, sizeof(c->last_error), "%s", col_last_error());
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
	col_host_connect(c);
	/* Host ifIndexes mean something only if libvirt runs on this host. */
	c->uri_is_local = vax_uri_is_local(c->conn_uri ? c->conn_uri : c->uri);
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
bool col_check_alive(struct vax_collector *c)
{
	if (c->conn && !atomic_load(&c->closed) && virConnectIsAlive(c->conn) == 1)
		return true;
	if (c->conn) {
		vax_err("lost the libvirt connection%s%s; reconnecting", c->uri ? " to " : "",
			c->uri ? c->uri : "");
		c->conn_losses++;
	}
	col_disconnect(c);
	snprintf(c->last_error, sizeof(c->last_error), "%s", "connection lost");
	return false;
}
