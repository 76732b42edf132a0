/* mib_virtagentx.c - VIRT-AGENTX-MIB: (column, index) -> value of a snapshot.
 *
 * The objects and how each cell reads the snapshot; lookups are
 * mib_table.c's. Column and object numbers follow mibs/VIRT-AGENTX-MIB.txt.
 */
#include "config.h"

#include <string.h>

#include "libvirt_events.h"
#include "mib_table.h"
#include "mib_virtagentx.h"
#include "usage.h"

const uint32_t vax_virt_root[] = { VAX_VIRT_ROOT };
const size_t vax_virt_root_len = sizeof(vax_virt_root) / sizeof(vax_virt_root[0]);

enum { OBJECTS = 1, SCALARS = 1, ENTRY = 1 };
#define DISPLAY_MAX VAX_DISPLAY_MAX
#define UTF8_MAX 1024       /* VirtUtf8String */

/* ---- value helpers ---- */

static bool integer(struct vax_value *v, int64_t i) { return vax_v_integer(v, i); }
static bool gauge(struct vax_value *v, uint64_t u) { return vax_v_gauge(v, u); }
static bool octets(struct vax_value *v, const void *s, size_t len) { return vax_v_octets(v, s, len); }
static bool display(struct vax_value *v, const char *s) { return vax_v_text(v, s, DISPLAY_MAX); }
static bool utf8(struct vax_value *v, const char *s) { return vax_v_text(v, s, UTF8_MAX); }
#define number vax_v_number

static bool truth(struct vax_value *v, const struct vax_vals *vals, int field)
{
	return vax_has(vals, field) && integer(v, vals->v[field] ? 1 : 2);
}

/* ---- the host node (virtHost.N.0) ---- */

enum { HOST_NODE = 9, HOST = 100 };   /* its node; its scalars' ids from HOST + 1 */

/* x * scale / of, rounded half up, exactly (the product may pass 2^64),
 * saturating as every gauge; absent when either is unknown or of is 0. */
static bool ratio(struct vax_value *v, const struct vax_host_vals *h, int x, int of,
		  uint64_t scale)
{
	return vax_has(h, x) && vax_has(h, of) && h->v[of] &&
	       gauge(v, vax_usage_muldiv(h->v[x], scale, h->v[of]));
}

static bool host_scalar(const struct vax_view *view, uint32_t n, struct vax_value *v)
{
	/* virtHost.n: the field it serves and its type; no host object is
	 * an INTEGER, so type 0 (VAX_T_INTEGER) marks one computed below. */
	static const struct { int field; enum vax_type type; } cols[] = {
		[2] = { VAX_HOST_CPUS, VAX_T_GAUGE32 }, [3] = { VAX_HOST_MHZ, VAX_T_GAUGE32 },
		[4] = { VAX_HOST_NODES, VAX_T_GAUGE32 }, [5] = { VAX_HOST_SOCKETS, VAX_T_GAUGE32 },
		[6] = { VAX_HOST_CORES, VAX_T_GAUGE32 }, [7] = { VAX_HOST_THREADS, VAX_T_GAUGE32 },
		[8] = { VAX_HOST_MEMORY, VAX_T_COUNTER64 }, [9] = { VAX_HOST_MAX_VCPUS, VAX_T_GAUGE32 },
		[10] = { VAX_HOST_CPU_KERNEL, VAX_T_COUNTER64 }, [11] = { VAX_HOST_CPU_USER, VAX_T_COUNTER64 },
		[12] = { VAX_HOST_CPU_IDLE, VAX_T_COUNTER64 }, [13] = { VAX_HOST_CPU_IOWAIT, VAX_T_COUNTER64 },
		[14] = { VAX_HOST_MEM_TOTAL, VAX_T_COUNTER64 }, [15] = { VAX_HOST_MEM_FREE, VAX_T_COUNTER64 },
		[16] = { VAX_HOST_MEM_BUFFERS, VAX_T_COUNTER64 }, [17] = { VAX_HOST_MEM_CACHED, VAX_T_COUNTER64 },
		[18] = { VAX_HOST_GUEST_VCPUS, VAX_T_GAUGE32 }, [19] = { VAX_HOST_GUEST_MEMORY, VAX_T_COUNTER64 },
		[22] = { VAX_HOST_U_CPU, VAX_T_GAUGE32 }, [23] = { VAX_HOST_U_WINDOW, VAX_T_GAUGE32 },
	};
	const struct vax_snapshot *s = view->snap;
	const struct vax_host_vals *h = &s->host;

	switch (n) {
	case 1: return display(v, s->cpu_model);
	case 20:   /* guest vCPUs per host CPU, in hundredths */
		return ratio(v, h, VAX_HOST_GUEST_VCPUS, VAX_HOST_CPUS, 100);
	case 21:   /* guest memory over host memory, hundredths of a percent */
		return ratio(v, h, VAX_HOST_GUEST_MEMORY,
			     vax_has(h, VAX_HOST_MEM_TOTAL) ? VAX_HOST_MEM_TOTAL : VAX_HOST_MEMORY, 10000);
	}
	if (n >= VAX_N(cols) || !cols[n].type)
		return false;
	return number(v, cols[n].type, h, cols[n].field);
}

