/* libvirt_storage.h - storage pools and networks as libvirt describes
 * them, into model values. Pure (libvirt's types, libxml2 on a string, a
 * statvfs result; no connection): the storage thread calls it, unit tests
 * and the fuzzer too. */
#ifndef VAX_LIBVIRT_STORAGE_H
#define VAX_LIBVIRT_STORAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/statvfs.h>

#include <libvirt/libvirt.h>

#include "model.h"

/* virStoragePoolGetInfo's answer: state, capacity, allocation, available
 * (libvirt's numbers, VAX_POOL_SOURCE libvirt); only the state for an
 * inactive pool, whose numbers are stale. */
void vax_pool_from_info(struct vax_pool_vals *v, const virStoragePoolInfo *info);
/* The filesystem's own numbers for a pool on it, as libvirt computes them
 * at a pool refresh (capacity f_blocks, available f_bfree, allocation the
 * rest, in f_frsize units; VAX_POOL_SOURCE filesystem); false, v
 * unchanged, when they do not fit in 64 bits or make no sense. */
bool vax_pool_from_statvfs(struct vax_pool_vals *v, const struct statvfs *st);
/* Whether a pool of this type ("dir", "fs", "netfs", ...) keeps its
 * volumes in the filesystem mounted at its target path, so that statvfs
 * there is the pool's space. */
bool vax_pool_type_is_local_fs(const char *type);

/* Whether a libvirt URI names this machine's daemon (no host part:
 * qemu:///system, test+unix:///...), so that its paths are ours. */
bool vax_uri_is_local(const char *uri);

/* The <pool> XML's type and target path into p (NULL where absent);
 * -1 with err when it is not a pool XML. */
int vax_pool_parse_xml(const char *xml, size_t len, struct vax_pool *p, char *err, size_t errlen);
/* The <network> XML's bridge and forward mode into n ("none": no
 * <forward>, an isolated network); -1 with err when not a network XML. */
int vax_net_parse_xml(const char *xml, size_t len, struct vax_network *n, char *err, size_t errlen);

#endif
