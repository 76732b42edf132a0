/* agentx.h - the AgentX subagent, as the daemon (main.c) drives it. The
 * agentx_*.c files and log.c are the only net-snmp code, beside main.c's
 * logging options (-L, -D) before the agent starts.
 *
 * The main thread (the caller's) runs net-snmp's loop and is the only one
 * that touches net-snmp. Other threads reach it through vax_agent_publish
 * and vax_agent_event, which only queue (handoff.h) and wake it. SNMP
 * handlers read the current snapshot and never call libvirt; no libvirt
 * header is included here. */
#ifndef VAX_AGENTX_H
#define VAX_AGENTX_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "model.h"

struct vax_collector;
struct vax_event;


/* First of all, before any socket or thread: the wake-up pipe, the
 * hand-off queues, and the SIGTERM/SIGINT/SIGHUP/SIGALRM handlers. */
int vax_agent_event_init(char *err, size_t errlen);

/* Become a subagent of c->agentx_socket and register the MIBs c->mibs
 * names. The agent keeps c (the daemon's, passed whole): it must stay
 * valid until vax_agent_shutdown, and change only as below. */
int vax_agent_init(const struct vax_config *c, char *err, size_t errlen);

/* The collector's publish callback: hand over a snapshot (any thread). */
void vax_agent_publish(struct vax_snapshot *snap, void *arg);
/* The collector's event callback (libvirt's event-loop thread): queue the
 * event; the main thread turns it into notifications. */
void vax_agent_event(const struct vax_event *ev, void *arg);

/* After a SIGHUP reload changed *c in place: the cache and refresh
 * wait, notifications and their events, and VM-MIB's settings (its two
 * enable objects take the file's value only where it changed since the
 * last load: a value an SNMP SET gave them stays until then). The AgentX
 * settings and serveMIBs take effect at the next start. */
void vax_agent_configure(const struct vax_config *c);

/* Run until SIGTERM/SIGINT (vax_agent_event_init installed the handlers);
 * reload() is called on the main thread after each SIGHUP. */
void vax_agent_run(struct vax_collector *collector, void (*reload)(void *), void *arg);

void vax_agent_shutdown(void);

#endif