/* ---- scalars (virtScalars.N.0) ---- */

static bool scalar(const struct vax_view *view, uint32_t id, struct vax_value *v)
{
	const struct vax_snapshot *s = view->snap;
	int64_t age;

	switch (id) {
	case 1: return display(v, s->hostname);
	case 2: return display(v, s->hv_type);
	case 3: return display(v, s->hv_version);
	case 4: return display(v, s->lib_version);
	case 5: return display(v, PACKAGE_VERSION);
	case 6: return integer(v, s->conn);
	case 7: return gauge(v, s->ndomains);
	case 8: return integer(v, view->cache_timeout);
	case 9:
		if (!s->taken_ms)
			return false;   /* nothing gathered yet */
		age = view->now_ms - s->taken_ms;
		return gauge(v, age < 0 ? 0 : (uint64_t)age);
	case 10: return s->refresh_count && gauge(v, s->refresh_ms);
	case 11: *v = (struct vax_value){ .type = VAX_T_COUNTER64, .u = s->refresh_count };
		return true;
	case 12: *v = (struct vax_value){ .type = VAX_T_COUNTER64, .u = s->refresh_errors };
		return true;
	case 13: return utf8(v, s->uri);
	case 14: return s->refresh_count && gauge(v, s->refresh_calls);
	}
	return id > HOST && host_scalar(view, id - HOST, v);
}
#define SC(n) { { OBJECTS, SCALARS, n }, 3, n }
#define HS(n) { { OBJECTS, HOST_NODE, n }, 3, HOST + n }
static const struct vax_scalar scalars[] = {
	SC(1), SC(2), SC(3), SC(4), SC(5), SC(6), SC(7), SC(8), SC(9), SC(10),
	SC(11), SC(12), SC(13), SC(14),
	HS(1), HS(2), HS(3), HS(4), HS(5), HS(6), HS(7), HS(8), HS(9), HS(10),
	HS(11), HS(12), HS(13), HS(14), HS(15), HS(16), HS(17), HS(18), HS(19), HS(20),
	HS(21), HS(22), HS(23),
};
#undef SC
#undef HS

/* ---- tables ---- */

static const struct vax_domdef *def(const struct vax_row *r) { return r->dom->def; }

static bool dom_num(const struct vax_view *w VAX_UNUSED, const struct vax_row *r,
		 const struct vax_column *c, struct vax_value *v)
{
	return number(v, c->type, &r->dom->vals, c->field);
}

static bool dom_name(const struct vax_view *w VAX_UNUSED, const struct vax_row *r,
		 const struct vax_column *c, struct vax_value *v)
{
	(void)c;
	return utf8(v, r->dom->name);
}

static bool dom_uuid(const struct vax_view *w VAX_UNUSED, const struct vax_row *r,
		 const struct vax_column *c, struct vax_value *v)
{
	(void)c;
	return octets(v, r->dom->uuid, 36);
}

static bool dom_truth(const struct vax_view *w VAX_UNUSED, const struct vax_row *r,
		 const struct vax_column *c, struct vax_value *v)
{
	return truth(v, &r->dom->vals, c->field);
}

static bool dom_ostype(const struct vax_view *w VAX_UNUSED, const struct vax_row *r,
		 const struct vax_column *c, struct vax_value *v)
{
	(void)c;
	return display(v, def(r)->os_type);
}

static bool dom_used(const struct vax_view *w VAX_UNUSED, const struct vax_row *r,
		 const struct vax_column *c, struct vax_value *v)
{
	uint64_t used;

	(void)c;
	return vax_domain_mem_used(r->dom, &used) &&
	       (*v = (struct vax_value){ .type = VAX_T_COUNTER64, .u = used }, true);
}

static bool dom_ndisks(const struct vax_view *w VAX_UNUSED, const struct vax_row *r,
		 const struct vax_column *c, struct vax_value *v)
{
	(void)c;
	return def(r)->parsed && gauge(v, def(r)->ndisks);
}

