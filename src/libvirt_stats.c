/* libvirt_stats.c - converting libvirt statistics into model values.
 *
 * Rules: a value libvirt marks unsupported (negative in the old structs,
 * missing in typed parameters) stays absent; block.N / net.N numbers can
 * have gaps, so devices are matched by name, never by position.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "libvirt_stats.h"

/* A typed parameter as an unsigned number; false when it cannot be one. */
static bool param_u64(const virTypedParameter *p, uint64_t *out)
{
	switch (p->type) {
	case VIR_TYPED_PARAM_INT:
		if (p->value.i < 0) return false;
		*out = (uint64_t)p->value.i; return true;
	case VIR_TYPED_PARAM_UINT:
		*out = p->value.ui; return true;
	case VIR_TYPED_PARAM_LLONG:
		if (p->value.l < 0) return false;
		*out = (uint64_t)p->value.l; return true;
	case VIR_TYPED_PARAM_ULLONG:
		*out = p->value.ul; return true;
	case VIR_TYPED_PARAM_BOOLEAN:
		*out = p->value.b != 0; return true;
	default:
		return false;   /* doubles and strings are no counters */
	}
}

struct key_map { const char *key; int field; };

static int lookup(const struct key_map *m, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(m[i].key, key) == 0)
			return m[i].field;
	return -1;
}
#define LOOKUP(m, key) lookup(m, sizeof(m) / sizeof(m[0]), key)

static const struct key_map dom_keys[] = {
	{ "state.state", VAX_DOM_STATE }, { "state.reason", VAX_DOM_REASON },
	{ "cpu.time", VAX_DOM_CPU_TIME }, { "cpu.user", VAX_DOM_CPU_USER },
	{ "cpu.system", VAX_DOM_CPU_SYSTEM },
	{ "balloon.maximum", VAX_DOM_MEM_MAX },
	{ "balloon.swap_in", VAX_DOM_BAL_SWAP_IN },
	{ "balloon.swap_out", VAX_DOM_BAL_SWAP_OUT },
	{ "balloon.major_fault", VAX_DOM_BAL_MAJOR_FAULT },
	{ "balloon.minor_fault", VAX_DOM_BAL_MINOR_FAULT },
	{ "balloon.unused", VAX_DOM_BAL_UNUSED },
	{ "balloon.available", VAX_DOM_BAL_AVAILABLE },
	{ "balloon.usable", VAX_DOM_BAL_USABLE },
	{ "balloon.rss", VAX_DOM_BAL_RSS },
	{ "balloon.disk_caches", VAX_DOM_BAL_DISK_CACHES },
	{ "vcpu.current", VAX_DOM_VCPU_CUR }, { "vcpu.maximum", VAX_DOM_VCPU_MAX },
};

static const struct key_map vcpu_keys[] = {
	{ "state", VAX_VCPU_STATE }, { "time", VAX_VCPU_TIME },
	{ "wait", VAX_VCPU_WAIT }, { "delay", VAX_VCPU_DELAY },
};

static const struct key_map disk_keys[] = {
	{ "rd.reqs", VAX_DISK_RD_REQS }, { "rd.bytes", VAX_DISK_RD_BYTES },
	{ "rd.times", VAX_DISK_RD_TIME }, { "wr.reqs", VAX_DISK_WR_REQS },
	{ "wr.bytes", VAX_DISK_WR_BYTES }, { "wr.times", VAX_DISK_WR_TIME },
	{ "fl.reqs", VAX_DISK_FL_REQS }, { "fl.times", VAX_DISK_FL_TIME },
	{ "errors", VAX_DISK_ERRORS }, { "capacity", VAX_DISK_CAPACITY },
	{ "allocation", VAX_DISK_ALLOCATION }, { "physical", VAX_DISK_PHYSICAL },
};

static const struct key_map nic_keys[] = {
	{ "rx.bytes", VAX_NIC_RX_BYTES }, { "rx.pkts", VAX_NIC_RX_PKTS },
	{ "rx.errs", VAX_NIC_RX_ERRS }, { "rx.drop", VAX_NIC_RX_DROP },
	{ "tx.bytes", VAX_NIC_TX_BYTES }, { "tx.pkts", VAX_NIC_TX_PKTS },
	{ "tx.errs", VAX_NIC_TX_ERRS }, { "tx.drop", VAX_NIC_TX_DROP },
};

