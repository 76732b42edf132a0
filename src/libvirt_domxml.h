/* libvirt_domxml.h - the parts of a libvirt domain XML that the MIB shows.
 * Pure (libxml2 on a string, no connection): the collector worker parses,
 * the fuzzer and unit tests too. */
#ifndef VAX_LIBVIRT_DOMXML_H
#define VAX_LIBVIRT_DOMXML_H

#include <stddef.h>

#include "model.h"

/* Parse a <domain> document. Returns a new definition (ref 1), or NULL with
 * a message in err when the text is not a domain XML at all. Odd or missing
 * attributes are not errors: they leave the matching field NULL/absent. */
struct vax_domdef *vax_domxml_parse(const char *xml, size_t len,
				    char *err, size_t errlen);

/* Convert "<n>" in unit u (libvirt's memory units) to KiB; -1 if invalid. */
int vax_domxml_kib(const char *number, const char *unit, unsigned long long *kib);

#endif
