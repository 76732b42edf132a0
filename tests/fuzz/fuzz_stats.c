/* fuzz_stats.c - one bulk stats record (virConnectGetAllDomainStats's
 * virTypedParameter array) into the model, as the collector does it.
 *
 * Input: one record in the format of stats_input.h (the domain's disks
 * and NICs, then typed parameters); tests/fuzz/corpus/stats/ has
 * examples, some dumped from real QEMU and test-driver guests by
 * dump-stats.c.
 *
 * Besides memory errors, checks what the conversion promises: values land
 * only in fields a stats key maps to, only on devices that have a target
 * named by some block.N.name / net.N.name, and never more vCPU slots than
 * VAX_MAX_VCPUS, never a usage gauge (the *_U_* fields are usage.c's).
 * Then the rest of a refresh runs on the result: the skipped-domain
 * test, carry-over into a fresh domain, a sealed snapshot.
 *
 * Then the usage gauges (usage.c), with the record's domain as the newer
 * of two samples of one run. The older sample, the window and the flags
 * come from the input's bytes (hashed into a PRNG): each counter gone,
 * equal, scaled down, smaller, larger (gone backwards), a bit flipped or
 * anything; counters only the older sample has; vCPUs plugged or
 * unplugged; the devices reordered, one gone or added; a window of 0, 1,
 * about min_ms, huge or negative; ids equal, different or missing, the
 * UUID changed, either sample carried or without stats; gauges of an
 * earlier window left in either. vax_usage_between, vax_usage_carry and
 * vax_usage_fill (on sealed base and prev snapshots) must keep what
 * usage.h and the usage spec promise: a gauge only when its counters are
 * in both samples and did not go backwards, and then exactly its value
 * (vax_usage_muldiv, itself checked against 128-bit arithmetic), e.g.
 * the CPU one round(delta / (ms * 100)); a latency only when its request
 * delta is > 0; every gauge whose counters allow it; none at all, and
 * usage_ms 0, when no window ends (shorter than min_ms, either sample
 * carried or without stats, ids or UUIDs differ, no older sample);
 * VAX_DOM_U_WINDOW is the window; counters never touched; carry copies
 * exactly prev's gauges for the same run, none otherwise; fill is a
 * window from base, else a carry from prev.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include <libvirt/libvirt.h>

#include "fuzz.h"
#include "model.h"
#include "libvirt_stats.h"
#include "stats_input.h"
#include "usage.h"

#define BIT(f) (UINT64_C(1) << (f))
#define FIELDS(a) (sizeof(a) / sizeof((a)[0]))

/* Is name the value of some "block.N.name" (prefix "block.") string? */
static bool named_in(const struct stats_input *in, const char *prefix, const char *name)
{
	size_t plen = strlen(prefix);

	for (int i = 0; i < in->n; i++) {
		const virTypedParameter *p = &in->p[i];
		const char *dot;
		if (p->type != VIR_TYPED_PARAM_STRING || !p->value.s ||
		    strncmp(p->field, prefix, plen) != 0 ||
		    !(dot = strchr(p->field + plen, '.')) || strcmp(dot, ".name") != 0)
			continue;
		if (strcmp(p->value.s, name) == 0)
			return true;
	}
	return false;
}

/* Set up d as the collector does: its own reference to def, one stats
 * slot per device (exactly: ASan then sees a write past the last). */
static bool init_domain(struct vax_domain *d, struct vax_domdef *def, uint32_t index)
{
	memset(d, 0, sizeof(*d));
	d->index = index;
	d->def = vax_domdef_ref(def);
	snprintf(d->uuid, sizeof(d->uuid), "00000000-0000-0000-0000-%012u", (unsigned)index);
	if (!(d->name = strdup("fuzz")))
		return false;
	if (def->ndisks && !(d->disks = calloc(def->ndisks, sizeof(*d->disks))))
		return false;
	if (def->nnics && !(d->nics = calloc(def->nnics, sizeof(*d->nics))))
		return false;
	return true;
}

static void check_domain(const struct vax_domain *d, const struct stats_input *in,
			 unsigned groups)
{
	const struct vax_domdef *def = d->def;
	/* What bulk stats can set; ID, persistence and autostart come from
	 * elsewhere, the physical CPU and host ifindex too, and the usage
	 * gauges (each enum's last fields) from usage.c only. */
	const uint64_t dom_ok = ~(BIT(VAX_DOM_ID) | BIT(VAX_DOM_PERSISTENT) |
				  BIT(VAX_DOM_AUTOSTART)) & (BIT(VAX_DOM_U_CPU) - 1);

	FUZZ_ASSERT((groups & ~(unsigned)VAX_GRP_ALL) == 0);
	FUZZ_ASSERT((d->vals.have & ~dom_ok) == 0);
	FUZZ_ASSERT(d->nvcpus <= VAX_MAX_VCPUS);
	FUZZ_ASSERT((d->nvcpus == 0) == (d->vcpus == NULL));
	for (size_t i = 0; i < d->nvcpus; i++)   /* not the pCPU, nor a gauge */
		FUZZ_ASSERT((d->vcpus[i].vals.have & ~(BIT(VAX_VCPU_PCPU) - 1)) == 0);
	for (size_t i = 0; i < def->ndisks; i++) {
		uint64_t have = d->disks[i].vals.have;
		FUZZ_ASSERT((have & ~(BIT(VAX_DISK_U_RD_BPS) - 1)) == 0);
		if (have) {
			FUZZ_ASSERT(def->disks[i].target != NULL);
			FUZZ_ASSERT(named_in(in, "block.", def->disks[i].target));
			FUZZ_ASSERT(groups & VAX_GRP_BLOCK);
		}
	}
	for (size_t i = 0; i < def->nnics; i++) {
		uint64_t have = d->nics[i].vals.have;
		/* not the ifindexes, nor a gauge */
		FUZZ_ASSERT((have & ~(BIT(VAX_NIC_HOST_IFINDEX) - 1)) == 0);
		if (have) {
			FUZZ_ASSERT(def->nics[i].target != NULL);
			FUZZ_ASSERT(named_in(in, "net.", def->nics[i].target));
			FUZZ_ASSERT(groups & VAX_GRP_NET);
		}
	}
}

