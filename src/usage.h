/* usage.h - usage gauges (CPU %, steal, rates, latency) between two
 * samples of a domain, from the counters already in the snapshots.
 *
 * Pure: model structs in, model fields out; the collector calls it on its
 * worker thread while it builds a snapshot (before sealing it).
 *
 * A window is the interval between the domain's sample in the base
 * snapshot (the one taken when the previous window closed) and its sample
 * now; it closes when it is at least min_ms long. Until it closes, the
 * gauges of the last closed window are carried, so a poller faster than
 * the window sees whole windows and a slower one sees the rate over its
 * own poll interval. A gauge is absent, never a guess, when a counter
 * went backwards (restart, device replaced, wrap), either sample lacks
 * it, or the domain is not the same run (another domain id).
 */
#ifndef VAX_USAGE_H
#define VAX_USAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"

/* Fill d's gauges (every *_U_* field and usage_ms) from older, the same
 * domain min_ms or more before. false, and d without gauges, when no
 * window ends here (too short, older NULL or not the same run, either
 * sample carried over). */
bool vax_usage_between(struct vax_domain *d, const struct vax_domain *older,
		       int64_t min_ms);

/* Copy the gauges of prev (the same domain in the last snapshot) into d
 * when d is the same run with the same devices; else d has none. */
void vax_usage_carry(struct vax_domain *d, const struct vax_domain *prev);

/* Every domain of an unsealed snapshot: a window from base, else the
 * last window carried from prev (either may be NULL). Returns whether
 * the base is now old enough to be replaced by this snapshot (taken at
 * now_ms; base_ms: when base was). */
bool vax_usage_fill(struct vax_domain *domains, size_t n,
		    const struct vax_snapshot *base, int64_t base_ms,
		    const struct vax_snapshot *prev, int64_t now_ms, int64_t min_ms);

/* The host's CPU usage (VAX_HOST_U_*) in s from base's host sample, at
 * least min_ms older; else prev's carried; else none. */
void vax_usage_host(struct vax_snapshot *s, const struct vax_snapshot *base,
		    const struct vax_snapshot *prev, int64_t min_ms);

/* round(a * m / d) without overflow, saturating at UINT64_MAX; d > 0. */
uint64_t vax_usage_muldiv(uint64_t a, uint64_t m, uint64_t d);

/* A pool's used space in hundredths of a percent (allocation over
 * capacity, rounded, at most 10000); false when either is unknown or the
 * capacity is 0. */
bool vax_pool_used(const struct vax_pool_vals *v, uint64_t *out);

#endif
