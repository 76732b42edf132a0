/* check_usage.c - usage gauges between two samples of a domain (usage.c):
 * the window, the numbers, and every case where a gauge is absent. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "usage.h"

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))
#define UUID1 "8e3b1c1a-0d5e-4f8a-9a51-000000000001"
#define UUID2 "8e3b1c1a-0d5e-4f8a-9a51-000000000002"
#define UUID3 "8e3b1c1a-0d5e-4f8a-9a51-000000000003"
#define BIT(f) (UINT64_C(1) << (f))
#define SEC UINT64_C(1000000000)   /* ns */
#define WINDOW 10000               /* ms: the default usageWindow */

/* Every *_U_* field: each enum's gauges come last. */
#define DOM_U (~(BIT(VAX_DOM_U_CPU) - 1) & (BIT(VAX_DOM_NFIELDS) - 1))
#define VCPU_U (~(BIT(VAX_VCPU_U_BUSY) - 1) & (BIT(VAX_VCPU_NFIELDS) - 1))
#define DISK_U (~(BIT(VAX_DISK_U_RD_BPS) - 1) & (BIT(VAX_DISK_NFIELDS) - 1))
#define NIC_U (~(BIT(VAX_NIC_U_FIRST) - 1) & (BIT(VAX_NIC_NFIELDS) - 1))
#define NIC_RATE(f) (VAX_NIC_U_FIRST + (f))

#define HAS(s, f, x) do { \
	ck_assert_msg(vax_has(s, f), "%s: field %d absent", #s, (int)(f)); \
	ck_assert_msg((s)->v[f] == (uint64_t)(x), "%s: field %d is %llu, not %llu", #s, \
		      (int)(f), (unsigned long long)(s)->v[f], (unsigned long long)(x)); \
} while (0)
#define NONE(s, f) ck_assert_msg(!vax_has(s, f), "%s: field %d present: %llu", #s, \
				 (int)(f), (unsigned long long)(s)->v[f])
/* Exactly these gauges of a value set (the counters are not checked). */
#define ONLY(s, mask, want) ck_assert_msg(((s)->have & (mask)) == (want), \
	"%s: gauges 0x%llx, not 0x%llx", #s, (unsigned long long)((s)->have & (mask)), \
	(unsigned long long)(want))

/* The two samples of a domain most tests compare: older, then newer. */
static struct vax_domain older, newer;

/* A definition with disks vda, vdb and NICs vnet0, vnet1, MACs ...:01, :02. */
static struct vax_domdef *two_by_two(void)
{
	struct vax_domdef *def = fx_domdef_n(2, 2);

	for (int i = 0; i < 2; i++) {
		memcpy(def->nics[i].mac, "\x52\x54\x00\x00\x00", 5);
		def->nics[i].mac[5] = (uint8_t)(i + 1);
		def->nics[i].has_mac = true;
	}
	return def;
}

/* A running domain's sample taken at ms, run id, 4 vCPUs, the given
 * definition (the reference is taken over), no counters. */
static void sample(struct vax_domain *d, int64_t ms, uint64_t id, struct vax_domdef *def)
{
	fx_domain_init(d, 1, "web01", UUID1, 1, def, 4);
	d->stats_ms = ms;
	vax_set(&d->vals, VAX_DOM_ID, id);
	vax_set(&d->vals, VAX_DOM_VCPU_CUR, 4);
}

/* The counters of a sample: "at" 0 is the older sample's; 1 adds a
 * window's traffic (over 10 s: the gauges in the comments). */
static void cpu_counters(struct vax_domain *d, uint64_t at)
{
	vax_set(&d->vals, VAX_DOM_CPU_TIME, 100 * SEC + at * 1500000000);   /* 15% */
	vax_set(&d->vals, VAX_DOM_CPU_USER, 60 * SEC + at * 1000000000);    /* 10% */
	vax_set(&d->vals, VAX_DOM_CPU_SYSTEM, 20 * SEC + at * 300000000);   /* 3% */
	/* vCPU 0: 40% busy, 0.25% steal, no wait; vCPU 1: all busy; 2 and 3
	 * only a time (no steal or wait reported), idle. */
	vax_set(&d->vcpus[0].vals, VAX_VCPU_TIME, 30 * SEC + at * 4 * SEC);
	vax_set(&d->vcpus[0].vals, VAX_VCPU_DELAY, SEC + at * 25000000);
	vax_set(&d->vcpus[0].vals, VAX_VCPU_WAIT, 2 * SEC);
	vax_set(&d->vcpus[1].vals, VAX_VCPU_TIME, 40 * SEC + at * 10 * SEC);
	vax_set(&d->vcpus[1].vals, VAX_VCPU_DELAY, 0);
	vax_set(&d->vcpus[1].vals, VAX_VCPU_WAIT, 0);
	vax_set(&d->vcpus[2].vals, VAX_VCPU_TIME, 5 * SEC);
	vax_set(&d->vcpus[3].vals, VAX_VCPU_TIME, 5 * SEC);
}

static void vda_counters(struct vax_disk_vals *vda, uint64_t at)
{
	/* vda: 1 MiB/s read in 10 req/s of 250 us; 5 writes (0.5/s, rounded
	 * up) of 1.2 ms writing 1 byte (0.1 B/s: 0); no flush. */
	vax_set(vda, VAX_DISK_RD_BYTES, 1000000 + at * 10485760);
	vax_set(vda, VAX_DISK_RD_REQS, 300 + at * 100);
	vax_set(vda, VAX_DISK_RD_TIME, 7 * SEC + at * 100 * 250000);
	vax_set(vda, VAX_DISK_WR_BYTES, 2000000 + at);
	vax_set(vda, VAX_DISK_WR_REQS, 400 + at * 5);
	vax_set(vda, VAX_DISK_WR_TIME, 9 * SEC + at * 5 * 1200000);
	vax_set(vda, VAX_DISK_FL_REQS, 50);
	vax_set(vda, VAX_DISK_FL_TIME, SEC);
	vax_set(vda, VAX_DISK_CAPACITY, 10 * SEC);   /* a size: no gauge */
}

static void vdb_counters(struct vax_disk_vals *vdb, uint64_t at)
{
	vax_set(vdb, VAX_DISK_RD_BYTES, 500 + at * 10000);   /* read only, 1000 B/s */
}

static void vnet0_counters(struct vax_nic_vals *n, uint64_t at)
{
	vax_set(n, VAX_NIC_RX_BYTES, 1000 + at * 1250000);   /* 125000/s */
	vax_set(n, VAX_NIC_RX_PKTS, 10 + at * 1000);         /* 100/s */
	vax_set(n, VAX_NIC_RX_ERRS, 3);                      /* 0/s */
	vax_set(n, VAX_NIC_RX_DROP, 4 + at * 10);            /* 1/s */
	vax_set(n, VAX_NIC_TX_BYTES, 2000 + at * 2500000);   /* 250000/s */
	vax_set(n, VAX_NIC_TX_PKTS, 20 + at * 2000);         /* 200/s */
	vax_set(n, VAX_NIC_TX_ERRS, 5 + at * 20);            /* 2/s */
	vax_set(n, VAX_NIC_TX_DROP, 6 + at * 35);            /* 3.5/s: 4 */
	vax_set(n, VAX_NIC_HOST_IFINDEX, 12);
}

/* All of them, for two_by_two()'s devices (vnet1 has no counter). */
static void counters(struct vax_domain *d, uint64_t at)
{
	cpu_counters(d, at);
	vda_counters(&d->disks[0].vals, at);
	vdb_counters(&d->disks[1].vals, at);
	vnet0_counters(&d->nics[0].vals, at);
}

/* older at 100 s, newer one window later, the same run, one definition. */
static void setup(void)
{
	struct vax_domdef *def = two_by_two();

	sample(&older, 100000, 7, vax_domdef_ref(def));
	sample(&newer, 100000 + WINDOW, 7, def);
	counters(&older, 0);
	counters(&newer, 1);
}

static void teardown(void)
{
	vax_domain_clear(&older);
	vax_domain_clear(&newer);
}

/* Every gauge field set, to see what clears them (stale values: the
 * stats carry-over copies whole vCPU and device sets). */
static void stale_gauges(struct vax_domain *d)
{
	for (int f = VAX_DOM_U_CPU; f < VAX_DOM_NFIELDS; f++)
		vax_set(&d->vals, f, 4242);
	for (size_t i = 0; i < d->nvcpus; i++)
		for (int f = VAX_VCPU_U_BUSY; f < VAX_VCPU_NFIELDS; f++)
			vax_set(&d->vcpus[i].vals, f, 4242);
	for (size_t i = 0; i < d->def->ndisks; i++)
		for (int f = VAX_DISK_U_RD_BPS; f < VAX_DISK_NFIELDS; f++)
			vax_set(&d->disks[i].vals, f, 4242);
	for (size_t i = 0; i < d->def->nnics; i++)
		for (int f = VAX_NIC_U_FIRST; f < VAX_NIC_NFIELDS; f++)
			vax_set(&d->nics[i].vals, f, 4242);
	d->usage_ms = 4242;
}