/* Split "block.12.rd.reqs" past prefix "block." into 12 and "rd.reqs". */
static bool split_numbered(const char *key, const char *prefix, unsigned long *num,
			   const char **rest)
{
	size_t plen = strlen(prefix);
	char *end;

	if (strncmp(key, prefix, plen) != 0 || key[plen] < '0' || key[plen] > '9')
		return false;
	errno = 0;
	*num = strtoul(key + plen, &end, 10);
	if (errno || *end != '.' || *num > 65535)
		return false;
	*rest = end + 1;
	return true;
}

unsigned vax_stats_group(const char *key)
{
	static const struct { const char *prefix; unsigned grp; } g[] = {
		{ "state.", VAX_GRP_STATE }, { "cpu.", VAX_GRP_CPU },
		{ "balloon.", VAX_GRP_BALLOON }, { "vcpu.", VAX_GRP_VCPU },
		{ "block.", VAX_GRP_BLOCK }, { "net.", VAX_GRP_NET },
	};
	for (size_t i = 0; i < sizeof(g) / sizeof(g[0]); i++)
		if (strncmp(key, g[i].prefix, strlen(g[i].prefix)) == 0)
			return g[i].grp;
	return 0;
}

static const char *disk_name(const struct vax_domdef *def, size_t k)
{
	return def->disks[k].target;
}

static const char *nic_name(const struct vax_domdef *def, size_t k)
{
	return def->nics[k].target;
}

/* Map each block.N / net.N number to a device position by its name. */
static int *number_map(const virTypedParameter *p, int n, const char *prefix,
		       const struct vax_domdef *def, size_t ndev,
		       const char *(*name_of)(const struct vax_domdef *, size_t),
		       unsigned long *nmap, bool *unknown_dev)
{
	unsigned long max = 0, num;
	const char *rest;
	int *map;

	for (int i = 0; i < n; i++)
		if (split_numbered(p[i].field, prefix, &num, &rest) && num + 1 > max)
			max = num + 1;
	*nmap = max;
	if (!max || !(map = malloc(max * sizeof(*map))))
		return NULL;
	for (unsigned long i = 0; i < max; i++)
		map[i] = -1;
	for (int i = 0; i < n; i++) {
		if (!split_numbered(p[i].field, prefix, &num, &rest) ||
		    strcmp(rest, "name") != 0 || p[i].type != VIR_TYPED_PARAM_STRING ||
		    !p[i].value.s)
			continue;
		bool found = false;
		for (size_t k = 0; k < ndev && !found; k++) {
			const char *dev = name_of(def, k);
			if (dev && strcmp(dev, p[i].value.s) == 0) {
				map[num] = (int)k;
				found = true;
			}
		}
		if (!found)
			*unknown_dev = true;
	}
	/* A device named by two numbers (with the BACKING flag libvirt lists
	 * a disk once per image of its chain under the same target; a driver
	 * bug could do it too): the lowest number, the top image, keeps it.
	 * Otherwise the later number's values would overwrite the device's
	 * with another image's, depending on parameter order. */
	bool *taken = ndev ? calloc(ndev, sizeof(*taken)) : NULL;
	for (unsigned long i = 0; i < max; i++) {
		if (map[i] < 0)
			continue;
		if (!taken || taken[map[i]])
			map[i] = -1;   /* out of memory: no values beat wrong ones */
		else
			taken[map[i]] = true;
	}
	free(taken);
	return map;
}

unsigned vax_stats_apply(struct vax_domain *d, const virTypedParameter *p,
			 int n, bool *unknown_dev)
{
	const struct vax_domdef *def = d->def;
	unsigned groups = 0;
	unsigned long num, nblk = 0, nnet = 0, nvcpu = 0;
	const char *rest;
	uint64_t u;
	int f;

	*unknown_dev = false;
	int *blk = number_map(p, n, "block.", def, def->ndisks, disk_name,
			      &nblk, unknown_dev);
	int *net = number_map(p, n, "net.", def, def->nnics, nic_name,
			      &nnet, unknown_dev);

	for (int i = 0; i < n; i++)
		if (split_numbered(p[i].field, "vcpu.", &num, &rest) && num < VAX_MAX_VCPUS &&
		    num + 1 > nvcpu)
			nvcpu = num + 1;
	if (nvcpu && (d->vcpus = calloc(nvcpu, sizeof(*d->vcpus))))
		d->nvcpus = nvcpu;

	for (int i = 0; i < n; i++) {
		const char *key = p[i].field;
		groups |= vax_stats_group(key);
		if (!param_u64(&p[i], &u))
			continue;
		if ((f = LOOKUP(dom_keys, key)) >= 0) {
			vax_set(&d->vals, f, u);
		} else if (strcmp(key, "balloon.current") == 0) {
			vax_set(&d->vals, VAX_DOM_MEM_CUR, u);
			vax_set(&d->vals, VAX_DOM_BAL_ACTUAL, u);
		} else if (split_numbered(key, "vcpu.", &num, &rest)) {
			if (num < d->nvcpus && (f = LOOKUP(vcpu_keys, rest)) >= 0)
				vax_set(&d->vcpus[num].vals, f, u);
		} else if (split_numbered(key, "block.", &num, &rest)) {
			if (blk && num < nblk && blk[num] >= 0 &&
			    (f = LOOKUP(disk_keys, rest)) >= 0)
				vax_set(&d->disks[blk[num]].vals, f, u);
		} else if (split_numbered(key, "net.", &num, &rest)) {
			if (net && num < nnet && net[num] >= 0 &&
			    (f = LOOKUP(nic_keys, rest)) >= 0)
				vax_set(&d->nics[net[num]].vals, f, u);
		}
	}
	free(blk);
	free(net);
	return groups;
}

