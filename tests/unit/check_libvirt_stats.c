/* check_libvirt_stats.c - libvirt statistics to model values. */
#include "config.h"

#include <check.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>

#include "fixtures.h"
#include "libvirt_stats.h"

#define UUID "8e3b1c1a-0d5e-4f8a-9a51-000000000001"
#define ALL_GROUPS (VAX_GRP_STATE | VAX_GRP_CPU | VAX_GRP_BALLOON | \
		    VAX_GRP_VCPU | VAX_GRP_BLOCK | VAX_GRP_NET)
#define BIT(f) (UINT64_C(1) << (f))
#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

/* The domain under test: disks vda, vdb; NICs tap0, a user-mode NIC
 * without a target, vnet1. */
static struct vax_domain dom;
static virTypedParameterPtr params;
static int nparams, maxparams;
static bool unknown_dev;

static void setup(void)
{
	static const char *const disks[] = { "vda", "vdb" };
	static const char *const nics[] = { "tap0", NULL, "vnet1" };

	fx_domain_init(&dom, 1, "web01", UUID, -1, fx_domdef(disks, 2, nics, 3), 0);
	params = NULL;
	nparams = maxparams = 0;
	unknown_dev = false;
}

static void teardown(void)
{
	virTypedParamsFree(params, nparams);
	params = NULL;
	nparams = maxparams = 0;
	vax_domain_clear(&dom);
}

static const char *key(char *buf, size_t len, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
static const char *key(char *buf, size_t len, const char *fmt, va_list ap)
{
	int n = vsnprintf(buf, len, fmt, ap);

	ck_assert_int_gt(n, 0);
	ck_assert_int_lt(n, (int)len);
	return buf;
}

#define ADDER(fn, ctype, vir) \
	static void fn(ctype v, const char *fmt, ...) __attribute__((format(printf, 2, 3))); \
	static void fn(ctype v, const char *fmt, ...) \
	{ \
		char buf[VIR_TYPED_PARAM_FIELD_LENGTH]; \
		va_list ap; \
		va_start(ap, fmt); \
		key(buf, sizeof(buf), fmt, ap); \
		va_end(ap); \
		ck_assert_int_eq(vir(&params, &nparams, &maxparams, buf, v), 0); \
	}
ADDER(add_ull, unsigned long long, virTypedParamsAddULLong)
ADDER(add_ll, long long, virTypedParamsAddLLong)
ADDER(add_uint, unsigned int, virTypedParamsAddUInt)
ADDER(add_int, int, virTypedParamsAddInt)
ADDER(add_double, double, virTypedParamsAddDouble)
ADDER(add_bool, int, virTypedParamsAddBoolean)
ADDER(add_str, const char *, virTypedParamsAddString)

static unsigned apply(void)
{
	return vax_stats_apply(&dom, params, nparams, &unknown_dev);
}

/* ---- a full QEMU-like record ---- */

/* A device's keys in the bulk record and the field each lands in. The
 * full record gives key k of a device the value base + k + 1. */
static const struct { const char *key; int field; } block_keys[] = {
	{ "rd.reqs", VAX_DISK_RD_REQS }, { "rd.bytes", VAX_DISK_RD_BYTES },
	{ "rd.times", VAX_DISK_RD_TIME }, { "wr.reqs", VAX_DISK_WR_REQS },
	{ "wr.bytes", VAX_DISK_WR_BYTES }, { "wr.times", VAX_DISK_WR_TIME },
	{ "fl.reqs", VAX_DISK_FL_REQS }, { "fl.times", VAX_DISK_FL_TIME },
	{ "allocation", VAX_DISK_ALLOCATION }, { "capacity", VAX_DISK_CAPACITY },
	{ "physical", VAX_DISK_PHYSICAL },
}, net_keys[] = {
	{ "rx.bytes", VAX_NIC_RX_BYTES }, { "rx.pkts", VAX_NIC_RX_PKTS },
	{ "rx.errs", VAX_NIC_RX_ERRS }, { "rx.drop", VAX_NIC_RX_DROP },
	{ "tx.bytes", VAX_NIC_TX_BYTES }, { "tx.pkts", VAX_NIC_TX_PKTS },
	{ "tx.errs", VAX_NIC_TX_ERRS }, { "tx.drop", VAX_NIC_TX_DROP },
};

static void add_block(int n, const char *name, unsigned long long base)
{
	add_str(name, "block.%d.name", n);
	add_str("/var/lib/libvirt/images/x.qcow2", "block.%d.path", n);
	for (int k = 0; k < N(block_keys); k++)
		add_ull(base + (unsigned)k + 1, "block.%d.%s", n, block_keys[k].key);
}

static void add_net(int n, const char *name, unsigned long long base)
{
	add_str(name, "net.%d.name", n);
	for (int k = 0; k < N(net_keys); k++)
		add_ull(base + (unsigned)k + 1, "net.%d.%s", n, net_keys[k].key);
}

/* A field and its value; a set of them is all a value set must hold. */
struct fv { int f; uint64_t v; };

static void expect_vals(const char *what, uint64_t have, const uint64_t *v,
			const struct fv *w, size_t n)
{
	uint64_t want = 0;

	for (size_t i = 0; i < n; i++) {
		want |= BIT(w[i].f);
		ck_assert_msg(v[w[i].f] == w[i].v, "%s: field %d is %llu, not %llu", what,
			      w[i].f, (unsigned long long)v[w[i].f], (unsigned long long)w[i].v);
	}
	ck_assert_msg(have == want, "%s: fields 0x%llx, not 0x%llx", what,
		      (unsigned long long)have, (unsigned long long)want);
}

/* vals holds exactly these fields: EXPECT(&dom.vals, { F, value }, ...). */
#define EXPECT(vals, ...) expect_vals(#vals, (vals)->have, (vals)->v, \
	(const struct fv[]){ __VA_ARGS__ }, \
	sizeof((const struct fv[]){ __VA_ARGS__ }) / sizeof(struct fv))

/* What the full record's keys gave a device: every key's field, no other. */
static void check_block(const char *what, const struct vax_disk *d,
			unsigned long long base)
{
	struct fv w[N(block_keys)];

	for (int k = 0; k < N(block_keys); k++)
		w[k] = (struct fv){ block_keys[k].field, base + (unsigned)k + 1 };
	expect_vals(what, d->vals.have, d->vals.v, w, N(block_keys));
	ck_assert(!vax_has(&d->vals, VAX_DISK_ERRORS));
}

static void check_net(const char *what, const struct vax_nic *nic,
		      unsigned long long base)
{
	struct fv w[N(net_keys)];

	for (int k = 0; k < N(net_keys); k++)
		w[k] = (struct fv){ net_keys[k].field, base + (unsigned)k + 1 };
	expect_vals(what, nic->vals.have, nic->vals.v, w, N(net_keys));
	ck_assert_uint_eq(nic->vals.have, BIT(VAX_NIC_HOST_IFINDEX) - 1);  /* all but the ifindexes */
	ck_assert(!vax_has(&nic->vals, VAX_NIC_HOST_IFINDEX));
}

static void add_vcpu(int n, unsigned long long base)
{
	add_int(1, "vcpu.%d.state", n);
	add_ull(base + 1, "vcpu.%d.time", n);
	add_ull(base + 2, "vcpu.%d.wait", n);
	add_ull(base + 3, "vcpu.%d.delay", n);
	add_bool(0, "vcpu.%d.halted", n);
}

static void add_full_record(void)
{
	add_int(VIR_DOMAIN_RUNNING, "state.state");
	add_int(VIR_DOMAIN_RUNNING_BOOTED, "state.reason");
	add_ull(1000000001ULL, "cpu.time");
	add_ull(1000000002ULL, "cpu.user");
	add_ull(1000000003ULL, "cpu.system");
	add_ull(2000001, "balloon.current");
	add_ull(2000002, "balloon.maximum");
	add_ull(2000003, "balloon.swap_in");
	add_ull(2000004, "balloon.swap_out");
	add_ull(2000005, "balloon.major_fault");
	add_ull(2000006, "balloon.minor_fault");
	add_ull(2000007, "balloon.unused");
	add_ull(2000008, "balloon.available");
	add_ull(2000009, "balloon.usable");
	add_ull(1700000000, "balloon.last-update");
	add_ull(2000010, "balloon.rss");
	add_ull(2000011, "balloon.disk_caches");
	add_uint(2, "vcpu.current");
	add_uint(4, "vcpu.maximum");
	add_vcpu(0, 3000000);
	add_vcpu(1, 3000010);
	add_uint(2, "block.count");
	add_block(0, "vda", 4000000);
	add_block(1, "vdb", 4000100);
	add_uint(2, "net.count");
	add_net(0, "tap0", 5000000);
	add_net(1, "vnet1", 5000100);
}