/* No gauge anywhere in d, no usage time; its counters untouched. */
static void expect_no_gauges(const struct vax_domain *d)
{
	ck_assert_uint_eq(d->vals.have & DOM_U, 0);
	for (size_t i = 0; i < d->nvcpus; i++)
		ck_assert_msg((d->vcpus[i].vals.have & VCPU_U) == 0, "vCPU %zu", i);
	for (size_t i = 0; i < d->def->ndisks; i++)
		ck_assert_msg((d->disks[i].vals.have & DISK_U) == 0, "disk %zu", i);
	for (size_t i = 0; i < d->def->nnics; i++)
		ck_assert_msg((d->nics[i].vals.have & NIC_U) == 0, "NIC %zu", i);
	ck_assert_int_eq(d->usage_ms, 0);
	ck_assert(vax_has(&d->vals, VAX_DOM_CPU_TIME));
}

/* ---- a window ---- */

START_TEST(test_cpu)
{
	ck_assert(vax_usage_between(&newer, &older, WINDOW));
	HAS(&newer.vals, VAX_DOM_U_CPU, 1500);         /* 1.5 s over 10 s */
	HAS(&newer.vals, VAX_DOM_U_CPU_VCPUS, 375);    /* over its 4 vCPUs */
	HAS(&newer.vals, VAX_DOM_U_CPU_USER, 1000);
	HAS(&newer.vals, VAX_DOM_U_CPU_SYSTEM, 300);
	HAS(&newer.vals, VAX_DOM_U_WINDOW, WINDOW);
	ONLY(&newer.vals, DOM_U, DOM_U);
	ck_assert_int_eq(newer.usage_ms, newer.stats_ms);
	/* The counters stay as they were; older is not written. */
	HAS(&newer.vals, VAX_DOM_CPU_TIME, 100 * SEC + 1500000000);
	ck_assert_uint_eq(older.vals.have & DOM_U, 0);
	ck_assert_int_eq(older.usage_ms, 0);
}
END_TEST

/* Over a longer window the same traffic is a smaller rate. */
START_TEST(test_cpu_long_window)
{
	newer.stats_ms = older.stats_ms + 60000;
	ck_assert(vax_usage_between(&newer, &older, WINDOW));
	HAS(&newer.vals, VAX_DOM_U_CPU, 250);          /* 1.5 s over 60 s */
	HAS(&newer.vals, VAX_DOM_U_CPU_VCPUS, 63);     /* 62.5, half up */
	HAS(&newer.vals, VAX_DOM_U_CPU_USER, 167);     /* 166.67 */
	HAS(&newer.vals, VAX_DOM_U_CPU_SYSTEM, 50);
	HAS(&newer.vals, VAX_DOM_U_WINDOW, 60000);
}
END_TEST

/* A guest using more than one host CPU: above 10000, not capped. */
START_TEST(test_cpu_above_one_cpu)
{
	vax_set(&newer.vals, VAX_DOM_CPU_TIME, 100 * SEC + 40 * SEC);   /* 4 CPUs busy */
	ck_assert(vax_usage_between(&newer, &older, WINDOW));
	HAS(&newer.vals, VAX_DOM_U_CPU, 40000);
	HAS(&newer.vals, VAX_DOM_U_CPU_VCPUS, 10000);
}
END_TEST

/* The normalised gauge needs a current vCPU count that makes sense. */
static const struct { bool has; uint64_t n; bool want; uint64_t gauge; } vcpu_counts[] = {
	{ true, 1, true, 1500 },
	{ true, 3, true, 500 },
	{ true, 16, true, 94 },                  /* 93.75 */
	{ false, 0, false, 0 },
	{ true, 0, false, 0 },
	{ true, UINT32_MAX, true, 0 },
	{ true, UINT64_C(1) << 32, false, 0 },   /* beyond any count */
};

START_TEST(test_cpu_vcpus_count)
{
	if (vcpu_counts[_i].has)
		vax_set(&newer.vals, VAX_DOM_VCPU_CUR, vcpu_counts[_i].n);
	else
		vax_unset(&newer.vals, VAX_DOM_VCPU_CUR);
	ck_assert(vax_usage_between(&newer, &older, WINDOW));
	if (vcpu_counts[_i].want)
		HAS(&newer.vals, VAX_DOM_U_CPU_VCPUS, vcpu_counts[_i].gauge);
	else
		NONE(&newer.vals, VAX_DOM_U_CPU_VCPUS);
	HAS(&newer.vals, VAX_DOM_U_CPU, 1500);   /* the others regardless */
}
END_TEST

START_TEST(test_vcpus)
{
	ck_assert(vax_usage_between(&newer, &older, WINDOW));
	HAS(&newer.vcpus[0].vals, VAX_VCPU_U_BUSY, 4000);
	HAS(&newer.vcpus[0].vals, VAX_VCPU_U_STEAL, 25);
	HAS(&newer.vcpus[0].vals, VAX_VCPU_U_WAIT, 0);     /* a present 0 */
	HAS(&newer.vcpus[1].vals, VAX_VCPU_U_BUSY, 10000);
	HAS(&newer.vcpus[1].vals, VAX_VCPU_U_STEAL, 0);
	HAS(&newer.vcpus[1].vals, VAX_VCPU_U_WAIT, 0);
	for (int i = 2; i < 4; i++) {
		HAS(&newer.vcpus[i].vals, VAX_VCPU_U_BUSY, 0);
		ONLY(&newer.vcpus[i].vals, VCPU_U, BIT(VAX_VCPU_U_BUSY));
	}
}
END_TEST

START_TEST(test_disks)
{
	const struct vax_disk_vals *vda = &newer.disks[0].vals, *vdb = &newer.disks[1].vals;

	ck_assert(vax_usage_between(&newer, &older, WINDOW));
	HAS(vda, VAX_DISK_U_RD_BPS, 1048576);
	HAS(vda, VAX_DISK_U_WR_BPS, 0);          /* 0.1 B/s */
	HAS(vda, VAX_DISK_U_RD_OPS, 10);
	HAS(vda, VAX_DISK_U_WR_OPS, 1);          /* 0.5/s, half up */
	HAS(vda, VAX_DISK_U_FL_OPS, 0);
	HAS(vda, VAX_DISK_U_RD_LAT, 250);        /* us per request */
	HAS(vda, VAX_DISK_U_WR_LAT, 1200);
	NONE(vda, VAX_DISK_U_FL_LAT);            /* no flush in the window: not 0 */
	ONLY(vda, DISK_U, DISK_U & ~BIT(VAX_DISK_U_FL_LAT));
	HAS(vdb, VAX_DISK_U_RD_BPS, 1000);
	ONLY(vdb, DISK_U, BIT(VAX_DISK_U_RD_BPS));
}
END_TEST

/* Latency: the time spent over the requests of the window alone. */
static const struct { uint64_t reqs, ns; bool want; uint64_t us; } latencies[] = {
	{ 1, 1000, true, 1 },
	{ 1, 1499, true, 1 },
	{ 1, 1500, true, 2 },         /* half up */
	{ 3, 1000, true, 0 },         /* 0.33 us */
	{ 2, 0, true, 0 },            /* requests that took no time */
	{ 0, 0, false, 0 },           /* no request */
	{ 0, 5000, false, 0 },        /* time but no request: still none */
	{ 1, 60 * SEC, true, 60000000 },
	{ UINT64_MAX / 1000, UINT64_MAX / 1000 * 1000, true, 1 },
	{ UINT64_MAX / 1000 + 1, UINT64_MAX / 1000 * 1000, false, 0 },   /* beyond */
};

START_TEST(test_disk_latency)
{
	struct vax_disk_vals *o = &older.disks[0].vals, *n = &newer.disks[0].vals;

	vax_set(o, VAX_DISK_FL_REQS, 0);
	vax_set(o, VAX_DISK_FL_TIME, 0);
	vax_set(n, VAX_DISK_FL_REQS, latencies[_i].reqs);
	vax_set(n, VAX_DISK_FL_TIME, latencies[_i].ns);
	ck_assert(vax_usage_between(&newer, &older, WINDOW));
	if (latencies[_i].want)
		HAS(n, VAX_DISK_U_FL_LAT, latencies[_i].us);
	else
		NONE(n, VAX_DISK_U_FL_LAT);
	HAS(n, VAX_DISK_U_FL_OPS, vax_usage_muldiv(latencies[_i].reqs, 1000, WINDOW));
}
END_TEST

