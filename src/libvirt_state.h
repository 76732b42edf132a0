/* libvirt_state.h - libvirt's virDomainState (and pool state) numbers, in the one place
 * the layers above the collector read them from: they include no libvirt
 * header. collector_conn.c checks them against libvirt's own at compile time. */
#ifndef VAX_LIBVIRT_STATE_H
#define VAX_LIBVIRT_STATE_H

enum vax_state {
	VAX_STATE_NOSTATE, VAX_STATE_RUNNING, VAX_STATE_BLOCKED, VAX_STATE_PAUSED,
	VAX_STATE_SHUTDOWN, VAX_STATE_SHUTOFF, VAX_STATE_CRASHED, VAX_STATE_PMSUSPENDED
};

/* virStoragePoolState's (storage.c checks them at compile time). */
enum vax_pool_state {
	VAX_POOL_STATE_INACTIVE, VAX_POOL_STATE_BUILDING, VAX_POOL_STATE_RUNNING,
	VAX_POOL_STATE_DEGRADED, VAX_POOL_STATE_INACCESSIBLE
};

#endif
