/* fixtures.h - building domains and snapshots in memory for unit tests. */
#ifndef VAX_TEST_FIXTURES_H
#define VAX_TEST_FIXTURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <check.h>

#include "model.h"

/* Allocation helpers that abort on out-of-memory (tests never check). */
void *fx_calloc(size_t n, size_t size);
char *fx_strdup(const char *s);          /* NULL stays NULL */
/* s repeated n times. */
char *fx_repeat(const char *s, size_t n);

/* A definition whose disks and NICs have the given target names; an entry
 * may be NULL (a device without a target, e.g. a user-mode NIC). All other
 * metadata is NULL; no values are set. */
struct vax_domdef *fx_domdef(const char *const *disk_targets, size_t ndisks,
			     const char *const *nic_targets, size_t nnics);

/* A definition with n disks vda, vdb, ... and m NICs vnet0, vnet1, ... */
struct vax_domdef *fx_domdef_n(size_t ndisks, size_t nnics);

/* Set up a zeroed domain: index, name, uuid, state (< 0: absent), def (the
 * caller's reference is taken over; NULL: an empty definition), stats arrays
 * sized to the definition, and nvcpus vCPU slots without values. Outside a
 * snapshot, vax_domain_clear frees it. */
void fx_domain_init(struct vax_domain *d, uint32_t index, const char *name,
		    const char *uuid, int state, struct vax_domdef *def,
		    size_t nvcpus);

/* Append a domain to s, set up as fx_domain_init does. The pointer is only
 * valid until the next append or vax_snapshot_seal (which sorts). */
struct vax_domain *fx_add_domain(struct vax_snapshot *s, uint32_t index,
				 const char *name, const char *uuid, int state,
				 struct vax_domdef *def, size_t nvcpus);

/* vax_snapshot_seal, aborting on failure. */
void fx_seal(struct vax_snapshot *s);

/* Find a domain of a sealed snapshot, aborting when it is missing. */
struct vax_domain *fx_find(struct vax_snapshot *s, uint32_t index);

/* ---- guest data (model.h's struct vax_guest*) ---- */

/* An address: mac NULL for none, ip in text (IPv4 or IPv6), prefix < 0
 * for none, ifname NULL for none (copied). Aborts on a bad mac or ip. */
struct vax_guest_addr fx_addr(const char *mac, const char *ip, int prefix, int source,
			      const char *ifname);

/* An agent answer taken at taken_ms, with these facts (NULL: absent);
 * users < 0 and tz_set false leave those out. */
struct vax_guest_info *fx_guest_info(int64_t taken_ms, const char *hostname,
				     const char *os_name, const char *kernel,
				     const char *tz, bool tz_set, int64_t tz_offset,
				     int64_t users);

/* Append a filesystem to info; total or used < 0: absent. */
void fx_guest_fs(struct vax_guest_info *info, const char *mountpoint, const char *type,
		 const char *device, const char *disk, int64_t total, int64_t used);

/* A guest record (one reference): state, error (copied; NULL: none), info
 * (the caller's reference is taken over; NULL: none), the addresses (the
 * array is copied, their ifnames taken over) read at addrs_ms. */
struct vax_guest *fx_guest(enum vax_agent_state state, const char *error,
			   struct vax_guest_info *info, int64_t addrs_ms,
			   const struct vax_guest_addr *addrs, size_t naddrs);

/* True when s[0..len) is well-formed UTF-8 (no cut character). */
int fx_utf8_valid(const char *s, size_t len);

/* Run a suite (after virInitialize: libvirt's error code needs it) and
 * turn its result into an exit status. */
int vax_run_suite(Suite *s);

#endif