START_TEST(test_full_record_groups)
{
	add_full_record();
	ck_assert_uint_eq(apply(), ALL_GROUPS);
	ck_assert(!unknown_dev);
}
END_TEST

START_TEST(test_full_record_domain)
{
	add_full_record();
	apply();
	EXPECT(&dom.vals, { VAX_DOM_STATE, VIR_DOMAIN_RUNNING },
	       { VAX_DOM_REASON, VIR_DOMAIN_RUNNING_BOOTED },
	       { VAX_DOM_CPU_TIME, 1000000001ULL }, { VAX_DOM_CPU_USER, 1000000002ULL },
	       { VAX_DOM_CPU_SYSTEM, 1000000003ULL },
	       { VAX_DOM_MEM_CUR, 2000001 }, { VAX_DOM_BAL_ACTUAL, 2000001 },
	       { VAX_DOM_MEM_MAX, 2000002 }, { VAX_DOM_BAL_SWAP_IN, 2000003 },
	       { VAX_DOM_BAL_SWAP_OUT, 2000004 }, { VAX_DOM_BAL_MAJOR_FAULT, 2000005 },
	       { VAX_DOM_BAL_MINOR_FAULT, 2000006 }, { VAX_DOM_BAL_UNUSED, 2000007 },
	       { VAX_DOM_BAL_AVAILABLE, 2000008 }, { VAX_DOM_BAL_USABLE, 2000009 },
	       { VAX_DOM_BAL_RSS, 2000010 }, { VAX_DOM_BAL_DISK_CACHES, 2000011 },
	       { VAX_DOM_VCPU_CUR, 2 }, { VAX_DOM_VCPU_MAX, 4 });
	/* Everything but what only the domain object tells, and the usage
	 * gauges: usage.c computes those between two samples, never a record. */
	ck_assert_uint_eq(dom.vals.have, (BIT(VAX_DOM_NFIELDS) - 1) & ~(BIT(VAX_DOM_ID) |
			  BIT(VAX_DOM_PERSISTENT) | BIT(VAX_DOM_AUTOSTART) |
			  BIT(VAX_DOM_VCPU_MIN) |   /* the XML's alone */
			  BIT(VAX_DOM_U_CPU) | BIT(VAX_DOM_U_CPU_VCPUS) |
			  BIT(VAX_DOM_U_CPU_USER) | BIT(VAX_DOM_U_CPU_SYSTEM) |
			  BIT(VAX_DOM_U_WINDOW)));
}
END_TEST

START_TEST(test_full_record_vcpus)
{
	add_full_record();
	apply();
	ck_assert_uint_eq(dom.nvcpus, 2);
	ck_assert_ptr_nonnull(dom.vcpus);
	for (unsigned i = 0; i < 2; i++) {
		unsigned long long base = 3000000 + 10 * i;
		/* No physical CPU: vcpu.N.* does not say. */
		EXPECT(&dom.vcpus[i].vals, { VAX_VCPU_STATE, 1 }, { VAX_VCPU_TIME, base + 1 },
		       { VAX_VCPU_WAIT, base + 2 }, { VAX_VCPU_DELAY, base + 3 });
		ck_assert(!vax_has(&dom.vcpus[i].vals, VAX_VCPU_PCPU));
	}
}
END_TEST

START_TEST(test_full_record_disks)
{
	add_full_record();
	apply();
	check_block("disk 0", &dom.disks[0], 4000000);
	check_block("disk 1", &dom.disks[1], 4000100);
}
END_TEST

START_TEST(test_full_record_nics)
{
	add_full_record();
	apply();
	check_net("nic 0", &dom.nics[0], 5000000);
	ck_assert_uint_eq(dom.nics[1].vals.have, 0);   /* the user-mode NIC */
	check_net("nic 2", &dom.nics[2], 5000100);
}
END_TEST

/* ---- device numbering ---- */

/* Stats devices are numbered as the driver likes: each is matched to the
 * domain's by name. A case states every device's values. */
struct dev { int n; const char *name; unsigned long long base; };   /* name NULL: none */
#define NONE -1   /* a device with no values */
static const struct {
	const char *name;
	unsigned groups;
	bool unknown;
	long long disks[2], nics[3];       /* each device's base, or NONE */
	unsigned block_count, net_count;   /* 0: no *.count key */
	struct dev blocks[2], nets[2];
} devs[] = {
	{ "net numbers with a gap", VAX_GRP_NET, false, { NONE, NONE }, { 200, NONE, 100 },
	  .net_count = 3, .nets = { { 0, "vnet1", 100 }, { 2, "tap0", 200 } } },
	{ "only the second disk", VAX_GRP_BLOCK, false, { NONE, 700 }, { NONE, NONE, NONE },
	  .block_count = 1, .blocks = { { 1, "vdb", 700 } } },
	{ "disks in the other order", VAX_GRP_BLOCK, false, { 200, 100 }, { NONE, NONE, NONE },
	  .blocks = { { 0, "vdb", 100 }, { 1, "vda", 200 } } },
	{ "unknown disk", VAX_GRP_BLOCK, true, { NONE, NONE }, { NONE, NONE, NONE },
	  .blocks = { { 0, "sdz", 100 } } },
	{ "unknown disk, the others kept", VAX_GRP_BLOCK, true, { 100, NONE },
	  { NONE, NONE, NONE }, .blocks = { { 0, "vda", 100 }, { 1, "sdz", 200 } } },
	{ "unknown NIC", VAX_GRP_NET, true, { NONE, NONE }, { NONE, NONE, NONE },
	  .nets = { { 0, "vnet9", 100 } } },
	/* A device without a target never matches, not even "". */
	{ "empty name", VAX_GRP_NET, true, { NONE, NONE }, { NONE, NONE, NONE },
	  .nets = { { 0, "", 100 } } },
	/* Two numbers, one target (a backing chain, or a driver bug): the
	 * lower number keeps the device whatever the parameter order, the
	 * other's values never land on it. */
	{ "device named twice", VAX_GRP_BLOCK | VAX_GRP_NET, false, { 100, NONE },
	  { 200, NONE, NONE },
	  .blocks = { { 0, "vda", 100 }, { 1, "vda", 900 } },   /* libvirt's order */
	  .nets = { { 3, "tap0", 700 }, { 2, "tap0", 200 } } },  /* and the reverse */
};

START_TEST(test_devices)
{
	if (devs[_i].block_count)
		add_uint(devs[_i].block_count, "block.count");
	for (int k = 0; k < 2 && devs[_i].blocks[k].name; k++)
		add_block(devs[_i].blocks[k].n, devs[_i].blocks[k].name, devs[_i].blocks[k].base);
	if (devs[_i].net_count)
		add_uint(devs[_i].net_count, "net.count");
	for (int k = 0; k < 2 && devs[_i].nets[k].name; k++)
		add_net(devs[_i].nets[k].n, devs[_i].nets[k].name, devs[_i].nets[k].base);
	ck_assert_msg(apply() == devs[_i].groups, "%s: groups", devs[_i].name);
	ck_assert_msg(unknown_dev == devs[_i].unknown, "%s: unknown_dev", devs[_i].name);
	ck_assert_uint_eq(dom.vals.have, 0);
	for (int k = 0; k < 2; k++) {
		if (devs[_i].disks[k] == NONE)
			ck_assert_msg(dom.disks[k].vals.have == 0, "%s: disk %d", devs[_i].name, k);
		else
			check_block(devs[_i].name, &dom.disks[k],
				    (unsigned long long)devs[_i].disks[k]);
	}
	for (int k = 0; k < 3; k++) {
		if (devs[_i].nics[k] == NONE)
			ck_assert_msg(dom.nics[k].vals.have == 0, "%s: nic %d", devs[_i].name, k);
		else
			check_net(devs[_i].name, &dom.nics[k],
				  (unsigned long long)devs[_i].nics[k]);
	}
}
END_TEST


