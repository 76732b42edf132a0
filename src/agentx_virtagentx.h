/* agentx_virtagentx.h - VIRT-AGENTX-MIB's notifications: the libvirt
 * connection lost and back (from the snapshots), and domain lifecycle
 * (from libvirt's events). Main thread only; built from the columns that
 * answer GET (mib_virtagentx.h) and queued in agentx_notify.h, never
 * sent from here. RFC 7666's are agentx_vmmib.h's. */
#ifndef VAX_AGENTX_VIRTAGENTX_H
#define VAX_AGENTX_VIRTAGENTX_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "libvirt_events.h"
#include "model.h"

/* A new snapshot is served: a connection lost (counted by the collector,
 * even if a quick reconnect hid it) or back. */
void vax_virttraps_snapshot(const struct vax_config *c, const struct vax_snapshot *s);
/* A pool's or network's event (storage.h): does c ask for its
 * notification (trapsEnabled, poolNotifications, networkNotifications)?
 * Then send it, for the one with this index (0: none could be given). */
bool vax_virttraps_storage_wanted(const struct vax_config *c, const struct vax_event *ev);
void vax_virttraps_storage(const struct vax_event *ev, uint32_t index);
/* Does c ask for a notification of this event (trapsEnabled, trapEvents)? */
bool vax_virttraps_wanted(const struct vax_config *c, const struct vax_event *ev);
/* A lifecycle event of the domain with this index (0: none could be
 * given; row: as served, or NULL if it is not yet). */
void vax_virttraps_event(const struct vax_config *c, const struct vax_event *ev,
			 const struct vax_domain *row, uint32_t index);

#endif