START_TEST(test_nics)
{
	const struct vax_nic_vals *n = &newer.nics[0].vals;

	ck_assert(vax_usage_between(&newer, &older, WINDOW));
	HAS(n, NIC_RATE(VAX_NIC_RX_BYTES), 125000);
	HAS(n, NIC_RATE(VAX_NIC_RX_PKTS), 100);
	HAS(n, NIC_RATE(VAX_NIC_RX_ERRS), 0);
	HAS(n, NIC_RATE(VAX_NIC_RX_DROP), 1);
	HAS(n, NIC_RATE(VAX_NIC_TX_BYTES), 250000);
	HAS(n, NIC_RATE(VAX_NIC_TX_PKTS), 200);
	HAS(n, NIC_RATE(VAX_NIC_TX_ERRS), 2);
	HAS(n, NIC_RATE(VAX_NIC_TX_DROP), 4);    /* 3.5/s */
	ONLY(n, NIC_U, NIC_U);
	ck_assert_uint_eq(newer.nics[1].vals.have & NIC_U, 0);
	HAS(n, VAX_NIC_HOST_IFINDEX, 12);        /* not a counter: untouched */
}
END_TEST

/* Rates from 64-bit counters: the whole range, and no more. */
START_TEST(test_big_counters)
{
	struct vax_disk_vals *o = &older.disks[0].vals, *n = &newer.disks[0].vals;

	/* Near the top, still going up: a plain delta. */
	vax_set(o, VAX_DISK_RD_BYTES, UINT64_MAX - 20000);
	vax_set(n, VAX_DISK_RD_BYTES, UINT64_MAX);
	/* From 0 to the top in 1 ms: saturated, not wrapped. */
	vax_set(o, VAX_DISK_WR_BYTES, 0);
	vax_set(n, VAX_DISK_WR_BYTES, UINT64_MAX);
	vax_set(&older.vals, VAX_DOM_CPU_TIME, 0);
	vax_set(&newer.vals, VAX_DOM_CPU_TIME, UINT64_MAX);
	newer.stats_ms = older.stats_ms + 1;
	ck_assert(vax_usage_between(&newer, &older, 1));
	HAS(n, VAX_DISK_U_RD_BPS, 20000000);
	HAS(n, VAX_DISK_U_WR_BPS, UINT64_MAX);
	HAS(&newer.vals, VAX_DOM_U_CPU, UINT64_MAX / 100);   /* ...516.15 */
	HAS(&newer.vals, VAX_DOM_U_WINDOW, 1);
}
END_TEST

/* A counter that wrapped past UINT64_MAX looks like one that went back:
 * absent, not a spike of 2^64 bytes. */
START_TEST(test_wrapped_counter)
{
	vax_set(&older.disks[0].vals, VAX_DISK_RD_BYTES, UINT64_MAX - 10);
	vax_set(&newer.disks[0].vals, VAX_DISK_RD_BYTES, 5);
	vax_set(&older.nics[0].vals, VAX_NIC_TX_BYTES, UINT64_MAX);
	vax_set(&newer.nics[0].vals, VAX_NIC_TX_BYTES, 0);
	ck_assert(vax_usage_between(&newer, &older, WINDOW));
	NONE(&newer.disks[0].vals, VAX_DISK_U_RD_BPS);
	HAS(&newer.disks[0].vals, VAX_DISK_U_RD_OPS, 10);
	NONE(&newer.nics[0].vals, NIC_RATE(VAX_NIC_TX_BYTES));
	HAS(&newer.nics[0].vals, NIC_RATE(VAX_NIC_TX_PKTS), 200);
}
END_TEST

/* ---- a counter went back or is missing: that gauge alone is absent ---- */

START_TEST(test_backwards)
{
	vax_set(&newer.vals, VAX_DOM_CPU_TIME, 100 * SEC - 1);
	vax_set(&newer.vcpus[0].vals, VAX_VCPU_DELAY, SEC - 1);
	vax_set(&newer.disks[0].vals, VAX_DISK_RD_REQS, 299);
	vax_set(&newer.nics[0].vals, VAX_NIC_RX_DROP, 3);
	ck_assert(vax_usage_between(&newer, &older, WINDOW));
	/* cpu.time: both CPU gauges that come from it. */
	NONE(&newer.vals, VAX_DOM_U_CPU);
	NONE(&newer.vals, VAX_DOM_U_CPU_VCPUS);
	HAS(&newer.vals, VAX_DOM_U_CPU_USER, 1000);
	HAS(&newer.vals, VAX_DOM_U_CPU_SYSTEM, 300);
	HAS(&newer.vals, VAX_DOM_U_WINDOW, WINDOW);
	NONE(&newer.vcpus[0].vals, VAX_VCPU_U_STEAL);
	HAS(&newer.vcpus[0].vals, VAX_VCPU_U_BUSY, 4000);
	HAS(&newer.vcpus[1].vals, VAX_VCPU_U_STEAL, 0);
	/* rd.reqs: the request rate and the latency over them. */
	NONE(&newer.disks[0].vals, VAX_DISK_U_RD_OPS);
	NONE(&newer.disks[0].vals, VAX_DISK_U_RD_LAT);
	HAS(&newer.disks[0].vals, VAX_DISK_U_RD_BPS, 1048576);
	HAS(&newer.disks[0].vals, VAX_DISK_U_WR_LAT, 1200);
	NONE(&newer.nics[0].vals, NIC_RATE(VAX_NIC_RX_DROP));
	HAS(&newer.nics[0].vals, NIC_RATE(VAX_NIC_RX_PKTS), 100);
	ck_assert_int_eq(newer.usage_ms, newer.stats_ms);
}
END_TEST

/* The time went back, the requests did not: no latency (not a huge one). */
START_TEST(test_backwards_latency_time)
{
	vax_set(&newer.disks[0].vals, VAX_DISK_WR_TIME, 9 * SEC - 1);
	ck_assert(vax_usage_between(&newer, &older, WINDOW));
	NONE(&newer.disks[0].vals, VAX_DISK_U_WR_LAT);
	HAS(&newer.disks[0].vals, VAX_DISK_U_WR_OPS, 1);
}
END_TEST

/* A counter in one sample only, either one. */
START_TEST(test_missing_counter)
{
	struct vax_domain *lacks = _i ? &newer : &older;

	vax_unset(&lacks->vals, VAX_DOM_CPU_USER);
	vax_unset(&lacks->vcpus[1].vals, VAX_VCPU_TIME);
	vax_unset(&lacks->disks[0].vals, VAX_DISK_WR_TIME);
	vax_unset(&lacks->nics[0].vals, VAX_NIC_TX_ERRS);
	ck_assert(vax_usage_between(&newer, &older, WINDOW));
	NONE(&newer.vals, VAX_DOM_U_CPU_USER);
	HAS(&newer.vals, VAX_DOM_U_CPU, 1500);
	NONE(&newer.vcpus[1].vals, VAX_VCPU_U_BUSY);
	HAS(&newer.vcpus[1].vals, VAX_VCPU_U_STEAL, 0);
	NONE(&newer.disks[0].vals, VAX_DISK_U_WR_LAT);
	HAS(&newer.disks[0].vals, VAX_DISK_U_WR_OPS, 1);
	NONE(&newer.nics[0].vals, NIC_RATE(VAX_NIC_TX_ERRS));
	HAS(&newer.nics[0].vals, NIC_RATE(VAX_NIC_TX_DROP), 4);
}
END_TEST

/* An equal counter is a rate of 0, present. */
START_TEST(test_unchanged_counters)
{
	counters(&newer, 0);
	ck_assert(vax_usage_between(&newer, &older, WINDOW));
	HAS(&newer.vals, VAX_DOM_U_CPU, 0);
	HAS(&newer.vcpus[0].vals, VAX_VCPU_U_BUSY, 0);
	HAS(&newer.disks[0].vals, VAX_DISK_U_RD_BPS, 0);
	NONE(&newer.disks[0].vals, VAX_DISK_U_RD_LAT);   /* no request */
	HAS(&newer.nics[0].vals, NIC_RATE(VAX_NIC_RX_BYTES), 0);
}
END_TEST

/* ---- no window: no gauge at all ---- */

START_TEST(test_first_sample)
{
	stale_gauges(&newer);
	ck_assert(!vax_usage_between(&newer, NULL, WINDOW));
	expect_no_gauges(&newer);
}
END_TEST

/* Shorter than the window: none (the collector carries the last one). */
static const struct { int64_t span, min; bool window; } spans[] = {
	{ WINDOW, WINDOW, true },
	{ WINDOW - 1, WINDOW, false },
	{ WINDOW + 1, WINDOW, true },
	{ 1, 1, true },
	{ 0, 1, false },
	{ 0, 0, false },              /* the same instant: never a window */
	{ -WINDOW, 0, false },        /* older is the newer one */
	{ -1, -5, false },
	{ 3600000, 3600000, true },   /* the longest usageWindow */
};

START_TEST(test_window_length)
{
	stale_gauges(&newer);
	newer.stats_ms = older.stats_ms + spans[_i].span;
	ck_assert_int_eq(vax_usage_between(&newer, &older, spans[_i].min), spans[_i].window);
	if (!spans[_i].window) {
		expect_no_gauges(&newer);
		return;
	}
	HAS(&newer.vals, VAX_DOM_U_WINDOW, spans[_i].span);
	HAS(&newer.vals, VAX_DOM_U_CPU, vax_usage_muldiv(1500000000, 1, (uint64_t)spans[_i].span * 100));
	ck_assert_int_eq(newer.usage_ms, newer.stats_ms);
}
END_TEST