START_TEST(test_name_after_values)
{
	/* The name may come after the numbers of its device. */
	add_ull(42, "block.1.rd.reqs");
	add_str("vda", "block.1.name");
	apply();
	ck_assert_uint_eq(dom.disks[0].vals.v[VAX_DISK_RD_REQS], 42);
	ck_assert(vax_has(&dom.disks[0].vals, VAX_DISK_RD_REQS));
}
END_TEST

START_TEST(test_values_without_name)
{
	add_ull(5, "block.0.rd.reqs");
	add_ull(6, "net.0.rx.bytes");
	apply();
	ck_assert(!unknown_dev);
	ck_assert_uint_eq(dom.disks[0].vals.have, 0);
	ck_assert_uint_eq(dom.nics[0].vals.have, 0);
}
END_TEST

START_TEST(test_name_not_a_string)
{
	add_ull(0, "block.0.name");
	add_ull(5, "block.0.rd.reqs");
	apply();
	ck_assert_uint_eq(dom.disks[0].vals.have, 0);
	ck_assert_uint_eq(dom.disks[1].vals.have, 0);
}
END_TEST

START_TEST(test_no_devices_in_def)
{
	vax_domain_clear(&dom);
	fx_domain_init(&dom, 1, "empty", UUID, -1, NULL, 0);
	add_block(0, "vda", 100);
	add_net(0, "tap0", 100);
	ck_assert_uint_eq(apply(), VAX_GRP_BLOCK | VAX_GRP_NET);
	ck_assert(unknown_dev);
}
END_TEST

START_TEST(test_huge_block_numbers)
{
	add_str("vda", "block.99999.name");
	add_ull(1, "block.99999.rd.reqs");
	add_str("vda", "block.4294967296.name");
	add_ull(2, "block.4294967296.rd.reqs");
	add_str("vda", "block.99999999999999999999.name");
	add_ull(3, "block.99999999999999999999.rd.reqs");
	add_str("tap0", "net.18446744073709551615.name");
	add_ull(4, "net.18446744073709551615.rx.bytes");
	apply();
	ck_assert_uint_eq(dom.disks[0].vals.have, 0);
	ck_assert_uint_eq(dom.disks[1].vals.have, 0);
	ck_assert_uint_eq(dom.nics[0].vals.have, 0);
}
END_TEST

START_TEST(test_highest_block_number)
{
	add_str("vdb", "block.65535.name");
	add_ull(9, "block.65535.wr.reqs");
	apply();
	ck_assert(!unknown_dev);
	ck_assert_uint_eq(dom.disks[1].vals.have, BIT(VAX_DISK_WR_REQS));
	ck_assert_uint_eq(dom.disks[1].vals.v[VAX_DISK_WR_REQS], 9);
}
END_TEST

START_TEST(test_malformed_keys)
{
	add_str("vda", "block.0.name");
	add_ull(1, "block..rd.reqs");
	add_ull(2, "block.0x0.rd.reqs");
	add_ull(3, "block.-1.rd.reqs");
	add_ull(4, "block.0");
	add_ull(5, "block.0.");
	add_ull(6, "block.0.rd.reqs.extra");
	add_ull(7, "block.0.RD.REQS");
	add_ull(8, "blocks.0.rd.reqs");
	add_ull(9, "block. 0.rd.reqs");
	add_ull(10, "vcpu.");
	add_ull(11, "vcpu.0");
	add_ull(12, "cpu.");
	add_ull(13, "unknown.key");
	apply();
	ck_assert_uint_eq(dom.disks[0].vals.have, 0);
	ck_assert_uint_eq(dom.vals.have, 0);
}
END_TEST

START_TEST(test_more_stats_devices_than_xml)
{
	/* Bulk stats for 40 disks, the XML knows 2 of them (vdb as block.37):
	 * those two get their own values, the others are dropped. */
	for (int n = 0; n < 40; n++) {
		char name[16];
		snprintf(name, sizeof(name), "sd%c%c", 'a' + n / 26, 'a' + n % 26);
		add_block(n, n == 37 ? "vdb" : n == 3 ? "vda" : name, 1000 * (unsigned)n);
	}
	apply();
	ck_assert(unknown_dev);
	check_block("disk 0", &dom.disks[0], 3000);
	check_block("disk 1", &dom.disks[1], 37000);
}
END_TEST

/* ---- groups and absent values ---- */

START_TEST(test_missing_groups)
{
	add_int(VIR_DOMAIN_PAUSED, "state.state");
	add_int(VIR_DOMAIN_PAUSED_USER, "state.reason");
	add_ull(77, "cpu.time");
	ck_assert_uint_eq(apply(), VAX_GRP_STATE | VAX_GRP_CPU);
	EXPECT(&dom.vals, { VAX_DOM_STATE, VIR_DOMAIN_PAUSED },
	       { VAX_DOM_REASON, VIR_DOMAIN_PAUSED_USER }, { VAX_DOM_CPU_TIME, 77 });
	ck_assert(!vax_has(&dom.vals, VAX_DOM_MEM_CUR));
	ck_assert(!vax_has(&dom.vals, VAX_DOM_BAL_RSS));
	ck_assert(!vax_has(&dom.vals, VAX_DOM_VCPU_CUR));
	ck_assert(!vax_has(&dom.vals, VAX_DOM_CPU_USER));
	ck_assert_uint_eq(dom.nvcpus, 0);
	ck_assert_ptr_null(dom.vcpus);
	ck_assert_uint_eq(dom.disks[0].vals.have, 0);
	ck_assert_uint_eq(dom.nics[0].vals.have, 0);
}
END_TEST

START_TEST(test_no_params)
{
	ck_assert_uint_eq(apply(), 0);
	ck_assert(!unknown_dev);
	ck_assert_uint_eq(dom.vals.have, 0);
	ck_assert_uint_eq(dom.nvcpus, 0);
}
END_TEST

START_TEST(test_unknown_dev_reset)
{
	unknown_dev = true;
	add_int(1, "state.state");
	apply();
	ck_assert(!unknown_dev);
}
END_TEST

START_TEST(test_group_seen_without_values)
{
	/* A group is "seen" even when none of its values is usable. */
	add_double(1.5, "balloon.rss");
	add_ull(3, "balloon.last-update");
	ck_assert_uint_eq(apply(), VAX_GRP_BALLOON);
	ck_assert_uint_eq(dom.vals.have, 0);
}
END_TEST

START_TEST(test_negative_int_absent)
{
	add_int(-1, "state.state");
	add_int(-5, "state.reason");
	add_int(-1, "vcpu.0.state");
	apply();
	ck_assert(!vax_has(&dom.vals, VAX_DOM_STATE));
	ck_assert(!vax_has(&dom.vals, VAX_DOM_REASON));
	ck_assert_uint_eq(dom.nvcpus, 1);
	ck_assert(!vax_has(&dom.vcpus[0].vals, VAX_VCPU_STATE));
}
END_TEST

START_TEST(test_negative_llong_absent)
{
	add_ll(-1, "cpu.time");
	add_ll(-9223372036854775807LL - 1, "cpu.user");
	add_ll(12, "cpu.system");
	add_str("vda", "block.0.name");
	add_ll(-1, "block.0.rd.reqs");
	apply();
	EXPECT(&dom.vals, { VAX_DOM_CPU_SYSTEM, 12 });   /* not CPU_TIME nor CPU_USER */
	ck_assert(!vax_has(&dom.vals, VAX_DOM_CPU_TIME));
	ck_assert(!vax_has(&dom.vals, VAX_DOM_CPU_USER));
	ck_assert(!vax_has(&dom.disks[0].vals, VAX_DISK_RD_REQS));
}
END_TEST

START_TEST(test_double_and_string_absent)
{
	add_double(3.0, "balloon.rss");
	add_str("12", "cpu.user");
	add_str("vda", "block.0.name");
	add_double(1e3, "block.0.rd.bytes");
	add_str("tap0", "net.0.name");
	add_str("100", "net.0.rx.bytes");
	apply();
	ck_assert(!vax_has(&dom.vals, VAX_DOM_BAL_RSS));
	ck_assert(!vax_has(&dom.vals, VAX_DOM_CPU_USER));
	ck_assert_uint_eq(dom.disks[0].vals.have, 0);
	ck_assert_uint_eq(dom.nics[0].vals.have, 0);
}
END_TEST

