/* check_libvirt_stats_domain.c - a snapshot domain from a real stats record (the
 * stats corpus), its definition, the last row and the refresh's facts:
 * libvirt_stats_domain.c, as collector_build.c runs it minus the libvirt calls. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../fuzz/stats_input.h"
#include "fixtures.h"
#include "libvirt_stats.h"
#include "libvirt_stats_domain.h"

#define UUID "8e3b1c1a-0d5e-4f8a-9a51-000000000001"
#define OTHER_UUID "8e3b1c1a-0d5e-4f8a-9a51-000000000002"
#define INDEX 3
#define NOW 5000
#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct stats_input in;   /* the record and the definition */
static struct vax_domain dom, last;
static bool unknown_dev;
static bool carried;

static void setup(void)
{
	memset(&in, 0, sizeof(in));
	memset(&dom, 0, sizeof(dom));
	memset(&last, 0, sizeof(last));
	unknown_dev = carried = false;
}

static void teardown(void)
{
	vax_domain_clear(&dom);
	vax_domain_clear(&last);
	stats_input_free(&in);
}

/* A record of tests/fuzz/corpus/stats/, read as the fuzzer reads it. */
static void load(const char *file)
{
	const char *top = getenv("top_srcdir");
	char path[4096];

	snprintf(path, sizeof(path), "%s/tests/fuzz/corpus/stats/%s", top ? top : ".", file);
	ck_assert_msg(stats_input_load(path, &in), "%s", path);
}

/* A running domain's facts: id 7, every group in bulk, lists unknown. */
static struct vax_domain_facts facts(void)
{
	return (struct vax_domain_facts){ .now = NOW, .id = 7, .bulk_groups = VAX_GRP_ALL,
					  .persistent = -1, .autostart = -1 };
}

static int from_stats(struct vax_domdef *def, const char *name)
{
	const struct vax_domain_src src = { .index = INDEX, .uuid = UUID, .name = name,
					    .def = def, .params = in.p, .nparams = in.n };

	return vax_domain_from_stats(&dom, &src, &unknown_dev);
}

/* Both steps, with no per-domain calls between them; returns the groups. */
static unsigned build(const struct vax_domain_facts *f)
{
	int groups = from_stats(in.def, "web01");

	ck_assert_int_ge(groups, 0);
	carried = vax_domain_finish(&dom, (unsigned)groups, f);
	return (unsigned)groups;
}

/* The last snapshot's row of this index: another id, start and values
 * (CPU time 999, one vCPU at 555 ns, the first disk at 77 reads). */
static void set_last(const char *uuid, unsigned id, int64_t started_ms, int64_t stats_ms)
{
	fx_domain_init(&last, INDEX, "web01", uuid, 1, vax_domdef_ref(in.def), 1);
	if (id != VAX_NO_ID)
		vax_set(&last.vals, VAX_DOM_ID, id);
	last.started_ms = started_ms;
	last.stats_ms = stats_ms;
	vax_set(&last.vals, VAX_DOM_CPU_TIME, 999);
	vax_set(&last.vcpus[0].vals, VAX_VCPU_TIME, 555);
	if (in.def->ndisks)
		vax_set(&last.disks[0].vals, VAX_DISK_RD_REQS, 77);
}

/* ---- exactly these values, and no other (absent is never 0) ---- */

struct want { int field; uint64_t value; };

#define EXPECT(s, w, what) expect_((s)->have, (s)->v, VAX_NVALS(s), (w), N(w), (what))
#define EXPECT_NONE(s, what) expect_((s)->have, (s)->v, VAX_NVALS(s), NULL, 0, (what))