/* Not the same run, or a sample not fresh: the counters cannot be
 * compared at all. */
static void restarted(void) { vax_set(&newer.vals, VAX_DOM_ID, 8); }
static void older_not_running(void) { vax_unset(&older.vals, VAX_DOM_ID); }
static void newer_not_running(void) { vax_unset(&newer.vals, VAX_DOM_ID); }
static void other_uuid(void) { strcpy(newer.uuid, UUID2); }
static void older_carried(void) { older.carried = true; }
static void newer_carried(void) { newer.carried = true; }
static void both_carried(void) { older.carried = newer.carried = true; }
static void older_no_stats(void) { older.stats_ms = 0; }
static void newer_no_stats(void) { newer.stats_ms = 0; }

static const struct { const char *name; void (*change)(void); } no_windows[] = {
	{ "restarted: another domain id", restarted },
	{ "older not running", older_not_running },
	{ "newer not running", newer_not_running },
	{ "another UUID", other_uuid },
	{ "older carried over", older_carried },
	{ "newer carried over", newer_carried },
	{ "both carried over", both_carried },
	{ "older without stats", older_no_stats },
	{ "newer without stats", newer_no_stats },
};

START_TEST(test_no_window)
{
	no_windows[_i].change();
	stale_gauges(&newer);
	ck_assert_msg(!vax_usage_between(&newer, &older, WINDOW), "%s", no_windows[_i].name);
	expect_no_gauges(&newer);
}
END_TEST

/* ---- devices across samples ---- */

/* A hot-plugged vCPU has no gauge for its first window; one unplugged
 * leaves the others theirs. */
START_TEST(test_vcpu_hotplug)
{
	struct vax_vcpu *more = fx_calloc(5, sizeof(*more));

	memcpy(more, newer.vcpus, 4 * sizeof(*more));
	vax_set(&more[4].vals, VAX_VCPU_TIME, 7 * SEC);
	free(newer.vcpus);
	newer.vcpus = more;
	newer.nvcpus = 5;
	vax_set(&newer.vals, VAX_DOM_VCPU_CUR, 5);
	ck_assert(vax_usage_between(&newer, &older, WINDOW));
	HAS(&newer.vcpus[0].vals, VAX_VCPU_U_BUSY, 4000);
	HAS(&newer.vcpus[1].vals, VAX_VCPU_U_BUSY, 10000);
	ck_assert_uint_eq(newer.vcpus[4].vals.have & VCPU_U, 0);
	HAS(&newer.vals, VAX_DOM_U_CPU_VCPUS, 300);   /* over the 5 it has now */
}
END_TEST

START_TEST(test_vcpu_unplug)
{
	newer.nvcpus = 1;   /* the array is longer; only the count is read */
	vax_set(&newer.vals, VAX_DOM_VCPU_CUR, 1);
	ck_assert(vax_usage_between(&newer, &older, WINDOW));
	HAS(&newer.vcpus[0].vals, VAX_VCPU_U_BUSY, 4000);
	ck_assert_uint_eq(newer.vcpus[1].vals.have & VCPU_U, 0);
	HAS(&newer.vals, VAX_DOM_U_CPU_VCPUS, 1500);
	newer.nvcpus = 4;
}
END_TEST

/* The new definition (another pointer): vdc hot-plugged between, the
 * order changed; each disk finds its older self by target. */
START_TEST(test_disks_by_target)
{
	static const char *const targets[] = { "vdb", "vdc", "vda" };
	struct vax_domain d;
	struct vax_domdef *def = fx_domdef(targets, 3, NULL, 0);

	sample(&d, newer.stats_ms, 7, def);
	cpu_counters(&d, 1);
	vdb_counters(&d.disks[0].vals, 1);
	vax_set(&d.disks[1].vals, VAX_DISK_RD_BYTES, 123456789);   /* new: any value */
	vda_counters(&d.disks[2].vals, 1);
	ck_assert(vax_usage_between(&d, &older, WINDOW));
	HAS(&d.disks[0].vals, VAX_DISK_U_RD_BPS, 1000);       /* vdb */
	ONLY(&d.disks[0].vals, DISK_U, BIT(VAX_DISK_U_RD_BPS));
	ck_assert_uint_eq(d.disks[1].vals.have & DISK_U, 0);   /* vdc: first window */
	HAS(&d.disks[2].vals, VAX_DISK_U_RD_BPS, 1048576);    /* vda */
	HAS(&d.disks[2].vals, VAX_DISK_U_WR_LAT, 1200);
	/* No NICs in the new definition: nothing to do for them. */
	HAS(&d.vals, VAX_DOM_U_CPU, 1500);
	vax_domain_clear(&d);
}
END_TEST

/* A disk without a target matches nothing (unless the definition is the
 * same): no guess by position. */
START_TEST(test_disk_without_target)
{
	static const char *const targets[] = { NULL, "vdb" };
	struct vax_domain d;

	sample(&d, newer.stats_ms, 7, fx_domdef(targets, 2, NULL, 0));
	cpu_counters(&d, 1);
	vda_counters(&d.disks[0].vals, 1);   /* vda's, maybe, but who is to say */
	vdb_counters(&d.disks[1].vals, 1);
	ck_assert(vax_usage_between(&d, &older, WINDOW));
	ck_assert_uint_eq(d.disks[0].vals.have & DISK_U, 0);
	HAS(&d.disks[1].vals, VAX_DISK_U_RD_BPS, 1000);
	vax_domain_clear(&d);
}
END_TEST

/* NICs without a host-side name (user mode, or not started): by MAC. */
START_TEST(test_nics_by_mac)
{
	static const char *const none[] = { NULL, NULL, NULL };
	struct vax_domdef *odef = fx_domdef(NULL, 0, none, 2), *ndef = fx_domdef(NULL, 0, none, 3);
	struct vax_domain o, d;

	/* older: :01, :02; newer: :03 (new), :02, :01. */
	for (int i = 0; i < 2; i++) {
		memcpy(odef->nics[i].mac, "\x52\x54\x00\x00\x00", 5);
		odef->nics[i].mac[5] = (uint8_t)(i + 1);
		odef->nics[i].has_mac = true;
	}
	for (int i = 0; i < 3; i++) {
		memcpy(ndef->nics[i].mac, "\x52\x54\x00\x00\x00", 5);
		ndef->nics[i].mac[5] = (uint8_t)(3 - i);
		ndef->nics[i].has_mac = true;
	}
	sample(&o, older.stats_ms, 7, odef);
	sample(&d, newer.stats_ms, 7, ndef);
	vax_set(&o.nics[0].vals, VAX_NIC_RX_BYTES, 1000);
	vax_set(&o.nics[1].vals, VAX_NIC_RX_BYTES, 5000);
	vax_set(&d.nics[0].vals, VAX_NIC_RX_BYTES, 1);          /* :03 */
	vax_set(&d.nics[1].vals, VAX_NIC_RX_BYTES, 5000 + 30000);   /* :02 */
	vax_set(&d.nics[2].vals, VAX_NIC_RX_BYTES, 1000 + 70000);   /* :01 */
	ck_assert(vax_usage_between(&d, &o, WINDOW));
	ck_assert_uint_eq(d.nics[0].vals.have & NIC_U, 0);
	HAS(&d.nics[1].vals, NIC_RATE(VAX_NIC_RX_BYTES), 3000);
	HAS(&d.nics[2].vals, NIC_RATE(VAX_NIC_RX_BYTES), 7000);
	/* Without a MAC either, nothing to match by. */
	d.def->nics[2].has_mac = false;
	ck_assert(vax_usage_between(&d, &o, WINDOW));
	ck_assert_uint_eq(d.nics[2].vals.have & NIC_U, 0);
	HAS(&d.nics[1].vals, NIC_RATE(VAX_NIC_RX_BYTES), 3000);
	vax_domain_clear(&o);
	vax_domain_clear(&d);
}
END_TEST

/* With host-side names, the name decides, not the MAC. */
START_TEST(test_nics_by_target_first)
{
	static const char *const targets[] = { "vnet1", "vnet0" };
	struct vax_domain d;
	struct vax_domdef *def = fx_domdef(NULL, 0, targets, 2);

	/* vnet1 now has vnet0's MAC and the reverse (a replug, say). */
	memcpy(def->nics[0].mac, older.def->nics[0].mac, 6);
	memcpy(def->nics[1].mac, older.def->nics[1].mac, 6);
	def->nics[0].has_mac = def->nics[1].has_mac = true;
	sample(&d, newer.stats_ms, 7, def);
	vax_set(&d.nics[0].vals, VAX_NIC_RX_BYTES, 777);                       /* vnet1 */
	vax_set(&d.nics[1].vals, VAX_NIC_RX_BYTES, 1000 + 1250000);           /* vnet0 */
	vax_set(&older.nics[1].vals, VAX_NIC_RX_BYTES, 777 - 100);
	ck_assert(vax_usage_between(&d, &older, WINDOW));
	HAS(&d.nics[0].vals, NIC_RATE(VAX_NIC_RX_BYTES), 10);
	HAS(&d.nics[1].vals, NIC_RATE(VAX_NIC_RX_BYTES), 125000);
	vax_domain_clear(&d);
}
END_TEST