/* ---- the usage gauges: the record's domain as the newer of two samples ---- */

#define USAGE_VCPUS 64

/* Every *_U_* field: each enum's gauges come last. */
#define DOM_U (~(BIT(VAX_DOM_U_CPU) - 1) & (BIT(VAX_DOM_NFIELDS) - 1))
#define VCPU_U (~(BIT(VAX_VCPU_U_BUSY) - 1) & (BIT(VAX_VCPU_NFIELDS) - 1))
#define DISK_U (~(BIT(VAX_DISK_U_RD_BPS) - 1) & (BIT(VAX_DISK_NFIELDS) - 1))
#define NIC_U (~(BIT(VAX_NIC_U_FIRST) - 1) & (BIT(VAX_NIC_NFIELDS) - 1))

/* The older sample, the window, the ids and the flags are made from the
 * input's bytes (an FNV-1a hash seeding splitmix64), so an input always
 * makes the same pair and a crash replays.
 *
 * The harness's own branches are left out of libFuzzer's coverage: with
 * random choices behind them far more mutations looked new and the
 * fuzzer ran three times slower. usage.c's branches still count. */
#if defined(__clang__) && defined(__has_attribute)
#if __has_attribute(no_sanitize) && __clang_major__ >= 13
#define HARNESS __attribute__((no_sanitize("coverage")))
#endif
#endif
#ifndef HARNESS
#define HARNESS
#endif
struct rng { uint64_t s; };