static void expect_(uint64_t have, const uint64_t *v, size_t nv, const struct want *w,
		    size_t nw, const char *what)
{
	uint64_t want_have = 0;

	for (size_t i = 0; i < nw; i++) {
		ck_assert_msg(vax_has_(have, nv, w[i].field), "%s: field %d absent", what, w[i].field);
		ck_assert_msg(v[w[i].field] == w[i].value, "%s: field %d is %llu, not %llu", what,
			      w[i].field, (unsigned long long)v[w[i].field],
			      (unsigned long long)w[i].value);
		want_have |= UINT64_C(1) << w[i].field;
	}
	ck_assert_msg(have == want_have, "%s: fields %#llx set, not %#llx", what,
		      (unsigned long long)have, (unsigned long long)want_have);
}

/* ---- a real QEMU guest's record (dump-stats.c) ---- */

static void build_qemu_guest(void)
{
	struct vax_domain_facts f = facts();

	f.persistent = 1;
	f.autostart = 0;
	load("qemu-guest");
	ck_assert_uint_eq(build(&f), VAX_GRP_ALL);
	ck_assert(!unknown_dev);
}

START_TEST(test_qemu_identity)
{
	build_qemu_guest();
	ck_assert_uint_eq(dom.index, INDEX);
	ck_assert_str_eq(dom.uuid, UUID);
	ck_assert_str_eq(dom.name, "web01");
	ck_assert_ptr_eq(dom.def, in.def);
	ck_assert_int_eq(dom.stats_ms, NOW);
	ck_assert_int_eq(dom.started_ms, NOW);   /* a new id, not the first snapshot */
	ck_assert(!carried);
}
END_TEST

START_TEST(test_qemu_domain)
{
	static const struct want w[] = {
		{ VAX_DOM_STATE, 1 }, { VAX_DOM_REASON, 1 }, { VAX_DOM_ID, 7 },
		{ VAX_DOM_PERSISTENT, 1 }, { VAX_DOM_AUTOSTART, 0 },
		{ VAX_DOM_CPU_TIME, 1562355000 }, { VAX_DOM_CPU_USER, 1174888000 },
		{ VAX_DOM_CPU_SYSTEM, 387466000 },
		{ VAX_DOM_MEM_CUR, 65536 }, { VAX_DOM_BAL_ACTUAL, 65536 },
		{ VAX_DOM_MEM_MAX, 65536 }, { VAX_DOM_BAL_RSS, 48852 },
		{ VAX_DOM_VCPU_CUR, 2 }, { VAX_DOM_VCPU_MAX, 2 },
	};

	build_qemu_guest();
	EXPECT(&dom.vals, w, "domain");
}
END_TEST

START_TEST(test_qemu_vcpus)
{
	static const struct want v0[] = {
		{ VAX_VCPU_STATE, 1 }, { VAX_VCPU_TIME, 810000000 },
		{ VAX_VCPU_WAIT, 0 }, { VAX_VCPU_DELAY, 400182852 },
	};
	static const struct want v1[] = {
		{ VAX_VCPU_STATE, 1 }, { VAX_VCPU_TIME, 0 },
		{ VAX_VCPU_WAIT, 0 }, { VAX_VCPU_DELAY, 5961436 },
	};

	build_qemu_guest();
	ck_assert_uint_eq(dom.nvcpus, 2);
	EXPECT(&dom.vcpus[0].vals, v0, "vcpu 0");
	EXPECT(&dom.vcpus[1].vals, v1, "vcpu 1");
}
END_TEST