static bool dom_nnics(const struct vax_view *w VAX_UNUSED, const struct vax_row *r,
		 const struct vax_column *c, struct vax_value *v)
{
	(void)c;
	return def(r)->parsed && gauge(v, def(r)->nnics);
}

static bool dom_stats_age(const struct vax_view *w, const struct vax_row *r,
		 const struct vax_column *c, struct vax_value *v)
{
	int64_t age = w->now_ms - r->dom->stats_ms;

	(void)c;
	return r->dom->stats_ms && gauge(v, age < 0 ? 0 : (uint64_t)age);
}

/* virtDomainUsageAge: how old the newer sample of the gauges' window is. */
static bool dom_usage_age(const struct vax_view *w, const struct vax_row *r,
		 const struct vax_column *c, struct vax_value *v)
{
	int64_t age = w->now_ms - r->dom->usage_ms;

	(void)c;
	return r->dom->usage_ms && gauge(v, age < 0 ? 0 : (uint64_t)age);
}

#define I VAX_T_INTEGER
#define G VAX_T_GAUGE32
#define C VAX_T_COUNTER64
#define S VAX_T_OCTETS
static const struct vax_column dom_cols[] = {
	{ 2, S, -1, dom_name },
	{ 3, S, -1, dom_uuid },
	{ 4, I, VAX_DOM_STATE, dom_num },
	{ 5, I, VAX_DOM_REASON, dom_num },
	{ 6, I, VAX_DOM_PERSISTENT, dom_truth },
	{ 7, I, VAX_DOM_AUTOSTART, dom_truth },
	{ 8, S, -1, dom_ostype },
	{ 9, I, VAX_DOM_ID, dom_num },
	{ 10, G, VAX_DOM_VCPU_CUR, dom_num },
	{ 11, G, VAX_DOM_VCPU_MAX, dom_num },
	{ 12, C, VAX_DOM_MEM_MAX, dom_num },
	{ 13, C, VAX_DOM_MEM_CUR, dom_num },
	{ 14, C, VAX_DOM_CPU_TIME, dom_num },
	{ 15, C, VAX_DOM_CPU_USER, dom_num },
	{ 16, C, VAX_DOM_CPU_SYSTEM, dom_num },
	{ 17, C, VAX_DOM_BAL_ACTUAL, dom_num },
	{ 18, C, VAX_DOM_BAL_UNUSED, dom_num },
	{ 19, C, VAX_DOM_BAL_AVAILABLE, dom_num },
	{ 20, C, VAX_DOM_BAL_USABLE, dom_num },
	{ 21, C, VAX_DOM_BAL_RSS, dom_num },
	{ 22, C, VAX_DOM_BAL_SWAP_IN, dom_num },
	{ 23, C, VAX_DOM_BAL_SWAP_OUT, dom_num },
	{ 24, C, VAX_DOM_BAL_MAJOR_FAULT, dom_num },
	{ 25, C, VAX_DOM_BAL_MINOR_FAULT, dom_num },
	{ 26, C, VAX_DOM_BAL_DISK_CACHES, dom_num },
	{ 27, C, -1, dom_used },
	{ 28, G, -1, dom_ndisks },
	{ 29, G, -1, dom_nnics },
	{ 32, G, -1, dom_stats_age },
	{ 33, G, VAX_DOM_U_CPU, dom_num },
	{ 34, G, VAX_DOM_U_CPU_VCPUS, dom_num },
	{ 35, G, VAX_DOM_U_CPU_USER, dom_num },
	{ 36, G, VAX_DOM_U_CPU_SYSTEM, dom_num },
	{ 37, G, VAX_DOM_U_WINDOW, dom_num },
	{ 38, G, -1, dom_usage_age },
};

static bool vcpu_num(const struct vax_view *w VAX_UNUSED, const struct vax_row *r,
		 const struct vax_column *c, struct vax_value *v)
{
	return number(v, c->type, &r->dom->vcpus[r->sub - 1].vals, c->field);
}

static bool vcpu_number(const struct vax_view *w VAX_UNUSED, const struct vax_row *r,
		 const struct vax_column *c, struct vax_value *v)
{
	(void)c;
	return integer(v, r->sub - 1);
}

