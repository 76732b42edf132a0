/* libvirt_stats.h - libvirt statistics to model values. Pure conversions: no
 * connection, no I/O, so unit tests and fuzzers drive them directly. */
#ifndef VAX_LIBVIRT_STATS_H
#define VAX_LIBVIRT_STATS_H

#include <libvirt/libvirt.h>

#include "model.h"

/* Stats groups seen in a bulk record (a missing group triggers the
 * per-domain fallback calls). */
enum {
	VAX_GRP_STATE = 1 << 0, VAX_GRP_CPU = 1 << 1, VAX_GRP_BALLOON = 1 << 2,
	VAX_GRP_VCPU = 1 << 3, VAX_GRP_BLOCK = 1 << 4, VAX_GRP_NET = 1 << 5,
	VAX_GRP_ALL = (1 << 6) - 1,
};

/* The group a bulk stats key belongs to ("block.3.rd.reqs": block), 0 if none. */
unsigned vax_stats_group(const char *key);

#define VAX_MAX_VCPUS 16384   /* above libvirt's own limits: a safety cap */

/* Fill d from one virConnectGetAllDomainStats record. d->def must be set and
 * d->disks / d->nics allocated to the def's device counts. Returns the groups
 * seen; *unknown_dev is set when stats name a device the XML lacks (the
 * definition changed: fetch the XML again). */
unsigned vax_stats_apply(struct vax_domain *d, const virTypedParameter *p,
			 int n, bool *unknown_dev);

/* Per-domain fallbacks for drivers whose bulk stats lack a group. */
void vax_stats_from_info(struct vax_domain *d, const virDomainInfo *info,
			 unsigned groups);
void vax_stats_from_cpu(struct vax_domain *d, const virTypedParameter *p, int n);
void vax_stats_from_memory(struct vax_domain *d,
			   const virDomainMemoryStatStruct *m, int n);
int vax_stats_from_vcpus(struct vax_domain *d, const virVcpuInfo *v, int n);
void vax_stats_from_block(struct vax_disk *disk,
			  const virDomainBlockStatsStruct *b);
void vax_stats_from_blockinfo(struct vax_disk *disk, const virDomainBlockInfo *b);
void vax_stats_from_iface(struct vax_nic *nic,
			  const virDomainInterfaceStatsStruct *s);

/* The host node: virNodeGetInfo's numbers (0 is "unknown" there), and the
 * fields of virNodeGetCPUStats (all CPUs) and virNodeGetMemoryStats (all
 * cells) that virtHost serves; other fields are ignored. */
void vax_stats_from_nodeinfo(struct vax_host_vals *h, const virNodeInfo *ni);
void vax_stats_from_nodecpu(struct vax_host_vals *h, const virNodeCPUStats *p, int n);
void vax_stats_from_nodemem(struct vax_host_vals *h, const virNodeMemoryStats *p, int n);

/* Did bulk stats skip this running domain (NOWAIT, its QEMU monitor busy
 * or hung)? Then it came with its disks named but without a single disk
 * counter, which a domain whose monitor answers always has. */
bool vax_stats_skipped(const struct vax_domain *d);

/* A skipped domain keeps its last known values (from) for the groups in
 * missing: field by field, only where this refresh had none, devices only
 * if they did not change; stats_ms then says how old they are. */
void vax_stats_carry_over(const struct vax_domain *from, struct vax_domain *to,
			  unsigned missing);

#endif