START_TEST(test_qemu_disks)
{
	static const struct want vda[] = {
		{ VAX_DISK_RD_REQS, 55 }, { VAX_DISK_RD_BYTES, 221696 },
		{ VAX_DISK_RD_TIME, 137115558 }, { VAX_DISK_WR_REQS, 54 },
		{ VAX_DISK_WR_BYTES, 221184 }, { VAX_DISK_WR_TIME, 193123821 },
		{ VAX_DISK_FL_REQS, 0 }, { VAX_DISK_FL_TIME, 0 },
		{ VAX_DISK_ALLOCATION, 332288 }, { VAX_DISK_CAPACITY, 33554432 },
		{ VAX_DISK_PHYSICAL, 335872 },
	};
	static const struct want vdb[] = {
		{ VAX_DISK_RD_REQS, 54 }, { VAX_DISK_RD_BYTES, 221184 },
		{ VAX_DISK_RD_TIME, 100109095 }, { VAX_DISK_WR_REQS, 54 },
		{ VAX_DISK_WR_BYTES, 221184 }, { VAX_DISK_WR_TIME, 179489113 },
		{ VAX_DISK_FL_REQS, 0 }, { VAX_DISK_FL_TIME, 0 },
		{ VAX_DISK_ALLOCATION, 393216 }, { VAX_DISK_CAPACITY, 33554432 },
		{ VAX_DISK_PHYSICAL, 335872 },
	};

	build_qemu_guest();
	ck_assert_uint_eq(dom.def->ndisks, 2);
	ck_assert_str_eq(dom.def->disks[0].target, "vda");
	EXPECT(&dom.disks[0].vals, vda, "vda");
	ck_assert_str_eq(dom.def->disks[1].target, "vdb");
	EXPECT(&dom.disks[1].vals, vdb, "vdb");
}
END_TEST

START_TEST(test_qemu_nics)
{
	static const struct want tap[] = {
		{ VAX_NIC_RX_BYTES, 90 }, { VAX_NIC_RX_PKTS, 1 }, { VAX_NIC_RX_ERRS, 0 },
		{ VAX_NIC_RX_DROP, 0 }, { VAX_NIC_TX_BYTES, 0 }, { VAX_NIC_TX_PKTS, 0 },
		{ VAX_NIC_TX_ERRS, 0 }, { VAX_NIC_TX_DROP, 0 },
	};

	build_qemu_guest();
	ck_assert_uint_eq(dom.def->nnics, 2);
	ck_assert_str_eq(dom.def->nics[0].target, "tfz380");
	EXPECT(&dom.nics[0].vals, tap, "tfz380");
	/* The user-mode NIC has no host device: no net.N names it. No host
	 * ifindex either: if_nametoindex is the collector's. */
	ck_assert_ptr_null(dom.def->nics[1].target);
	EXPECT_NONE(&dom.nics[1].vals, "user-mode NIC");
}
END_TEST

/* ---- devices matched by name ---- */

START_TEST(test_hotplugged_flagged)
{
	static const struct want vda[] = { { VAX_DISK_RD_REQS, 1 } };
	static const struct want hdc[] = { { VAX_DISK_CAPACITY, 0 } };   /* a real 0 */
	static const struct want tap1[] = { { VAX_NIC_RX_BYTES, 10 } };
	struct vax_domain_facts f = facts();

	load("gaps-hotplug");
	build(&f);
	/* sdz and vnet9 are in the stats, not in the XML. */
	ck_assert(unknown_dev);
	ck_assert_uint_eq(dom.def->ndisks, 3);
	EXPECT(&dom.disks[0].vals, vda, "vda");
	EXPECT_NONE(&dom.disks[1].vals, "disk without a target");
	EXPECT(&dom.disks[2].vals, hdc, "hdc");
	EXPECT_NONE(&dom.nics[0].vals, "tap0, whose stats never came");
	EXPECT(&dom.nics[1].vals, tap1, "tap1");
}
END_TEST

/* What col_build_domain does next: clear, the new XML, again. */
START_TEST(test_hotplugged_rebuilt)
{
	static const char *const disks[] = { "vda", NULL, "hdc", "sdz" };
	static const char *const nics[] = { "tap0", "tap1", "vnet9" };
	static const struct want sdz[] = { { VAX_DISK_RD_REQS, 2 } };
	static const struct want vnet9[] = { { VAX_NIC_TX_BYTES, 20 } };
	struct vax_domdef *def = fx_domdef(disks, N(disks), nics, N(nics));

	load("gaps-hotplug");
	ck_assert_int_ge(from_stats(in.def, "web01"), 0);
	ck_assert(unknown_dev);
	vax_domain_clear(&dom);
	ck_assert_int_eq(from_stats(def, "web01"), VAX_GRP_BLOCK | VAX_GRP_NET);
	vax_domdef_unref(def);   /* dom holds its own reference */
	ck_assert(!unknown_dev);
	ck_assert_uint_eq(dom.index, INDEX);
	ck_assert_str_eq(dom.name, "web01");
	EXPECT(&dom.disks[3].vals, sdz, "sdz");
	EXPECT(&dom.nics[2].vals, vnet9, "vnet9");
}
END_TEST