void vax_stats_from_info(struct vax_domain *d, const virDomainInfo *info,
			 unsigned groups)
{
	if (!(groups & VAX_GRP_STATE))
		vax_set(&d->vals, VAX_DOM_STATE, info->state);
	if (!(groups & VAX_GRP_BALLOON)) {
		vax_set(&d->vals, VAX_DOM_MEM_MAX, info->maxMem);
		vax_set(&d->vals, VAX_DOM_MEM_CUR, info->memory);
	}
	if (!(groups & VAX_GRP_VCPU))
		vax_set(&d->vals, VAX_DOM_VCPU_CUR, info->nrVirtCpu);
	if (!(groups & VAX_GRP_CPU))
		vax_set(&d->vals, VAX_DOM_CPU_TIME, info->cpuTime);
}

void vax_stats_from_cpu(struct vax_domain *d, const virTypedParameter *p, int n)
{
	static const struct key_map keys[] = {
		{ VIR_DOMAIN_CPU_STATS_CPUTIME, VAX_DOM_CPU_TIME },
		{ VIR_DOMAIN_CPU_STATS_USERTIME, VAX_DOM_CPU_USER },
		{ VIR_DOMAIN_CPU_STATS_SYSTEMTIME, VAX_DOM_CPU_SYSTEM },
	};
	uint64_t u;
	int f;

	for (int i = 0; i < n; i++)
		if ((f = LOOKUP(keys, p[i].field)) >= 0 && param_u64(&p[i], &u))
			vax_set(&d->vals, f, u);
}

void vax_stats_from_memory(struct vax_domain *d,
			   const virDomainMemoryStatStruct *m, int n)
{
	static const int field[VIR_DOMAIN_MEMORY_STAT_NR] = {
		[VIR_DOMAIN_MEMORY_STAT_SWAP_IN] = VAX_DOM_BAL_SWAP_IN,
		[VIR_DOMAIN_MEMORY_STAT_SWAP_OUT] = VAX_DOM_BAL_SWAP_OUT,
		[VIR_DOMAIN_MEMORY_STAT_MAJOR_FAULT] = VAX_DOM_BAL_MAJOR_FAULT,
		[VIR_DOMAIN_MEMORY_STAT_MINOR_FAULT] = VAX_DOM_BAL_MINOR_FAULT,
		[VIR_DOMAIN_MEMORY_STAT_UNUSED] = VAX_DOM_BAL_UNUSED,
		[VIR_DOMAIN_MEMORY_STAT_AVAILABLE] = VAX_DOM_BAL_AVAILABLE,
		[VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON] = VAX_DOM_BAL_ACTUAL,
		[VIR_DOMAIN_MEMORY_STAT_RSS] = VAX_DOM_BAL_RSS,
		[VIR_DOMAIN_MEMORY_STAT_USABLE] = VAX_DOM_BAL_USABLE,
		[VIR_DOMAIN_MEMORY_STAT_DISK_CACHES] = VAX_DOM_BAL_DISK_CACHES,
	};
	for (int i = 0; i < n; i++) {
		int tag = m[i].tag;
		/* 0 is VAX_DOM_STATE, never a memory field: it marks "unmapped". */
		if (tag >= 0 && tag < VIR_DOMAIN_MEMORY_STAT_NR && field[tag])
			vax_set(&d->vals, field[tag], m[i].val);
	}
}

