/* agentx_handler.h - the read-only request handler of VIRT-AGENTX-MIB and
 * RFC 7666's VM-MIB (main thread, inside net-snmp's loop).
 *
 * It answers from the view it is given and never calls libvirt: a GET or
 * GETNEXT asks for a fresh view (the agent may wait a little for a
 * refresh, see ensure_fresh in agentx_loop.c); every SET is notWritable. */
#ifndef VAX_AGENTX_HANDLER_H
#define VAX_AGENTX_HANDLER_H

#include <stdbool.h>
#include <stddef.h>

#include "mib.h"

/* Register the MIBs in mibs (VAX_MIB_* of conf.h) with net-snmp, between
 * init_agent() and init_snmp(); view() fills in what a request reads. */
int vax_handler_register(unsigned mibs, void (*view)(struct vax_view *view, bool fresh),
			 char *err, size_t errlen);

#endif