HARNESS static uint64_t rnd(struct rng *r)
{
	uint64_t z = (r->s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

HARNESS static uint64_t below(struct rng *r, uint64_t n)
{
	return n ? rnd(r) % n : 0;
}

HARNESS static bool one_in(struct rng *r, unsigned n)
{
	return below(r, n) == 0;
}

HARNESS static void rng_seed(struct rng *r, const uint8_t *data, size_t size)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * UINT64_C(0x100000001b3);
	r->s = h;
}

/* A counter as it was earlier: gone, the same, scaled down, any smaller,
 * larger (it went backwards: restart, wrap), a bit flipped, anything. */
HARNESS static uint64_t older_value(struct rng *r, uint64_t v)
{
	switch (below(r, 7)) {
	case 0: return v;
	case 1: return v >> (1 + below(r, 63));
	case 2: return v == UINT64_MAX ? rnd(r) : below(r, v + 1);
	case 3: return v / 8 * below(r, 8);
	case 4: return v == UINT64_MAX ? v : v + 1 + below(r, UINT64_MAX - v);
	case 5: return v ^ (UINT64_C(1) << below(r, 64));
	default: return rnd(r);
	}
}

/* The older sample's value set (ohave, ov: n fields, gauges from first_u
 * on) from the newer one's (nv NULL: a device the newer sample lacks).
 * The older sample may have gauges of its own window: they must not
 * matter. */
HARNESS static void derive(struct rng *r, uint64_t *ohave, uint64_t *ov, uint64_t nhave,
		   const uint64_t *nv, size_t n, int first_u)
{
	*ohave = 0;
	for (int f = 0; f < (int)n; f++) {
		bool set;
		uint64_t x = 0;
		if (f >= first_u)
			set = one_in(r, 4), x = rnd(r);
		else if (nv && ((nhave >> f) & 1))
			set = !one_in(r, 8), x = older_value(r, nv[f]);
		else   /* only the older sample has it */
			set = one_in(r, 6), x = rnd(r);
		ov[f] = set ? x : 0;
		*ohave |= set ? BIT(f) : 0;
	}
}
/* nw: a pointer variable, maybe NULL. */
#define DERIVE(r, o, nw, first_u) \
	derive(r, &(o)->have, (o)->v, (nw) ? (nw)->have : 0, (nw) ? (nw)->v : NULL, \
	       VAX_NVALS(o), first_u)

/* Gauges left from an earlier window in a value set: the usage code must
 * replace or drop every one. */
HARNESS static void junk(struct rng *r, uint64_t *have, uint64_t *v, size_t n, int first_u)
{
	for (int f = first_u; f < (int)n; f++)
		if (one_in(r, 3)) {
			v[f] = rnd(r);
			*have |= BIT(f);
		}
}
#define JUNK(r, s, first_u) junk(r, &(s)->have, (s)->v, VAX_NVALS(s), first_u)

HARNESS static void junk_domain(struct rng *r, struct vax_domain *d)
{
	JUNK(r, &d->vals, VAX_DOM_U_CPU);
	for (size_t i = 0; i < d->nvcpus; i++)
		JUNK(r, &d->vcpus[i].vals, VAX_VCPU_U_BUSY);
	for (size_t i = 0; i < d->def->ndisks; i++)
		JUNK(r, &d->disks[i].vals, VAX_DISK_U_RD_BPS);
	for (size_t i = 0; i < d->def->nnics; i++)
		JUNK(r, &d->nics[i].vals, VAX_NIC_U_FIRST);
}

/* A copy of from (the same definition, the same index). */
HARNESS static bool dup_domain(struct vax_domain *to, const struct vax_domain *from)
{
	if (!init_domain(to, from->def, from->index))
		return false;
	memcpy(to->uuid, from->uuid, sizeof(to->uuid));
	to->vals = from->vals;
	to->stats_ms = from->stats_ms;
	to->carried = from->carried;
	to->usage_ms = from->usage_ms;
	if (from->nvcpus) {
		if (!(to->vcpus = malloc(from->nvcpus * sizeof(*to->vcpus))))
			return false;
		memcpy(to->vcpus, from->vcpus, from->nvcpus * sizeof(*to->vcpus));
		to->nvcpus = from->nvcpus;
	}
	if (from->def->ndisks)
		memcpy(to->disks, from->disks, from->def->ndisks * sizeof(*to->disks));
	if (from->def->nnics)
		memcpy(to->nics, from->nics, from->def->nnics * sizeof(*to->nics));
	return true;
}

HARNESS static bool dup_str(char **to, const char *from)
{
	return !from || (*to = strdup(from));
}

/* The devices of def as an earlier sample saw them: rotated or reversed,
 * maybe one gone, maybe one more (a hot-plug renumbers them). Older device
 * k was def's device dperm[k] / nperm[k], or none (-1). NULL: no memory. */
HARNESS static struct vax_domdef *older_def(struct rng *r, const struct vax_domdef *def,
				    int *dperm, size_t *nd, int *nperm, size_t *nn)
{
	static const char *const extra[] = { "vdz", "hdc", "vnet99", NULL };
	struct vax_domdef *o = vax_domdef_new();
	size_t rot;
	bool rev;

	if (!o)
		return NULL;
	o->parsed = def->parsed;
	if (!(o->disks = calloc(def->ndisks + 1, sizeof(*o->disks))) ||
	    !(o->nics = calloc(def->nnics + 1, sizeof(*o->nics))))
		goto fail;

	*nd = 0;
	rot = (size_t)below(r, def->ndisks + 1), rev = one_in(r, 3);
	for (size_t k = 0; k < def->ndisks; k++)
		dperm[(*nd)++] = (int)(rev ? def->ndisks - 1 - k : (k + rot) % def->ndisks);
	if (*nd && one_in(r, 4)) {   /* unplugged since */
		size_t k = (size_t)below(r, *nd);
		dperm[k] = dperm[--*nd];
	}
	if (one_in(r, 4))
		dperm[(*nd)++] = -1;
	for (size_t k = 0; k < *nd; k++) {
		const char *t = dperm[k] >= 0 ? def->disks[dperm[k]].target
			: def->ndisks && one_in(r, 2) ? def->disks[below(r, def->ndisks)].target
			: extra[below(r, 4)];
		o->ndisks = k + 1;
		if (!dup_str(&o->disks[k].target, t))
			goto fail;
	}

	*nn = 0;
	rot = (size_t)below(r, def->nnics + 1), rev = one_in(r, 3);
	for (size_t k = 0; k < def->nnics; k++)
		nperm[(*nn)++] = (int)(rev ? def->nnics - 1 - k : (k + rot) % def->nnics);
	if (*nn && one_in(r, 4)) {
		size_t k = (size_t)below(r, *nn);
		nperm[k] = nperm[--*nn];
	}
	if (one_in(r, 4))
		nperm[(*nn)++] = -1;
	for (size_t k = 0; k < *nn; k++) {
		struct vax_nic_def *n = &o->nics[k];
		o->nnics = k + 1;
		if (nperm[k] >= 0) {
			const struct vax_nic_def *from = &def->nics[nperm[k]];
			if (!dup_str(&n->target, from->target))
				goto fail;
			memcpy(n->mac, from->mac, 6);
			n->has_mac = from->has_mac;
		} else {
			if (!dup_str(&n->target, extra[below(r, 4)]))
				goto fail;
			memcpy(n->mac, "\x52\x54\x00\x00\x00", 5);
			n->mac[5] = (uint8_t)below(r, 3);
			n->has_mac = !one_in(r, 3);
		}
	}
	return o;
fail:
	vax_domdef_unref(o);
	return NULL;
}

/* ---- the oracle: what usage.h and the usage spec promise ---- */

HARNESS static bool same_str(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/* The same run of the same domain: both have the same id, and the same
 * UUID. */
HARNESS static bool run_is_same(const struct vax_domain *a, const struct vax_domain *b)
{
	return vax_has(&a->vals, VAX_DOM_ID) && vax_has(&b->vals, VAX_DOM_ID) &&
	       a->vals.v[VAX_DOM_ID] == b->vals.v[VAX_DOM_ID] && !strcmp(a->uuid, b->uuid);
}

/* Device i of d in o: the same definition, the same device; else the
 * first by target name (a NIC without one on either side: by MAC). */
HARNESS static const struct vax_disk_vals *match_disk(const struct vax_domain *d, size_t i,
					      const struct vax_domain *o)
{
	if (d->def == o->def)
		return &o->disks[i].vals;
	for (size_t k = 0; k < o->def->ndisks; k++)
		if (same_str(o->def->disks[k].target, d->def->disks[i].target))
			return &o->disks[k].vals;
	return NULL;
}

HARNESS static const struct vax_nic_vals *match_nic(const struct vax_domain *d, size_t i,
					    const struct vax_domain *o)
{
	const struct vax_nic_def *n = &d->def->nics[i];

	if (d->def == o->def)
		return &o->nics[i].vals;
	for (size_t k = 0; k < o->def->nnics; k++) {
		const struct vax_nic_def *p = &o->def->nics[k];
		if (n->target || p->target) {
			if (same_str(n->target, p->target))
				return &o->nics[k].vals;
		} else if (n->has_mac && p->has_mac && !memcmp(n->mac, p->mac, 6))
			return &o->nics[k].vals;
	}
	return NULL;
}

/* Does a window end at before (d as it was when the call began) from
 * older, min_ms long at least? Its length in *ms. */
HARNESS static bool window_ends(const struct vax_domain *before, const struct vax_domain *older,
			int64_t min_ms, uint64_t *ms)
{
	if (!older || before->carried || older->carried || !before->stats_ms ||
	    !older->stats_ms || !run_is_same(before, older))
		return false;
	int64_t span = before->stats_ms - older->stats_ms;
	*ms = (uint64_t)span;
	return span > 0 && span >= min_ms;
}

/* newer - older of counter f, as both samples have it and it did not go
 * back; false otherwise. */
#define DELTA(nw, o, f, out) \
	(vax_has(nw, f) && vax_has(o, f) && (nw)->v[f] >= (o)->v[f] && \
	 (*(out) = (nw)->v[f] - (o)->v[f], true))

/* vax_usage_muldiv, checked against 128-bit arithmetic: round half up
 * of a * m / d, saturating. */
HARNESS static uint64_t muldiv(uint64_t a, uint64_t m, uint64_t d)
{
	uint64_t got = vax_usage_muldiv(a, m, d);
#ifdef __SIZEOF_INT128__
	unsigned __int128 p = (unsigned __int128)a * m, q = p / d, rem = p % d;

	q += rem >= d - rem;
	FUZZ_ASSERT(got == (q > UINT64_MAX ? UINT64_MAX : (uint64_t)q));
#endif
	return got;
}

/* Gauge g of value set s after a window: present only if ok (its
 * counters in both samples, not gone back, ...), and then exactly want;
 * or, when the exact divisor is past 64 bits (!exact: a window of
 * millions of years), at most 1, which it then rounds to. Present
 * whenever ok and must. */
#define GAUGE(s, g, ok, must, exact, want) do { \
	bool set_ = vax_has(s, g); \
	FUZZ_ASSERT(!set_ || (ok)); \
	FUZZ_ASSERT(!((ok) && (must)) || set_); \
	if (set_) \
		FUZZ_ASSERT((exact) ? (s)->v[g] == (want) : (s)->v[g] <= 1); \
} while (0)

/* Hundredths of a percent of one CPU for delta ns over ms (over cpus
 * CPUs): delta / (ms * 100 * cpus), when that divisor fits. */
#define CPU_FITS(ms, cpus) ((cpus) <= UINT64_MAX / 100 / (ms))

/* The values usage code must leave alone: everything but the gauges. */
HARNESS static void check_counters(const struct vax_domain *d, const struct vax_domain *before)
{
#define SAME(a, b, mask) do { \
	FUZZ_ASSERT(((a)->have & ~(uint64_t)(mask)) == ((b)->have & ~(uint64_t)(mask))); \
	for (int f_ = 0; f_ < (int)VAX_NVALS(a); f_++) \
		if (!((mask) & BIT(f_)) && vax_has(b, f_)) \
			FUZZ_ASSERT((a)->v[f_] == (b)->v[f_]); \
} while (0)
	FUZZ_ASSERT(d->def == before->def && d->nvcpus == before->nvcpus);
	FUZZ_ASSERT(d->stats_ms == before->stats_ms && d->carried == before->carried);
	SAME(&d->vals, &before->vals, DOM_U);
	for (size_t i = 0; i < d->nvcpus; i++)
		SAME(&d->vcpus[i].vals, &before->vcpus[i].vals, VCPU_U);
	for (size_t i = 0; i < d->def->ndisks; i++)
		SAME(&d->disks[i].vals, &before->disks[i].vals, DISK_U);
	for (size_t i = 0; i < d->def->nnics; i++)
		SAME(&d->nics[i].vals, &before->nics[i].vals, NIC_U);
#undef SAME
}

