/* libvirt_guest.h - what libvirt says of a guest's inside, as model
 * values: virDomainGetGuestInfo's typed parameters, the addresses of
 * virDomainInterfaceAddresses, and the merge of address sources. Pure
 * conversions (any thread): the guest-data thread calls them, unit tests
 * and the fuzzer drive them with fixtures.
 *
 * Everything here comes from inside a guest, which may be hostile: text
 * is made valid UTF-8, counts are capped, a value that does not parse is
 * left out. */
#ifndef VAX_LIBVIRT_GUEST_H
#define VAX_LIBVIRT_GUEST_H

#include <libvirt/libvirt.h>

#include "model.h"

/* Caps on what one guest can make us hold. */
#define VAX_GUEST_MAX_FS 256
#define VAX_GUEST_MAX_IFACES 256
#define VAX_GUEST_MAX_ADDRS 1024   /* per guest, all interfaces */

/* virDomainGetGuestInfo's parameters (OS, hostname, timezone, users,
 * filesystems, interfaces) taken at now; NULL when out of memory. */
struct vax_guest_info *vax_guest_info_from_params(const virTypedParameter *p, int n,
						  int64_t now);

/* virDomainInterfaceAddresses' answer as addresses of source; -1 when
 * out of memory. Loopback addresses are left out. */
int vax_guest_addrs_from_ifaces(virDomainInterfacePtr *ifs, int n,
				enum vax_addr_source source,
				struct vax_guest_addr **out, size_t *nout);

/* Addresses from several sources, in order of preference: a source's
 * address is kept unless an earlier source gave an address for the same
 * MAC (each interface's addresses come from one source: the first that
 * knows it), or the same address. */
struct vax_addr_list { const struct vax_guest_addr *a; size_t n; };
int vax_guest_merge_addrs(const struct vax_addr_list *lists, size_t nlists,
			  struct vax_guest_addr **out, size_t *nout);

/* 127/8, ::1, ::ffff:127/104: a guest's own loopback, never served. */
bool vax_guest_addr_loopback(const struct vax_guest_addr *a);

/* "52:54:00:12:34:56" into 6 octets; false if it is not one. */
bool vax_parse_mac(const char *s, uint8_t mac[6]);

#endif
