/* agentx_notify.h - notifications on their way to snmpd: a bounded queue,
 * sent only while the AgentX socket can take them.
 *
 * Main thread only (it calls net-snmp). snmpd answers every Notify with a
 * Response on the same socket and sends us requests on it: a sender that
 * blocks in send() while snmpd blocks sending to us deadlocks both, and
 * with them the host's whole SNMP service (issue 20). So nothing here ever
 * writes to a socket that poll() does not call writable; what cannot go
 * now waits in the queue, and the loop waits for the socket with
 * vax_notify_wait_fd(). */
#ifndef VAX_AGENTX_NOTIFY_H
#define VAX_AGENTX_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

/* Notifications built but not sent at most; one more drops the oldest,
 * counted and logged. The caller keeps the backlog short by building
 * notifications only while few are queued (vax_notify_queued). */
#define VAX_NOTIFY_QUEUE 1024

/* Follow the AgentX session as net-snmp opens and closes it (its socket is
 * what the sender watches). Before init_snmp(). */
void vax_notify_init(void);

/* Queue a notification's varbinds (snmpTrapOID.0 first; net-snmp adds
 * sysUpTime.0 when it is sent). Takes ownership of vars. */
void vax_notify_queue(netsnmp_variable_list *vars);

struct vax_varbind;
/* Queue a notification as a MIB view built it (agentx_value.h); nothing
 * when n is 0 (the view had nothing to say). */
void vax_notify_varbinds(const struct vax_varbind *vb, size_t n);

/* Send queued notifications, oldest first, while the socket takes them,
 * at most max of them; none while there is no AgentX session (they wait
 * for the next one). Returns how many are left. */
size_t vax_notify_flush(size_t max);

/* Notifications queued, not yet sent. */
size_t vax_notify_queued(void);

/* Is there an AgentX session to send to? */
bool vax_notify_connected(void);

/* Shut the AgentX socket down, both ways: a send or a wait inside
 * net-snmp on it ends at once, and net-snmp closes the session. For a
 * stop that snmpd does not let finish; async-signal-safe. */
void vax_notify_cut(void);

/* The socket to wait on for writability: >= 0 when notifications wait
 * for it to drain, -1 otherwise. */
int vax_notify_wait_fd(void);

/* Drop what is still queued, saying how many; after the last flush. */
void vax_notify_shutdown(void);

#endif