/* The XML could not be had: an empty definition, the domain's own values. */
START_TEST(test_no_definition)
{
	load("qemu-guest");
	ck_assert_int_eq(from_stats(NULL, "web01"), VAX_GRP_ALL);
	ck_assert(unknown_dev);
	ck_assert_ptr_nonnull(dom.def);
	ck_assert_uint_eq(dom.def->ndisks, 0);
	ck_assert_ptr_null(dom.disks);
	ck_assert_ptr_null(dom.nics);
	ck_assert_uint_eq(dom.vals.v[VAX_DOM_CPU_TIME], 1562355000);
}
END_TEST

START_TEST(test_name_made_utf8)
{
	load("testdrv-node-_-_");
	ck_assert_int_eq(from_stats(in.def, "web\xff" "01"), VAX_GRP_STATE);
	ck_assert_str_eq(dom.name, "web\xef\xbf\xbd" "01");
}
END_TEST

/* ---- what the refresh knows beyond the record ---- */

/* A test-driver record with no devices: the state group alone. */
static const struct {
	const char *what;
	bool has_last;
	unsigned last_id, id;
	bool first;
	int64_t started_ms;
} started_cases[] = {
	{ "same id: kept", true, 7, 7, false, 1234 },
	{ "new id: now", true, 6, 7, false, NOW },
	{ "was not running: now", true, VAX_NO_ID, 7, false, NOW },
	{ "new to the last snapshot: now", false, 0, 7, false, NOW },
	{ "the first snapshot: unknown", false, 0, 7, true, 0 },
	{ "not running: none", true, 7, VAX_NO_ID, false, 0 },
};

START_TEST(test_started)
{
	struct vax_domain_facts f = facts();

	load("testdrv-node-_-_");
	if (started_cases[_i].has_last) {
		set_last(UUID, started_cases[_i].last_id, 1234, 4000);
		f.last = &last;
	}
	f.id = started_cases[_i].id;
	f.first = started_cases[_i].first;
	build(&f);
	ck_assert_msg(dom.started_ms == started_cases[_i].started_ms, "%s: started_ms %lld",
		      started_cases[_i].what, (long long)dom.started_ms);
	if (f.id == VAX_NO_ID) {
		ck_assert(!vax_has(&dom.vals, VAX_DOM_ID));
		ck_assert_int_eq(dom.stats_ms, 0);
	} else {
		ck_assert_uint_eq(dom.vals.v[VAX_DOM_ID], 7);
	}
}
END_TEST

/* Bulk stats left a group out: last's values fill it, if last is the
 * same domain and had stats. */
static const struct {
	const char *what, *file;
	unsigned bulk_groups;
	const char *last_uuid;
	int64_t last_stats_ms;
	bool carried;
	uint64_t cpu_time;   /* 0: absent */
	int64_t stats_ms;
} carry_cases[] = {
	{ "the driver returns the groups: carried", "testdrv-node-_-_",
	  VAX_GRP_ALL, UUID, 4000, true, 999, 4000 },
	{ "the driver never returns them: the fallback's", "testdrv-node-_-_",
	  VAX_GRP_STATE, UUID, 4000, false, 0, NOW },
	/* Its disk has a source and no counter: NOWAIT skipped it. */
	{ "skipped: every group carried", "testdrv-node-web01",
	  VAX_GRP_STATE, UUID, 4000, true, 999, 4000 },
	{ "another domain under the index", "testdrv-node-_-_",
	  VAX_GRP_ALL, OTHER_UUID, 4000, false, 0, NOW },
	{ "last had no stats", "testdrv-node-_-_",
	  VAX_GRP_ALL, UUID, 0, false, 0, NOW },
	{ "nothing left out", "qemu-guest",
	  VAX_GRP_ALL, UUID, 4000, false, 1562355000, NOW },
};