/* The same definition: devices by position, whatever their names. */
START_TEST(test_same_def_by_position)
{
	static const char *const none[] = { NULL };
	struct vax_domdef *def = fx_domdef(none, 1, none, 1);
	struct vax_domain o, d;

	sample(&o, older.stats_ms, 7, vax_domdef_ref(def));
	sample(&d, newer.stats_ms, 7, def);
	vax_set(&o.disks[0].vals, VAX_DISK_WR_BYTES, 10);
	vax_set(&d.disks[0].vals, VAX_DISK_WR_BYTES, 20010);
	vax_set(&o.nics[0].vals, VAX_NIC_TX_PKTS, 1);
	vax_set(&d.nics[0].vals, VAX_NIC_TX_PKTS, 101);
	ck_assert(vax_usage_between(&d, &o, WINDOW));
	HAS(&d.disks[0].vals, VAX_DISK_U_WR_BPS, 2000);
	HAS(&d.nics[0].vals, NIC_RATE(VAX_NIC_TX_PKTS), 10);
	vax_domain_clear(&o);
	vax_domain_clear(&d);
}
END_TEST

/* ---- carrying the last window ---- */

START_TEST(test_carry)
{
	struct vax_domain d, e;

	ck_assert(vax_usage_between(&newer, &older, WINDOW));
	/* A refresh 2 s later: the window is not over, the last is served. */
	sample(&d, newer.stats_ms + 2000, 7, vax_domdef_ref(newer.def));
	counters(&d, 2);
	stale_gauges(&d);
	vax_usage_carry(&d, &newer);
	ck_assert_int_eq(d.usage_ms, newer.usage_ms);
	ck_assert_int_eq(d.usage_ms, newer.stats_ms);   /* not d's own time */
	ck_assert_uint_eq(d.vals.have & DOM_U, newer.vals.have & DOM_U);
	for (int f = VAX_DOM_U_CPU; f < VAX_DOM_NFIELDS; f++)
		ck_assert_uint_eq(d.vals.v[f], newer.vals.v[f]);
	for (int i = 0; i < 4; i++) {
		ck_assert_uint_eq(d.vcpus[i].vals.have & VCPU_U, newer.vcpus[i].vals.have & VCPU_U);
		for (int f = VAX_VCPU_U_BUSY; f < VAX_VCPU_NFIELDS; f++)
			if (vax_has(&newer.vcpus[i].vals, f))
				ck_assert_uint_eq(d.vcpus[i].vals.v[f], newer.vcpus[i].vals.v[f]);
	}
	for (int i = 0; i < 2; i++) {
		ck_assert_uint_eq(d.disks[i].vals.have & DISK_U, newer.disks[i].vals.have & DISK_U);
		ck_assert_uint_eq(d.nics[i].vals.have & NIC_U, newer.nics[i].vals.have & NIC_U);
	}
	HAS(&d.disks[0].vals, VAX_DISK_U_WR_LAT, 1200);
	NONE(&d.disks[0].vals, VAX_DISK_U_FL_LAT);   /* absent stays absent */
	HAS(&d.nics[0].vals, NIC_RATE(VAX_NIC_TX_DROP), 4);
	/* Its counters are its own. */
	HAS(&d.vals, VAX_DOM_CPU_TIME, 100 * SEC + 2 * 1500000000ULL);
	/* And once more from the carried copy: still the same window. */
	sample(&e, d.stats_ms + 2000, 7, vax_domdef_ref(newer.def));
	vax_usage_carry(&e, &d);
	ck_assert_int_eq(e.usage_ms, newer.stats_ms);
	HAS(&e.vals, VAX_DOM_U_CPU, 1500);
	HAS(&e.vcpus[0].vals, VAX_VCPU_U_STEAL, 25);
	vax_domain_clear(&e);
	vax_domain_clear(&d);
}
END_TEST

/* Carried by device name into a changed definition. */
START_TEST(test_carry_devices_by_name)
{
	static const char *const disks[] = { "vdz", "vda" }, *const nics[] = { "vnet0" };
	struct vax_domain d;

	ck_assert(vax_usage_between(&newer, &older, WINDOW));
	sample(&d, newer.stats_ms + 2000, 7, fx_domdef(disks, 2, nics, 1));
	vax_usage_carry(&d, &newer);
	ck_assert_uint_eq(d.disks[0].vals.have & DISK_U, 0);
	HAS(&d.disks[1].vals, VAX_DISK_U_RD_BPS, 1048576);
	HAS(&d.nics[0].vals, NIC_RATE(VAX_NIC_RX_BYTES), 125000);
	ck_assert_int_eq(d.usage_ms, newer.stats_ms);
	vax_domain_clear(&d);
}
END_TEST

/* A vCPU plugged since the last window has nothing to carry. */
START_TEST(test_carry_vcpu_hotplug)
{
	struct vax_domain d;

	ck_assert(vax_usage_between(&newer, &older, WINDOW));
	fx_domain_init(&d, 1, "web01", UUID1, 1, vax_domdef_ref(newer.def), 5);
	d.stats_ms = newer.stats_ms + 2000;
	vax_set(&d.vals, VAX_DOM_ID, 7);
	stale_gauges(&d);
	vax_usage_carry(&d, &newer);
	HAS(&d.vcpus[3].vals, VAX_VCPU_U_BUSY, 0);
	HAS(&d.vcpus[1].vals, VAX_VCPU_U_BUSY, 10000);
	ck_assert_uint_eq(d.vcpus[4].vals.have & VCPU_U, 0);
	vax_domain_clear(&d);
}
END_TEST

/* Nothing to carry: no last snapshot, no window in it, another run. */
static void prev_none(struct vax_domain *p) { (void)p; }
static void prev_restarted(struct vax_domain *p) { vax_set(&p->vals, VAX_DOM_ID, 6); }
static void prev_other_uuid(struct vax_domain *p) { strcpy(p->uuid, UUID3); }
static void prev_no_window(struct vax_domain *p) { p->usage_ms = 0; }
static void prev_shut_off(struct vax_domain *p) { vax_unset(&p->vals, VAX_DOM_ID); }

static const struct { const char *name; void (*change)(struct vax_domain *); bool null; }
no_carries[] = {
	{ "no last snapshot", prev_none, true },
	{ "restarted since", prev_restarted, false },
	{ "another UUID", prev_other_uuid, false },
	{ "no window closed yet", prev_no_window, false },
	{ "was not running", prev_shut_off, false },
};

START_TEST(test_no_carry)
{
	ck_assert(vax_usage_between(&newer, &older, WINDOW));
	no_carries[_i].change(&newer);
	/* older stands for the refresh after newer. */
	older.stats_ms = newer.stats_ms + 2000;
	stale_gauges(&older);
	vax_usage_carry(&older, no_carries[_i].null ? NULL : &newer);
	expect_no_gauges(&older);
}
END_TEST

/* ---- a snapshot's domains ---- */

struct snaps { struct vax_snapshot *base, *prev, *now; };

/* A domain of a snapshot with its counters as of "at" windows. */
static struct vax_domain *add(struct vax_snapshot *s, uint32_t index, const char *uuid,
			      int64_t ms, uint64_t at)
{
	struct vax_domain *d = fx_add_domain(s, index, "d", uuid, 1, two_by_two(), 4);

	d->stats_ms = ms;
	vax_set(&d->vals, VAX_DOM_ID, index + 100);
	vax_set(&d->vals, VAX_DOM_VCPU_CUR, 4);
	counters(d, at);
	return d;
}

static void snaps_free(struct snaps *s)
{
	vax_snapshot_free(s->base);
	vax_snapshot_free(s->prev);
	vax_snapshot_free(s->now);
}

/* Base at 0 s with domains 3 and 1; prev at 4 s (a window of 4 s, not
 * over); now at t with 1, 2 (new) and 3. */
static void three_snaps(struct snaps *s, int64_t t)
{
	s->base = vax_snapshot_new(2);
	add(s->base, 3, UUID3, 1000, 0);
	add(s->base, 1, UUID1, 1000, 0);
	fx_seal(s->base);
	s->prev = vax_snapshot_new(2);
	add(s->prev, 1, UUID1, 5000, 1);
	add(s->prev, 3, UUID3, 5000, 1);
	fx_seal(s->prev);
	s->now = vax_snapshot_new(3);
	add(s->now, 1, UUID1, 1000 + t, 1);
	add(s->now, 2, UUID2, 1000 + t, 1);
	add(s->now, 3, UUID3, 1000 + t, 1);
}

START_TEST(test_fill_first)
{
	struct vax_snapshot *now = vax_snapshot_new(1);

	add(now, 1, UUID1, 1000, 0);
	stale_gauges(&now->domains[0]);
	ck_assert(vax_usage_fill(now->domains, now->ndomains, NULL, 0, NULL, 1000, WINDOW));
	expect_no_gauges(&now->domains[0]);
	vax_snapshot_free(now);
}
END_TEST

