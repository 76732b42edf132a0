/* libvirt_events.h - libvirt lifecycle events as notifications: which one, the
 * state the event leaves the domain in, and the detail as a word. Pure
 * tables, no libvirt calls, so unit tests cover every pair. */
#ifndef VAX_LIBVIRT_EVENTS_H
#define VAX_LIBVIRT_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* libvirt's virDomainEventType numbering; a notification's number in
 * VIRT-AGENTX-MIB is this + 1 (virtDomainDefined is .0.1, ...). */
enum vax_event_kind {
	VAX_EV_DEFINED, VAX_EV_UNDEFINED, VAX_EV_STARTED, VAX_EV_SUSPENDED,
	VAX_EV_RESUMED, VAX_EV_STOPPED, VAX_EV_SHUTDOWN, VAX_EV_PMSUSPENDED,
	VAX_EV_CRASHED, VAX_EV_NKINDS
};
#define VAX_EV_ALL ((1u << VAX_EV_NKINDS) - 1)

/* A lifecycle event as the collector hands it to the agent. */
struct vax_event {
	int kind;              /* enum vax_event_kind, or out of range if unknown */
	int detail;
	char uuid[37];
	char name[1025];       /* as GET serves it: cut at 1024 bytes, on a character */
	int64_t at_ms;         /* when it arrived (vax_now_ms), set by the agent */
};

/* "started", ... (the trapEvents words); NULL for an unknown kind. */
const char *vax_event_kind_name(int kind);
/* "destroyed", "booted", ...; "unknown" for codes libvirt may add later. */
const char *vax_event_detail_name(int kind, int detail);
/* virDomainState the event leaves the domain in; -1 when the event does
 * not say (defined, undefined: keep what is known). */
int vax_event_state(int kind);

#endif
