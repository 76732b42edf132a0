/* model.c - building, sealing and freeing snapshots. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "uuid.h"

struct vax_domdef *vax_domdef_new(void)
{
	struct vax_domdef *def = calloc(1, sizeof(*def));

	if (def)
		atomic_init(&def->ref, 1);
	return def;
}

struct vax_domdef *vax_domdef_ref(struct vax_domdef *def)
{
	if (def)
		atomic_fetch_add(&def->ref, 1);
	return def;
}

void vax_domdef_unref(struct vax_domdef *def)
{
	if (!def || atomic_fetch_sub(&def->ref, 1) != 1)
		return;
	for (size_t i = 0; i < def->ndisks; i++) {
		struct vax_disk_def *d = &def->disks[i];
		free(d->target); free(d->source); free(d->type);
		free(d->bus); free(d->device); free(d->format);
	}
	for (size_t i = 0; i < def->nnics; i++) {
		struct vax_nic_def *n = &def->nics[i];
		free(n->target); free(n->type); free(n->source);
		free(n->model); free(n->filterref); free(n->ip); free(n->parent);
	}
	for (size_t i = 0; i < def->npins; i++)
		free(def->pins[i].cpuset);
	free(def->pins);
	free(def->cpuset);
	free(def->disks);
	free(def->nics);
	free(def->os_type);
	free(def);
}

struct vax_snapshot *vax_snapshot_new(size_t n)
{
	struct vax_snapshot *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	atomic_init(&s->ref, 1);
	s->conn = VAX_DISCONNECTED;
	if (n && !(s->domains = calloc(n, sizeof(*s->domains)))) {
		free(s);
		return NULL;
	}
	s->domains_cap = n;
	return s;
}

struct vax_domain *vax_snapshot_add(struct vax_snapshot *s)
{
	/* Callers size the snapshot from the domain list; growing keeps the
	 * API safe anyway. */
	if (s->ndomains == s->domains_cap) {
		size_t cap = s->domains_cap ? s->domains_cap * 2 : 16;
		struct vax_domain *p = realloc(s->domains, cap * sizeof(*p));
		if (!p)
			return NULL;
		s->domains = p;
		s->domains_cap = cap;
	}
	struct vax_domain *d = &s->domains[s->ndomains++];
	memset(d, 0, sizeof(*d));
	return d;
}

static int cmp_domain(const void *a, const void *b)
{
	uint32_t x = ((const struct vax_domain *)a)->index;
	uint32_t y = ((const struct vax_domain *)b)->index;

	return (x > y) - (x < y);
}

static int build_rows(struct vax_snapshot *s, size_t (*count)(const struct vax_domain *),
		      size_t *nrows, struct vax_row **rows)
{
	size_t n = 0, k = 0;

	for (size_t i = 0; i < s->ndomains; i++)
		n += count(&s->domains[i]);
	*nrows = n;
	*rows = NULL;
	if (!n)
		return 0;
	if (!(*rows = calloc(n, sizeof(**rows))))
		return -1;
	for (size_t i = 0; i < s->ndomains; i++)
		for (size_t j = 0; j < count(&s->domains[i]); j++)
			(*rows)[k++] = (struct vax_row){ .dom = &s->domains[i], .sub = (uint32_t)(j + 1) };
	return 0;
}

/* The virtInterfaceTable row (1-based) of a MAC in d's definition, 0: none. */
static uint32_t nic_row_of(const struct vax_domain *d, const struct vax_guest_addr *a)
{
	for (size_t i = 0; a->has_mac && i < d->def->nnics; i++)
		if (d->def->nics[i].has_mac && memcmp(d->def->nics[i].mac, a->mac, 6) == 0)
			return (uint32_t)(i + 1);
	return 0;
}

/* Address rows ordered by (domain, interface row, address): for each
 * domain, the addresses of interface row 0, then 1, ..., each numbered
 * from 1 in the order the guest-data thread merged them. */
