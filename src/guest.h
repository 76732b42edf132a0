/* guest.h - the guest-data thread: what is inside each running guest
 * (addresses, filesystems, facts), on its own cadence and connection.
 *
 * Guest agent calls are per domain and a guest agent may be absent, slow
 * or hung, so none of this is on the stats path: a dispatcher thread lists
 * the running domains every few seconds and asks each one, at most every
 * guestInterval seconds, on a short-lived thread of its own (a hung agent
 * holds that thread, never the others or an SNMP answer). The result is
 * an immutable struct vax_guest per domain, which the collector worker
 * puts into each snapshot it builds (vax_guests_get).
 *
 * Its connection is read-only unless guestAgent is on: libvirt refuses
 * guest-agent calls on a read-only connection. It never touches net-snmp. */
#ifndef VAX_GUEST_H
#define VAX_GUEST_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

struct vax_libvirt_loop;
struct vax_guests;

#define VAX_GUEST_MAX_SOURCES 3

/* What to ask (the daemon fills it from virt-agentx.conf). */
struct vax_guest_opts {
	bool agent;             /* guestAgent yes: ask the guest agents (read-write) */
	unsigned interval;      /* seconds between two askings of one guest */
	unsigned timeout;       /* seconds an agent call may take, 0: libvirt's */
	/* Address sources (enum vax_addr_source) in order of preference. */
	unsigned char sources[VAX_GUEST_MAX_SOURCES];
	size_t nsources;
};

/* Start the thread for uri (NULL: libvirt's default) as g says (with no
 * address source and no agent it asks nothing, until a reload says
 * otherwise). The loop must run (libvirt_loop.h). NULL: out of memory. */
struct vax_guests *vax_guests_start(const struct vax_libvirt_loop *loop, const char *uri,
				    const struct vax_guest_opts *g);
/* After a reload: another URI or settings, applied by the thread. */
void vax_guests_reconfigure(struct vax_guests *gs, const char *uri,
			    const struct vax_guest_opts *g);
/* A reference to what is known of the domain with this UUID while it runs
 * with domain id id; NULL if nothing (any thread). */
struct vax_guest *vax_guests_get(struct vax_guests *gs, const char *uuid, int id);
/* Whether guest agents are asked (for virtGuestAgentState). */
bool vax_guests_agent(struct vax_guests *gs);
/* Stop the dispatcher, wait a little for the askings under way, free. */
void vax_guests_stop(struct vax_guests *gs);

#endif
