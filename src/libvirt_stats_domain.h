/* libvirt_stats_domain.h - one snapshot domain from its bulk stats record, its
 * parsed definition and what the last snapshot said of it.
 *
 * Pure, like libvirt_stats.h below it (the libvirt_ files convert
 * libvirt's types; the collector files call libvirt): no connection, no collector state,
 * no clock, no lock, no log. The collector's worker thread runs it
 * between the libvirt calls of collector_build.c, and unit tests run it
 * on the stats corpus; it touches only the domain it is given (and the
 * definition's reference count, which is atomic). One domain is built in
 * two steps, because the per-domain fallback calls come between them:
 *
 *   vax_domain_from_stats   identity, definition, the record's values
 *   (the caller's per-domain calls for groups the driver never returns
 *   in bulk: collector_build.c)
 *   vax_domain_finish       runtime id, start time, values carried over
 *                           from the last snapshot, configured sizes,
 *                           persistence and autostart
 */
#ifndef VAX_LIBVIRT_STATS_DOMAIN_H
#define VAX_LIBVIRT_STATS_DOMAIN_H

#include <stdbool.h>
#include <stdint.h>

#include <libvirt/libvirt.h>

#include "model.h"

/* virDomainGetID of a domain that is not running. */
#define VAX_NO_ID ((unsigned)-1)

/* A domain as libvirt gives it: who it is, its definition, its record. */
struct vax_domain_src {
	uint32_t index;                   /* from the index map */
	const char *uuid;                 /* libvirt's text form */
	const char *name;                 /* any bytes (virDomainRename allows them) */
	struct vax_domdef *def;           /* the parsed XML; NULL: none could be had */
	const virTypedParameter *params;  /* one virConnectGetAllDomainStats record */
	int nparams;
};

/* Fill a zeroed d from src: index, uuid, the name as valid UTF-8 (see
 * vax_utf8_dup), its own reference to the definition (an empty one for
 * NULL), one stats slot per device, and the record's values (see
 * vax_stats_apply). Returns the groups the record holds (VAX_GRP_*), or
 * -1 when out of memory; either way d then holds what vax_domain_clear
 * frees. *unknown_dev: the record names a device the definition lacks
 * (hot-plugged since the XML was read): the caller may clear d, fetch
 * the XML again and call again. */
int vax_domain_from_stats(struct vax_domain *d, const struct vax_domain_src *src,
			  bool *unknown_dev);

/* What a refresh knows of a domain beyond its record. */
struct vax_domain_facts {
	int64_t now;                      /* monotonic ms when the stats came */
	unsigned id;                      /* runtime id; VAX_NO_ID: not running */
	unsigned bulk_groups;             /* the groups this driver returns in bulk */
	const struct vax_domain *last;    /* the last snapshot's row of this index; NULL: none */
	bool first;                       /* no snapshot before this one */
	int persistent, autostart;        /* 1 or 0; -1: unknown (the listing failed) */
};

/* The rest of d, once the per-domain calls filled in what they could;
 * groups is what vax_domain_from_stats returned. A running domain gets
 * its id and stats_ms (now); started_ms is last's while the id stays the
 * same, now for a new id, and 0 (unknown) in the first snapshot. When
 * bulk stats left out a group the driver does return (or the whole
 * domain, see vax_stats_skipped), last's values fill it, if last is the
 * same domain (vax_stats_carry_over). Every domain: the configured sizes
 * fill what the stats did not say; persistence and autostart when known.
 * Returns whether last's values were offered for skipped groups (the
 * caller logs how old they are). */
bool vax_domain_finish(struct vax_domain *d, unsigned groups,
		       const struct vax_domain_facts *f);

#endif