static int build_addr_rows(struct vax_snapshot *s)
{
	size_t n = 0, k = 0;

	for (size_t i = 0; i < s->ndomains; i++)
		n += s->domains[i].guest ? s->domains[i].guest->naddrs : 0;
	s->naddr_rows = n;
	if (!n)
		return 0;
	if (!(s->addr_rows = calloc(n, sizeof(*s->addr_rows))))
		return -1;
	for (size_t i = 0; i < s->ndomains; i++) {
		const struct vax_domain *d = &s->domains[i];
		const struct vax_guest *g = d->guest;
		if (!g)
			continue;
		for (uint32_t row = 0; row <= d->def->nnics; row++) {
			uint32_t num = 0;
			for (size_t j = 0; j < g->naddrs; j++)
				if (nic_row_of(d, &g->addrs[j]) == row)
					s->addr_rows[k++] = (struct vax_row){ .dom = d, .sub = row,
						.sub2 = ++num, .item = &g->addrs[j] };
		}
	}
	return 0;
}

static size_t count_fs(const struct vax_domain *d)
{
	return d->guest && d->guest->info ? d->guest->info->nfs : 0;
}

static size_t count_vcpus(const struct vax_domain *d) { return d->nvcpus; }
static size_t count_disks(const struct vax_domain *d) { return d->def->ndisks; }
static size_t count_nics(const struct vax_domain *d) { return d->def->nnics; }

int vax_snapshot_seal(struct vax_snapshot *s)
{
	for (size_t i = 0; i < s->ndomains; i++)
		s->domains[i].has_uuid_raw = vax_uuid_parse(s->domains[i].uuid,
							    s->domains[i].uuid_raw);
	if (s->ndomains)
		qsort(s->domains, s->ndomains, sizeof(*s->domains), cmp_domain);
	if (build_rows(s, count_vcpus, &s->nvcpu_rows, &s->vcpu_rows) < 0 ||
	    build_rows(s, count_disks, &s->ndisk_rows, &s->disk_rows) < 0 ||
	    build_rows(s, count_nics, &s->nnic_rows, &s->nic_rows) < 0 ||
	    build_rows(s, count_fs, &s->nfs_rows, &s->fs_rows) < 0 ||
	    build_addr_rows(s) < 0)
		return -1;
	for (size_t i = 0; i < s->nfs_rows; i++)
		s->fs_rows[i].item = &s->fs_rows[i].dom->guest->info->fs[s->fs_rows[i].sub - 1];
	return 0;
}

struct vax_snapshot *vax_snapshot_ref(struct vax_snapshot *s)
{
	if (s)
		atomic_fetch_add(&s->ref, 1);
	return s;
}

/* ---- guest data ---- */

struct vax_guest_info *vax_guest_info_new(void)
{
	struct vax_guest_info *g = calloc(1, sizeof(*g));

	if (g)
		atomic_init(&g->ref, 1);
	return g;
}

struct vax_guest_info *vax_guest_info_ref(struct vax_guest_info *g)
{
	if (g)
		atomic_fetch_add(&g->ref, 1);
	return g;
}

void vax_guest_addrs_free(struct vax_guest_addr *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(a[i].ifname);
	free(a);
}

void vax_guest_info_unref(struct vax_guest_info *g)
{
	if (!g || atomic_fetch_sub(&g->ref, 1) != 1)
		return;
	free(g->hostname); free(g->os_name); free(g->kernel); free(g->timezone);
	for (size_t i = 0; i < g->nfs; i++) {
		free(g->fs[i].mountpoint); free(g->fs[i].type);
		free(g->fs[i].device); free(g->fs[i].disk);
	}
	free(g->fs);
	vax_guest_addrs_free(g->addrs, g->naddrs);
	free(g);
}

struct vax_guest *vax_guest_new(void)
{
	struct vax_guest *g = calloc(1, sizeof(*g));

	if (g)
		atomic_init(&g->ref, 1);
	return g;
}

struct vax_guest *vax_guest_ref(struct vax_guest *g)
{
	if (g)
		atomic_fetch_add(&g->ref, 1);
	return g;
}

void vax_guest_unref(struct vax_guest *g)
{
	if (!g || atomic_fetch_sub(&g->ref, 1) != 1)
		return;
	free(g->error);
	vax_guest_info_unref(g->info);
	vax_guest_addrs_free(g->addrs, g->naddrs);
	free(g);
}