static const struct vax_column vcpu_cols[] = {
	{ 2, I, -1, vcpu_number },
	{ 3, I, VAX_VCPU_STATE, vcpu_num },
	{ 4, C, VAX_VCPU_TIME, vcpu_num },
	{ 5, C, VAX_VCPU_WAIT, vcpu_num },
	{ 6, C, VAX_VCPU_DELAY, vcpu_num },
	{ 7, I, VAX_VCPU_PCPU, vcpu_num },
	{ 8, G, VAX_VCPU_U_BUSY, vcpu_num },
	{ 9, G, VAX_VCPU_U_STEAL, vcpu_num },
	{ 10, G, VAX_VCPU_U_WAIT, vcpu_num },
};

static bool disk_num(const struct vax_view *w VAX_UNUSED, const struct vax_row *r,
		 const struct vax_column *c, struct vax_value *v)
{
	return number(v, c->type, vax_row_disk_vals(r), c->field);
}

/* String columns of the device tables, by column id. */
static bool disk_str(const struct vax_view *w VAX_UNUSED, const struct vax_row *r,
		 const struct vax_column *c, struct vax_value *v)
{
	const struct vax_disk_def *d = vax_row_disk_def(r);

	switch (c->id) {
	case 2: return utf8(v, d->target);
	case 3: return utf8(v, d->source);
	case 4: return display(v, d->type);
	case 5: return display(v, d->bus);
	case 6: return display(v, d->device);
	}
	return false;
}

static const struct vax_column disk_cols[] = {
	{ 2, S, -1, disk_str }, { 3, S, -1, disk_str }, { 4, S, -1, disk_str },
	{ 5, S, -1, disk_str }, { 6, S, -1, disk_str },
	{ 7, C, VAX_DISK_RD_REQS, disk_num },
	{ 8, C, VAX_DISK_RD_BYTES, disk_num },
	{ 9, C, VAX_DISK_WR_REQS, disk_num },
	{ 10, C, VAX_DISK_WR_BYTES, disk_num },
	{ 11, C, VAX_DISK_FL_REQS, disk_num },
	{ 12, C, VAX_DISK_RD_TIME, disk_num },
	{ 13, C, VAX_DISK_WR_TIME, disk_num },
	{ 14, C, VAX_DISK_FL_TIME, disk_num },
	{ 15, C, VAX_DISK_ERRORS, disk_num },
	{ 16, C, VAX_DISK_CAPACITY, disk_num },
	{ 17, C, VAX_DISK_ALLOCATION, disk_num },
	{ 18, C, VAX_DISK_PHYSICAL, disk_num },
	{ 19, C, VAX_DISK_U_RD_BPS, disk_num },
	{ 20, C, VAX_DISK_U_WR_BPS, disk_num },
	{ 21, G, VAX_DISK_U_RD_OPS, disk_num },
	{ 22, G, VAX_DISK_U_WR_OPS, disk_num },
	{ 23, G, VAX_DISK_U_FL_OPS, disk_num },
	{ 24, G, VAX_DISK_U_RD_LAT, disk_num },
	{ 25, G, VAX_DISK_U_WR_LAT, disk_num },
	{ 26, G, VAX_DISK_U_FL_LAT, disk_num },
};

static bool nic_num(const struct vax_view *w VAX_UNUSED, const struct vax_row *r,
		 const struct vax_column *c, struct vax_value *v)
{
	return number(v, c->type, vax_row_nic_vals(r), c->field);
}

static bool nic_str(const struct vax_view *w VAX_UNUSED, const struct vax_row *r,
		 const struct vax_column *c, struct vax_value *v)
{
	const struct vax_nic_def *n = vax_row_nic_def(r);

	switch (c->id) {
	case 2: return utf8(v, n->target);
	case 3: return n->has_mac && octets(v, n->mac, 6);
	case 4: return display(v, n->type);
	case 5: return utf8(v, n->source);
	case 6: return utf8(v, n->model);
	case 7: return utf8(v, n->filterref);
	case 8: return display(v, n->ip);
	}
	return false;
}

/* 0 when the device is not on this host (IF-MIB has no row for it). */
static bool nic_ifindex(const struct vax_view *w VAX_UNUSED, const struct vax_row *r,
			const struct vax_column *c, struct vax_value *v)
{
	return vax_v_ifindex(v, vax_row_nic_vals(r), c->field);
}

