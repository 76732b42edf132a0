/* collector_build.c - one snapshot domain from a bulk stats record, with
 * per-domain calls for the groups a driver left out (worker thread). */
#include "config.h"

#include <errno.h>
#include <net/if.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collector_int.h"
#include "libvirt_state.h"
#include "log.h"
#include "stats.h"

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

static bool in_set(const struct uuid_set *set, const char *uuid)
{
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

/* ---- one refresh ---- */


/* Fill one domain of the snapshot from its bulk record. */
bool col_build_domain(struct vax_collector *c, virDomainStatsRecordPtr rec,
		      int64_t now, struct vax_domain *d, struct xml_entry *cache,
		      const struct uuid_set *persistent, const struct uuid_set *autostart)
{
	virDomainPtr dom = rec->dom;
	const char *name = virDomainGetName(dom);
	unsigned id = virDomainGetID(dom);
	bool unknown_dev, fetched = false;
	struct xml_entry *old;
	unsigned groups;

	if (virDomainGetUUIDString(dom, d->uuid) < 0 || !name)
		return false;
	/* Any bytes (see vax_utf8_dup): served and logged as valid UTF-8. */
	if (!(d->name = vax_utf8_dup(name)))
		return false;
	if (!(d->index = vax_collector_index(c, d->uuid))) {
		vax_warn("domain %s (%s): no free index left; not shown", d->name, d->uuid);
		return false;
	}

	memcpy(cache->uuid, d->uuid, sizeof(cache->uuid));
	cache->id = (int)id;
	old = col_xml_find(c->xml, c->nxml, d->uuid);
	if (old && old->id == (int)id && (old->def || old->unparsable)) {
		cache->def = vax_domdef_ref(old->def);
		cache->unparsable = old->unparsable;
		fetched = old->unparsable;   /* nor again for a device it names */
	} else {
		cache->def = col_fetch_def(dom, d->name, &cache->unparsable);
		c->calls++;
		fetched = true;
	}
	for (;;) {
		d->def = vax_domdef_ref(cache->def);
		if (!d->def && !(d->def = vax_domdef_new()))
			goto fail;
		if (d->def->ndisks)
			d->disks = calloc(d->def->ndisks, sizeof(*d->disks));
		if (d->def->nnics)
			d->nics = calloc(d->def->nnics, sizeof(*d->nics));
		if ((d->def->ndisks && !d->disks) || (d->def->nnics && !d->nics) || !d->name)
			goto fail;
		groups = vax_stats_apply(d, rec->params, rec->nparams, &unknown_dev);
		if (!unknown_dev || fetched)
			break;
		/* Stats name a device the cached XML lacks: it was hot-plugged. */
		vax_domdef_unref(cache->def);
		cache->def = col_fetch_def(dom, d->name, &cache->unparsable);
		c->calls++;
		fetched = true;
		vax_domdef_unref(d->def);
		free(d->disks); free(d->nics); free(d->vcpus);
		d->def = NULL; d->disks = NULL; d->nics = NULL; d->vcpus = NULL;
		d->nvcpus = 0;
		memset(&d->vals, 0, sizeof(d->vals));
	}
	if (id != (unsigned)-1) {
		unsigned missing = c->bulk_groups & ~groups & VAX_GRP_ALL;
		const struct vax_domain *last = c->prev ? vax_snapshot_find(c->prev, d->index) : NULL;

		vax_set(&d->vals, VAX_DOM_ID, id);
		d->stats_ms = now;
		/* Started while we watched: a new id, or new to a snapshot
		 * that came before. Already running at the first: unknown. */
		if (last && vax_has(&last->vals, VAX_DOM_ID) && last->vals.v[VAX_DOM_ID] == id)
			d->started_ms = last->started_ms;
		else if (c->prev)
			d->started_ms = now;
		/* Calls only for what this driver never returns in bulk. */
		fallback(dom, d, groups | c->bulk_groups, &c->calls);
		if (vax_stats_skipped(d))
			missing = VAX_GRP_ALL;
		if (missing && last && last->stats_ms && strcmp(last->uuid, d->uuid) == 0) {
			vax_debug("collector", "%s skipped by bulk stats: serving values %lld ms old",
				  d->name, (long long)(now - last->stats_ms));
			vax_stats_carry_over(last, d, missing);
		}
	}
	/* The configured sizes fill what the stats did not say. */
	for (int f = 0; f < VAX_DOM_NFIELDS; f++)
		if (vax_has(&d->def->vals, f) && !vax_has(&d->vals, f))
			vax_set(&d->vals, f, d->def->vals.v[f]);
	if (persistent)
		vax_set(&d->vals, VAX_DOM_PERSISTENT, in_set(persistent, d->uuid));
	if (autostart)
		vax_set(&d->vals, VAX_DOM_AUTOSTART, in_set(autostart, d->uuid));
	for (size_t i = 0; c->uri_is_local && i < d->def->nnics; i++) {
		if (d->def->nics[i].target)
			vax_set(&d->nics[i].vals, VAX_NIC_HOST_IFINDEX,
				if_nametoindex(d->def->nics[i].target));
		if (d->def->nics[i].parent)
			vax_set(&d->nics[i].vals, VAX_NIC_PARENT_IFINDEX,
				if_nametoindex(d->def->nics[i].parent));
	}
	return true;
fail:
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

/* A snapshot with room for n domains and the collector's own facts. */