/* The window closed: gauges from the base, which is to be replaced. */
START_TEST(test_fill_window)
{
	struct snaps s;

	three_snaps(&s, WINDOW);
	ck_assert(vax_usage_fill(s.now->domains, s.now->ndomains, s.base, 1000, s.prev,
				 1000 + WINDOW, WINDOW));
	fx_seal(s.now);
	HAS(&fx_find(s.now, 1)->vals, VAX_DOM_U_CPU, 1500);
	HAS(&fx_find(s.now, 3)->vals, VAX_DOM_U_CPU, 1500);
	HAS(&fx_find(s.now, 3)->nics[0].vals, NIC_RATE(VAX_NIC_TX_DROP), 4);
	ck_assert_int_eq(fx_find(s.now, 1)->usage_ms, 1000 + WINDOW);
	expect_no_gauges(fx_find(s.now, 2));   /* new: its first window starts */
	snaps_free(&s);
}
END_TEST

/* Not yet: the last window's gauges, carried from prev. */
START_TEST(test_fill_carries)
{
	struct snaps s;
	struct vax_domain *p;

	three_snaps(&s, WINDOW - 1);
	/* prev had gauges for domain 1 only (3's window had not closed). */
	p = fx_find(s.prev, 1);
	vax_set(&p->vals, VAX_DOM_U_CPU, 1234);
	vax_set(&p->vals, VAX_DOM_U_WINDOW, 11000);
	vax_set(&p->disks[1].vals, VAX_DISK_U_RD_BPS, 99);
	p->usage_ms = 4000;
	ck_assert(!vax_usage_fill(s.now->domains, s.now->ndomains, s.base, 1000, s.prev,
				  1000 + WINDOW - 1, WINDOW));
	fx_seal(s.now);
	HAS(&fx_find(s.now, 1)->vals, VAX_DOM_U_CPU, 1234);
	HAS(&fx_find(s.now, 1)->vals, VAX_DOM_U_WINDOW, 11000);
	HAS(&fx_find(s.now, 1)->disks[1].vals, VAX_DISK_U_RD_BPS, 99);
	NONE(&fx_find(s.now, 1)->vals, VAX_DOM_U_CPU_USER);
	ck_assert_int_eq(fx_find(s.now, 1)->usage_ms, 4000);
	expect_no_gauges(fx_find(s.now, 2));
	expect_no_gauges(fx_find(s.now, 3));
	snaps_free(&s);
}
END_TEST

/* The domain's window and the base's age decide apart: a domain whose
 * sample could not be compared carries, the others get a window. */
START_TEST(test_fill_mixed)
{
	struct snaps s;

	three_snaps(&s, WINDOW);
	fx_find(s.base, 3)->carried = true;   /* the stuck-guest guard kept its values */
	vax_set(&fx_find(s.prev, 3)->vals, VAX_DOM_U_CPU, 77);
	fx_find(s.prev, 3)->usage_ms = 900;
	ck_assert(vax_usage_fill(s.now->domains, s.now->ndomains, s.base, 1000, s.prev,
				 1000 + WINDOW, WINDOW));
	fx_seal(s.now);
	HAS(&fx_find(s.now, 1)->vals, VAX_DOM_U_CPU, 1500);
	HAS(&fx_find(s.now, 3)->vals, VAX_DOM_U_CPU, 77);
	ck_assert_int_eq(fx_find(s.now, 3)->usage_ms, 900);
	snaps_free(&s);
}
END_TEST

/* Whether the base is old enough to be replaced, whatever the domains. */
static const struct { bool base; int64_t base_ms, now_ms, min_ms; bool want; } replaces[] = {
	{ false, 0, 5, WINDOW, true },            /* no base yet */
	{ true, 1000, 1000 + WINDOW, WINDOW, true },
	{ true, 1000, 1000 + WINDOW - 1, WINDOW, false },
	{ true, 1000, 1000 + WINDOW + 1, WINDOW, true },
	{ true, 1000, 1000, WINDOW, false },
	{ true, 1000, 500, WINDOW, false },       /* the clock went back */
	{ true, 1000, 1001, 1, true },
};

START_TEST(test_fill_replace)
{
	struct vax_snapshot *base = vax_snapshot_new(0);

	fx_seal(base);
	ck_assert_int_eq(vax_usage_fill(NULL, 0, replaces[_i].base ? base : NULL,
					replaces[_i].base_ms, NULL, replaces[_i].now_ms,
					replaces[_i].min_ms), replaces[_i].want);
	vax_snapshot_free(base);
}
END_TEST

/* ---- the host (vax_usage_host) ---- */

/* All CPUs' times of a 4-CPU host: base, newer (one window later, "at"
 * 1: 30% busy) and prev, a refresh in between that carried the window
 * before (43.21% over 11 s). */
static struct vax_snapshot *hbase, *hnow, *hprev;
static const int host_times[] = {
	VAX_HOST_CPU_KERNEL, VAX_HOST_CPU_USER, VAX_HOST_CPU_IDLE, VAX_HOST_CPU_IOWAIT,
};
#define HOST_U (BIT(VAX_HOST_U_CPU) | BIT(VAX_HOST_U_WINDOW))

static struct vax_snapshot *host_snap(int64_t ms, uint64_t at)
{
	struct vax_snapshot *s = vax_snapshot_new(0);

	ck_assert_ptr_nonnull(s);
	s->host_ms = ms;
	vax_set(&s->host, VAX_HOST_CPUS, 4);
	/* Over 10 s, 40 s of CPU time: 3 + 9 busy, 27 + 1 not. */
	vax_set(&s->host, VAX_HOST_CPU_KERNEL, 1000 * SEC + at * 3 * SEC);
	vax_set(&s->host, VAX_HOST_CPU_USER, 2000 * SEC + at * 9 * SEC);
	vax_set(&s->host, VAX_HOST_CPU_IDLE, 9000 * SEC + at * 27 * SEC);
	vax_set(&s->host, VAX_HOST_CPU_IOWAIT, 50 * SEC + at * SEC);
	return s;
}

static void setup_host(void)
{
	hbase = host_snap(100000, 0);
	hprev = host_snap(100000 + 4000, 0);
	vax_set(&hprev->host, VAX_HOST_U_CPU, 4321);
	vax_set(&hprev->host, VAX_HOST_U_WINDOW, 11000);
	hnow = host_snap(100000 + WINDOW, 1);
}

static void teardown_host(void)
{
	vax_snapshot_free(hbase);
	vax_snapshot_free(hprev);
	vax_snapshot_free(hnow);
	hbase = hprev = hnow = NULL;
}

/* Gauges left in the snapshot being built: what clears them. */
static void stale_host(struct vax_snapshot *s)
{
	vax_set(&s->host, VAX_HOST_U_CPU, 4242);
	vax_set(&s->host, VAX_HOST_U_WINDOW, 4242);
}

/* hnow has prev's gauges, exactly. */
static void expect_host_carried(void)
{
	HAS(&hnow->host, VAX_HOST_U_CPU, 4321);
	HAS(&hnow->host, VAX_HOST_U_WINDOW, 11000);
}

static void expect_host_none(void)
{
	ONLY(&hnow->host, HOST_U, 0);
}

START_TEST(test_host_cpu)
{
	stale_host(hnow);
	vax_usage_host(hnow, hbase, hprev, WINDOW);
	HAS(&hnow->host, VAX_HOST_U_CPU, 3000);        /* 12 s of 40 */
	HAS(&hnow->host, VAX_HOST_U_WINDOW, WINDOW);
	/* The counters stay; base and prev are not written. */
	HAS(&hnow->host, VAX_HOST_CPU_KERNEL, 1003 * SEC);
	HAS(&hnow->host, VAX_HOST_CPU_IOWAIT, 51 * SEC);
	HAS(&hnow->host, VAX_HOST_CPUS, 4);
	ONLY(&hbase->host, HOST_U, 0);
	HAS(&hprev->host, VAX_HOST_U_CPU, 4321);
}
END_TEST

/* The share of kernel + user in all four deltas (ns), rounded half up;
 * iowait is time not busy. */
static const struct { uint64_t kernel, user, idle, iowait, want; } host_shares[] = {
	{ 3 * SEC, 9 * SEC, 27 * SEC, SEC, 3000 },
	{ SEC, 3 * SEC, 0, 0, 10000 },              /* all busy */
	{ 0, 0, 40 * SEC, 0, 0 },                   /* all idle: 0, not absent */
	{ 0, 0, 0, 5, 0 },                          /* only waiting for I/O */
	{ 1, 1, 1, 1, 5000 },
	{ 1, 0, 2, 0, 3333 },
	{ 0, 2, 1, 0, 6667 },
	{ 1, 0, 19999, 0, 1 },                      /* 0.5: up */
	{ 1, 0, 20000, 0, 0 },                      /* just below */
	{ 0, 1, 0, 19999, 1 },
	{ 7, 0, 0, 9993, 7 },
};