static const struct vax_column nic_cols[] = {
	{ 2, S, -1, nic_str }, { 3, S, -1, nic_str }, { 4, S, -1, nic_str },
	{ 5, S, -1, nic_str }, { 6, S, -1, nic_str }, { 7, S, -1, nic_str },
	{ 8, S, -1, nic_str },
	{ 9, I, VAX_NIC_HOST_IFINDEX, nic_ifindex },
	{ 10, C, VAX_NIC_RX_BYTES, nic_num },
	{ 11, C, VAX_NIC_RX_PKTS, nic_num },
	{ 12, C, VAX_NIC_RX_ERRS, nic_num },
	{ 13, C, VAX_NIC_RX_DROP, nic_num },
	{ 14, C, VAX_NIC_TX_BYTES, nic_num },
	{ 15, C, VAX_NIC_TX_PKTS, nic_num },
	{ 16, C, VAX_NIC_TX_ERRS, nic_num },
	{ 17, C, VAX_NIC_TX_DROP, nic_num },
	{ 18, C, VAX_NIC_U_FIRST + VAX_NIC_RX_BYTES, nic_num },
	{ 19, G, VAX_NIC_U_FIRST + VAX_NIC_RX_PKTS, nic_num },
	{ 20, G, VAX_NIC_U_FIRST + VAX_NIC_RX_ERRS, nic_num },
	{ 21, G, VAX_NIC_U_FIRST + VAX_NIC_RX_DROP, nic_num },
	{ 22, C, VAX_NIC_U_FIRST + VAX_NIC_TX_BYTES, nic_num },
	{ 23, G, VAX_NIC_U_FIRST + VAX_NIC_TX_PKTS, nic_num },
	{ 24, G, VAX_NIC_U_FIRST + VAX_NIC_TX_ERRS, nic_num },
	{ 25, G, VAX_NIC_U_FIRST + VAX_NIC_TX_DROP, nic_num },
};

/* ---- inside the guests (guest.c) ---- */

static int64_t age_of(const struct vax_view *w, int64_t t)
{
	return w->now_ms > t ? w->now_ms - t : 0;
}

static bool guest_cell(const struct vax_view *w, const struct vax_row *r,
		       const struct vax_column *c, struct vax_value *v)
{
	const struct vax_guest *g = r->dom->guest;
	const struct vax_guest_info *i = g ? g->info : NULL;

	if (c->id == 1) {   /* virtGuestAgentState */
		if (!vax_has(&r->dom->vals, VAX_DOM_ID))
			return integer(v, VAX_AGENT_NOT_RUNNING);
		if (g)
			return integer(v, g->state);
		/* Not asked yet: unknown, unless nobody ever will. */
		return !w->snap->guest_agent && integer(v, VAX_AGENT_NOT_CONFIGURED);
	}
	if (c->id == 9)     /* virtGuestAddressAge */
		return g && g->addrs_ms && gauge(v, (uint64_t)age_of(w, g->addrs_ms));
	if (c->id == 10)    /* virtGuestAgentError */
		return g && g->state == VAX_AGENT_NOT_RESPONDING && display(v, g->error);
	if (!i)
		return false;
	switch (c->id) {
	case 2: return gauge(v, (uint64_t)age_of(w, i->taken_ms));
	case 3: return utf8(v, i->hostname);
	case 4: return utf8(v, i->os_name);
	case 5: return utf8(v, i->kernel);
	case 6: return utf8(v, i->timezone);
	case 7: return vax_has(&i->vals, VAX_GUEST_TZ_OFFSET) &&
		       integer(v, (int64_t)i->vals.v[VAX_GUEST_TZ_OFFSET]);
	case 8: return number(v, c->type, &i->vals, VAX_GUEST_USERS);
	}
	return false;
}

static const struct vax_column guest_cols[] = {
	{ 1, I, -1, guest_cell }, { 2, G, -1, guest_cell }, { 3, S, -1, guest_cell },
	{ 4, S, -1, guest_cell }, { 5, S, -1, guest_cell }, { 6, S, -1, guest_cell },
	{ 7, I, -1, guest_cell }, { 8, G, -1, guest_cell }, { 9, G, -1, guest_cell },
	{ 10, S, -1, guest_cell },
};

static bool addr_cell(const struct vax_view *w VAX_UNUSED, const struct vax_row *r,
		      const struct vax_column *c, struct vax_value *v)
{
	const struct vax_guest_addr *a = r->item;

	switch (c->id) {
	case 3: return a->has_mac && octets(v, a->mac, 6);
	case 4: return integer(v, a->family == 6 ? 2 : 1);   /* InetAddressType */
	case 5: return octets(v, a->addr, a->family == 6 ? 16 : 4);
	case 6: return a->has_prefix && gauge(v, a->prefix);
	case 7: return integer(v, a->source);
	case 8: return utf8(v, a->ifname);
	}
	return false;
}

static const struct vax_column addr_cols[] = {
	{ 3, S, -1, addr_cell }, { 4, I, -1, addr_cell }, { 5, S, -1, addr_cell },
	{ 6, G, -1, addr_cell }, { 7, I, -1, addr_cell }, { 8, S, -1, addr_cell },
};