START_TEST(test_other_integer_types)
{
	add_uint(4000000000u, "cpu.time");
	add_ll(9223372036854775807LL, "cpu.user");
	add_int(0, "state.reason");
	add_bool(1, "state.state");
	apply();
	EXPECT(&dom.vals, { VAX_DOM_CPU_TIME, 4000000000u },
	       { VAX_DOM_CPU_USER, 9223372036854775807ULL },
	       { VAX_DOM_REASON, 0 },   /* 0 is a value */
	       { VAX_DOM_STATE, 1 });
}
END_TEST

START_TEST(test_counter_max)
{
	add_ull(18446744073709551615ULL, "cpu.time");
	apply();
	ck_assert_uint_eq(dom.vals.v[VAX_DOM_CPU_TIME], 18446744073709551615ULL);
}
END_TEST

/* ---- vCPU numbers ---- */

START_TEST(test_vcpu_above_max_ignored)
{
	add_ull(5, "vcpu.%d.time", VAX_MAX_VCPUS);
	add_int(1, "vcpu.20000.state");
	add_ull(6, "vcpu.4294967296.time");
	apply();
	ck_assert_uint_eq(dom.nvcpus, 0);
	ck_assert_ptr_null(dom.vcpus);
}
END_TEST

START_TEST(test_vcpu_above_max_with_others)
{
	add_ull(7, "vcpu.1.time");
	add_ull(5, "vcpu.%d.time", VAX_MAX_VCPUS);
	apply();
	ck_assert_uint_eq(dom.nvcpus, 2);
	ck_assert_uint_eq(dom.vcpus[0].vals.have, 0);
	ck_assert_uint_eq(dom.vcpus[1].vals.v[VAX_VCPU_TIME], 7);
}
END_TEST

START_TEST(test_vcpu_highest_allowed)
{
	add_ull(8, "vcpu.%d.time", VAX_MAX_VCPUS - 1);
	apply();
	ck_assert_uint_eq(dom.nvcpus, VAX_MAX_VCPUS);
	ck_assert_uint_eq(dom.vcpus[VAX_MAX_VCPUS - 1].vals.v[VAX_VCPU_TIME], 8);
}
END_TEST

START_TEST(test_vcpu_gap)
{
	add_vcpu(0, 100);
	add_vcpu(3, 400);
	apply();
	ck_assert_uint_eq(dom.nvcpus, 4);
	ck_assert_uint_eq(dom.vcpus[0].vals.v[VAX_VCPU_TIME], 101);
	ck_assert_uint_eq(dom.vcpus[1].vals.have, 0);
	ck_assert_uint_eq(dom.vcpus[2].vals.have, 0);
	ck_assert_uint_eq(dom.vcpus[3].vals.v[VAX_VCPU_DELAY], 403);
}
END_TEST

START_TEST(test_4096_vcpus_bulk)
{
	/* The test driver accepts <vcpu>4096</vcpu> (and more); bulk stats
	 * from a driver that has them carry 4096 vcpu.N groups. */
	add_uint(4096, "vcpu.current");
	add_uint(4096, "vcpu.maximum");
	for (int n = 4095; n >= 0; n--) {      /* any order */
		add_int(VIR_VCPU_RUNNING, "vcpu.%d.state", n);
		add_ull(10000 + (unsigned)n, "vcpu.%d.time", n);
	}
	ck_assert_uint_eq(apply(), VAX_GRP_VCPU);
	ck_assert_uint_eq(dom.vals.v[VAX_DOM_VCPU_CUR], 4096);
	ck_assert_uint_eq(dom.nvcpus, 4096);
	for (size_t i = 0; i < 4096; i++) {
		ck_assert_uint_eq(dom.vcpus[i].vals.have, BIT(VAX_VCPU_STATE) | BIT(VAX_VCPU_TIME));
		ck_assert_uint_eq(dom.vcpus[i].vals.v[VAX_VCPU_TIME], 10000 + i);
	}
}
END_TEST

START_TEST(test_4096_vcpus_fallback)
{
	/* virDomainGetVcpus, the test driver's path: 4096 entries. */
	virVcpuInfo *v = fx_calloc(4096, sizeof(*v));

	for (unsigned i = 0; i < 4096; i++)
		v[i] = (virVcpuInfo){ .number = 4095 - i, .state = VIR_VCPU_RUNNING,
				      .cpuTime = 20000 + (4095 - i), .cpu = (int)(i % 8) };
	ck_assert_int_eq(vax_stats_from_vcpus(&dom, v, 4096), 0);
	ck_assert_uint_eq(dom.nvcpus, 4096);
	ck_assert_uint_eq(dom.vcpus[0].vals.v[VAX_VCPU_TIME], 20000);
	ck_assert_uint_eq(dom.vcpus[4095].vals.v[VAX_VCPU_TIME], 20000 + 4095);
	ck_assert_uint_eq(dom.vcpus[4095].vals.v[VAX_VCPU_PCPU], 0);
	free(v);
}
END_TEST

/* ---- fallbacks ---- */

static const virDomainInfo info = {
	.state = VIR_DOMAIN_SHUTOFF, .maxMem = 4194304, .memory = 2097152,
	.nrVirtCpu = 3, .cpuTime = 123456789ULL,
};

START_TEST(test_from_info_all)
{
	vax_stats_from_info(&dom, &info, 0);
	EXPECT(&dom.vals, { VAX_DOM_STATE, VIR_DOMAIN_SHUTOFF }, { VAX_DOM_MEM_MAX, 4194304 },
	       { VAX_DOM_MEM_CUR, 2097152 }, { VAX_DOM_VCPU_CUR, 3 },
	       { VAX_DOM_CPU_TIME, 123456789ULL });
}
END_TEST

START_TEST(test_from_info_respects_groups)
{
	vax_stats_from_info(&dom, &info, VAX_GRP_STATE | VAX_GRP_CPU |
			    VAX_GRP_BALLOON | VAX_GRP_VCPU);
	ck_assert_uint_eq(dom.vals.have, 0);
}
END_TEST

START_TEST(test_from_info_partial_groups)
{
	vax_set(&dom.vals, VAX_DOM_MEM_CUR, 99);   /* from the bulk record */
	vax_stats_from_info(&dom, &info, VAX_GRP_BALLOON | VAX_GRP_CPU);
	/* Not MEM_MAX nor CPU_TIME: the groups that came had them. */
	EXPECT(&dom.vals, { VAX_DOM_MEM_CUR, 99 }, { VAX_DOM_STATE, VIR_DOMAIN_SHUTOFF },
	       { VAX_DOM_VCPU_CUR, 3 });
}
END_TEST

START_TEST(test_from_cpu)
{
	add_ull(100, VIR_DOMAIN_CPU_STATS_CPUTIME);
	add_ull(60, VIR_DOMAIN_CPU_STATS_USERTIME);
	add_ull(40, VIR_DOMAIN_CPU_STATS_SYSTEMTIME);
	add_ull(99, VIR_DOMAIN_CPU_STATS_VCPUTIME);
	vax_stats_from_cpu(&dom, params, nparams);
	EXPECT(&dom.vals, { VAX_DOM_CPU_TIME, 100 }, { VAX_DOM_CPU_USER, 60 },
	       { VAX_DOM_CPU_SYSTEM, 40 });
}
END_TEST

START_TEST(test_from_cpu_bad_types)
{
	add_ll(-1, VIR_DOMAIN_CPU_STATS_CPUTIME);
	add_double(1.0, VIR_DOMAIN_CPU_STATS_USERTIME);
	add_str("4", VIR_DOMAIN_CPU_STATS_SYSTEMTIME);
	vax_stats_from_cpu(&dom, params, nparams);
	ck_assert_uint_eq(dom.vals.have, 0);
	vax_stats_from_cpu(&dom, NULL, 0);
	ck_assert_uint_eq(dom.vals.have, 0);
}
END_TEST

