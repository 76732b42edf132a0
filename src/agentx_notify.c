/* agentx_notify.c - notifications queued for snmpd, sent only while the
 * AgentX socket can take them (main thread; see agentx_notify.h). */
#include "config.h"

#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/socket.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/agent/agent_callbacks.h>

#include "agentx_notify.h"
#include "agentx_value.h"
#include "log.h"

static struct {
	netsnmp_variable_list *q[VAX_NOTIFY_QUEUE];   /* a ring, oldest at head */
	size_t head, len;
	uint64_t dropped;        /* not yet logged */
	int fd;                  /* the AgentX session's socket, -1: none */
	bool blocked;            /* the last flush stopped at a full socket */
} N = { .fd = -1 };

/* N.fd for vax_notify_cut, which a signal handler calls. */
static volatile sig_atomic_t cut_fd = -1;

/* net-snmp names the session it opens to snmpd (and the one it gives up)
 * through these two callbacks; only its socket is kept. */
static int on_session_start(int major, int minor, void *server, void *client)
{
	netsnmp_transport *t = snmp_sess_transport(snmp_sess_pointer(server));

	(void)major, (void)minor, (void)client;
	N.fd = t ? t->sock : -1;
	cut_fd = N.fd;
	N.blocked = false;
	return SNMPERR_SUCCESS;
}

static int on_session_stop(int major, int minor, void *server, void *client)
{
	(void)major, (void)minor, (void)server, (void)client;
	N.fd = cut_fd = -1;
	N.blocked = false;
	return SNMPERR_SUCCESS;
}

void vax_notify_init(void)
{
	snmp_register_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_START,
			       on_session_start, NULL);
	snmp_register_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_STOP,
			       on_session_stop, NULL);
}

void vax_notify_queue(netsnmp_variable_list *vars)
{
	if (!vars)
		return;
	if (N.len == VAX_NOTIFY_QUEUE) {   /* the oldest goes */
		snmp_free_varbind(N.q[N.head]);
		N.head = (N.head + 1) % VAX_NOTIFY_QUEUE;
		N.len--;
		N.dropped++;
	}
	N.q[(N.head + N.len++) % VAX_NOTIFY_QUEUE] = vars;
}

void vax_notify_varbinds(const struct vax_varbind *vb, size_t n)
{
	if (n)
		vax_notify_queue(vax_varbind_list(vb, n));
}

/* Can one notification go without blocking? A socket poll() calls
 * writable has room for far more than one PDU (a quarter of its buffer
 * for a unix socket). A broken one: net-snmp's own send finds out and
 * reports it, so say yes. */
static bool writable(void)
{
	struct pollfd p = { .fd = N.fd, .events = POLLOUT };

	if (poll(&p, 1, 0) < 0)
		return true;
	return (p.revents & (POLLOUT | POLLERR | POLLHUP | POLLNVAL)) != 0;
}

size_t vax_notify_flush(size_t max)
{
	size_t sent = 0;

	if (N.dropped) {
		vax_warn("%" PRIu64 " notification%s dropped: more than %d waited for snmpd",
			 N.dropped, N.dropped == 1 ? "" : "s", VAX_NOTIFY_QUEUE);
		N.dropped = 0;
	}
	N.blocked = false;
	/* No session (snmpd is away, or we are not registered yet): they
	 * wait; net-snmp would drop them. */
	while (N.len && sent < max && N.fd >= 0) {
		if (!writable()) {
			N.blocked = true;
			break;
		}
		netsnmp_variable_list *vars = N.q[N.head];
		N.head = (N.head + 1) % VAX_NOTIFY_QUEUE;
		N.len--;
		/* As a subagent this goes to snmpd as an AgentX Notify, and
		 * snmpd sends it to its trap sinks. */
		send_v2trap(vars);
		snmp_free_varbind(vars);
		sent++;
	}
	return N.len;
}

size_t vax_notify_queued(void)
{
	return N.len;
}

bool vax_notify_connected(void)
{
	return N.fd >= 0;
}

void vax_notify_cut(void)
{
	int fd = cut_fd;

	if (fd >= 0)
		shutdown(fd, SHUT_RDWR);
}

int vax_notify_wait_fd(void)
{
	return N.blocked && N.len ? N.fd : -1;
}

void vax_notify_shutdown(void)
{
	if (N.len)
		vax_warn("stopping with %zu notification%s not sent: snmpd did not take them",
			 N.len, N.len == 1 ? "" : "s");
	while (N.len) {
		snmp_free_varbind(N.q[N.head]);
		N.head = (N.head + 1) % VAX_NOTIFY_QUEUE;
		N.len--;
	}
	N.fd = cut_fd = -1;
	N.blocked = false;
}