/* The virtDiskTable row the filesystem sits on: the host's disk of the
 * alias the agent named; 0 when none is. */
static uint32_t fs_disk_row(const struct vax_row *r, const struct vax_guest_fs *f)
{
	for (size_t i = 0; f->disk && i < r->dom->def->ndisks; i++)
		if (r->dom->def->disks[i].target && !strcmp(r->dom->def->disks[i].target, f->disk))
			return (uint32_t)(i + 1);
	return 0;
}

/* floor(100 * used / total) for used <= total, total > 0, exactly: a
 * double loses the last bytes above 2^53 and rounds 99.99...% up to 100.
 * Two decimal digits of long division, each 10 * r computed modulo total
 * by adding r ten times (r < total, so no sum overflows). */
static uint64_t percent(uint64_t used, uint64_t total)
{
	uint64_t r = used, pct = 0;

	if (used >= total)
		return 100;
	for (int digit = 0; digit < 2; digit++) {
		uint64_t acc = 0, q = 0;
		for (int k = 0; k < 10; k++) {
			if (acc >= total - r) {
				acc -= total - r;
				q++;
			} else
				acc += r;
		}
		pct = pct * 10 + q;
		r = acc;
	}
	return pct;
}

static bool fs_cell(const struct vax_view *w VAX_UNUSED, const struct vax_row *r,
		    const struct vax_column *c, struct vax_value *v)
{
	const struct vax_guest_fs *f = r->item;
	const struct vax_fs_vals *n = &f->vals;

	switch (c->id) {
	case 2: return utf8(v, f->mountpoint);
	case 3: return display(v, f->type);
	case 4: return utf8(v, f->device);
	case 5: return gauge(v, fs_disk_row(r, f));
	case 6: return number(v, c->type, n, VAX_FS_TOTAL);
	case 7: return number(v, c->type, n, VAX_FS_USED);
	case 8: /* whole percent, rounded down: absent rather than above 100 */
		return vax_has(n, VAX_FS_TOTAL) && vax_has(n, VAX_FS_USED) &&
		       n->v[VAX_FS_TOTAL] && n->v[VAX_FS_USED] <= n->v[VAX_FS_TOTAL] &&
		       gauge(v, percent(n->v[VAX_FS_USED], n->v[VAX_FS_TOTAL]));
	}
	return false;
}

static const struct vax_column fs_cols[] = {
	{ 2, S, -1, fs_cell }, { 3, S, -1, fs_cell }, { 4, S, -1, fs_cell },
	{ 5, G, -1, fs_cell }, { 6, C, -1, fs_cell }, { 7, C, -1, fs_cell },
	{ 8, G, -1, fs_cell },
};
/* ---- pools and networks: rows without a domain (sub: the index) ---- */

static const struct vax_pool *pool(const struct vax_row *r) { return r->item; }
static const struct vax_network *net(const struct vax_row *r) { return r->item; }

/* virtPoolState: libvirt's virStoragePoolState + 1 (SMI enumerations
 * start at 1). */
static bool pool_cell(const struct vax_view *w, const struct vax_row *r,
		      const struct vax_column *c, struct vax_value *v)
{
	const struct vax_pool *p = pool(r);
	uint64_t used;
	int64_t age;

	switch (c->id) {
	case 2: return utf8(v, p->name);
	case 3: return octets(v, p->uuid, 36);
	case 4: return display(v, p->type);
	case 5: return vax_has(&p->vals, VAX_POOL_STATE) &&
		       integer(v, (int64_t)p->vals.v[VAX_POOL_STATE] + 1);
	case 6: return vax_has(&p->vals, VAX_POOL_AUTOSTART) &&
		       integer(v, p->vals.v[VAX_POOL_AUTOSTART] ? 1 : 2);
	case 7: return vax_has(&p->vals, VAX_POOL_PERSISTENT) &&
		       integer(v, p->vals.v[VAX_POOL_PERSISTENT] ? 1 : 2);
	case 11: return vax_pool_used(&p->vals, &used) && gauge(v, used);
	case 14:
		age = w->now_ms - p->read_ms;
		return p->read_ms && gauge(v, age < 0 ? 0 : (uint64_t)age);
	case 15: return integer(v, p->stalled ? 1 : 2);
	case 16: return utf8(v, p->target);
	}
	return number(v, c->type, &p->vals, c->field);
}