START_TEST(test_from_memory)
{
	const virDomainMemoryStatStruct m[] = {
		{ VIR_DOMAIN_MEMORY_STAT_SWAP_IN, 1 },
		{ VIR_DOMAIN_MEMORY_STAT_SWAP_OUT, 2 },
		{ VIR_DOMAIN_MEMORY_STAT_MAJOR_FAULT, 3 },
		{ VIR_DOMAIN_MEMORY_STAT_MINOR_FAULT, 4 },
		{ VIR_DOMAIN_MEMORY_STAT_UNUSED, 5 },
		{ VIR_DOMAIN_MEMORY_STAT_AVAILABLE, 6 },
		{ VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON, 7 },
		{ VIR_DOMAIN_MEMORY_STAT_RSS, 8 },
		{ VIR_DOMAIN_MEMORY_STAT_USABLE, 9 },
		{ VIR_DOMAIN_MEMORY_STAT_LAST_UPDATE, 10 },
		{ VIR_DOMAIN_MEMORY_STAT_DISK_CACHES, 11 },
	};

	vax_stats_from_memory(&dom, m, N(m));
	/* LAST_UPDATE is a time, not a value. */
	EXPECT(&dom.vals, { VAX_DOM_BAL_SWAP_IN, 1 }, { VAX_DOM_BAL_SWAP_OUT, 2 },
	       { VAX_DOM_BAL_MAJOR_FAULT, 3 }, { VAX_DOM_BAL_MINOR_FAULT, 4 },
	       { VAX_DOM_BAL_UNUSED, 5 }, { VAX_DOM_BAL_AVAILABLE, 6 },
	       { VAX_DOM_BAL_ACTUAL, 7 }, { VAX_DOM_BAL_RSS, 8 }, { VAX_DOM_BAL_USABLE, 9 },
	       { VAX_DOM_BAL_DISK_CACHES, 11 });
}
END_TEST

START_TEST(test_from_memory_unknown_tags)
{
	const virDomainMemoryStatStruct m[] = {
		{ -1, 1 },
		{ VIR_DOMAIN_MEMORY_STAT_NR, 2 },
		{ 99, 3 },
		{ 2147483647, 4 },
		{ VIR_DOMAIN_MEMORY_STAT_LAST_UPDATE, 5 },
		{ VIR_DOMAIN_MEMORY_STAT_HUGETLB_PGALLOC, 6 },
		{ VIR_DOMAIN_MEMORY_STAT_RSS, 7 },
	};

	vax_stats_from_memory(&dom, m, N(m));
	EXPECT(&dom.vals, { VAX_DOM_BAL_RSS, 7 });
	ck_assert(!vax_has(&dom.vals, VAX_DOM_STATE));
}
END_TEST

START_TEST(test_from_vcpus)
{
	const virVcpuInfo v[] = {
		{ .number = 0, .state = VIR_VCPU_RUNNING, .cpuTime = 100, .cpu = 3 },
		{ .number = 1, .state = VIR_VCPU_BLOCKED, .cpuTime = 200, .cpu = -1 },
	};

	ck_assert_int_eq(vax_stats_from_vcpus(&dom, v, 2), 0);
	ck_assert_uint_eq(dom.nvcpus, 2);
	EXPECT(&dom.vcpus[0].vals, { VAX_VCPU_STATE, VIR_VCPU_RUNNING }, { VAX_VCPU_TIME, 100 },
	       { VAX_VCPU_PCPU, 3 });
	/* cpu -1: not running on any; and no wait time from this call. */
	EXPECT(&dom.vcpus[1].vals, { VAX_VCPU_STATE, VIR_VCPU_BLOCKED }, { VAX_VCPU_TIME, 200 });
	ck_assert(!vax_has(&dom.vcpus[1].vals, VAX_VCPU_PCPU));
	ck_assert(!vax_has(&dom.vcpus[1].vals, VAX_VCPU_WAIT));
}
END_TEST

START_TEST(test_from_vcpus_replaces_bulk)
{
	const virVcpuInfo v[] = {
		{ .number = 2, .state = -1, .cpuTime = 5, .cpu = 0 },
		{ .number = VAX_MAX_VCPUS, .state = 1, .cpuTime = 6, .cpu = 1 },
		{ .number = 4294967295u, .state = 1, .cpuTime = 7, .cpu = 1 },
	};

	add_vcpu(0, 100);
	apply();
	ck_assert_uint_eq(dom.nvcpus, 1);
	ck_assert_int_eq(vax_stats_from_vcpus(&dom, v, 3), 0);
	ck_assert_uint_eq(dom.nvcpus, 3);
	ck_assert_uint_eq(dom.vcpus[0].vals.have, 0);
	ck_assert_uint_eq(dom.vcpus[1].vals.have, 0);
	EXPECT(&dom.vcpus[2].vals, { VAX_VCPU_TIME, 5 }, { VAX_VCPU_PCPU, 0 });   /* state -1 */
	ck_assert(!vax_has(&dom.vcpus[2].vals, VAX_VCPU_STATE));
}
END_TEST

START_TEST(test_from_vcpus_none)
{
	const virVcpuInfo v[] = {
		{ .number = VAX_MAX_VCPUS + 1, .state = 1, .cpuTime = 6, .cpu = 1 },
	};

	add_vcpu(0, 100);
	apply();
	ck_assert_int_eq(vax_stats_from_vcpus(&dom, v, 1), 0);
	ck_assert_uint_eq(dom.nvcpus, 0);
	ck_assert_ptr_null(dom.vcpus);
	ck_assert_int_eq(vax_stats_from_vcpus(&dom, NULL, 0), 0);
	ck_assert_uint_eq(dom.nvcpus, 0);
}
END_TEST

START_TEST(test_from_block)
{
	const virDomainBlockStatsStruct b = {
		.rd_req = 5, .rd_bytes = -1, .wr_req = 0, .wr_bytes = -1, .errs = -1,
	};
	const struct vax_disk_vals *v = &dom.disks[0].vals;

	vax_stats_from_block(&dom.disks[0], &b);
	EXPECT(v, { VAX_DISK_RD_REQS, 5 }, { VAX_DISK_WR_REQS, 0 });
	ck_assert_uint_eq(dom.disks[1].vals.have, 0);
}
END_TEST

START_TEST(test_from_block_all)
{
	const virDomainBlockStatsStruct b = {
		.rd_req = 1, .rd_bytes = 2, .wr_req = 3, .wr_bytes = 4, .errs = 5,
	};
	const struct vax_disk_vals *v = &dom.disks[1].vals;

	vax_stats_from_block(&dom.disks[1], &b);
	EXPECT(v, { VAX_DISK_RD_REQS, 1 }, { VAX_DISK_RD_BYTES, 2 }, { VAX_DISK_WR_REQS, 3 },
	       { VAX_DISK_WR_BYTES, 4 }, { VAX_DISK_ERRORS, 5 });
	ck_assert(!vax_has(v, VAX_DISK_FL_REQS));
	ck_assert(!vax_has(v, VAX_DISK_RD_TIME));
}
END_TEST

START_TEST(test_from_blockinfo)
{
	const virDomainBlockInfo b = { .capacity = 10, .allocation = 20, .physical = 30 };
	const struct vax_disk_vals *v = &dom.disks[0].vals;

	vax_stats_from_blockinfo(&dom.disks[0], &b);
	EXPECT(v, { VAX_DISK_CAPACITY, 10 }, { VAX_DISK_ALLOCATION, 20 },
	       { VAX_DISK_PHYSICAL, 30 });
}
END_TEST

START_TEST(test_from_iface)
{
	const virDomainInterfaceStatsStruct s = {
		.rx_bytes = 1, .rx_packets = 2, .rx_errs = -1, .rx_drop = 0,
		.tx_bytes = 5, .tx_packets = 6, .tx_errs = -1, .tx_drop = -1,
	};
	const struct vax_nic_vals *v = &dom.nics[2].vals;

	vax_stats_from_iface(&dom.nics[2], &s);
	EXPECT(v, { VAX_NIC_RX_BYTES, 1 }, { VAX_NIC_RX_PKTS, 2 }, { VAX_NIC_RX_DROP, 0 },
	       { VAX_NIC_TX_BYTES, 5 }, { VAX_NIC_TX_PKTS, 6 });   /* -1: unsupported */
}
END_TEST

START_TEST(test_from_iface_all_unsupported)
{
	const virDomainInterfaceStatsStruct s = {
		.rx_bytes = -1, .rx_packets = -1, .rx_errs = -1, .rx_drop = -1,
		.tx_bytes = -1, .tx_packets = -1, .tx_errs = -1, .tx_drop = -1,
	};

	vax_stats_from_iface(&dom.nics[0], &s);
	ck_assert_uint_eq(dom.nics[0].vals.have, 0);
}
END_TEST

/* ---- memory used ---- */

/* The domain's balloon values through Ceilometer's rule (check_model.c
 * has the corners); absent leaves *out as it was. */