int vax_stats_from_vcpus(struct vax_domain *d, const virVcpuInfo *v, int n)
{
	unsigned max = 0;

	for (int i = 0; i < n; i++)
		if (v[i].number < VAX_MAX_VCPUS && v[i].number + 1 > max)
			max = v[i].number + 1;
	free(d->vcpus);
	d->vcpus = NULL;
	d->nvcpus = 0;
	if (!max)
		return 0;
	if (!(d->vcpus = calloc(max, sizeof(*d->vcpus))))
		return -1;
	d->nvcpus = max;
	for (int i = 0; i < n; i++) {
		if (v[i].number >= max)
			continue;
		struct vax_vcpu_vals *s = &d->vcpus[v[i].number].vals;
		if (v[i].state >= 0)
			vax_set(s, VAX_VCPU_STATE, (uint64_t)v[i].state);
		vax_set(s, VAX_VCPU_TIME, v[i].cpuTime);
		if (v[i].cpu >= 0)
			vax_set(s, VAX_VCPU_PCPU, (uint64_t)v[i].cpu);
	}
	return 0;
}

/* The old stats structs say "unsupported" with -1. */
#define set_ll(s, f, x) do {                               \
		long long x_ = (x);                        \
		if (x_ >= 0)                               \
			vax_set((s), (f), (uint64_t)x_);   \
	} while (0)

void vax_stats_from_block(struct vax_disk *disk, const virDomainBlockStatsStruct *b)
{
	set_ll(&disk->vals, VAX_DISK_RD_REQS, b->rd_req);
	set_ll(&disk->vals, VAX_DISK_RD_BYTES, b->rd_bytes);
	set_ll(&disk->vals, VAX_DISK_WR_REQS, b->wr_req);
	set_ll(&disk->vals, VAX_DISK_WR_BYTES, b->wr_bytes);
	set_ll(&disk->vals, VAX_DISK_ERRORS, b->errs);
}

void vax_stats_from_blockinfo(struct vax_disk *disk, const virDomainBlockInfo *b)
{
	vax_set(&disk->vals, VAX_DISK_CAPACITY, b->capacity);
	vax_set(&disk->vals, VAX_DISK_ALLOCATION, b->allocation);
	vax_set(&disk->vals, VAX_DISK_PHYSICAL, b->physical);
}

void vax_stats_from_iface(struct vax_nic *nic, const virDomainInterfaceStatsStruct *s)
{
	set_ll(&nic->vals, VAX_NIC_RX_BYTES, s->rx_bytes);
	set_ll(&nic->vals, VAX_NIC_RX_PKTS, s->rx_packets);
	set_ll(&nic->vals, VAX_NIC_RX_ERRS, s->rx_errs);
	set_ll(&nic->vals, VAX_NIC_RX_DROP, s->rx_drop);
	set_ll(&nic->vals, VAX_NIC_TX_BYTES, s->tx_bytes);
	set_ll(&nic->vals, VAX_NIC_TX_PKTS, s->tx_packets);
	set_ll(&nic->vals, VAX_NIC_TX_ERRS, s->tx_errs);
	set_ll(&nic->vals, VAX_NIC_TX_DROP, s->tx_drop);
}

/* Copy a field only where this refresh had none: what did arrive wins.
 * Any entity's value set (see vax_vals), both of the same kind. */
#define fill(to, from, f) \
	fill_(&(to)->have, (to)->v, (from)->have, (from)->v, VAX_NVALS(to), (f))

static bool fill_(uint64_t *to_have, uint64_t *to, uint64_t from_have,
		  const uint64_t *from, size_t n, int f)
{
	if (vax_has_(*to_have, n, f) || !vax_has_(from_have, n, f))
		return false;
	vax_set_(to_have, to, n, f, from[f]);
	return true;
}

bool vax_stats_skipped(const struct vax_domain *d)
{
	bool sourced = false;

	for (size_t i = 0; i < d->def->ndisks; i++) {
		const struct vax_disk_vals *v = &d->disks[i].vals;
		if (vax_has(v, VAX_DISK_RD_REQS) || vax_has(v, VAX_DISK_WR_REQS) ||
		    vax_has(v, VAX_DISK_FL_REQS))
			return false;
		sourced |= d->def->disks[i].source != NULL;
	}
	return sourced;
}

