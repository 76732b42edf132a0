/* libvirt_stats_domain.c - one snapshot domain from its stats record, definition
 * and last row (see libvirt_stats_domain.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libvirt_stats.h"
#include "libvirt_stats_domain.h"
#include "utf8.h"

int vax_domain_from_stats(struct vax_domain *d, const struct vax_domain_src *src,
			  bool *unknown_dev)
{
	*unknown_dev = false;
	d->index = src->index;
	snprintf(d->uuid, sizeof(d->uuid), "%s", src->uuid);
	d->def = src->def ? vax_domdef_ref(src->def) : vax_domdef_new();
	/* Any bytes: served and logged as valid UTF-8. */
	if (!(d->name = vax_utf8_dup(src->name)) || !d->def)
		return -1;
	if (d->def->ndisks && !(d->disks = calloc(d->def->ndisks, sizeof(*d->disks))))
		return -1;
	if (d->def->nnics && !(d->nics = calloc(d->def->nnics, sizeof(*d->nics))))
		return -1;
	return (int)vax_stats_apply(d, src->params, src->nparams, unknown_dev);
}

/* The runtime part of a running domain. */
static bool finish_running(struct vax_domain *d, unsigned groups,
			   const struct vax_domain_facts *f)
{
	const struct vax_domain *last = f->last;
	unsigned missing = f->bulk_groups & ~groups & VAX_GRP_ALL;

	vax_set(&d->vals, VAX_DOM_ID, f->id);
	d->stats_ms = f->now;
	/* Started while we watched: a new id, or new to a snapshot that
	 * came before. Already running at the first: unknown. */
	if (last && vax_has(&last->vals, VAX_DOM_ID) && last->vals.v[VAX_DOM_ID] == f->id)
		d->started_ms = last->started_ms;
	else if (!f->first)
		d->started_ms = f->now;
	if (vax_stats_skipped(d))
		missing = VAX_GRP_ALL;
	/* A new index file may have given the index to another domain. */
	if (!missing || !last || !last->stats_ms || strcmp(last->uuid, d->uuid) != 0)
		return false;
	vax_stats_carry_over(last, d, missing);
	return true;
}

bool vax_domain_finish(struct vax_domain *d, unsigned groups,
		       const struct vax_domain_facts *f)
{
	bool carried = f->id != VAX_NO_ID && finish_running(d, groups, f);

	/* The configured sizes fill what the stats did not say. */
	for (int k = 0; k < VAX_DOM_NFIELDS; k++)
		if (vax_has(&d->def->vals, k) && !vax_has(&d->vals, k))
			vax_set(&d->vals, k, d->def->vals.v[k]);
	if (f->persistent >= 0)
		vax_set(&d->vals, VAX_DOM_PERSISTENT, (uint64_t)f->persistent);
	if (f->autostart >= 0)
		vax_set(&d->vals, VAX_DOM_AUTOSTART, (uint64_t)f->autostart);
	return carried;
}
