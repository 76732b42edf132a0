/* collector_host.c - the host node around the domains, on the worker.
 *
 * virNodeGetInfo and virConnectGetMaxVcpus once per connection (they do
 * not change while libvirtd runs); all CPUs' times (virNodeGetCPUStats)
 * and the memory statistics (virNodeGetMemoryStats) at each refresh: two
 * calls, each dropped for the rest of the connection once the driver
 * says it has no such call (the test driver has no memory statistics).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "collector_int.h"
#include "libvirt_stats.h"
#include "utf8.h"

/* A driver that lacks the call, not a call that failed this time. */
static bool unsupported(void)
{
	virErrorPtr e = virGetLastError();

	return e && (e->code == VIR_ERR_NO_SUPPORT || e->code == VIR_ERR_INVALID_ARG);
}

void col_host_connect(struct vax_collector *c)
{
	virNodeInfo ni;
	int n = 0, max;

	memset(&c->node, 0, sizeof(c->node));
	free(c->cpu_model);
	c->cpu_model = NULL;
	if (virNodeGetInfo(c->conn, &ni) == 0) {
		vax_stats_from_nodeinfo(&c->node, &ni);
		/* A fixed buffer, NUL-terminated by libvirt; any bytes. */
		ni.model[sizeof(ni.model) - 1] = '\0';
		c->cpu_model = ni.model[0] ? vax_utf8_dup(ni.model) : NULL;
	}
	if ((max = virConnectGetMaxVcpus(c->conn, NULL)) > 0)
		vax_set(&c->node, VAX_HOST_MAX_VCPUS, (uint64_t)max);
	/* How many fields each statistics call has: asked once. */
	c->node_ncpu = virNodeGetCPUStats(c->conn, VIR_NODE_CPU_STATS_ALL_CPUS, NULL, &n, 0) == 0 &&
		n > 0 && n <= 64 ? n : 0;
	n = 0;
	c->node_nmem = virNodeGetMemoryStats(c->conn, VIR_NODE_MEMORY_STATS_ALL_CELLS, NULL, &n, 0) == 0 &&
		n > 0 && n <= 64 ? n : 0;
}

void col_host_sample(struct vax_collector *c, struct vax_snapshot *s, int64_t now)
{
	virNodeCPUStats cpu[64];
	virNodeMemoryStats mem[64];
	int n;

	s->host = c->node;
	s->cpu_model = c->cpu_model ? strdup(c->cpu_model) : NULL;
	if (c->node_ncpu) {
		n = c->node_ncpu;
		c->calls++;
		if (virNodeGetCPUStats(c->conn, VIR_NODE_CPU_STATS_ALL_CPUS, cpu, &n, 0) == 0)
			vax_stats_from_nodecpu(&s->host, cpu, n);
		else if (unsupported())
			c->node_ncpu = 0;
	}
	if (c->node_nmem) {
		n = c->node_nmem;
		c->calls++;
		if (virNodeGetMemoryStats(c->conn, VIR_NODE_MEMORY_STATS_ALL_CELLS, mem, &n, 0) == 0)
			vax_stats_from_nodemem(&s->host, mem, n);
		else if (unsupported())
			c->node_nmem = 0;
	}
	/* The refresh's own time, as the domains' samples have: a window
	 * closes for the host when it closes for them (usage.c). */
	s->host_ms = now;
	/* What the running domains have now: overcommit at a glance. */
	uint64_t vcpus = 0, kib = 0;
	bool vcpus_known = true, kib_known = true;
	for (size_t i = 0; i < s->ndomains; i++) {
		const struct vax_vals *v = &s->domains[i].vals;
		if (!vax_has(v, VAX_DOM_ID))
			continue;
		if (vax_has(v, VAX_DOM_VCPU_CUR))
			vcpus += v->v[VAX_DOM_VCPU_CUR];
		else
			vcpus_known = false;
		if (vax_has(v, VAX_DOM_MEM_CUR))
			kib += v->v[VAX_DOM_MEM_CUR];
		else
			kib_known = false;
	}
	if (vcpus_known)
		vax_set(&s->host, VAX_HOST_GUEST_VCPUS, vcpus);
	if (kib_known)
		vax_set(&s->host, VAX_HOST_GUEST_MEMORY, kib);
}
