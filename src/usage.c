/* usage.c - usage gauges between two samples of a domain (see usage.h). */
#include "config.h"

#include <string.h>

#include "usage.h"

/* round(r * m / d) for r < d, exactly, when r * m does not fit: long
 * multiplication a bit of m at a time, r * (m's bits so far) kept as
 * q * d + rem with rem < d (a long double has too few bits for it). */
static uint64_t muldiv_rem(uint64_t r, uint64_t m, uint64_t d)
{
	uint64_t q = 0, rem = 0;

	for (int b = 63; b >= 0; b--) {
		q <<= 1;   /* q <= r * m / d < m: no overflow */
		if (rem >= d - rem) {
			rem -= d - rem;
			q++;
		} else
			rem <<= 1;
		if ((m >> b) & 1) {
			if (rem >= d - r) {
				rem -= d - r;
				q++;
			} else
				rem += r;
		}
	}
	return q + (rem >= d - rem);   /* half up */
}

uint64_t vax_usage_muldiv(uint64_t a, uint64_t m, uint64_t d)
{
	uint64_t q = a / d, r = a % d, hi, lo;

	if (m && q > UINT64_MAX / m)
		return UINT64_MAX;
	hi = q * m;
	if (!m || r <= (UINT64_MAX - d / 2) / m)
		lo = (r * m + d / 2) / d;
	else   /* r * m would overflow: only with a divisor above 2^54 */
		lo = muldiv_rem(r, m, d);
	return hi > UINT64_MAX - lo ? UINT64_MAX : hi + lo;
}

/* ---- fields ---- */

#define FIELDS(a) (sizeof(a) / sizeof((a)[0]))
static const int dom_gauges[] = {
	VAX_DOM_U_CPU, VAX_DOM_U_CPU_VCPUS, VAX_DOM_U_CPU_USER, VAX_DOM_U_CPU_SYSTEM,
	VAX_DOM_U_WINDOW,
};
static const int vcpu_gauges[] = { VAX_VCPU_U_BUSY, VAX_VCPU_U_STEAL, VAX_VCPU_U_WAIT };
static const int disk_gauges[] = {
	VAX_DISK_U_RD_BPS, VAX_DISK_U_WR_BPS, VAX_DISK_U_RD_OPS, VAX_DISK_U_WR_OPS,
	VAX_DISK_U_FL_OPS, VAX_DISK_U_RD_LAT, VAX_DISK_U_WR_LAT, VAX_DISK_U_FL_LAT,
};

static void clear(struct vax_domain *d)
{
	for (size_t k = 0; k < FIELDS(dom_gauges); k++)
		vax_unset(&d->vals, dom_gauges[k]);
	for (size_t i = 0; i < d->nvcpus; i++)
		for (size_t k = 0; k < FIELDS(vcpu_gauges); k++)
			vax_unset(&d->vcpus[i].vals, vcpu_gauges[k]);
	for (size_t i = 0; i < d->def->ndisks; i++)
		for (size_t k = 0; k < FIELDS(disk_gauges); k++)
			vax_unset(&d->disks[i].vals, disk_gauges[k]);
	for (size_t i = 0; i < d->def->nnics; i++)
		for (int f = VAX_NIC_U_FIRST; f <= VAX_NIC_U_LAST; f++)
			vax_unset(&d->nics[i].vals, f);
	d->usage_ms = 0;
}

/* Copy field f from one value set to another of the same kind. */
#define COPY(to, from, f) \
	do { if (vax_has(from, f)) vax_set(to, f, (from)->v[f]); } while (0)

/* newer - older of field f, when both have it and it did not go back. */
#define DELTA(newer, older, f, out) \
	(vax_has(newer, f) && vax_has(older, f) && (newer)->v[f] >= (older)->v[f] && \
	 (*(out) = (newer)->v[f] - (older)->v[f], true))

/* ---- the same domain, the same devices ---- */

/* The same run of the same domain: its id did not change. */
static bool same_run(const struct vax_domain *a, const struct vax_domain *b)
{
	return vax_has(&a->vals, VAX_DOM_ID) && vax_has(&b->vals, VAX_DOM_ID) &&
	       a->vals.v[VAX_DOM_ID] == b->vals.v[VAX_DOM_ID] && !strcmp(a->uuid, b->uuid);
}

