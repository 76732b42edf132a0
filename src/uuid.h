/* uuid.h - libvirt's UUID text (8-4-4-4-12 hex digits), in one place:
 * the index file, the snapshot and the VM-MIB read it through these.
 * Pure functions, any thread. */
#ifndef VAX_UUID_H
#define VAX_UUID_H

#include <stdbool.h>
#include <stdint.h>

/* "8e3b1c1a-0d5e-..." -> 16 octets (vmUUID, virtDomainUUID's raw form);
 * false, out untouched, if s is not a UUID (NULL included). */
bool vax_uuid_parse(const char *s, uint8_t out[16]);

/* True for a 36-char UUID (hex digits, either case, and dashes); writes
 * it lower-cased into out[37]. */
bool vax_uuid_canonical(const char *in, char out[37]);

#endif