void vax_domain_clear(struct vax_domain *d)
{
	vax_guest_unref(d->guest);
	free(d->name);
	free(d->vcpus);
	free(d->disks);
	free(d->nics);
	vax_domdef_unref(d->def);
	memset(d, 0, sizeof(*d));
}

void vax_snapshot_drop_last(struct vax_snapshot *s)
{
	if (s->ndomains)
		vax_domain_clear(&s->domains[--s->ndomains]);
}

void vax_snapshot_free(struct vax_snapshot *s)
{
	if (!s || atomic_fetch_sub(&s->ref, 1) != 1)
		return;
	for (size_t i = 0; i < s->ndomains; i++)
		vax_domain_clear(&s->domains[i]);
	free(s->domains);
	free(s->vcpu_rows);
	free(s->disk_rows);
	free(s->nic_rows);
	free(s->addr_rows);
	free(s->fs_rows);
	free(s->pool_rows);
	free(s->net_rows);
	vax_storage_set_unref(s->storage);
	free(s->hostname); free(s->hv_type); free(s->hv_version);
	free(s->lib_version); free(s->uri); free(s->cpu_model);
	free(s);
}

const struct vax_domain *vax_snapshot_find(const struct vax_snapshot *s,
					   uint32_t index)
{
	size_t lo = 0, hi = s->ndomains;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t x = s->domains[mid].index;
		if (x == index)
			return &s->domains[mid];
		if (x < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* libvirt's syntax (virBitmapParse): comma-separated CPU numbers and
 * ranges N-M, each possibly negated with ^, applied left to right. */
int vax_cpuset_has(const char *set, unsigned cpu)
{
	int in = 0;
	const char *p = set;

	if (!set || !*set)
		return -1;
	while (*p) {
		bool neg = false;
		unsigned long lo, hi;
		char *end;

		while (*p == ' ')
			p++;
		if (*p == '^') {
			neg = true;
			p++;
		}
		if (*p < '0' || *p > '9')
			return -1;
		lo = hi = strtoul(p, &end, 10);
		p = end;
		if (*p == '-' && !neg) {
			if (p[1] < '0' || p[1] > '9')
				return -1;
			hi = strtoul(p + 1, &end, 10);
			p = end;
		}
		if (lo > hi)
			return -1;
		if (cpu >= lo && cpu <= hi)
			in = !neg;
		while (*p == ' ')
			p++;
		if (*p == ',')
			p++;
		else if (*p)
			return -1;
	}
	return in;
}

bool vax_domain_mem_used(const struct vax_domain *d, uint64_t *out)
{
	const struct vax_vals *v = &d->vals;
	int sub = vax_has(v, VAX_DOM_BAL_USABLE) ? VAX_DOM_BAL_USABLE
		: VAX_DOM_BAL_UNUSED;

	if (!vax_has(v, VAX_DOM_BAL_AVAILABLE) || !vax_has(v, sub) ||
	    v->v[sub] > v->v[VAX_DOM_BAL_AVAILABLE])
		return false;   /* never a wrapped-around "used" */
	*out = v->v[VAX_DOM_BAL_AVAILABLE] - v->v[sub];
	return true;
}

/* ---- pools and networks ---- */

struct vax_storage_set *vax_storage_set_new(size_t npools, size_t nnets)
{
	struct vax_storage_set *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	atomic_init(&st->ref, 1);
	if ((npools && !(st->pools = calloc(npools, sizeof(*st->pools)))) ||
	    (nnets && !(st->nets = calloc(nnets, sizeof(*st->nets))))) {
		free(st->pools);
		free(st);
		return NULL;
	}
	return st;
}

struct vax_storage_set *vax_storage_set_ref(struct vax_storage_set *st)
{
	if (st)
		atomic_fetch_add(&st->ref, 1);
	return st;
}

void vax_storage_set_unref(struct vax_storage_set *st)
{
	if (!st || atomic_fetch_sub(&st->ref, 1) != 1)
		return;
	for (size_t i = 0; i < st->npools; i++) {
		free(st->pools[i].name);
		free(st->pools[i].type);
		free(st->pools[i].target);
	}
	for (size_t i = 0; i < st->nnets; i++) {
		free(st->nets[i].name);
		free(st->nets[i].bridge);
		free(st->nets[i].forward);
	}
	free(st->pools);
	free(st->nets);
	free(st);
}