static bool same_name(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/* older's disk i of d, by target name (a hot-plug renumbers them). */
static const struct vax_disk *older_disk(const struct vax_domain *d, size_t i,
					 const struct vax_domain *older)
{
	if (d->def == older->def)
		return &older->disks[i];
	for (size_t k = 0; k < older->def->ndisks; k++)
		if (same_name(older->def->disks[k].target, d->def->disks[i].target))
			return &older->disks[k];
	return NULL;
}

/* ... and NIC i, by host-side name, else by MAC. */
static const struct vax_nic *older_nic(const struct vax_domain *d, size_t i,
				       const struct vax_domain *older)
{
	const struct vax_nic_def *n = &d->def->nics[i];

	if (d->def == older->def)
		return &older->nics[i];
	for (size_t k = 0; k < older->def->nnics; k++) {
		const struct vax_nic_def *o = &older->def->nics[k];
		if (n->target || o->target ? same_name(o->target, n->target)
		    : n->has_mac && o->has_mac && !memcmp(o->mac, n->mac, 6))
			return &older->nics[k];
	}
	return NULL;
}

/* ---- a window ---- */

/* Hundredths of a percent of one CPU busy for delta ns over ms, over
 * ms * cpus when normalised to cpus: delta / (ms * 1e6) * 1e4. */
#define CPU_GAUGE(s, f, delta, ms, cpus) \
	do { \
		if ((cpus) <= UINT64_MAX / 100 / (ms)) \
			vax_set(s, f, vax_usage_muldiv(delta, 1, (ms) * 100 * (cpus))); \
	} while (0)

static void domain_window(struct vax_domain *d, const struct vax_domain *o, uint64_t ms)
{
	static const struct { int from, to; } cpu[] = {
		{ VAX_DOM_CPU_TIME, VAX_DOM_U_CPU }, { VAX_DOM_CPU_USER, VAX_DOM_U_CPU_USER },
		{ VAX_DOM_CPU_SYSTEM, VAX_DOM_U_CPU_SYSTEM },
	};
	uint64_t delta;

	for (size_t k = 0; k < FIELDS(cpu); k++)
		if (DELTA(&d->vals, &o->vals, cpu[k].from, &delta))
			CPU_GAUGE(&d->vals, cpu[k].to, delta, ms, 1);
	if (DELTA(&d->vals, &o->vals, VAX_DOM_CPU_TIME, &delta) &&
	    vax_has(&d->vals, VAX_DOM_VCPU_CUR) && d->vals.v[VAX_DOM_VCPU_CUR] &&
	    d->vals.v[VAX_DOM_VCPU_CUR] <= UINT32_MAX)
		CPU_GAUGE(&d->vals, VAX_DOM_U_CPU_VCPUS, delta, ms, d->vals.v[VAX_DOM_VCPU_CUR]);
	vax_set(&d->vals, VAX_DOM_U_WINDOW, ms);
}

static void vcpu_window(struct vax_vcpu_vals *v, const struct vax_vcpu_vals *o, uint64_t ms)
{
	static const struct { int from, to; } map[] = {
		{ VAX_VCPU_TIME, VAX_VCPU_U_BUSY }, { VAX_VCPU_DELAY, VAX_VCPU_U_STEAL },
		{ VAX_VCPU_WAIT, VAX_VCPU_U_WAIT },
	};
	uint64_t delta;

	for (size_t k = 0; k < FIELDS(map); k++)
		if (DELTA(v, o, map[k].from, &delta))
			CPU_GAUGE(v, map[k].to, delta, ms, 1);
}

static void disk_window(struct vax_disk_vals *v, const struct vax_disk_vals *o, uint64_t ms)
{
	static const struct { int from, to; } rate[] = {
		{ VAX_DISK_RD_BYTES, VAX_DISK_U_RD_BPS }, { VAX_DISK_WR_BYTES, VAX_DISK_U_WR_BPS },
		{ VAX_DISK_RD_REQS, VAX_DISK_U_RD_OPS }, { VAX_DISK_WR_REQS, VAX_DISK_U_WR_OPS },
		{ VAX_DISK_FL_REQS, VAX_DISK_U_FL_OPS },
	};
	static const struct { int time, reqs, to; } latency[] = {
		{ VAX_DISK_RD_TIME, VAX_DISK_RD_REQS, VAX_DISK_U_RD_LAT },
		{ VAX_DISK_WR_TIME, VAX_DISK_WR_REQS, VAX_DISK_U_WR_LAT },
		{ VAX_DISK_FL_TIME, VAX_DISK_FL_REQS, VAX_DISK_U_FL_LAT },
	};
	uint64_t delta, reqs;

	for (size_t k = 0; k < FIELDS(rate); k++)
		if (DELTA(v, o, rate[k].from, &delta))
			vax_set(v, rate[k].to, vax_usage_muldiv(delta, 1000, ms));
	/* No request in the window: no latency (not 0 us). */
	for (size_t k = 0; k < FIELDS(latency); k++)
		if (DELTA(v, o, latency[k].time, &delta) && DELTA(v, o, latency[k].reqs, &reqs) &&
		    reqs && reqs <= UINT64_MAX / 1000)
			vax_set(v, latency[k].to, vax_usage_muldiv(delta, 1, reqs * 1000));
}

static void nic_window(struct vax_nic_vals *v, const struct vax_nic_vals *o, uint64_t ms)
{
	uint64_t delta;

	for (int f = VAX_NIC_RX_BYTES; f <= VAX_NIC_TX_DROP; f++)
		if (DELTA(v, o, f, &delta))
			vax_set(v, VAX_NIC_U_FIRST + f, vax_usage_muldiv(delta, 1000, ms));
}

bool vax_usage_between(struct vax_domain *d, const struct vax_domain *older,
		       int64_t min_ms)
{
	clear(d);
	if (!older || d->carried || older->carried || !d->stats_ms || !older->stats_ms ||
	    !same_run(d, older))
		return false;
	int64_t span = d->stats_ms - older->stats_ms;
	if (span <= 0 || span < min_ms)
		return false;
	uint64_t ms = (uint64_t)span;

	domain_window(d, older, ms);
	for (size_t i = 0; i < d->nvcpus && i < older->nvcpus; i++)
		vcpu_window(&d->vcpus[i].vals, &older->vcpus[i].vals, ms);
	for (size_t i = 0; i < d->def->ndisks; i++) {
		const struct vax_disk *o = older_disk(d, i, older);
		if (o)
			disk_window(&d->disks[i].vals, &o->vals, ms);
	}
	for (size_t i = 0; i < d->def->nnics; i++) {
		const struct vax_nic *o = older_nic(d, i, older);
		if (o)
			nic_window(&d->nics[i].vals, &o->vals, ms);
	}
	d->usage_ms = d->stats_ms;
	return true;
}

void vax_usage_carry(struct vax_domain *d, const struct vax_domain *prev)
{
	clear(d);
	if (!prev || !prev->usage_ms || !same_run(d, prev))
		return;
	for (size_t k = 0; k < FIELDS(dom_gauges); k++)
		COPY(&d->vals, &prev->vals, dom_gauges[k]);
	for (size_t i = 0; i < d->nvcpus && i < prev->nvcpus; i++)
		for (size_t k = 0; k < FIELDS(vcpu_gauges); k++)
			COPY(&d->vcpus[i].vals, &prev->vcpus[i].vals, vcpu_gauges[k]);
	for (size_t i = 0; i < d->def->ndisks; i++) {
		const struct vax_disk *o = older_disk(d, i, prev);
		for (size_t k = 0; o && k < FIELDS(disk_gauges); k++)
			COPY(&d->disks[i].vals, &o->vals, disk_gauges[k]);
	}
	for (size_t i = 0; i < d->def->nnics; i++) {
		const struct vax_nic *o = older_nic(d, i, prev);
		for (int f = VAX_NIC_U_FIRST; o && f <= VAX_NIC_U_LAST; f++)
			COPY(&d->nics[i].vals, &o->vals, f);
	}
	d->usage_ms = prev->usage_ms;
}

bool vax_usage_fill(struct vax_domain *domains, size_t n,
		    const struct vax_snapshot *base, int64_t base_ms,
		    const struct vax_snapshot *prev, int64_t now_ms, int64_t min_ms)
{
	for (size_t i = 0; i < n; i++) {
		struct vax_domain *d = &domains[i];
		if (!vax_usage_between(d, base ? vax_snapshot_find(base, d->index) : NULL, min_ms))
			vax_usage_carry(d, prev ? vax_snapshot_find(prev, d->index) : NULL);
	}
	return !base || now_ms - base_ms >= min_ms;
}

void vax_usage_host(struct vax_snapshot *s, const struct vax_snapshot *base,
		    const struct vax_snapshot *prev, int64_t min_ms)
{
	static const int times[] = {
		VAX_HOST_CPU_KERNEL, VAX_HOST_CPU_USER, VAX_HOST_CPU_IDLE, VAX_HOST_CPU_IOWAIT,
	};
	struct vax_host_vals *h = &s->host;
	const struct vax_host_vals *o = base ? &base->host : NULL;
	uint64_t delta[FIELDS(times)] = { 0 }, total = 0;

	vax_unset(h, VAX_HOST_U_CPU);
	vax_unset(h, VAX_HOST_U_WINDOW);
	if (o && base->host_ms && s->host_ms - base->host_ms >= min_ms) {
		/* iowait is optional; kernel, user and idle are not. */
		for (size_t k = 0; k < FIELDS(times); k++) {
			if (!DELTA(h, o, times[k], &delta[k])) {
				if (times[k] != VAX_HOST_CPU_IOWAIT)
					return;   /* went back (a host reboot): none */
				delta[k] = 0;
			}
			if (delta[k] > UINT64_MAX - total)
				return;
			total += delta[k];
		}
		if (!total)
			return;
		vax_set(h, VAX_HOST_U_CPU, vax_usage_muldiv(delta[0] + delta[1], 10000, total));
		vax_set(h, VAX_HOST_U_WINDOW, (uint64_t)(s->host_ms - base->host_ms));
		return;
	}
	if (prev) {
		COPY(h, &prev->host, VAX_HOST_U_CPU);
		COPY(h, &prev->host, VAX_HOST_U_WINDOW);
	}
}

bool vax_pool_used(const struct vax_pool_vals *v, uint64_t *out)
{
	uint64_t a, c;

	if (!vax_has(v, VAX_POOL_ALLOCATION) || !vax_has(v, VAX_POOL_CAPACITY) ||
	    !(c = v->v[VAX_POOL_CAPACITY]))
		return false;
	a = v->v[VAX_POOL_ALLOCATION];
	*out = vax_usage_muldiv(a < c ? a : c, 10000, c);   /* never above full */
	return true;
}