START_TEST(test_host_shares)
{
	const uint64_t d[] = { host_shares[_i].kernel, host_shares[_i].user,
			       host_shares[_i].idle, host_shares[_i].iowait };

	for (int k = 0; k < N(host_times); k++)
		vax_set(&hnow->host, host_times[k], hbase->host.v[host_times[k]] + d[k]);
	vax_usage_host(hnow, hbase, NULL, WINDOW);
	HAS(&hnow->host, VAX_HOST_U_CPU, host_shares[_i].want);
	HAS(&hnow->host, VAX_HOST_U_WINDOW, WINDOW);
}
END_TEST

/* The window is the time between the two readings, not min_ms: a slow
 * poller's refresh covers more, at the same share. */
START_TEST(test_host_long_window)
{
	hnow->host_ms = hbase->host_ms + 60000;
	vax_usage_host(hnow, hbase, hprev, WINDOW);
	HAS(&hnow->host, VAX_HOST_U_CPU, 3000);
	HAS(&hnow->host, VAX_HOST_U_WINDOW, 60000);
}
END_TEST

/* Whether the window closes at the newer reading: min_ms or more after
 * the base's. Else prev's gauges (the last closed window), or none. */
static const struct { int64_t span, min_ms; bool closes; } host_spans[] = {
	{ WINDOW, WINDOW, true },
	{ WINDOW + 1, WINDOW, true },
	{ WINDOW - 1, WINDOW, false },
	{ 1, WINDOW, false },
	{ 0, WINDOW, false },
	{ -5000, WINDOW, false },       /* the newer reading before the base's */
	{ 1000, 1000, true },           /* usageWindow 1 s, its least */
	{ 999, 1000, false },
};

START_TEST(test_host_window_length)
{
	hnow->host_ms = hbase->host_ms + host_spans[_i].span;
	stale_host(hnow);
	vax_usage_host(hnow, hbase, hprev, host_spans[_i].min_ms);
	if (host_spans[_i].closes) {
		HAS(&hnow->host, VAX_HOST_U_CPU, 3000);
		HAS(&hnow->host, VAX_HOST_U_WINDOW, (uint64_t)host_spans[_i].span);
		return;
	}
	expect_host_carried();
	/* Without a prev (the first refreshes): none, the stale ones cleared. */
	stale_host(hnow);
	vax_usage_host(hnow, hbase, NULL, host_spans[_i].min_ms);
	expect_host_none();
}
END_TEST

/* Carried only what prev had: a prev without gauges gives none. */
START_TEST(test_host_carry_nothing)
{
	hnow->host_ms = hbase->host_ms + WINDOW - 1;
	vax_unset(&hprev->host, VAX_HOST_U_CPU);
	vax_unset(&hprev->host, VAX_HOST_U_WINDOW);
	stale_host(hnow);
	vax_usage_host(hnow, hbase, hprev, WINDOW);
	expect_host_none();
}
END_TEST

/* No base (the first refresh, or after a reconnection): prev's, or none. */
START_TEST(test_host_no_base)
{
	vax_usage_host(hnow, NULL, hprev, WINDOW);
	expect_host_carried();
	stale_host(hnow);
	vax_usage_host(hnow, NULL, NULL, WINDOW);
	expect_host_none();
}
END_TEST

/* A base with no host reading (host_ms 0) starts no window, however
 * long ago: none without prev; prev's otherwise, as the domains do. */
START_TEST(test_host_base_never_read)
{
	hbase->host_ms = 0;
	stale_host(hnow);
	vax_usage_host(hnow, hbase, NULL, WINDOW);
	expect_host_none();
	vax_usage_host(hnow, hbase, hprev, WINDOW);
	expect_host_carried();
}
END_TEST

/* Kernel, user or idle time went back (the host rebooted, a driver
 * reset): no gauge, and not the last window's either. */
START_TEST(test_host_backwards)
{
	int f = host_times[_i];

	vax_set(&hnow->host, f, hbase->host.v[f] - 1);
	stale_host(hnow);
	vax_usage_host(hnow, hbase, hprev, WINDOW);
	expect_host_none();
}
END_TEST

/* Kernel, user or idle time missing in either reading: none. */
START_TEST(test_host_missing)
{
	int f = host_times[_i / 2];

	vax_unset(_i % 2 ? &hbase->host : &hnow->host, f);
	stale_host(hnow);
	vax_usage_host(hnow, hbase, hprev, WINDOW);
	expect_host_none();
}
END_TEST

/* iowait is optional (not every driver gives it): missing from either
 * reading it counts 0, and the others still make the share; 12 s of 39.
 * A Linux iowait may also go back (proc(5): it is not reliable): 0 too. */
static void no_iowait_now(void) { vax_unset(&hnow->host, VAX_HOST_CPU_IOWAIT); }
static void no_iowait_base(void) { vax_unset(&hbase->host, VAX_HOST_CPU_IOWAIT); }
static void no_iowait(void) { no_iowait_now(); no_iowait_base(); }
static void iowait_back(void) { vax_set(&hnow->host, VAX_HOST_CPU_IOWAIT, 49 * SEC); }
static void (*const iowaits[])(void) = { no_iowait_now, no_iowait_base, no_iowait, iowait_back };

START_TEST(test_host_iowait)
{
	iowaits[_i]();
	vax_usage_host(hnow, hbase, hprev, WINDOW);
	HAS(&hnow->host, VAX_HOST_U_CPU, 3077);        /* 12 / 39 = 30.769% */
	HAS(&hnow->host, VAX_HOST_U_WINDOW, WINDOW);
}
END_TEST

/* No time passed on any CPU (a frozen counter): nothing to divide by. */
START_TEST(test_host_zero_total)
{
	for (int k = 0; k < N(host_times); k++)
		vax_set(&hnow->host, host_times[k], hbase->host.v[host_times[k]]);
	stale_host(hnow);
	vax_usage_host(hnow, hbase, hprev, WINDOW);
	expect_host_none();
	/* iowait missing too: still nothing. */
	no_iowait();
	vax_usage_host(hnow, hbase, NULL, WINDOW);
	expect_host_none();
}
END_TEST

/* Counters and deltas near 2^64: exact, where (kernel + user) * 10000
 * would overflow. */
START_TEST(test_host_big_counters)
{
	const uint64_t third = (UINT64_C(1) << 62) / 3;

	for (int k = 0; k < N(host_times); k++)
		vax_set(&hbase->host, host_times[k], UINT64_C(1) << 62);
	vax_set(&hnow->host, VAX_HOST_CPU_KERNEL, (UINT64_C(1) << 62) + (UINT64_C(1) << 61));
	vax_set(&hnow->host, VAX_HOST_CPU_USER, (UINT64_C(1) << 62) + (UINT64_C(1) << 61));
	vax_set(&hnow->host, VAX_HOST_CPU_IDLE, UINT64_C(1) << 63);
	vax_set(&hnow->host, VAX_HOST_CPU_IOWAIT, UINT64_C(1) << 62);
	vax_usage_host(hnow, hbase, NULL, WINDOW);
	HAS(&hnow->host, VAX_HOST_U_CPU, 5000);
	/* A third busy: kernel a third, idle two. */
	vax_set(&hnow->host, VAX_HOST_CPU_KERNEL, (UINT64_C(1) << 62) + third);
	vax_set(&hnow->host, VAX_HOST_CPU_USER, UINT64_C(1) << 62);
	vax_set(&hnow->host, VAX_HOST_CPU_IDLE, (UINT64_C(1) << 62) + 2 * third);
	vax_usage_host(hnow, hbase, NULL, WINDOW);
	HAS(&hnow->host, VAX_HOST_U_CPU, 3333);
	/* Deltas whose sum does not fit in 64 bits: none, not a wrapped sum. */
	for (int k = 0; k < N(host_times); k++)
		vax_set(&hbase->host, host_times[k], 0);
	vax_set(&hnow->host, VAX_HOST_CPU_KERNEL, UINT64_C(1) << 63);
	vax_set(&hnow->host, VAX_HOST_CPU_USER, 0);
	vax_set(&hnow->host, VAX_HOST_CPU_IDLE, (UINT64_C(1) << 63) + 4);   /* wrapped: 4 */
	vax_set(&hnow->host, VAX_HOST_CPU_IOWAIT, 0);
	vax_usage_host(hnow, hbase, hprev, WINDOW);
	expect_host_none();
}
END_TEST

/* ---- vax_usage_muldiv: round(a * m / d), half up, saturating ---- */