HARNESS static void check_no_gauges(const struct vax_domain *d)
{
	FUZZ_ASSERT(d->usage_ms == 0);
	FUZZ_ASSERT((d->vals.have & DOM_U) == 0);
	for (size_t i = 0; i < d->nvcpus; i++)
		FUZZ_ASSERT((d->vcpus[i].vals.have & VCPU_U) == 0);
	for (size_t i = 0; i < d->def->ndisks; i++)
		FUZZ_ASSERT((d->disks[i].vals.have & DISK_U) == 0);
	for (size_t i = 0; i < d->def->nnics; i++)
		FUZZ_ASSERT((d->nics[i].vals.have & NIC_U) == 0);
}

/* d after vax_usage_between(d, older, min_ms), before: d when it began. */
HARNESS static void check_window(const struct vax_domain *d, const struct vax_domain *before,
			 const struct vax_domain *older, int64_t min_ms, bool returned)
{
	static const struct { int from, to; } cpu[] = {
		{ VAX_DOM_CPU_TIME, VAX_DOM_U_CPU }, { VAX_DOM_CPU_USER, VAX_DOM_U_CPU_USER },
		{ VAX_DOM_CPU_SYSTEM, VAX_DOM_U_CPU_SYSTEM },
	}, vcpu[] = {
		{ VAX_VCPU_TIME, VAX_VCPU_U_BUSY }, { VAX_VCPU_DELAY, VAX_VCPU_U_STEAL },
		{ VAX_VCPU_WAIT, VAX_VCPU_U_WAIT },
	}, rate[] = {
		{ VAX_DISK_RD_BYTES, VAX_DISK_U_RD_BPS }, { VAX_DISK_WR_BYTES, VAX_DISK_U_WR_BPS },
		{ VAX_DISK_RD_REQS, VAX_DISK_U_RD_OPS }, { VAX_DISK_WR_REQS, VAX_DISK_U_WR_OPS },
		{ VAX_DISK_FL_REQS, VAX_DISK_U_FL_OPS },
	};
	static const struct { int time, reqs, to; } latency[] = {
		{ VAX_DISK_RD_TIME, VAX_DISK_RD_REQS, VAX_DISK_U_RD_LAT },
		{ VAX_DISK_WR_TIME, VAX_DISK_WR_REQS, VAX_DISK_U_WR_LAT },
		{ VAX_DISK_FL_TIME, VAX_DISK_FL_REQS, VAX_DISK_U_FL_LAT },
	};
	uint64_t ms = 0, dt = 0, rq = 0;
	bool ends = window_ends(before, older, min_ms, &ms), ok;

	check_counters(d, before);
	FUZZ_ASSERT(returned == ends);
	/* usage_ms is 0 exactly when no window ended. */
	FUZZ_ASSERT((d->usage_ms != 0) == ends);
	if (!ends) {
		check_no_gauges(d);
		return;
	}
	FUZZ_ASSERT(d->usage_ms == before->stats_ms);
	FUZZ_ASSERT(vax_has(&d->vals, VAX_DOM_U_WINDOW) && d->vals.v[VAX_DOM_U_WINDOW] == ms);

	const struct vax_vals *nv = &before->vals, *ov = &older->vals;
	for (size_t k = 0; k < FIELDS(cpu); k++) {
		ok = DELTA(nv, ov, cpu[k].from, &dt);
		GAUGE(&d->vals, cpu[k].to, ok, CPU_FITS(ms, 1), CPU_FITS(ms, 1),
		      muldiv(dt, 1, ms * 100));
	}
	uint64_t cur = nv->v[VAX_DOM_VCPU_CUR];
	ok = DELTA(nv, ov, VAX_DOM_CPU_TIME, &dt) && vax_has(nv, VAX_DOM_VCPU_CUR) && cur;
	GAUGE(&d->vals, VAX_DOM_U_CPU_VCPUS, ok, CPU_FITS(ms, cur) && cur <= UINT32_MAX,
	      CPU_FITS(ms, cur), muldiv(dt, 1, ms * 100 * cur));

	for (size_t i = 0; i < d->nvcpus; i++) {
		const struct vax_vcpu_vals *v = &d->vcpus[i].vals, *b = &before->vcpus[i].vals;
		/* vCPUs by number: a hot-plugged one has no gauge yet. */
		if (i >= older->nvcpus) {
			FUZZ_ASSERT((v->have & VCPU_U) == 0);
			continue;
		}
		for (size_t k = 0; k < FIELDS(vcpu); k++) {
			ok = DELTA(b, &older->vcpus[i].vals, vcpu[k].from, &dt);
			GAUGE(v, vcpu[k].to, ok, CPU_FITS(ms, 1), CPU_FITS(ms, 1),
			      muldiv(dt, 1, ms * 100));
		}
	}
	for (size_t i = 0; i < d->def->ndisks; i++) {
		const struct vax_disk_vals *v = &d->disks[i].vals, *b = &before->disks[i].vals;
		const struct vax_disk_vals *o = match_disk(before, i, older);
		if (!o) {
			FUZZ_ASSERT((v->have & DISK_U) == 0);
			continue;
		}
		for (size_t k = 0; k < FIELDS(rate); k++) {
			ok = DELTA(b, o, rate[k].from, &dt);
			GAUGE(v, rate[k].to, ok, true, true, muldiv(dt, 1000, ms));
		}
		/* Latency only when the window had a request of that kind. */
		for (size_t k = 0; k < FIELDS(latency); k++) {
			ok = DELTA(b, o, latency[k].time, &dt) && DELTA(b, o, latency[k].reqs, &rq) &&
			     rq > 0;
			GAUGE(v, latency[k].to, ok, rq <= UINT64_MAX / 1000, rq <= UINT64_MAX / 1000,
			      muldiv(dt, 1, rq * 1000));
		}
	}
	for (size_t i = 0; i < d->def->nnics; i++) {
		const struct vax_nic_vals *v = &d->nics[i].vals, *b = &before->nics[i].vals;
		const struct vax_nic_vals *o = match_nic(before, i, older);
		if (!o) {
			FUZZ_ASSERT((v->have & NIC_U) == 0);
			continue;
		}
		for (int f = VAX_NIC_RX_BYTES; f <= VAX_NIC_TX_DROP; f++) {
			ok = DELTA(b, o, f, &dt);
			GAUGE(v, VAX_NIC_U_FIRST + f, ok, true, true, muldiv(dt, 1000, ms));
		}
	}
}