void vax_stats_carry_over(const struct vax_domain *from, struct vax_domain *to,
			  unsigned missing)
{
	static const struct { unsigned grp; int first, last; } fields[] = {
		{ VAX_GRP_CPU, VAX_DOM_CPU_TIME, VAX_DOM_CPU_SYSTEM },
		{ VAX_GRP_BALLOON, VAX_DOM_BAL_ACTUAL, VAX_DOM_BAL_DISK_CACHES },
		{ VAX_GRP_BALLOON, VAX_DOM_MEM_CUR, VAX_DOM_MEM_CUR },
		{ VAX_GRP_VCPU, VAX_DOM_VCPU_CUR, VAX_DOM_VCPU_MAX },
	};
	bool copied = false;

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		for (int f = fields[i].first; f <= fields[i].last; f++)
			if (missing & fields[i].grp)
				copied |= fill(&to->vals, &from->vals, f);
	if ((missing & VAX_GRP_VCPU) && from->nvcpus && !to->nvcpus &&
	    (to->vcpus = malloc(from->nvcpus * sizeof(*to->vcpus)))) {
		memcpy(to->vcpus, from->vcpus, from->nvcpus * sizeof(*to->vcpus));
		to->nvcpus = from->nvcpus;
		copied = true;
	}
	/* Device values move only if the devices did not change. */
	if ((missing & VAX_GRP_BLOCK) && from->def->ndisks == to->def->ndisks)
		for (size_t i = 0; i < to->def->ndisks; i++)
			for (int f = 0; f < VAX_DISK_NFIELDS; f++)
				copied |= fill(&to->disks[i].vals, &from->disks[i].vals, f);
	if ((missing & VAX_GRP_NET) && from->def->nnics == to->def->nnics)
		for (size_t i = 0; i < to->def->nnics; i++)
			for (int f = 0; f < VAX_NIC_NFIELDS; f++)
				copied |= fill(&to->nics[i].vals, &from->nics[i].vals, f);
	if (copied)
		to->stats_ms = from->stats_ms;
}

/* ---- the host node ---- */

void vax_stats_from_nodeinfo(struct vax_host_vals *h, const virNodeInfo *ni)
{
	const struct { int f; uint64_t v; } m[] = {
		{ VAX_HOST_CPUS, ni->cpus }, { VAX_HOST_MHZ, ni->mhz },
		{ VAX_HOST_NODES, ni->nodes }, { VAX_HOST_SOCKETS, ni->sockets },
		{ VAX_HOST_CORES, ni->cores }, { VAX_HOST_THREADS, ni->threads },
		{ VAX_HOST_MEMORY, ni->memory },
	};

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (m[i].v)
			vax_set(h, m[i].f, m[i].v);
}

/* The field of name in map (NUL-terminated in its fixed buffer), or -1. */
struct node_key { const char *name; int field; };
static int node_field(const struct node_key *map, size_t n, const char *name, size_t max)
{
	if (!memchr(name, '\0', max))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(map[i].name, name))
			return map[i].field;
	return -1;
}

void vax_stats_from_nodecpu(struct vax_host_vals *h, const virNodeCPUStats *p, int n)
{
	static const struct node_key map[] = {
		{ VIR_NODE_CPU_STATS_KERNEL, VAX_HOST_CPU_KERNEL },
		{ VIR_NODE_CPU_STATS_USER, VAX_HOST_CPU_USER },
		{ VIR_NODE_CPU_STATS_IDLE, VAX_HOST_CPU_IDLE },
		{ VIR_NODE_CPU_STATS_IOWAIT, VAX_HOST_CPU_IOWAIT },
	};

	for (int i = 0; i < n; i++) {
		int f = node_field(map, sizeof(map) / sizeof(map[0]), p[i].field, sizeof(p[i].field));
		if (f >= 0)
			vax_set(h, f, p[i].value);
	}
}

void vax_stats_from_nodemem(struct vax_host_vals *h, const virNodeMemoryStats *p, int n)
{
	static const struct node_key map[] = {
		{ VIR_NODE_MEMORY_STATS_TOTAL, VAX_HOST_MEM_TOTAL },
		{ VIR_NODE_MEMORY_STATS_FREE, VAX_HOST_MEM_FREE },
		{ VIR_NODE_MEMORY_STATS_BUFFERS, VAX_HOST_MEM_BUFFERS },
		{ VIR_NODE_MEMORY_STATS_CACHED, VAX_HOST_MEM_CACHED },
	};

	for (int i = 0; i < n; i++) {
		int f = node_field(map, sizeof(map) / sizeof(map[0]), p[i].field, sizeof(p[i].field));
		if (f >= 0)
			vax_set(h, f, p[i].value);
	}
}