#define Q999 (UINT64_MAX / 1000 * 999)   /* a / 999 * 1000 just fits */
static const struct { uint64_t a, m, d, want; } muldivs[] = {
	{ 0, 1000, 7, 0 },
	{ 123, 0, 7, 0 },
	{ 7, 1, 1, 7 },
	{ 4, 1, 10, 0 },
	{ 5, 1, 10, 1 },              /* half up */
	{ 15, 1, 10, 2 },             /* half up, not to even */
	{ 25, 1, 10, 3 },
	{ 1, 1, 2, 1 },
	{ 1, 1, 3, 0 },
	{ 2, 1, 3, 1 },
	{ 1, 1000, 3, 333 },
	{ 2, 1000, 3, 667 },
	{ 1500000000, 1, 1000000, 1500 },
	{ 10485760, 1000, 10000, 1048576 },
	/* The top of the range. */
	{ UINT64_MAX, 1, 1, UINT64_MAX },
	{ UINT64_MAX, 1000, 1000, UINT64_MAX },
	{ UINT64_MAX, 1000, 1, UINT64_MAX },                 /* saturates */
	{ UINT64_MAX, 1001, 1000, UINT64_MAX },
	{ UINT64_MAX / 1000 + 1, 1000, 1, UINT64_MAX },
	{ UINT64_MAX / 1000, 1000, 1, UINT64_MAX / 1000 * 1000 },
	{ UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX },
	{ UINT64_MAX, 2, UINT64_MAX, 2 },
	/* q * m fits; q * m + round(r * m / d) does not, or just does. */
	{ Q999 + 998, 1000, 999, UINT64_MAX },
	{ Q999 + 615, 1000, 999, UINT64_MAX },
	{ Q999 + 614, 1000, 999, UINT64_MAX },
	{ Q999 + 613, 1000, 999, UINT64_MAX - 1 },
	/* Divisors above 2^63, where r + d / 2 would overflow. */
	{ UINT64_MAX, 1, UINT64_MAX, 1 },
	{ UINT64_MAX - 1, 1, UINT64_MAX, 1 },
	{ UINT64_C(1) << 63, 1, UINT64_MAX, 1 },             /* just above a half */
	{ (UINT64_C(1) << 63) - 1, 1, UINT64_MAX, 0 },       /* just below */
	{ (UINT64_C(1) << 63) - 1, 1, UINT64_MAX - 1, 1 },   /* exactly a half */
	{ UINT64_C(1) << 63, 1, UINT64_C(1) << 63, 1 },
	{ (UINT64_C(1) << 62) * 3, 1, UINT64_C(1) << 63, 2 },   /* 1.5 */
	/* Divisors above 2^54, where r * m would overflow. */
	{ UINT64_C(1) << 57, 1000, UINT64_C(1) << 61, 63 },  /* 62.5 exactly */
	{ (UINT64_C(1) << 57) - 1, 1000, UINT64_C(1) << 61, 62 },
	{ (UINT64_C(1) << 61) + (UINT64_C(1) << 57), 1000, UINT64_C(1) << 61, 1063 },
	{ UINT64_C(1) << 60, 1000, (UINT64_C(1) << 60) + 1, 1000 },   /* 999.99... */
	{ (UINT64_C(1) << 60) - 1, 1000, UINT64_C(1) << 60, 1000 },
	{ 1, 1000, UINT64_MAX, 0 },
	{ UINT64_MAX - 1, 1000, UINT64_MAX, 1000 },
	/* Just below a half, by less than a long double tells apart. */
	{ 4254171200711315890u, 1000, 11735644691617423145u, 362 },
	{ 11677652603592622311u, 1000, 13746501004817683710u, 849 },
	{ 9392029114723901460u, 21730, 13530599175453335017u, 15083 },
	/* m as large as it goes: the result is up to m. */
	{ UINT64_MAX - 2, UINT64_MAX - 1, UINT64_MAX, UINT64_MAX - 3 },
};

START_TEST(test_muldiv)
{
	uint64_t got = vax_usage_muldiv(muldivs[_i].a, muldivs[_i].m, muldivs[_i].d);

	ck_assert_msg(got == muldivs[_i].want, "case %d: %llu * %llu / %llu = %llu, not %llu",
		      _i, (unsigned long long)muldivs[_i].a, (unsigned long long)muldivs[_i].m,
		      (unsigned long long)muldivs[_i].d, (unsigned long long)got,
		      (unsigned long long)muldivs[_i].want);
}
END_TEST

#ifdef __SIZEOF_INT128__
/* Against 128-bit arithmetic (a * m always fits), half up, capped. */
static uint64_t muldiv_ref(uint64_t a, uint64_t m, uint64_t d)
{
	unsigned __int128 p = (unsigned __int128)a * m, x = p / d;
	uint64_t rem = (uint64_t)(p % d);

	x += rem >= d - rem;
	return x > UINT64_MAX ? UINT64_MAX : (uint64_t)x;
}

static uint64_t rnd_state = 88172645463325252u;
static uint64_t rnd(void)   /* xorshift64 */
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* Random sizes of each operand, and values a hair from a half. */
START_TEST(test_muldiv_against_128_bits)
{
	for (int i = 0; i < 200000; i++) {
		uint64_t a = rnd() >> (rnd() % 64), m = rnd() >> (rnd() % 64);
		uint64_t d = (rnd() >> (rnd() % 64)) | 1;

		if (i % 2) {   /* a * m = (k + 1/2) * d, then a step off */
			m = 1 + rnd() % 100000;
			d = rnd() | (UINT64_C(1) << (50 + rnd() % 14));
			unsigned __int128 t = ((unsigned __int128)(2 * (rnd() % m) + 1) * d) / 2 / m;
			a = (uint64_t)t + rnd() % 5 - 2;
		}
		uint64_t got = vax_usage_muldiv(a, m, d), want = muldiv_ref(a, m, d);
		ck_assert_msg(got == want, "%llu * %llu / %llu = %llu, not %llu",
			      (unsigned long long)a, (unsigned long long)m,
			      (unsigned long long)d, (unsigned long long)got,
			      (unsigned long long)want);
	}
}
END_TEST
#endif

static Suite *usage_suite(void)
{
	Suite *s = suite_create("usage");
	TCase *tc;

	tc = tcase_create("window");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_cpu);
	tcase_add_test(tc, test_cpu_long_window);
	tcase_add_test(tc, test_cpu_above_one_cpu);
	tcase_add_loop_test(tc, test_cpu_vcpus_count, 0, N(vcpu_counts));
	tcase_add_test(tc, test_vcpus);
	tcase_add_test(tc, test_disks);
	tcase_add_loop_test(tc, test_disk_latency, 0, N(latencies));
	tcase_add_test(tc, test_nics);
	tcase_add_test(tc, test_big_counters);
	tcase_add_test(tc, test_wrapped_counter);
	suite_add_tcase(s, tc);

	tc = tcase_create("absent");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_backwards);
	tcase_add_test(tc, test_backwards_latency_time);
	tcase_add_loop_test(tc, test_missing_counter, 0, 2);
	tcase_add_test(tc, test_unchanged_counters);
	tcase_add_test(tc, test_first_sample);
	tcase_add_loop_test(tc, test_window_length, 0, N(spans));
	tcase_add_loop_test(tc, test_no_window, 0, N(no_windows));
	suite_add_tcase(s, tc);

	tc = tcase_create("devices");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_vcpu_hotplug);
	tcase_add_test(tc, test_vcpu_unplug);
	tcase_add_test(tc, test_disks_by_target);
	tcase_add_test(tc, test_disk_without_target);
	tcase_add_test(tc, test_nics_by_mac);
	tcase_add_test(tc, test_nics_by_target_first);
	tcase_add_test(tc, test_same_def_by_position);
	suite_add_tcase(s, tc);

	tc = tcase_create("carry");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_carry);
	tcase_add_test(tc, test_carry_devices_by_name);
	tcase_add_test(tc, test_carry_vcpu_hotplug);
	tcase_add_loop_test(tc, test_no_carry, 0, N(no_carries));
	suite_add_tcase(s, tc);

	tc = tcase_create("fill");
	tcase_add_test(tc, test_fill_first);
	tcase_add_test(tc, test_fill_window);
	tcase_add_test(tc, test_fill_carries);
	tcase_add_test(tc, test_fill_mixed);
	tcase_add_loop_test(tc, test_fill_replace, 0, N(replaces));
	suite_add_tcase(s, tc);

	tc = tcase_create("host");
	tcase_add_checked_fixture(tc, setup_host, teardown_host);
	tcase_add_test(tc, test_host_cpu);
	tcase_add_loop_test(tc, test_host_shares, 0, N(host_shares));
	tcase_add_test(tc, test_host_long_window);
	tcase_add_loop_test(tc, test_host_window_length, 0, N(host_spans));
	tcase_add_test(tc, test_host_carry_nothing);
	tcase_add_test(tc, test_host_no_base);
	tcase_add_test(tc, test_host_base_never_read);
	tcase_add_loop_test(tc, test_host_backwards, 0, 3);   /* kernel, user, idle */
	tcase_add_loop_test(tc, test_host_missing, 0, 6);     /* ... in now or in base */
	tcase_add_loop_test(tc, test_host_iowait, 0, N(iowaits));
	tcase_add_test(tc, test_host_zero_total);
	tcase_add_test(tc, test_host_big_counters);
	suite_add_tcase(s, tc);

	tc = tcase_create("muldiv");
	tcase_add_loop_test(tc, test_muldiv, 0, N(muldivs));
#ifdef __SIZEOF_INT128__
	tcase_add_test(tc, test_muldiv_against_128_bits);
#endif
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vax_run_suite(usage_suite());
}
