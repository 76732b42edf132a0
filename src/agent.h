/* agent.h - the AgentX subagent. agent.c, the agentx_*.c files and log.c
 * are the only net-snmp code.
 *
 * The main thread (the caller's) runs net-snmp's loop and is the only one
 * that touches net-snmp. Other threads reach it through vax_agent_publish
 * and vax_agent_event, which only queue (handoff.h) and wake it. SNMP
 * handlers read the current snapshot and never call libvirt; no libvirt
 * header is included here. */
#ifndef VAX_AGENT_H
#define VAX_AGENT_H

#include <stdbool.h>
#include <stddef.h>

#include "agentx_vm.h"
#include "model.h"

struct vax_collector;
struct vax_event;

struct vax_agent_opts {
	const char *agentx_socket;    /* NULL: net-snmp's default */
	unsigned agentx_timeout;      /* seconds, 0: the master's default */
	unsigned agentx_ping;         /* seconds */
	unsigned refresh_wait_ms;
	bool traps_enabled;
	unsigned trap_events;         /* mask of 1 << enum vax_event_kind */
	unsigned mibs;                /* VAX_MIB_* to register (conf.h) */
	/* Served until the first refresh lands. */
	const char *uri;
	unsigned cache_timeout;
	struct vax_vm_opts vm;
};

/* First of all, before any socket or thread: the wake-up pipe, the
 * hand-off queues, and the SIGTERM/SIGINT/SIGHUP/SIGALRM handlers. */
int vax_agent_event_init(char *err, size_t errlen);

/* Become a subagent and register the MIBs o->mibs names. */
int vax_agent_init(const struct vax_agent_opts *o, char *err, size_t errlen);

/* The collector's publish callback: hand over a snapshot (any thread). */
void vax_agent_publish(struct vax_snapshot *snap, void *arg);
/* The collector's event callback (libvirt's event-loop thread): queue the
 * event; the main thread turns it into notifications. */
void vax_agent_event(const struct vax_event *ev, void *arg);

/* Settings a SIGHUP reload may change. */
void vax_agent_configure(struct vax_collector *collector, unsigned cache_timeout,
			 unsigned refresh_wait_ms, bool traps_enabled, unsigned trap_events);

/* VM-MIB notification settings after a reload. The two enable objects
 * take the file's value only where it changed since the last load: a
 * value an SNMP SET gave them stays until then (it is never saved). */
void vax_agent_configure_vm(const struct vax_vm_opts *o);

/* Run until SIGTERM/SIGINT (vax_agent_event_init installed the handlers);
 * reload() is called on the main thread after each SIGHUP. */
void vax_agent_run(struct vax_collector *collector, void (*reload)(void *), void *arg);

void vax_agent_shutdown(void);

#endif