enum { NO, SET, GONE };   /* GONE: set, then unset */
struct bal { int how; uint64_t v; };
static const struct {
	const char *name;
	struct bal avail, usable, unused;
	bool ok;
	uint64_t used;
} mem_cases[] = {
	{ "usable first", { SET, 1000 }, { SET, 300 }, { SET, 100 }, true, 700 },
	{ "else unused", { SET, 1000 }, { NO, 0 }, { SET, 200 }, true, 800 },
	{ "no available", { NO, 0 }, { SET, 300 }, { SET, 100 }, false, 0 },
	{ "nothing to subtract", { SET, 1000 }, { NO, 0 }, { NO, 0 }, false, 0 },
	{ "usable above available", { SET, 1000 }, { SET, 1001 }, { NO, 0 }, false, 0 },
	{ "unused above available", { SET, 1000 }, { GONE, 1001 }, { SET, 5000 }, false, 0 },
	{ "all of it used", { SET, 1000 }, { SET, 1000 }, { NO, 0 }, true, 0 },
};

static void set_bal(int f, struct bal b)
{
	if (b.how != NO)
		vax_set(&dom.vals, f, b.v);
	if (b.how == GONE)
		vax_unset(&dom.vals, f);
}

START_TEST(test_mem_used)
{
	uint64_t u = 12345;
	bool ok;

	set_bal(VAX_DOM_BAL_AVAILABLE, mem_cases[_i].avail);
	set_bal(VAX_DOM_BAL_USABLE, mem_cases[_i].usable);
	set_bal(VAX_DOM_BAL_UNUSED, mem_cases[_i].unused);
	ok = vax_domain_mem_used(&dom, &u);
	ck_assert_msg(ok == mem_cases[_i].ok, "%s: %d", mem_cases[_i].name, ok);
	ck_assert_msg(u == (ok ? mem_cases[_i].used : 12345), "%s: %llu", mem_cases[_i].name,
		      (unsigned long long)u);
}
END_TEST

START_TEST(test_mem_used_from_bulk)
{
	uint64_t u = 0;

	add_ull(4000000, "balloon.available");
	add_ull(3000000, "balloon.usable");
	add_ull(2500000, "balloon.unused");
	apply();
	ck_assert(vax_domain_mem_used(&dom, &u));
	ck_assert_uint_eq(u, 1000000);
}
END_TEST

/* ---- vax_vals helpers ---- */

/* Each entity's set is only as big as its field enum: a field past it
 * (a wrong enum passed in) is ignored, never written out of bounds. */
START_TEST(test_vals_sized_per_entity)
{
	struct vax_vcpu_vals c = { 0 };
	struct vax_nic_vals n = { 0 };

	ck_assert_uint_lt(sizeof(c), sizeof(struct vax_vals));
	vax_set(&c, VAX_VCPU_PCPU, 7);
	ck_assert(vax_has(&c, VAX_VCPU_PCPU));
	vax_set(&c, VAX_DOM_BAL_DISK_CACHES, 1);
	vax_set(&c, -1, 1);
	ck_assert(!vax_has(&c, VAX_DOM_BAL_DISK_CACHES));
	ck_assert(!vax_has(&c, -1));
	ck_assert_uint_eq(c.have, UINT64_C(1) << VAX_VCPU_PCPU);
	vax_set(&n, VAX_NIC_HOST_IFINDEX, 3);
	vax_unset(&n, VAX_NIC_NFIELDS);
	ck_assert(vax_has(&n, VAX_NIC_HOST_IFINDEX));
	ck_assert(!vax_has(&n, VAX_NIC_NFIELDS));
}
END_TEST

START_TEST(test_vals_set_unset)
{
	struct vax_vals v = { 0 };

	ck_assert(!vax_has(&v, VAX_DOM_BAL_DISK_CACHES));
	vax_set(&v, VAX_DOM_BAL_DISK_CACHES, 0);
	ck_assert(vax_has(&v, VAX_DOM_BAL_DISK_CACHES));
	ck_assert_uint_eq(v.v[VAX_DOM_BAL_DISK_CACHES], 0);
	vax_unset(&v, VAX_DOM_BAL_DISK_CACHES);
	ck_assert(!vax_has(&v, VAX_DOM_BAL_DISK_CACHES));
	ck_assert_uint_eq(v.have, 0);
}
END_TEST

/* A domain skipped by bulk stats keeps its last values, and their age. */
START_TEST(test_carry_over)
{
	struct vax_domdef *def = fx_domdef_n(2, 1);
	struct vax_domain from = { .def = def, .stats_ms = 1000 }, to = { .def = def, .stats_ms = 5000 };
	struct vax_disk fd[2] = { 0 }, td[2] = { 0 };
	struct vax_nic fn[1] = { 0 }, tn[1] = { 0 };
	struct vax_vcpu fv[2] = { 0 };

	from.disks = fd; from.nics = fn; from.vcpus = fv; from.nvcpus = 2;
	to.disks = td; to.nics = tn;
	vax_set(&from.vals, VAX_DOM_CPU_TIME, 111);
	vax_set(&from.vals, VAX_DOM_BAL_RSS, 222);
	vax_set(&from.vals, VAX_DOM_MEM_CUR, 333);
	vax_set(&fd[1].vals, VAX_DISK_RD_REQS, 444);
	vax_set(&fn[0].vals, VAX_NIC_TX_BYTES, 555);
	vax_set(&fv[1].vals, VAX_VCPU_TIME, 666);
	vax_set(&to.vals, VAX_DOM_STATE, 1);          /* the state group came */

	vax_stats_carry_over(&from, &to, VAX_GRP_CPU | VAX_GRP_BLOCK | VAX_GRP_VCPU);
	ck_assert_uint_eq(to.vals.v[VAX_DOM_CPU_TIME], 111);
	ck_assert(!vax_has(&to.vals, VAX_DOM_BAL_RSS));  /* balloon was not missing */
	ck_assert(!vax_has(&to.vals, VAX_DOM_MEM_CUR));
	ck_assert_uint_eq(td[1].vals.v[VAX_DISK_RD_REQS], 444);
	ck_assert(!vax_has(&tn[0].vals, VAX_NIC_TX_BYTES));
	ck_assert_uint_eq(to.nvcpus, 2);
	ck_assert_uint_eq(to.vcpus[1].vals.v[VAX_VCPU_TIME], 666);
	ck_assert_int_eq(to.stats_ms, 1000);            /* as old as the values */
	ck_assert_uint_eq(to.vals.v[VAX_DOM_STATE], 1);
	free(to.vcpus);
	vax_domdef_unref(def);
}
END_TEST

/* Devices that changed in between: their old values do not move over. */
START_TEST(test_carry_over_devices_changed)
{
	struct vax_domdef *d1 = fx_domdef_n(1, 0), *d2 = fx_domdef_n(2, 0);
	struct vax_disk fd[1] = { 0 }, td[2] = { 0 };
	struct vax_domain from = { .def = d1, .disks = fd, .stats_ms = 7 };
	struct vax_domain to = { .def = d2, .disks = td };

	vax_set(&fd[0].vals, VAX_DISK_RD_REQS, 9);
	vax_stats_carry_over(&from, &to, VAX_GRP_BLOCK);
	ck_assert(!vax_has(&td[0].vals, VAX_DISK_RD_REQS));
	vax_domdef_unref(d1);
	vax_domdef_unref(d2);
}
END_TEST

/* QEMU's NOWAIT answer for a hung monitor: disks named, no disk counter. */
START_TEST(test_skipped)
{
	struct vax_domdef *def = fx_domdef_n(2, 0);
	struct vax_disk disks[2] = { 0 };
	struct vax_domain d = { .def = def, .disks = disks };

	def->disks[0].source = strdup("/img/a.qcow2");
	ck_assert(vax_stats_skipped(&d));
	vax_set(&disks[1].vals, VAX_DISK_WR_REQS, 0);    /* an answer, even 0 */
	ck_assert(!vax_stats_skipped(&d));
	vax_unset(&disks[1].vals, VAX_DISK_WR_REQS);
	free(def->disks[0].source);
	def->disks[0].source = NULL;                     /* empty cdroms only */
	ck_assert(!vax_stats_skipped(&d));
	vax_domdef_unref(def);
}
END_TEST