START_TEST(test_carry_over)
{
	struct vax_domain_facts f = facts();

	load(carry_cases[_i].file);
	set_last(carry_cases[_i].last_uuid, 7, 0, carry_cases[_i].last_stats_ms);
	f.last = &last;
	f.bulk_groups = carry_cases[_i].bulk_groups;
	build(&f);
	ck_assert_msg(carried == carry_cases[_i].carried, "%s", carry_cases[_i].what);
	if (carry_cases[_i].cpu_time)
		ck_assert_msg(vax_has(&dom.vals, VAX_DOM_CPU_TIME) &&
			      dom.vals.v[VAX_DOM_CPU_TIME] == carry_cases[_i].cpu_time,
			      "%s: cpu time", carry_cases[_i].what);
	else
		ck_assert_msg(!vax_has(&dom.vals, VAX_DOM_CPU_TIME), "%s: cpu time",
			      carry_cases[_i].what);
	ck_assert_msg(dom.stats_ms == carry_cases[_i].stats_ms, "%s: stats_ms %lld",
		      carry_cases[_i].what, (long long)dom.stats_ms);
}
END_TEST

/* Skipped: the devices and vCPUs carry over too, the state does not. */
START_TEST(test_carry_over_devices)
{
	struct vax_domain_facts f = facts();

	load("testdrv-node-web01");
	set_last(UUID, 7, 0, 4000);
	vax_set(&last.vals, VAX_DOM_STATE, 3);
	f.last = &last;
	build(&f);
	ck_assert(carried);
	ck_assert_uint_eq(dom.vals.v[VAX_DOM_STATE], 1);
	ck_assert_uint_eq(dom.nvcpus, 1);
	ck_assert_uint_eq(dom.vcpus[0].vals.v[VAX_VCPU_TIME], 555);
	ck_assert_uint_eq(dom.disks[0].vals.v[VAX_DISK_RD_REQS], 77);
	EXPECT_NONE(&dom.disks[1].vals, "sdb");
}
END_TEST

START_TEST(test_not_running_keeps_nothing)
{
	static const struct want w[] = { { VAX_DOM_STATE, 5 }, { VAX_DOM_REASON, 0 } };
	struct vax_domain_facts f = facts();

	load("testdrv-node-build");
	set_last(UUID, 7, 1234, 4000);
	f.last = &last;
	f.id = VAX_NO_ID;
	build(&f);
	ck_assert(!carried);
	EXPECT(&dom.vals, w, "shut off domain");
	EXPECT_NONE(&dom.disks[0].vals, "vda");
	ck_assert_uint_eq(dom.nvcpus, 0);
	ck_assert_int_eq(dom.stats_ms, 0);
}
END_TEST

/* The configured sizes (from the XML) fill only what the stats did not
 * say: a QEMU record says them all but VAX_DOM_VCPU_MIN. */
static const struct {
	const char *file;
	int field;
	uint64_t configured, served;
} configured_cases[] = {
	{ "qemu-guest", VAX_DOM_MEM_MAX, 131072, 65536 },
	{ "qemu-guest", VAX_DOM_MEM_CUR, 131072, 65536 },
	{ "qemu-guest", VAX_DOM_VCPU_MAX, 4, 2 },
	{ "qemu-guest", VAX_DOM_VCPU_MIN, 1, 1 },
	{ "testdrv-node-web01", VAX_DOM_MEM_MAX, 131072, 131072 },
	{ "testdrv-node-web01", VAX_DOM_VCPU_CUR, 4, 4 },
};