static bool net_cell(const struct vax_view *w VAX_UNUSED, const struct vax_row *r,
		     const struct vax_column *c, struct vax_value *v)
{
	const struct vax_network *n = net(r);

	switch (c->id) {
	case 2: return utf8(v, n->name);
	case 3: return octets(v, n->uuid, 36);
	case 4: return display(v, n->bridge);
	case 8: return display(v, n->forward);
	case 9: return number(v, c->type, &n->vals, c->field);
	}
	return vax_has(&n->vals, c->field) && integer(v, n->vals.v[c->field] ? 1 : 2);
}

static const struct vax_column pool_cols[] = {
	{ 2, S, -1, pool_cell }, { 3, S, -1, pool_cell }, { 4, S, -1, pool_cell },
	{ 5, I, -1, pool_cell }, { 6, I, -1, pool_cell }, { 7, I, -1, pool_cell },
	{ 8, C, VAX_POOL_CAPACITY, pool_cell }, { 9, C, VAX_POOL_ALLOCATION, pool_cell },
	{ 10, C, VAX_POOL_AVAILABLE, pool_cell }, { 11, G, -1, pool_cell },
	{ 12, G, VAX_POOL_THRESHOLD, pool_cell }, { 13, I, VAX_POOL_SOURCE, pool_cell },
	{ 14, G, -1, pool_cell }, { 15, I, -1, pool_cell }, { 16, S, -1, pool_cell },
	{ 17, G, VAX_POOL_VOLUMES, pool_cell },
};

static const struct vax_column net_cols[] = {
	{ 2, S, -1, net_cell }, { 3, S, -1, net_cell }, { 4, S, -1, net_cell },
	{ 5, I, VAX_NET_ACTIVE, net_cell }, { 6, I, VAX_NET_AUTOSTART, net_cell },
	{ 7, I, VAX_NET_PERSISTENT, net_cell }, { 8, S, -1, net_cell },
	{ 9, G, VAX_NET_LEASES, net_cell },
};
#undef I
#undef G
#undef C
#undef S


static const struct vax_table tables[] = {
	{ 2, 1, dom_cols, VAX_N(dom_cols), vax_mib_dom_nrows, vax_mib_dom_row },
	{ 3, 2, vcpu_cols, VAX_N(vcpu_cols), vax_mib_vcpu_nrows, vax_mib_vcpu_row },
	{ 4, 2, disk_cols, VAX_N(disk_cols), vax_mib_disk_nrows, vax_mib_disk_row },
	{ 5, 2, nic_cols, VAX_N(nic_cols), vax_mib_nic_nrows, vax_mib_nic_row },
	{ 6, 1, guest_cols, VAX_N(guest_cols), vax_mib_dom_nrows, vax_mib_dom_row },
	{ 7, 3, addr_cols, VAX_N(addr_cols), vax_mib_addr_nrows, vax_mib_addr_row },
	{ 8, 2, fs_cols, VAX_N(fs_cols), vax_mib_fs_nrows, vax_mib_fs_row },
	{ 10, 1, pool_cols, VAX_N(pool_cols), vax_mib_pool_nrows, vax_mib_pool_row },
	{ 11, 1, net_cols, VAX_N(net_cols), vax_mib_net_nrows, vax_mib_net_row },
};

static const struct vax_mibdef virt_mib = {
	OBJECTS, scalars, VAX_N(scalars), scalar, tables, VAX_N(tables),
};

enum vax_lookup vax_virt_get(const struct vax_view *view, const uint32_t *sub,
			     size_t len, struct vax_value *val)
{
	return vax_mib_get(&virt_mib, view, sub, len, val);
}

bool vax_virt_next(const struct vax_view *view, const uint32_t *sub, size_t len,
		   uint32_t *out, size_t *outlen, struct vax_value *val)
{
	return vax_mib_next(&virt_mib, view, sub, len, out, outlen, val);
}

/* ---- notifications ---- */

enum { CONN_LOST = 10, CONN_RESTORED = 11, POOL_STARTED = 12, POOL_STOPPED = 13,
       POOL_SPACE_LOW = 14, POOL_SPACE_OK = 15, NET_STARTED = 16, NET_STOPPED = 17 };

/* snmpTrapOID.0 = virtNotifications.n; the value lives in static storage. */
static void trap_oid(struct vax_varbind *vb, uint32_t n)
{
	static uint32_t oids[NET_STOPPED + 1][16];

	vax_varbind_trap_oid(vb, vax_virt_root, vax_virt_root_len, n, oids[n]);
}

/* The instance OID of one cell of a domain's (table 2) or another row. */
static void table_cell(struct vax_varbind *vb, uint32_t table, uint32_t column, uint32_t index)
{
	const uint32_t tail[] = { OBJECTS, table, ENTRY, column, index };

	vax_varbind_name(vb, vax_virt_root, vax_virt_root_len, tail, 5);
}