/* A value that did arrive is never replaced by an older one. */
START_TEST(test_carry_over_keeps_arrivals)
{
	struct vax_domdef *def = fx_domdef_n(1, 0);
	struct vax_disk fd[1] = { 0 }, td[1] = { 0 };
	struct vax_domain from = { .def = def, .disks = fd, .stats_ms = 10 };
	struct vax_domain to = { .def = def, .disks = td, .stats_ms = 99 };

	vax_set(&from.vals, VAX_DOM_CPU_TIME, 1);
	vax_set(&to.vals, VAX_DOM_CPU_TIME, 2);
	vax_set(&fd[0].vals, VAX_DISK_CAPACITY, 5);
	vax_set(&td[0].vals, VAX_DISK_CAPACITY, 6);
	vax_stats_carry_over(&from, &to, VAX_GRP_ALL);
	ck_assert_uint_eq(to.vals.v[VAX_DOM_CPU_TIME], 2);
	ck_assert_uint_eq(td[0].vals.v[VAX_DISK_CAPACITY], 6);
	ck_assert_int_eq(to.stats_ms, 99);   /* nothing copied: still fresh */
	vax_domdef_unref(def);
}
END_TEST

START_TEST(test_group_of_keys)
{
	ck_assert_uint_eq(vax_stats_group("block.3.rd.reqs"), VAX_GRP_BLOCK);
	ck_assert_uint_eq(vax_stats_group("net.0.rx.bytes"), VAX_GRP_NET);
	ck_assert_uint_eq(vax_stats_group("state.state"), VAX_GRP_STATE);
	ck_assert_uint_eq(vax_stats_group("perf.cmt"), 0);
	ck_assert_uint_eq(vax_stats_group("blocks"), 0);
}
END_TEST

/* ---- the host node ---- */

/* virNodeGetInfo of an 8-CPU host with 16 GiB; each number apart. */
static const virNodeInfo node = {
	.model = "x86_64", .memory = 16777216, .cpus = 8, .mhz = 2400, .nodes = 1,
	.sockets = 1, .cores = 4, .threads = 2,
};

START_TEST(test_nodeinfo_all)
{
	struct vax_host_vals h = { 0 };

	vax_stats_from_nodeinfo(&h, &node);
	/* KiB as libvirt gives it; nothing of the statistics calls. */
	EXPECT(&h, { VAX_HOST_CPUS, 8 }, { VAX_HOST_MHZ, 2400 }, { VAX_HOST_NODES, 1 },
	       { VAX_HOST_SOCKETS, 1 }, { VAX_HOST_CORES, 4 }, { VAX_HOST_THREADS, 2 },
	       { VAX_HOST_MEMORY, 16777216 });
}
END_TEST

/* 0 is libvirt's "unknown" there (mhz on some architectures): that field
 * is absent, never 0, and the others are still read. */
static const int node_fields[] = {
	VAX_HOST_CPUS, VAX_HOST_MHZ, VAX_HOST_NODES, VAX_HOST_SOCKETS, VAX_HOST_CORES,
	VAX_HOST_THREADS, VAX_HOST_MEMORY,
};

START_TEST(test_nodeinfo_zero_absent)
{
	struct vax_host_vals h = { 0 };
	virNodeInfo ni = node;
	int f = node_fields[_i];

	switch (f) {
	case VAX_HOST_CPUS: ni.cpus = 0; break;
	case VAX_HOST_MHZ: ni.mhz = 0; break;
	case VAX_HOST_NODES: ni.nodes = 0; break;
	case VAX_HOST_SOCKETS: ni.sockets = 0; break;
	case VAX_HOST_CORES: ni.cores = 0; break;
	case VAX_HOST_THREADS: ni.threads = 0; break;
	default: ni.memory = 0; break;
	}
	vax_stats_from_nodeinfo(&h, &ni);
	ck_assert_msg(!vax_has(&h, f), "field %d: %llu", f, (unsigned long long)h.v[f]);
	ck_assert_uint_eq(h.have, (BIT(VAX_HOST_MEMORY + 1) - 1) & ~BIT(f));
}
END_TEST

START_TEST(test_nodeinfo_all_zero)
{
	struct vax_host_vals h = { 0 };
	const virNodeInfo ni = { .model = "" };

	vax_stats_from_nodeinfo(&h, &ni);
	ck_assert_uint_eq(h.have, 0);
}
END_TEST

/* The largest numbers the struct holds, exactly. */
START_TEST(test_nodeinfo_big)
{
	struct vax_host_vals h = { 0 };
	virNodeInfo ni = node;

	ni.cpus = UINT_MAX;
	ni.memory = ULONG_MAX;
	vax_stats_from_nodeinfo(&h, &ni);
	ck_assert_uint_eq(h.v[VAX_HOST_CPUS], UINT_MAX);
	ck_assert_uint_eq(h.v[VAX_HOST_MEMORY], ULONG_MAX);
#if ULONG_MAX > UINT32_MAX
	ni.memory = 6442450944UL + 1;   /* 6 TiB and 1 KiB: above 2^32 */
	vax_stats_from_nodeinfo(&h, &ni);
	ck_assert_uint_eq(h.v[VAX_HOST_MEMORY], 6442450945ULL);
#endif
}
END_TEST

/* virNodeGetCPUStats (all CPUs, ns), above 2^32 as a host's are after
 * seconds; the order libvirt's Linux driver gives them in. */
START_TEST(test_nodecpu_all)
{
	const virNodeCPUStats p[] = {
		{ VIR_NODE_CPU_STATS_KERNEL, 5000000000001ULL },
		{ VIR_NODE_CPU_STATS_USER, 12000000000002ULL },
		{ VIR_NODE_CPU_STATS_IDLE, 80000000000003ULL },
		{ VIR_NODE_CPU_STATS_IOWAIT, 300000000004ULL },
	};
	struct vax_host_vals h = { 0 };

	vax_stats_from_nodecpu(&h, p, N(p));
	EXPECT(&h, { VAX_HOST_CPU_KERNEL, 5000000000001ULL },
	       { VAX_HOST_CPU_USER, 12000000000002ULL },
	       { VAX_HOST_CPU_IDLE, 80000000000003ULL },
	       { VAX_HOST_CPU_IOWAIT, 300000000004ULL });
}
END_TEST

/* Fields virtHost does not serve, names that only look like one, a name
 * without its NUL inside the buffer: ignored, the known one still read. */
START_TEST(test_nodecpu_unknown)
{
	virNodeCPUStats p[] = {
		{ VIR_NODE_CPU_STATS_INTR, 1 },
		{ VIR_NODE_CPU_STATS_UTILIZATION, 2 },
		{ "KERNEL", 3 },
		{ "kernel ", 4 },
		{ "idl", 5 },
		{ "", 6 },
		{ "user\0idle", 7 },   /* the name is "user" */
		{ "", 8 },
	};
	struct vax_host_vals h = { 0 };

	/* "iowait" followed by more bytes to the end: no NUL, no name. */
	memset(p[7].field, 'x', sizeof(p[7].field));
	memcpy(p[7].field, VIR_NODE_CPU_STATS_IOWAIT, strlen(VIR_NODE_CPU_STATS_IOWAIT));
	vax_stats_from_nodecpu(&h, p, N(p));
	EXPECT(&h, { VAX_HOST_CPU_USER, 7 });
	/* The same name NUL-terminated in the last byte is a name. */
	memset(p[7].field, '\0', sizeof(p[7].field));
	memcpy(p[7].field, VIR_NODE_CPU_STATS_IOWAIT, strlen(VIR_NODE_CPU_STATS_IOWAIT));
	vax_stats_from_nodecpu(&h, p, N(p));
	EXPECT(&h, { VAX_HOST_CPU_USER, 7 }, { VAX_HOST_CPU_IOWAIT, 8 });
}
END_TEST

/* A driver without iowait (or any field): absent, not 0; none at all
 * leaves the set as it was. */
START_TEST(test_nodecpu_missing)
{
	const virNodeCPUStats p[] = {
		{ VIR_NODE_CPU_STATS_USER, 0 },   /* a present 0 stays */
		{ VIR_NODE_CPU_STATS_IDLE, 20 },
	};
	struct vax_host_vals h = { 0 };

	vax_stats_from_nodecpu(&h, p, N(p));
	EXPECT(&h, { VAX_HOST_CPU_USER, 0 }, { VAX_HOST_CPU_IDLE, 20 });
	ck_assert(!vax_has(&h, VAX_HOST_CPU_KERNEL));
	ck_assert(!vax_has(&h, VAX_HOST_CPU_IOWAIT));
	vax_stats_from_nodecpu(&h, NULL, 0);
	EXPECT(&h, { VAX_HOST_CPU_USER, 0 }, { VAX_HOST_CPU_IDLE, 20 });
}
END_TEST

