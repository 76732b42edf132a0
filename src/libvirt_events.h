/* libvirt_events.h - libvirt lifecycle events as notifications: which one, the
 * state the event leaves the domain in, and the detail as a word. Pure
 * tables, no libvirt calls, so unit tests cover every pair. */
#ifndef VAX_LIBVIRT_EVENTS_H
#define VAX_LIBVIRT_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* libvirt's virDomainEventType numbering; a notification's number in
 * VIRT-AGENTX-MIB is this + 1 (virtDomainDefined is .0.1, ...). */
enum vax_event_kind {
	VAX_EV_DEFINED, VAX_EV_UNDEFINED, VAX_EV_STARTED, VAX_EV_SUSPENDED,
	VAX_EV_RESUMED, VAX_EV_STOPPED, VAX_EV_SHUTDOWN, VAX_EV_PMSUSPENDED,
	VAX_EV_CRASHED, VAX_EV_NKINDS
};
#define VAX_EV_ALL ((1u << VAX_EV_NKINDS) - 1)

/* What an event is about: a domain's events come from the collector, a
 * pool's and a network's from the storage thread. */
enum vax_event_object { VAX_OBJ_DOMAIN, VAX_OBJ_POOL, VAX_OBJ_NETWORK };

/* A pool's or network's kinds: libvirt's lifecycle numbering
 * (virStoragePoolEventLifecycleType, virNetworkEventLifecycleType), and
 * a pool's used space crossing its threshold, up or back down. */
enum vax_storage_event_kind {
	VAX_EV_NET_DEFINED = 0, VAX_EV_NET_UNDEFINED, VAX_EV_NET_STARTED, VAX_EV_NET_STOPPED,
	VAX_EV_POOL_DEFINED = 0, VAX_EV_POOL_UNDEFINED, VAX_EV_POOL_STARTED, VAX_EV_POOL_STOPPED,
	VAX_EV_POOL_CREATED, VAX_EV_POOL_DELETED,
	VAX_EV_POOL_SPACE_LOW = 100, VAX_EV_POOL_SPACE_OK,
};

/* An event as the collector or the storage thread hands it to the agent. */
struct vax_event {
	int object;            /* enum vax_event_object */
	int kind;              /* enum vax_event_kind (a domain's) or
				  vax_storage_event_kind, or out of range if unknown */
	int detail;
	char uuid[37];
	char name[1025];       /* as GET serves it: cut at 1024 bytes, on a character */
	int64_t at_ms;         /* when it arrived (vax_now_ms), set by the agent */
	struct vax_pool_vals pool;   /* a pool's space event: its numbers */
};

/* "started", ... (the trapEvents words); NULL for an unknown kind. */
const char *vax_event_kind_name(int kind);
/* "destroyed", "booted", ...; "unknown" for codes libvirt may add later. */
const char *vax_event_detail_name(int kind, int detail);
/* virDomainState the event leaves the domain in; -1 when the event does
 * not say (defined, undefined: keep what is known). */
int vax_event_state(int kind);

#endif
