/* collector_build.c - the libvirt calls around building one snapshot
 * domain (worker thread): its UUID, name and index, its XML (cached, and
 * fetched again when stats name a hot-plugged device), the per-domain
 * calls for the groups a driver leaves out of bulk stats, and the host's
 * ifindexes of its NICs. What the values are is libvirt_stats_domain.c's: it
 * calls nothing. Also the UUID lists and the host facts of a refresh. */
#include "config.h"

#include <net/if.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collector_int.h"
#include "guest.h"
#include "libvirt_state.h"
#include "log.h"
#include "libvirt_stats.h"
#include "libvirt_stats_domain.h"
#include "utf8.h"

/* ---- UUID sets from virConnectListAllDomains ---- */


static int cmp_uuid(const void *a, const void *b)
{
	return strcmp(a, b);
}

int col_list_uuids(virConnectPtr conn, unsigned flags, struct uuid_set *set)
{
	virDomainPtr *doms = NULL;
	int n = virConnectListAllDomains(conn, &doms, flags);

	set->uuid = NULL;
	set->n = 0;
	if (n < 0)
		return -1;
	if (n > 0 && (set->uuid = calloc((size_t)n, sizeof(*set->uuid)))) {
		for (int i = 0; i < n; i++)
			if (virDomainGetUUIDString(doms[i], set->uuid[set->n]) == 0)
				set->n++;
		qsort(set->uuid, set->n, sizeof(*set->uuid), cmp_uuid);
	}
	for (int i = 0; i < n; i++)
		virDomainFree(doms[i]);
	free(doms);
	return 0;
}

/* 1 or 0: whether uuid is in the set; -1 (unknown) without a set. */
static int in_set(const struct uuid_set *set, const char *uuid)
{
	if (!set)
		return -1;
	return set->n && bsearch(uuid, set->uuid, set->n, sizeof(*set->uuid), cmp_uuid);
}

/* ---- per-domain fallbacks ---- */

static void fallback(virDomainPtr dom, struct vax_domain *d, unsigned groups,
		     unsigned *calls)
{
	const struct vax_domdef *def = d->def;
	virDomainInfo info = { 0 };
	bool have_info;

	if ((groups & VAX_GRP_ALL) == VAX_GRP_ALL)
		return;
	/* A domain gone since the listing fails here: values stay absent. */
	++*calls;
	if ((have_info = virDomainGetInfo(dom, &info) == 0))
		vax_stats_from_info(d, &info, groups);
	if (!(groups & VAX_GRP_CPU)) {
		virTypedParameter p[8];
		int n = (++*calls, virDomainGetCPUStats(dom, p, 8, -1, 1, 0));
		if (n > 0) {
			/* Total time stays GetInfo's, as virsh dominfo shows it;
			 * this call adds user and system time. */
			struct vax_vals keep = d->vals;
			vax_stats_from_cpu(d, p, n);
			if (vax_has(&keep, VAX_DOM_CPU_TIME))
				vax_set(&d->vals, VAX_DOM_CPU_TIME, keep.v[VAX_DOM_CPU_TIME]);
			virTypedParamsClear(p, n);
		}
	}
	if (!(groups & VAX_GRP_BALLOON)) {
		virDomainMemoryStatStruct m[VIR_DOMAIN_MEMORY_STAT_NR];
		int n = (++*calls, virDomainMemoryStats(dom, m, VIR_DOMAIN_MEMORY_STAT_NR, 0));
		if (n > 0)
			vax_stats_from_memory(d, m, n);
	}
	if (!(groups & VAX_GRP_VCPU) && have_info && info.nrVirtCpu > 0 &&
	    info.nrVirtCpu <= VAX_MAX_VCPUS) {
		virVcpuInfoPtr v = calloc(info.nrVirtCpu, sizeof(*v));
		int n = v ? (++*calls, virDomainGetVcpus(dom, v, (int)info.nrVirtCpu, NULL, 0)) : -1;
		if (n > 0)
			vax_stats_from_vcpus(d, v, n);
		free(v);
	}
	for (size_t i = 0; !(groups & VAX_GRP_BLOCK) && i < def->ndisks; i++) {
		virDomainBlockStatsStruct b;
		virDomainBlockInfo bi;
		if (!def->disks[i].target)
			continue;
		++*calls;
		if (virDomainBlockStats(dom, def->disks[i].target, &b, sizeof(b)) == 0)
			vax_stats_from_block(&d->disks[i], &b);
		/* An empty cdrom has no size; asking logs an error in libvirtd
		 * on every refresh. */
		if (def->disks[i].source && (++*calls,
		    virDomainGetBlockInfo(dom, def->disks[i].target, &bi, 0) == 0))
			vax_stats_from_blockinfo(&d->disks[i], &bi);
	}
	for (size_t i = 0; !(groups & VAX_GRP_NET) && i < def->nnics; i++) {
		virDomainInterfaceStatsStruct s;
		if (def->nics[i].target && (++*calls,
		    virDomainInterfaceStats(dom, def->nics[i].target, &s, sizeof(s)) == 0))
			vax_stats_from_iface(&d->nics[i], &s);
	}
}

/* ---- one domain ---- */

/* Fetch and parse the domain's XML into its cache entry. */
static void fetch_def(struct vax_collector *c, virDomainPtr dom, const char *name,
		      struct xml_entry *cache)
{
	vax_domdef_unref(cache->def);
	cache->def = col_fetch_def(dom, name, &cache->unparsable);
	c->calls++;
}