START_TEST(test_nodecpu_max)
{
	const virNodeCPUStats p[] = { { VIR_NODE_CPU_STATS_KERNEL, ULLONG_MAX } };
	struct vax_host_vals h = { 0 };

	vax_stats_from_nodecpu(&h, p, N(p));
	EXPECT(&h, { VAX_HOST_CPU_KERNEL, UINT64_MAX });
}
END_TEST

/* virNodeGetMemoryStats (all cells) in KiB, as given: 8 TiB and more is
 * above 2^32 KiB. */
START_TEST(test_nodemem_all)
{
	const virNodeMemoryStats p[] = {
		{ VIR_NODE_MEMORY_STATS_TOTAL, 8589934592ULL + 7 },
		{ VIR_NODE_MEMORY_STATS_FREE, 4294967296ULL + 1 },
		{ VIR_NODE_MEMORY_STATS_BUFFERS, 204800 },
		{ VIR_NODE_MEMORY_STATS_CACHED, 4294967295ULL },
	};
	struct vax_host_vals h = { 0 };

	vax_stats_from_nodemem(&h, p, N(p));
	EXPECT(&h, { VAX_HOST_MEM_TOTAL, 8589934599ULL }, { VAX_HOST_MEM_FREE, 4294967297ULL },
	       { VAX_HOST_MEM_BUFFERS, 204800 }, { VAX_HOST_MEM_CACHED, 4294967295ULL });
}
END_TEST

START_TEST(test_nodemem_unknown)
{
	virNodeMemoryStats p[] = {
		{ "available", 1 },
		{ "shared", 2 },
		{ "TOTAL", 3 },
		{ "fre", 4 },
		{ "", 5 },
		{ VIR_NODE_MEMORY_STATS_FREE, 6 },
		{ "", 7 },
	};
	struct vax_host_vals h = { 0 };

	memset(p[6].field, 'x', sizeof(p[6].field));   /* "cached..." without a NUL */
	memcpy(p[6].field, VIR_NODE_MEMORY_STATS_CACHED, strlen(VIR_NODE_MEMORY_STATS_CACHED));
	vax_stats_from_nodemem(&h, p, N(p));
	EXPECT(&h, { VAX_HOST_MEM_FREE, 6 });
	ck_assert(!vax_has(&h, VAX_HOST_MEM_TOTAL));
	ck_assert(!vax_has(&h, VAX_HOST_MEM_CACHED));
	vax_stats_from_nodemem(&h, NULL, 0);
	EXPECT(&h, { VAX_HOST_MEM_FREE, 6 });
}
END_TEST

/* The collector fills one set from the three calls: each only its own
 * fields, none clearing another's (VAX_HOST_MAX_VCPUS comes apart). */
START_TEST(test_node_calls_together)
{
	const virNodeCPUStats cpu[] = { { VIR_NODE_CPU_STATS_IDLE, 9 } };
	const virNodeMemoryStats mem[] = { { VIR_NODE_MEMORY_STATS_TOTAL, 16314664 } };
	struct vax_host_vals h = { 0 };

	vax_set(&h, VAX_HOST_MAX_VCPUS, 710);
	vax_stats_from_nodeinfo(&h, &node);
	vax_stats_from_nodecpu(&h, cpu, N(cpu));
	vax_stats_from_nodemem(&h, mem, N(mem));
	EXPECT(&h, { VAX_HOST_CPUS, 8 }, { VAX_HOST_MHZ, 2400 }, { VAX_HOST_NODES, 1 },
	       { VAX_HOST_SOCKETS, 1 }, { VAX_HOST_CORES, 4 }, { VAX_HOST_THREADS, 2 },
	       { VAX_HOST_MEMORY, 16777216 }, { VAX_HOST_MAX_VCPUS, 710 },
	       { VAX_HOST_CPU_IDLE, 9 }, { VAX_HOST_MEM_TOTAL, 16314664 });
}
END_TEST

static Suite *stats_suite(void)
{
	Suite *s = suite_create("stats");
	TCase *tc;

	tc = tcase_create("bulk");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_full_record_groups);
	tcase_add_test(tc, test_full_record_domain);
	tcase_add_test(tc, test_full_record_vcpus);
	tcase_add_test(tc, test_full_record_disks);
	tcase_add_test(tc, test_full_record_nics);
	suite_add_tcase(s, tc);

	tc = tcase_create("devices");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_devices, 0, N(devs));
	tcase_add_test(tc, test_name_after_values);
	tcase_add_test(tc, test_values_without_name);
	tcase_add_test(tc, test_name_not_a_string);
	tcase_add_test(tc, test_no_devices_in_def);
	tcase_add_test(tc, test_huge_block_numbers);
	tcase_add_test(tc, test_highest_block_number);
	tcase_add_test(tc, test_more_stats_devices_than_xml);
	tcase_add_test(tc, test_malformed_keys);
	suite_add_tcase(s, tc);

	tc = tcase_create("absent");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_missing_groups);
	tcase_add_test(tc, test_no_params);
	tcase_add_test(tc, test_unknown_dev_reset);
	tcase_add_test(tc, test_group_seen_without_values);
	tcase_add_test(tc, test_negative_int_absent);
	tcase_add_test(tc, test_negative_llong_absent);
	tcase_add_test(tc, test_double_and_string_absent);
	tcase_add_test(tc, test_other_integer_types);
	tcase_add_test(tc, test_counter_max);
	tcase_add_test(tc, test_vals_set_unset);
	tcase_add_test(tc, test_vals_sized_per_entity);
	suite_add_tcase(s, tc);

	tc = tcase_create("vcpu");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_vcpu_above_max_ignored);
	tcase_add_test(tc, test_vcpu_above_max_with_others);
	tcase_add_test(tc, test_vcpu_highest_allowed);
	tcase_add_test(tc, test_vcpu_gap);
	tcase_add_test(tc, test_4096_vcpus_bulk);
	tcase_add_test(tc, test_4096_vcpus_fallback);
	suite_add_tcase(s, tc);

	tc = tcase_create("fallback");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_from_info_all);
	tcase_add_test(tc, test_from_info_respects_groups);
	tcase_add_test(tc, test_from_info_partial_groups);
	tcase_add_test(tc, test_from_cpu);
	tcase_add_test(tc, test_from_cpu_bad_types);
	tcase_add_test(tc, test_from_memory);
	tcase_add_test(tc, test_from_memory_unknown_tags);
	tcase_add_test(tc, test_from_vcpus);
	tcase_add_test(tc, test_from_vcpus_replaces_bulk);
	tcase_add_test(tc, test_from_vcpus_none);
	tcase_add_test(tc, test_from_block);
	tcase_add_test(tc, test_from_block_all);
	tcase_add_test(tc, test_from_blockinfo);
	tcase_add_test(tc, test_from_iface);
	tcase_add_test(tc, test_from_iface_all_unsupported);
	suite_add_tcase(s, tc);

	tc = tcase_create("mem_used");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_mem_used, 0, N(mem_cases));
	tcase_add_test(tc, test_mem_used_from_bulk);
	tcase_add_test(tc, test_carry_over);
	tcase_add_test(tc, test_carry_over_devices_changed);
	tcase_add_test(tc, test_group_of_keys);
	tcase_add_test(tc, test_skipped);
	tcase_add_test(tc, test_carry_over_keeps_arrivals);
	suite_add_tcase(s, tc);

	tc = tcase_create("host");
	tcase_add_test(tc, test_nodeinfo_all);
	tcase_add_loop_test(tc, test_nodeinfo_zero_absent, 0, N(node_fields));
	tcase_add_test(tc, test_nodeinfo_all_zero);
	tcase_add_test(tc, test_nodeinfo_big);
	tcase_add_test(tc, test_nodecpu_all);
	tcase_add_test(tc, test_nodecpu_unknown);
	tcase_add_test(tc, test_nodecpu_missing);
	tcase_add_test(tc, test_nodecpu_max);
	tcase_add_test(tc, test_nodemem_all);
	tcase_add_test(tc, test_nodemem_unknown);
	tcase_add_test(tc, test_node_calls_together);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vax_run_suite(stats_suite());
}
