/* agentx_virtagentx.c - VIRT-AGENTX-MIB's notifications (main thread; see
 * agentx_virtagentx.h). */
#include "config.h"

#include <string.h>

#include "agentx_notify.h"
#include "agentx_value.h"
#include "agentx_virtagentx.h"
#include "clock.h"
#include "libvirt_state.h"
#include "log.h"
#include "mib_table.h"
#include "mib_virtagentx.h"

static struct {
	enum { LINK_UNKNOWN, LINK_UP, LINK_DOWN } link;   /* as last notified */
	uint64_t conn_losses;                             /* as last seen */
} T;

void vax_virttraps_snapshot(const struct vax_config *c, const struct vax_snapshot *s)
{
	struct vax_varbind vb[3];
	struct vax_view view = { s, vax_now_ms(), c->cache_timeout };
	bool lost = s->conn_losses > T.conn_losses && T.link == LINK_UP;

	T.conn_losses = s->conn_losses;
	if (lost || (s->conn == VAX_DISCONNECTED && T.link != LINK_DOWN)) {
		struct vax_snapshot down = *s;   /* the state at the loss */
		down.conn = VAX_DISCONNECTED;
		view.snap = &down;
		if (c->traps_enabled)
			vax_notify_varbinds(vb, vax_virt_connection_trap(&view, false, vb, 3));
		T.link = LINK_DOWN;
		view.snap = s;
	}
	if (s->conn == VAX_CONNECTED) {
		if (T.link == LINK_DOWN && c->traps_enabled)
			vax_notify_varbinds(vb, vax_virt_connection_trap(&view, true, vb, 3));
		T.link = LINK_UP;
	}
}

bool vax_virttraps_wanted(const struct vax_config *c, const struct vax_event *ev)
{
	return c->traps_enabled && ev->kind >= 0 && ev->kind < VAX_EV_NKINDS &&
	       (c->trap_events & (1u << ev->kind));
}

void vax_virttraps_event(const struct vax_config *c, const struct vax_event *ev,
			 const struct vax_domain *row, uint32_t index)
{
	struct vax_varbind vb[VAX_TRAP_VARBINDS];
	static struct vax_domdef nodef;   /* a domain not yet in any snapshot */
	struct vax_domain d = { .def = &nodef };
	int state = vax_event_state(ev->kind);
	char name[sizeof(ev->name)];

	if (!vax_virttraps_wanted(c, ev))
		return;
	/* The row as it is served, if it is, with the state the event set. */
	if (row)
		d = *row;
	else
		memcpy(d.uuid, ev->uuid, sizeof(d.uuid));
	d.index = index;
	/* The event's name: after a rename the row still has the old one. */
	memcpy(name, ev->name, sizeof(name));
	d.name = name;
	/* Every object the notification lists must be there: a domain defined
	 * or undefined without a known state is one that is not running. */
	if (state < 0 && !vax_has(&d.vals, VAX_DOM_STATE))
		state = VAX_STATE_SHUTOFF;
	if (!d.index) {
		vax_warn("no index for domain %s: notification not sent", ev->uuid);
		return;
	}
	if (state >= 0)
		vax_set(&d.vals, VAX_DOM_STATE, (uint64_t)state);
	vax_notify_varbinds(vb, vax_virt_domain_trap(&d, ev->kind, ev->detail, vb,
						     VAX_TRAP_VARBINDS));
	vax_debug("traps", "sent %s (%s) for %s, index %u", vax_event_kind_name(ev->kind),
		  vax_event_detail_name(ev->kind, ev->detail), ev->name, d.index);
}

bool vax_virttraps_storage_wanted(const struct vax_config *c, const struct vax_event *ev)
{
	if (!c->traps_enabled)
		return false;
	if (ev->object == VAX_OBJ_NETWORK)
		return c->pool.net_traps &&
		       (ev->kind == VAX_EV_NET_STARTED || ev->kind == VAX_EV_NET_STOPPED);
	/* Space notifications come only for a pool with a threshold. */
	if (ev->kind == VAX_EV_POOL_SPACE_LOW || ev->kind == VAX_EV_POOL_SPACE_OK)
		return true;
	return c->pool.pool_traps &&
	       (ev->kind == VAX_EV_POOL_STARTED || ev->kind == VAX_EV_POOL_STOPPED);
}

void vax_virttraps_storage(const struct vax_event *ev, uint32_t index)
{
	struct vax_varbind vb[VAX_TRAP_VARBINDS + 1];
	char name[sizeof(ev->name)];
	/* Here, not in the branches: the varbinds point into them until
	 * they are queued below. */
	struct vax_pool p = { .name = name, .vals = ev->pool };
	struct vax_network nw = { .name = name };
	size_t n;

	if (!index) {
		vax_warn("no index for %s %s: notification not sent",
			 ev->object == VAX_OBJ_POOL ? "pool" : "network", ev->uuid);
		return;
	}
	memcpy(name, ev->name, sizeof(name));
	if (ev->object == VAX_OBJ_POOL) {
		/* The event's numbers; a lifecycle event's state is the one it
		 * leaves the pool in. */
		memcpy(p.uuid, ev->uuid, sizeof(p.uuid));
		if (ev->kind == VAX_EV_POOL_STARTED || ev->kind == VAX_EV_POOL_STOPPED)
			vax_set(&p.vals, VAX_POOL_STATE, ev->kind == VAX_EV_POOL_STARTED
				? VAX_POOL_STATE_RUNNING : VAX_POOL_STATE_INACTIVE);
		n = vax_virt_pool_trap(&p, index, ev->kind, vb, VAX_N(vb));
	} else {
		memcpy(nw.uuid, ev->uuid, sizeof(nw.uuid));
		vax_set(&nw.vals, VAX_NET_ACTIVE, ev->kind == VAX_EV_NET_STARTED);
		n = vax_virt_network_trap(&nw, index, ev->kind, vb, VAX_N(vb));
	}
	if (n)
		vax_notify_varbinds(vb, n);
	vax_debug("traps", "sent %s event %d for %s, index %u",
		  ev->object == VAX_OBJ_POOL ? "pool" : "network", ev->kind, ev->name, index);
}