/* The entry's definition: the cached one while the domain id is the
 * same, else fetched. Returns whether this refresh need not fetch it
 * again for a device the stats name and it lacks (it was just fetched,
 * or the XML does not parse). */
static bool find_def(struct vax_collector *c, virDomainPtr dom, const char *name,
		     struct xml_entry *cache)
{
	const struct xml_entry *old = col_xml_find(c->xml, c->nxml, cache->uuid);

	if (old && old->id == cache->id && (old->def || old->unparsable)) {
		cache->def = vax_domdef_ref(old->def);
		cache->unparsable = old->unparsable;
		return old->unparsable;
	}
	fetch_def(c, dom, name, cache);
	return true;
}

/* The host side of each NIC: its tap device and what it is attached to
 * (only where libvirt runs on this host). */
static void host_ifindexes(struct vax_domain *d)
{
	for (size_t i = 0; i < d->def->nnics; i++) {
		if (d->def->nics[i].target)
			vax_set(&d->nics[i].vals, VAX_NIC_HOST_IFINDEX,
				if_nametoindex(d->def->nics[i].target));
		if (d->def->nics[i].parent)
			vax_set(&d->nics[i].vals, VAX_NIC_PARENT_IFINDEX,
				if_nametoindex(d->def->nics[i].parent));
	}
}

bool col_build_domain(struct vax_collector *c, const struct col_refresh *r,
		      virDomainStatsRecordPtr rec, struct vax_domain *d,
		      struct xml_entry *cache)
{
	virDomainPtr dom = rec->dom;
	char uuid[VIR_UUID_STRING_BUFLEN];
	struct vax_domain_src src = { .uuid = uuid, .params = rec->params,
				      .nparams = rec->nparams };
	struct vax_domain_facts f = { .now = r->now, .id = virDomainGetID(dom),
				      .bulk_groups = c->bulk_groups, .first = !c->prev };
	bool unknown_dev, fetched;
	char *name = NULL;   /* for the log, as served */
	int groups;

	src.name = virDomainGetName(dom);
	if (virDomainGetUUIDString(dom, uuid) < 0 || !(name = vax_utf8_dup(src.name)))
		goto fail;
	if (!(src.index = vax_collector_index(c, uuid, "domain"))) {
		vax_warn("domain %s (%s): no free index left; not shown", name, uuid);
		goto fail;
	}
	memcpy(cache->uuid, uuid, sizeof(cache->uuid));
	cache->id = (int)f.id;
	fetched = find_def(c, dom, name, cache);
	for (;;) {
		src.def = cache->def;
		groups = vax_domain_from_stats(d, &src, &unknown_dev);
		if (groups < 0 || !unknown_dev || fetched)
			break;
		/* Stats name a device the cached XML lacks: it was hot-plugged. */
		vax_domain_clear(d);
		fetch_def(c, dom, name, cache);
		fetched = true;
	}
	if (groups < 0)
		goto fail;
	/* Calls only for what this driver never returns in bulk. */
	if (f.id != VAX_NO_ID)
		fallback(dom, d, (unsigned)groups | c->bulk_groups, &c->calls);
	f.last = c->prev ? vax_snapshot_find(c->prev, src.index) : NULL;
	f.persistent = in_set(r->persistent, uuid);
	f.autostart = in_set(r->autostart, uuid);
	if ((d->carried = vax_domain_finish(d, (unsigned)groups, &f)))
		vax_debug("collector", "%s skipped by bulk stats: serving values %lld ms old",
			  name, (long long)(r->now - f.last->stats_ms));
	if (c->uri_is_local)
		host_ifindexes(d);
	if (f.id != VAX_NO_ID)
		d->guest = vax_guests_get(c->guests, uuid, (int)f.id);
	free(name);
	return true;
fail:
	free(name);
	/* The entry is reused for the next domain. */
	vax_domdef_unref(cache->def);
	memset(cache, 0, sizeof(*cache));
	return false;
}

/* vmTableLastChange: the set of domain indexes differs from the last
 * snapshot's (the first snapshot counts as a change). */
void col_note_domain_set(struct vax_collector *c, struct vax_snapshot *s)
{
	bool same = c->domains_known && s->ndomains == c->ndom_indexes;

	for (size_t i = 0; same && i < s->ndomains; i++)
		same = s->domains[i].index == c->dom_indexes[i];
	if (!same) {
		uint32_t *v = realloc(c->dom_indexes, (s->ndomains + 1) * sizeof(*v));
		/* Out of memory: unknown, so the next refresh counts as a change. */
		c->domains_known = v != NULL;
		if (v) {
			c->dom_indexes = v;
			c->ndom_indexes = s->ndomains;
			for (size_t i = 0; i < s->ndomains; i++)
				v[i] = s->domains[i].index;
		}
		c->domains_changed_ms = s->taken_ms;
	}
	s->domains_changed_ms = c->domains_changed_ms;
}

/* The host's boot on the monotonic clock, for vmHvUpTime: only when
 * libvirt runs on this host (the QEMU/KVM hypervisor is its kernel). */
void col_host_facts(struct vax_collector *c, struct vax_snapshot *s)
{
	struct timespec boot, mono;

	s->host_cpus = c->host_cpus;
	if (c->conn && c->uri_is_local && clock_gettime(CLOCK_BOOTTIME, &boot) == 0 &&
	    clock_gettime(CLOCK_MONOTONIC, &mono) == 0) {
		s->host_boot_known = true;
		s->host_boot_ms = ((int64_t)mono.tv_sec - boot.tv_sec) * 1000 +
				  (mono.tv_nsec - boot.tv_nsec) / 1000000;
	}
}