/* d after vax_usage_carry(d, prev): exactly prev's gauges when the same
 * run, vCPUs by number, devices matched as for a window; else none. */
HARNESS static void check_carry(const struct vax_domain *d, const struct vax_domain *before,
			const struct vax_domain *prev)
{
#define SAME_GAUGES(a, b, mask) do { \
	FUZZ_ASSERT(((a)->have & (mask)) == ((b)->have & (mask))); \
	for (int f_ = 0; f_ < (int)VAX_NVALS(a); f_++) \
		if (((mask) & BIT(f_)) && vax_has(b, f_)) \
			FUZZ_ASSERT((a)->v[f_] == (b)->v[f_]); \
} while (0)
	check_counters(d, before);
	if (!prev || !prev->usage_ms || !run_is_same(before, prev)) {
		check_no_gauges(d);
		return;
	}
	FUZZ_ASSERT(d->usage_ms == prev->usage_ms);
	SAME_GAUGES(&d->vals, &prev->vals, DOM_U);
	for (size_t i = 0; i < d->nvcpus; i++) {
		if (i < prev->nvcpus)
			SAME_GAUGES(&d->vcpus[i].vals, &prev->vcpus[i].vals, VCPU_U);
		else
			FUZZ_ASSERT((d->vcpus[i].vals.have & VCPU_U) == 0);
	}
	for (size_t i = 0; i < d->def->ndisks; i++) {
		const struct vax_disk_vals *o = match_disk(before, i, prev);
		if (o)
			SAME_GAUGES(&d->disks[i].vals, o, DISK_U);
		else
			FUZZ_ASSERT((d->disks[i].vals.have & DISK_U) == 0);
	}
	for (size_t i = 0; i < d->def->nnics; i++) {
		const struct vax_nic_vals *o = match_nic(before, i, prev);
		if (o)
			SAME_GAUGES(&d->nics[i].vals, o, NIC_U);
		else
			FUZZ_ASSERT((d->nics[i].vals.have & NIC_U) == 0);
	}
