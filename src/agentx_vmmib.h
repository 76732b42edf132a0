/* agentx_vmmib.h - RFC 7666's VM-MIB notifications (per VM and bulk, with
 * vmNotificationRate) and its two writable enable scalars. Main thread
 * only (net-snmp); the notifications go through agentx_notify.h. */
#ifndef VAX_AGENTX_VMMIB_H
#define VAX_AGENTX_VMMIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "libvirt_events.h"
#include "model.h"

/* The settings at start: c->vm, trapsEnabled, and serveMIBs (without
 * VM-MIB nothing is ever sent). */
void vax_vmtraps_start(const struct vax_config *c);
/* Does the agent serve the VM-MIB (and so send its notifications)? */
bool vax_vmtraps_served(void);
/* Register vmPerVMNotificationsEnabled.0 and vmBulkNotificationsEnabled.0
 * (between init_agent and init_snmp). */
int vax_vmtraps_register(char *err, size_t errlen);
/* After a reload. The two enable objects take the file's value only where
 * it changed since the last load: a value an SNMP SET gave them stays
 * until then (it is never saved). */
void vax_vmtraps_configure(const struct vax_config *c);
/* A new snapshot is served: the tracker learns each VM's state. */
void vax_vmtraps_snapshot(const struct vax_snapshot *s);
/* A lifecycle event of the VM with this index (row: as served, or NULL). */
void vax_vmtraps_event(const struct vax_event *ev, const struct vax_domain *row,
		       uint32_t index);
/* Queue what the bulk window gathered so far (at stop), then free all. */
void vax_vmtraps_stop(void);
void vax_vmtraps_free(void);

#endif