static void row_cell(struct vax_varbind *vb, uint32_t column, uint32_t index)
{
	table_cell(vb, 2, column, index);
}

static const struct vax_table *table(uint32_t id)
{
	for (size_t i = 0; i < VAX_N(tables); i++)
		if (tables[i].id == id)
			return &tables[i];
	return NULL;
}

/* The cells of row r of table t that columns name, as varbinds after
 * out[n]; those absent are left out. */
static size_t cells(const struct vax_table *t, const struct vax_row *r, uint32_t index,
		    const uint32_t *columns, size_t ncols, struct vax_varbind *out, size_t n)
{
	const struct vax_view none = { 0 };   /* these columns need no clock */

	for (size_t i = 0; i < ncols; i++) {
		const struct vax_column *c = vax_mib_column(t, columns[i]);
		if (c && c->get(&none, r, c, &out[n].val))
			table_cell(&out[n++], t->id, columns[i], index);
	}
	return n;
}

size_t vax_virt_domain_trap(const struct vax_domain *d, int kind, int detail,
			    struct vax_varbind *out, size_t max)
{
	const struct vax_row r = { .dom = d };
	static const uint32_t columns[] = { 2, 3, 4 };   /* name, UUID, state */
	size_t n;

	if (max < VAX_TRAP_VARBINDS || !vax_event_kind_name(kind))
		return 0;
	trap_oid(&out[0], (uint32_t)kind + 1);
	n = cells(table(2), &r, d->index, columns, VAX_N(columns), out, 1);
	row_cell(&out[n], 30, d->index);   /* virtDomainEventDetail */
	integer(&out[n++].val, detail < 0 ? 0 : detail);
	row_cell(&out[n], 31, d->index);   /* virtDomainEventDetailText */
	display(&out[n++].val, vax_event_detail_name(kind, detail));
	return n;
}

size_t vax_virt_connection_trap(const struct vax_view *view, bool restored,
				struct vax_varbind *out, size_t max)
{
	const uint32_t ids[] = { 13, 6 };  /* virtLibvirtURI, virtConnectionState */
	size_t n = 0;

	if (max < 3)
		return 0;
	trap_oid(&out[n++], restored ? CONN_RESTORED : CONN_LOST);
	for (size_t i = 0; i < 2; i++) {
		const uint32_t tail[] = { OBJECTS, SCALARS, ids[i], 0 };
		if (scalar(view, ids[i], &out[n].val)) {
			vax_varbind_name(&out[n], vax_virt_root, vax_virt_root_len, tail, 4);
			n++;
		}
	}
	return n;
}

size_t vax_virt_pool_trap(const struct vax_pool *p, uint32_t index, int kind,
			  struct vax_varbind *out, size_t max)
{
	static const uint32_t life[] = { 2, 3, 5 };   /* name, UUID, state */
	/* name, capacity, allocation, available, used, threshold */
	static const uint32_t space[] = { 2, 8, 9, 10, 11, 12 };
	const struct vax_row r = { .sub = index, .item = p };
	const struct vax_table *t = table(10);
	uint32_t n;

	switch (kind) {
	case VAX_EV_POOL_STARTED: n = POOL_STARTED; break;
	case VAX_EV_POOL_STOPPED: n = POOL_STOPPED; break;
	case VAX_EV_POOL_SPACE_LOW: n = POOL_SPACE_LOW; break;
	case VAX_EV_POOL_SPACE_OK: n = POOL_SPACE_OK; break;
	default: return 0;
	}
	if (max < 1 + VAX_N(space))
		return 0;
	trap_oid(&out[0], n);
	return n == POOL_STARTED || n == POOL_STOPPED ? cells(t, &r, index, life, VAX_N(life), out, 1)
		: cells(t, &r, index, space, VAX_N(space), out, 1);
}

size_t vax_virt_network_trap(const struct vax_network *nw, uint32_t index, int kind,
			     struct vax_varbind *out, size_t max)
{
	static const uint32_t life[] = { 2, 3, 5 };   /* name, UUID, active */
	const struct vax_row r = { .sub = index, .item = nw };

	if (max < 1 + VAX_N(life) || (kind != VAX_EV_NET_STARTED && kind != VAX_EV_NET_STOPPED))
		return 0;
	trap_oid(&out[0], kind == VAX_EV_NET_STARTED ? NET_STARTED : NET_STOPPED);
	return cells(table(11), &r, index, life, VAX_N(life), out, 1);
}