#undef SAME_GAUGES
}

/* A minimum window: the collector's 1 s .. 1 h, and odd ones. */
HARNESS static int64_t pick_min_ms(struct rng *r)
{
	static const int64_t v[] = { 0, 1, 1000, 10000, 3600000, INT64_MAX };

	return one_in(r, 4) ? (int64_t)below(r, UINT64_C(1) << 23) : v[below(r, FIELDS(v))];
}

/* The window's length: none, 1 ms, just short of min_ms, exactly it, a
 * little past, a usual one, huge, negative (clock oddities). */
HARNESS static int64_t pick_span(struct rng *r, int64_t min_ms)
{
	switch (below(r, 9)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return min_ms - 1;
	case 3: return min_ms;
	case 4: return min_ms < INT64_MAX ? min_ms + 1 : min_ms;
	case 5: return (int64_t)below(r, UINT64_C(1) << 32);
	case 6: return INT64_MAX - 1 - (int64_t)below(r, 1000);
	case 7: return -1 - (int64_t)below(r, UINT64_C(1) << 32);
	default: return (int64_t)(rnd(r) >> 1);
	}
}

/* Sample times (monotonic ms, > 0) of the newer and older samples, span
 * apart, as far as they can be. */
HARNESS static void pick_times(struct rng *r, int64_t span, int64_t *newer, int64_t *older)
{
	int64_t base = 1 + (int64_t)below(r, UINT64_C(1) << 40);

	if (span >= INT64_MAX)
		span = INT64_MAX - 1;
	if (span >= 0) {
		*older = span > INT64_MAX - base ? INT64_MAX - span : base;
		*newer = *older + span;
	} else {
		*newer = base;
		*older = span < base - INT64_MAX ? INT64_MAX : base - span;
	}
}

/* Numbers at the edges for the muldiv check. */
HARNESS static uint64_t edgy(struct rng *r)
{
	static const uint64_t v[] = { 0, 1, 2, 3, 1000, UINT64_MAX, UINT64_MAX - 1,
				      UINT64_MAX / 2, UINT64_C(1) << 54, UINT64_C(1) << 63 };

	return one_in(r, 2) ? v[below(r, FIELDS(v))] : rnd(r) >> below(r, 64);
}

/* The record's domain d (values from the fuzzed record, definition def)
 * as the newer of two samples of one run, an older one made from it;
 * through vax_usage_between and vax_usage_carry, then a whole refresh's
 * vax_usage_fill on sealed base and prev snapshots, as the collector
 * calls it before sealing. */
