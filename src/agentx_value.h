/* agentx_value.h - a view's values as net-snmp takes them (main thread,
 * net-snmp types): for the request handler and the notifications. */
#ifndef VAX_AGENTX_VALUE_H
#define VAX_AGENTX_VALUE_H

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "mib.h"

/* A view's value as net-snmp wants it: type, pointer, length. */
struct vax_asn {
	u_char type;
	const void *val;
	size_t len;
	union { long l; u_long g; struct counter64 c64; oid o[VAX_MAX_OID]; } buf;
};

/* v as net-snmp's type, pointer and length (pointing into v or a->buf). */
void vax_to_asn(const struct vax_value *v, struct vax_asn *a);
/* The varbinds as a net-snmp list the caller frees (NULL if out of memory). */
netsnmp_variable_list *vax_varbind_list(const struct vax_varbind *vb, size_t n);

#endif