START_TEST(test_configured_sizes)
{
	struct vax_domain_facts f = facts();

	load(configured_cases[_i].file);
	vax_set(&in.def->vals, configured_cases[_i].field, configured_cases[_i].configured);
	build(&f);
	ck_assert_msg(vax_has(&dom.vals, configured_cases[_i].field) &&
		      dom.vals.v[configured_cases[_i].field] == configured_cases[_i].served,
		      "%s: field %d", configured_cases[_i].file, configured_cases[_i].field);
}
END_TEST

/* Persistence and autostart: 1, 0, or -1 when the listing failed. */
START_TEST(test_lists)
{
	static const struct want w[] = {
		{ VAX_DOM_STATE, 1 }, { VAX_DOM_REASON, 0 }, { VAX_DOM_ID, 7 },
		{ VAX_DOM_PERSISTENT, 0 }, { VAX_DOM_AUTOSTART, 1 },
	};
	static const struct want unknown[] = {
		{ VAX_DOM_STATE, 1 }, { VAX_DOM_REASON, 0 }, { VAX_DOM_ID, 7 },
	};
	struct vax_domain_facts f = facts();

	load("testdrv-node-_-_");
	f.persistent = 0;
	f.autostart = 1;
	build(&f);
	EXPECT(&dom.vals, w, "lists known");
	vax_domain_clear(&dom);
	f.persistent = f.autostart = -1;
	build(&f);
	EXPECT(&dom.vals, unknown, "lists failed");
}
END_TEST

/* A domain that could not be built gives its slot back (refresh()). */
START_TEST(test_snapshot_drop_last)
{
	struct vax_snapshot *s = vax_snapshot_new(2);
	bool unknown;

	load("qemu-guest");
	const struct vax_domain_src src = { .index = 9, .uuid = UUID, .name = "gone",
					    .def = in.def, .params = in.p, .nparams = in.n };
	fx_add_domain(s, 1, "kept", OTHER_UUID, 1, NULL, 0);
	ck_assert_int_ge(vax_domain_from_stats(vax_snapshot_add(s), &src, &unknown), 0);
	ck_assert_uint_eq(s->ndomains, 2);
	vax_snapshot_drop_last(s);
	ck_assert_uint_eq(s->ndomains, 1);
	ck_assert_str_eq(s->domains[0].name, "kept");
	/* Freed (valgrind says) and zeroed: the slot is reused. */
	ck_assert_ptr_null(s->domains[1].name);
	ck_assert_ptr_null(s->domains[1].def);
	fx_seal(s);
	vax_snapshot_free(s);
}
END_TEST

static Suite *stats_domain_suite(void)
{
	Suite *s = suite_create("stats_domain");
	TCase *tc;

	tc = tcase_create("qemu-guest");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_qemu_identity);
	tcase_add_test(tc, test_qemu_domain);
	tcase_add_test(tc, test_qemu_vcpus);
	tcase_add_test(tc, test_qemu_disks);
	tcase_add_test(tc, test_qemu_nics);
	suite_add_tcase(s, tc);

	tc = tcase_create("devices");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_hotplugged_flagged);
	tcase_add_test(tc, test_hotplugged_rebuilt);
	tcase_add_test(tc, test_no_definition);
	tcase_add_test(tc, test_name_made_utf8);
	suite_add_tcase(s, tc);

	tc = tcase_create("facts");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_started, 0, N(started_cases));
	tcase_add_loop_test(tc, test_carry_over, 0, N(carry_cases));
	tcase_add_test(tc, test_carry_over_devices);
	tcase_add_test(tc, test_not_running_keeps_nothing);
	tcase_add_loop_test(tc, test_configured_sizes, 0, N(configured_cases));
	tcase_add_test(tc, test_lists);
	tcase_add_test(tc, test_snapshot_drop_last);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vax_run_suite(stats_domain_suite());
}