HARNESS static void check_usage(const struct vax_domain *d, struct vax_domdef *def,
			const uint8_t *data, size_t size)
{
	struct vax_domain n, before, next, next0, *o, *c, *x, *cb = NULL;
	const struct vax_domain *ob, *older, *pv;
	struct vax_snapshot *base = NULL, *prev = NULL, *cur = NULL;
	struct vax_domdef *odef = NULL;
	int *dperm = NULL, *nperm = NULL;
	size_t nd = 0, nn = 0, onv;
	int64_t min_ms, span, newer_ms, older_ms, base_ms, now_ms;
	uint64_t id;
	bool ended, use_base, use_prev, replace;
	struct rng r;
	const uint32_t index = 3;

	memset(&n, 0, sizeof(n));
	memset(&before, 0, sizeof(before));
	memset(&next, 0, sizeof(next));
	memset(&next0, 0, sizeof(next0));
	rng_seed(&r, data, size);

	/* vax_usage_muldiv on its own, at the edges. */
	for (int k = 0; k < 4; k++) {
		uint64_t a = edgy(&r), m = edgy(&r), dv = edgy(&r);
		(void)muldiv(a, m, dv ? dv : 1);
	}

	/* MACs for the NICs (bulk stats never read them): some duplicates,
	 * some missing, for matching NICs without a host-side name. */
	for (size_t i = 0; i < def->nnics; i++) {
		memcpy(def->nics[i].mac, "\x52\x54\x00\x00\x00", 5);
		def->nics[i].mac[5] = (uint8_t)below(&r, 3);
		def->nics[i].has_mac = !one_in(&r, 3);
	}

	/* The window and when the two samples were taken. */
	min_ms = pick_min_ms(&r);
	span = pick_span(&r, min_ms);
	pick_times(&r, span, &newer_ms, &older_ms);

	/* The newer sample: the record, a running domain (an id; rarely
	 * none), maybe carried over, maybe with an earlier window's gauges
	 * left in it, rarely without runtime stats. */
	if (!dup_domain(&n, d))
		goto out;
	n.index = index;
	/* The first USAGE_VCPUS vCPUs only: usage.c treats 16384 as it does
	 * 64, and a dozen copies of 16384 made the fuzzer ten times slower. */
	if (n.nvcpus > USAGE_VCPUS)
		n.nvcpus = USAGE_VCPUS;
	id = below(&r, 1u << 16);
	if (!one_in(&r, 16))
		vax_set(&n.vals, VAX_DOM_ID, id);
	n.carried = one_in(&r, 8);
	if (one_in(&r, 2))
		junk_domain(&r, &n);
	n.usage_ms = one_in(&r, 2) ? (int64_t)below(&r, INT64_MAX) : 0;
	n.stats_ms = one_in(&r, 16) ? 0 : newer_ms;

	/* The base snapshot (sealed, as the collector keeps it): the older
	 * sample, maybe beside a copy of the newer one under another index. */
	if (!(base = vax_snapshot_new(2)))
		goto out;
	if (one_in(&r, 2)) {
		if (!(x = vax_snapshot_add(base)) || !dup_domain(x, &n))
			goto out;
		x->index = index + 1 + (uint32_t)below(&r, 2);
		x->stats_ms = older_ms;
	}
	if (!(dperm = calloc(def->ndisks + 1, sizeof(*dperm))) ||
	    !(nperm = calloc(def->nnics + 1, sizeof(*nperm))))
		goto out;
	if (one_in(&r, 3)) {   /* the devices changed since */
		if (!(odef = older_def(&r, def, dperm, &nd, nperm, &nn)))
			goto out;
	} else {
		odef = vax_domdef_ref(def);
		for (size_t k = 0; k < def->ndisks; k++)
			dperm[k] = (int)k;
		for (size_t k = 0; k < def->nnics; k++)
			nperm[k] = (int)k;
		nd = def->ndisks, nn = def->nnics;
	}
	if (!(o = vax_snapshot_add(base)) || !init_domain(o, odef, index))
		goto out;
	memcpy(o->uuid, n.uuid, sizeof(o->uuid));
	if (one_in(&r, 16))
		o->uuid[0] = 'f';   /* another domain, given the index */
	{
		const struct vax_vals *nvals = &n.vals;
		DERIVE(&r, &o->vals, nvals, VAX_DOM_U_CPU);
	}
	vax_unset(&o->vals, VAX_DOM_ID);
	switch (below(&r, 16)) {
	case 0: break;                                          /* not running */
	case 1: vax_set(&o->vals, VAX_DOM_ID, id + 1); break;   /* restarted since */
	default: vax_set(&o->vals, VAX_DOM_ID, id); break;
	}
	o->carried = one_in(&r, 8);
	o->stats_ms = one_in(&r, 16) ? 0 : older_ms;
	o->usage_ms = one_in(&r, 4) ? 0 : older_ms;
	/* vCPUs: as many, fewer (one plugged in since), or more. */
	onv = n.nvcpus;
	if (one_in(&r, 4))
		onv = (size_t)below(&r, n.nvcpus + 1);
	else if (one_in(&r, 4))
		onv = n.nvcpus + 1 + (size_t)below(&r, 3);
	if (onv && !(o->vcpus = calloc(onv, sizeof(*o->vcpus))))
		goto out;
	o->nvcpus = onv;
	for (size_t i = 0; i < onv; i++) {
		const struct vax_vcpu_vals *nw = i < n.nvcpus ? &n.vcpus[i].vals : NULL;
		DERIVE(&r, &o->vcpus[i].vals, nw, VAX_VCPU_U_BUSY);
	}
	for (size_t k = 0; k < nd; k++) {
		const struct vax_disk_vals *nw = dperm[k] >= 0 ? &n.disks[dperm[k]].vals : NULL;
		DERIVE(&r, &o->disks[k].vals, nw, VAX_DISK_U_RD_BPS);
	}
	for (size_t k = 0; k < nn; k++) {
		const struct vax_nic_vals *nw = nperm[k] >= 0 ? &n.nics[nperm[k]].vals : NULL;
		DERIVE(&r, &o->nics[k].vals, nw, VAX_NIC_U_FIRST);
	}
	if (vax_snapshot_seal(base) < 0)
		goto out;
	ob = vax_snapshot_find(base, index);
	FUZZ_ASSERT(ob != NULL);

	/* One window, from the older sample (rarely none). */
	older = one_in(&r, 16) ? NULL : ob;
	if (!dup_domain(&before, &n))
		goto out;
	ended = vax_usage_between(&n, older, min_ms);
	check_window(&n, &before, older, min_ms, ended);

	/* The next refresh ends no window: n's gauges carried into it (a
	 * restart in between: none), maybe with a vCPU fewer. */
	if (!dup_domain(&next, &before))
		goto out;
	if (one_in(&r, 8))
		vax_set(&next.vals, VAX_DOM_ID, id + 1);
	if (next.nvcpus && one_in(&r, 4))
		next.nvcpus = (size_t)below(&r, next.nvcpus);
	junk_domain(&r, &next);
	if (!dup_domain(&next0, &next))
		goto out;
	pv = one_in(&r, 16) ? NULL : &n;
	vax_usage_carry(&next, pv);
	check_carry(&next, &next0, pv);

	/* A whole refresh: the newer sample again and a new domain, in an
	 * unsealed snapshot; prev holds n or the older sample with its own
	 * gauges (maybe under another definition). */
	if (!(prev = vax_snapshot_new(1)) || !(cur = vax_snapshot_new(2)))
		goto out;
	if (!(x = vax_snapshot_add(prev)) || !dup_domain(x, one_in(&r, 2) ? &n : ob))
		goto out;
	x->index = index;
	if (vax_snapshot_seal(prev) < 0)
		goto out;
	if (!(c = vax_snapshot_add(cur)) || !dup_domain(c, &before))
		goto out;
	if (one_in(&r, 2))
		junk_domain(&r, c);
	if (!(c = vax_snapshot_add(cur)) || !dup_domain(c, &before))
		goto out;
	c->index = index + 1;
	if (!(cb = calloc(2, sizeof(*cb))) || !dup_domain(&cb[0], &cur->domains[0]) ||
	    !dup_domain(&cb[1], &cur->domains[1]))
		goto out;
	use_base = !one_in(&r, 8);
	use_prev = !one_in(&r, 8);
	base_ms = older_ms;
	now_ms = newer_ms;
	if (one_in(&r, 4) && base_ms <= INT64_MAX - (INT64_C(1) << 24))
		now_ms = base_ms + (int64_t)below(&r, UINT64_C(1) << 24);
	if (now_ms < base_ms)
		now_ms = base_ms;
	replace = vax_usage_fill(cur->domains, cur->ndomains, use_base ? base : NULL, base_ms,
				 use_prev ? prev : NULL, now_ms, min_ms);
	FUZZ_ASSERT(replace == (!use_base || now_ms - base_ms >= min_ms));
	for (size_t i = 0; i < cur->ndomains; i++) {
		const struct vax_domain *e = &cur->domains[i];
		const struct vax_domain *b = use_base ? vax_snapshot_find(base, e->index) : NULL;
		const struct vax_domain *q = use_prev ? vax_snapshot_find(prev, e->index) : NULL;
		uint64_t ms;
		/* A window from base, else the last one carried from prev. */
		if (window_ends(&cb[i], b, min_ms, &ms))
			check_window(e, &cb[i], b, min_ms, true);
		else
			check_carry(e, &cb[i], q);
	}
	if (vax_snapshot_seal(cur) == 0)
		FUZZ_ASSERT(cur->ndomains == 2);
out:
	if (cb) {
		vax_domain_clear(&cb[0]);
		vax_domain_clear(&cb[1]);
		free(cb);
	}
	free(dperm);
	free(nperm);
	vax_snapshot_free(cur);
	vax_snapshot_free(prev);
	vax_snapshot_free(base);
	vax_domdef_unref(odef);
	vax_domain_clear(&next0);
	vax_domain_clear(&next);
	vax_domain_clear(&before);
	vax_domain_clear(&n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stats_input in = { 0 };
	struct vax_snapshot *snap = NULL;
	struct vax_domain d, *e;
	bool unknown_dev = true;
	unsigned groups;
	uint64_t used;

	memset(&d, 0, sizeof(d));
	if (!stats_input_decode(data, size, &in) || !init_domain(&d, in.def, 1))
		goto out;

	groups = vax_stats_apply(&d, in.p, in.n, &unknown_dev);
	check_domain(&d, &in, groups);
	(void)vax_stats_skipped(&d);
	if (vax_domain_mem_used(&d, &used))
		FUZZ_ASSERT(used <= d.vals.v[VAX_DOM_BAL_AVAILABLE]);

	/* The per-domain CPU fallback reads typed parameters too. */
	vax_stats_from_cpu(&d, in.p, in.n);

	/* Next refresh: a domain the bulk call skipped keeps these values. */
	if (!(snap = vax_snapshot_new(1)) || !(e = vax_snapshot_add(snap)) ||
	    !init_domain(e, in.def, 2))
		goto out;
	vax_stats_carry_over(&d, e, VAX_GRP_ALL);
	FUZZ_ASSERT(e->nvcpus == d.nvcpus);
	for (size_t i = 0; i < in.def->ndisks; i++)
		FUZZ_ASSERT(e->disks[i].vals.have == d.disks[i].vals.have);
	for (size_t i = 0; i < in.def->nnics; i++)
		FUZZ_ASSERT(e->nics[i].vals.have == d.nics[i].vals.have);
	if (vax_snapshot_seal(snap) == 0) {
		FUZZ_ASSERT(snap->nvcpu_rows == d.nvcpus);
		FUZZ_ASSERT(snap->ndisk_rows == in.def->ndisks);
		FUZZ_ASSERT(snap->nnic_rows == in.def->nnics);
	}

	/* The usage gauges, the record's domain as the newer sample. */
	check_usage(&d, in.def, data, size);
out:
	vax_snapshot_free(snap);
	vax_domain_clear(&d);
	stats_input_free(&in);
	return 0;
}
