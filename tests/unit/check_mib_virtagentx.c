/* check_mib_virtagentx.c - VIRT-AGENTX-MIB served from an in-memory snapshot. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "mib_virtagentx.h"
#include "utf8.h"

#define UUID1 "8e3b1c1a-0d5e-4f8a-9a51-000000000001"
#define UUID2 "8e3b1c1a-0d5e-4f8a-9a51-000000000002"
#define UUID5 "8e3b1c1a-0d5e-4f8a-9a51-000000000005"
#define EURO "\xe2\x82\xac"        /* U+20AC, 3 bytes */
#define GRIN "\xf0\x9f\x98\x80"    /* U+1F600, 4 bytes */

/* An OID literal and its length, for calls taking (oid, len). */
#define OID(...) ((const uint32_t[]){ __VA_ARGS__ }), \
	(sizeof((const uint32_t[]){ __VA_ARGS__ }) / sizeof(uint32_t))

static struct vax_snapshot *snap;
static struct vax_view view;
static char *long_name;   /* domain 5's name, 1200 bytes of U+20AC */

/* Last GETNEXT answer. */
static uint32_t out[VAX_MAX_OID];
static size_t outlen;
static struct vax_value val;

#define set(v, f, u) vax_set((v), (f), (u))

/*
 * The fixture: domains 1, 2 and 5 (added out of order), host facts.
 *  1 web01: running, 2 vCPUs, 1 disk, 1 NIC, some balloon values.
 *  2 idle:  shut off, no devices, no vCPUs, no OS type.
 *  5 (a 1200-byte name): paused, 3 vCPUs, 3 disks, 2 NICs.
 */
static void setup(void)
{
	struct vax_domdef *def;
	struct vax_domain *d;

	snap = vax_snapshot_new(3);
	ck_assert_ptr_nonnull(snap);
	snap->hostname = fx_strdup("kvm-host-01");
	snap->hv_type = fx_strdup("QEMU");
	snap->hv_version = fx_strdup("8.2.1");
	snap->lib_version = fx_strdup("9.0.0");
	snap->uri = fx_strdup("qemu:///system");
	snap->conn = VAX_CONNECTED;
	snap->taken_ms = 10000;
	snap->refresh_ms = 42;
	snap->refresh_count = 7;
	snap->refresh_errors = 1;


	/* Domain 5 */
	long_name = fx_repeat(EURO, 400);
	def = fx_domdef_n(3, 2);
	def->os_type = fx_strdup("hvm");
	def->disks[0].type = fx_strdup("file");
	def->disks[0].source = fx_strdup("/img/db.qcow2");
	def->disks[0].bus = fx_strdup("virtio");
	def->disks[0].device = fx_strdup("disk");
	def->disks[1].type = fx_strdup("block");
	def->disks[1].bus = fx_strdup("virtio");
	def->disks[1].device = fx_strdup("disk");
	free(def->disks[2].target);
	def->disks[2].target = fx_strdup("hdc");
	def->disks[2].type = fx_strdup("file");
	def->disks[2].bus = fx_strdup("ide");
	def->disks[2].device = fx_strdup("cdrom");
	free(def->nics[0].target);
	def->nics[0].target = fx_strdup("vnet5");
	def->nics[0].type = fx_strdup("network");
	def->nics[0].source = fx_strdup("default");
	def->nics[0].model = fx_strdup("virtio");
	def->nics[0].filterref = fx_strdup("clean-traffic");
	def->nics[0].ip = fx_strdup("192.0.2.5");
	memcpy(def->nics[0].mac, "\x52\x54\x00\x00\x00\x05", 6);
	def->nics[0].has_mac = true;
	free(def->nics[1].target);
	def->nics[1].target = NULL;   /* a user-mode NIC */
	def->nics[1].type = fx_strdup("user");
	def->nics[1].model = fx_strdup("e1000");
	d = fx_add_domain(snap, 5, long_name, UUID5, 3, def, 3);
	set(&d->vals, VAX_DOM_REASON, 1);
	set(&d->vals, VAX_DOM_ID, 7);
	set(&d->vals, VAX_DOM_PERSISTENT, 0);
	set(&d->vals, VAX_DOM_VCPU_CUR, 3);
	set(&d->vals, VAX_DOM_VCPU_MAX, 4);
	set(&d->vals, VAX_DOM_MEM_MAX, 8388608);
	set(&d->vals, VAX_DOM_MEM_CUR, 4194304);
	set(&d->vals, VAX_DOM_CPU_TIME, 5);
	set(&d->vals, VAX_DOM_BAL_SWAP_IN, 11);
	set(&d->vals, VAX_DOM_BAL_SWAP_OUT, 12);
	set(&d->vals, VAX_DOM_BAL_MAJOR_FAULT, 13);
	set(&d->vals, VAX_DOM_BAL_MINOR_FAULT, 14);
	set(&d->vals, VAX_DOM_BAL_DISK_CACHES, 15);
	set(&d->vals, VAX_DOM_BAL_AVAILABLE, 8000000);
	set(&d->vals, VAX_DOM_BAL_UNUSED, 7000000);
	set(&d->vcpus[0].vals, VAX_VCPU_STATE, 1);
	set(&d->vcpus[0].vals, VAX_VCPU_TIME, 10);
	set(&d->vcpus[0].vals, VAX_VCPU_WAIT, 11);
	set(&d->vcpus[0].vals, VAX_VCPU_DELAY, 12);
	set(&d->vcpus[0].vals, VAX_VCPU_PCPU, 2);
	set(&d->vcpus[1].vals, VAX_VCPU_STATE, 2);
	set(&d->vcpus[1].vals, VAX_VCPU_TIME, 20);
	set(&d->vcpus[2].vals, VAX_VCPU_STATE, 0);
	for (int f = 0; f < VAX_DISK_NFIELDS; f++)
		set(&d->disks[0].vals, f, 100 + (uint64_t)f);
	set(&d->disks[1].vals, VAX_DISK_CAPACITY, 5);
	set(&d->disks[1].vals, VAX_DISK_ALLOCATION, 6);
	for (int f = 0; f < VAX_NIC_HOST_IFINDEX; f++)
		set(&d->nics[0].vals, f, 1000 + (uint64_t)f);
	set(&d->nics[0].vals, VAX_NIC_HOST_IFINDEX, 13);
	set(&d->nics[1].vals, VAX_NIC_RX_BYTES, 55);

	/* Domain 1 */
	def = fx_domdef_n(1, 1);
	def->os_type = fx_strdup("hvm");
	def->disks[0].type = fx_strdup("file");
	def->disks[0].source = fx_strdup("/var/lib/libvirt/images/web01.qcow2");
	def->disks[0].bus = fx_strdup("virtio");
	def->disks[0].device = fx_strdup("disk");
	def->nics[0].type = fx_strdup("bridge");
	def->nics[0].source = fx_strdup("br0");
	def->nics[0].model = fx_strdup("virtio");
	memcpy(def->nics[0].mac, "\x52\x54\x00\x00\x00\x01", 6);
	def->nics[0].has_mac = true;
	d = fx_add_domain(snap, 1, "web01", UUID1, 1, def, 2);
	set(&d->vals, VAX_DOM_REASON, 1);
	set(&d->vals, VAX_DOM_ID, 3);
	set(&d->vals, VAX_DOM_PERSISTENT, 1);
	set(&d->vals, VAX_DOM_AUTOSTART, 0);
	set(&d->vals, VAX_DOM_VCPU_CUR, 2);
	set(&d->vals, VAX_DOM_VCPU_MAX, 2);
	set(&d->vals, VAX_DOM_MEM_MAX, 2097152);
	set(&d->vals, VAX_DOM_MEM_CUR, 2097152);
	set(&d->vals, VAX_DOM_CPU_TIME, 123456789012ULL);
	set(&d->vals, VAX_DOM_CPU_USER, 100000000000ULL);
	set(&d->vals, VAX_DOM_CPU_SYSTEM, 20000000000ULL);
	set(&d->vals, VAX_DOM_BAL_ACTUAL, 2097152);
	set(&d->vals, VAX_DOM_BAL_UNUSED, 500000);
	set(&d->vals, VAX_DOM_BAL_AVAILABLE, 2000000);
	set(&d->vals, VAX_DOM_BAL_USABLE, 1500000);
	set(&d->vals, VAX_DOM_BAL_RSS, 2100000);
	set(&d->vcpus[0].vals, VAX_VCPU_STATE, 1);
	set(&d->vcpus[0].vals, VAX_VCPU_TIME, 1000);
	set(&d->vcpus[0].vals, VAX_VCPU_PCPU, 0);
	set(&d->vcpus[1].vals, VAX_VCPU_STATE, 1);
	set(&d->vcpus[1].vals, VAX_VCPU_TIME, 2000);
	set(&d->disks[0].vals, VAX_DISK_RD_REQS, 10);
	set(&d->disks[0].vals, VAX_DISK_RD_BYTES, 4096);
	set(&d->disks[0].vals, VAX_DISK_WR_REQS, 20);
	set(&d->disks[0].vals, VAX_DISK_WR_BYTES, 8192);
	set(&d->disks[0].vals, VAX_DISK_CAPACITY, 10737418240ULL);
	set(&d->nics[0].vals, VAX_NIC_RX_BYTES, 100);
	set(&d->nics[0].vals, VAX_NIC_RX_PKTS, 1);
	set(&d->nics[0].vals, VAX_NIC_TX_BYTES, 200);
	set(&d->nics[0].vals, VAX_NIC_TX_PKTS, 2);
	set(&d->nics[0].vals, VAX_NIC_HOST_IFINDEX, 12);

	/* Domain 2 */
	d = fx_add_domain(snap, 2, "idle", UUID2, 5, NULL, 0);
	set(&d->vals, VAX_DOM_PERSISTENT, 1);
	set(&d->vals, VAX_DOM_AUTOSTART, 1);
	set(&d->vals, VAX_DOM_VCPU_MAX, 1);
	set(&d->vals, VAX_DOM_MEM_MAX, 1048576);

	fx_seal(snap);
	view.snap = snap;
	view.now_ms = 10500;
	view.cache_timeout = 5;
	memset(out, 0, sizeof(out));
	outlen = 0;
	memset(&val, 0, sizeof(val));
}

static void teardown(void)
{
	vax_snapshot_free(snap);
	snap = NULL;
	free(long_name);
	long_name = NULL;
}

/* ---- helpers ---- */

static enum vax_lookup get(const uint32_t *oid, size_t len, struct vax_value *v)
{
	memset(v, 0x5a, sizeof(*v));
	return vax_virt_get(&view, oid, len, v);
}

static bool next(const uint32_t *oid, size_t len)
{
	outlen = 0;
	return vax_virt_next(&view, oid, len, out, &outlen, &val);
}

static void fmt_oid(char *buf, size_t n, const uint32_t *oid, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < len && at + 12 < n; i++)
		at += (size_t)snprintf(buf + at, n - at, "%s%u", i ? "." : "", oid[i]);
}

/* The last GETNEXT answer was exactly this OID. */
static void expect_out(const uint32_t *oid, size_t len)
{
	char a[256], b[256];

	fmt_oid(a, sizeof(a), out, outlen);
	fmt_oid(b, sizeof(b), oid, len);
	ck_assert_msg(vax_oid_cmp(out, outlen, oid, len) == 0, "got %s, want %s", a, b);
}

#define NEXT_IS(from, to) do { \
	ck_assert_msg(next(from), "GETNEXT ended early"); \
	expect_out(to); \
} while (0)

static void expect_u(const struct vax_value *v, enum vax_type t, uint64_t u)
{
	ck_assert_int_eq(v->type, t);
	ck_assert_uint_eq(v->u, u);
}

static void expect_i(const struct vax_value *v, int64_t i)
{
	ck_assert_int_eq(v->type, VAX_T_INTEGER);
	ck_assert_int_eq(v->i, i);
}

static void expect_s(const struct vax_value *v, const char *s)
{
	ck_assert_int_eq(v->type, VAX_T_OCTETS);
	ck_assert_uint_eq(v->len, strlen(s));
	ck_assert_mem_eq(v->s, s, v->len);
}

static bool same_value(const struct vax_value *a, const struct vax_value *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case VAX_T_INTEGER: return a->i == b->i;
	case VAX_T_OCTETS: return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
	default: return a->u == b->u;
	}
}

static unsigned popcount(uint64_t x)
{
	unsigned n = 0;

	for (; x; x &= x - 1)
		n++;
	return n;
}

/* Present cells, worked out from the fixture data and the MIB's rules. */
static size_t expected_cells(const struct vax_snapshot *s)
{
	size_t n = 0;
	uint64_t used;

	n += (s->hostname != NULL) + (s->hv_type != NULL) + (s->hv_version != NULL) +
	     (s->lib_version != NULL) + 1 /* agent version */ + 1 /* conn */ +
	     1 /* count */ + 1 /* cache timeout */ + (s->taken_ms != 0) +
	     (s->refresh_count != 0) + 2 /* refresh count, errors */ +
	     (s->uri != NULL) + (s->refresh_count != 0) /* refresh calls */;
	for (size_t i = 0; i < s->ndomains; i++) {
		const struct vax_domain *d = &s->domains[i];
		const struct vax_domdef *def = d->def;
		/* Every domain field has a column. */
		n += (d->name != NULL) + 1 /* uuid */ + (def->os_type != NULL) +
		     popcount(d->vals.have) + vax_domain_mem_used(d, &used) +
		     2 /* device counts */;
		for (size_t k = 0; k < d->nvcpus; k++)
			n += 1 /* number */ + popcount(d->vcpus[k].vals.have);
		for (size_t k = 0; k < def->ndisks; k++) {
			const struct vax_disk_def *dd = &def->disks[k];
			n += (dd->target != NULL) + (dd->source != NULL) +
			     (dd->type != NULL) + (dd->bus != NULL) +
			     (dd->device != NULL) + popcount(d->disks[k].vals.have);
		}
		for (size_t k = 0; k < def->nnics; k++) {
			const struct vax_nic_def *nd = &def->nics[k];
			n += (nd->target != NULL) + nd->has_mac + (nd->type != NULL) +
			     (nd->source != NULL) + (nd->model != NULL) +
			     (nd->filterref != NULL) + (nd->ip != NULL) +
			     1 /* host ifIndex, 0 when unknown */ +
			     popcount(d->nics[k].vals.have &
				      ~(UINT64_C(1) << VAX_NIC_HOST_IFINDEX));
		}
	}
	return n;
}

/* Counted by hand from the fixture: 14 scalars, domains 23 + 9 + 22,
 * vCPUs 5 + 3 + 2 + 5 + 2 + 1, disks 10 + 17 + 6 + 4, NICs 10 + 16 + 4. */
#define FIXTURE_CELLS 153

/* ---- root and OID order ---- */

START_TEST(test_root)
{
	static const uint32_t want[] = { 1, 3, 6, 1, 4, 1, 32473 };

	ck_assert_uint_eq(vax_virt_root_len, 7);
	ck_assert_mem_eq(vax_virt_root, want, sizeof(want));
}
END_TEST

START_TEST(test_oid_cmp)
{
	ck_assert_int_eq(vax_oid_cmp(OID(1, 2, 3), OID(1, 2, 3)), 0);
	ck_assert_int_lt(vax_oid_cmp(OID(1, 2), OID(1, 2, 0)), 0);
	ck_assert_int_gt(vax_oid_cmp(OID(1, 2, 0), OID(1, 2)), 0);
	ck_assert_int_lt(vax_oid_cmp(OID(1, 2, 9), OID(1, 3)), 0);
	ck_assert_int_gt(vax_oid_cmp(OID(4294967295u), OID(1, 2)), 0);
	ck_assert_int_lt(vax_oid_cmp(OID(2147483647u), OID(2147483648u)), 0);
	ck_assert_int_eq(vax_oid_cmp(NULL, 0, NULL, 0), 0);
	ck_assert_int_lt(vax_oid_cmp(NULL, 0, OID(0)), 0);
}
END_TEST

/* ---- the snapshot the view reads ---- */

START_TEST(test_seal_sorts_domains)
{
	ck_assert_uint_eq(snap->ndomains, 3);
	ck_assert_uint_eq(snap->domains[0].index, 1);
	ck_assert_uint_eq(snap->domains[1].index, 2);
	ck_assert_uint_eq(snap->domains[2].index, 5);
	ck_assert_ptr_eq(vax_snapshot_find(snap, 5), &snap->domains[2]);
	ck_assert_ptr_null(vax_snapshot_find(snap, 3));
	ck_assert_ptr_null(vax_snapshot_find(snap, 0));
	ck_assert_ptr_null(vax_snapshot_find(snap, 4294967295u));
}
END_TEST

START_TEST(test_seal_rows)
{
	ck_assert_uint_eq(snap->nvcpu_rows, 5);
	ck_assert_uint_eq(snap->ndisk_rows, 4);
	ck_assert_uint_eq(snap->nnic_rows, 3);
	ck_assert_uint_eq(snap->disk_rows[0].dom->index, 1);
	ck_assert_uint_eq(snap->disk_rows[0].sub, 1);
	for (int i = 1; i < 4; i++) {
		ck_assert_uint_eq(snap->disk_rows[i].dom->index, 5);
		ck_assert_uint_eq(snap->disk_rows[i].sub, (unsigned)i);
	}
	ck_assert_uint_eq(snap->vcpu_rows[2].dom->index, 5);
	ck_assert_uint_eq(snap->vcpu_rows[4].sub, 3);
	ck_assert_uint_eq(snap->nic_rows[2].sub, 2);
}
END_TEST

START_TEST(test_expected_cells)
{
	ck_assert_uint_eq(expected_cells(snap), FIXTURE_CELLS);
}
END_TEST

/* ---- scalars ---- */

START_TEST(test_scalar_strings)
{
	struct vax_value v;

	ck_assert_int_eq(get(OID(1, 1, 1, 0), &v), VAX_FOUND);
	expect_s(&v, "kvm-host-01");
	ck_assert_int_eq(get(OID(1, 1, 2, 0), &v), VAX_FOUND);
	expect_s(&v, "QEMU");
	ck_assert_int_eq(get(OID(1, 1, 3, 0), &v), VAX_FOUND);
	expect_s(&v, "8.2.1");
	ck_assert_int_eq(get(OID(1, 1, 4, 0), &v), VAX_FOUND);
	expect_s(&v, "9.0.0");
	ck_assert_int_eq(get(OID(1, 1, 5, 0), &v), VAX_FOUND);
	expect_s(&v, PACKAGE_VERSION);
	ck_assert_int_eq(get(OID(1, 1, 13, 0), &v), VAX_FOUND);
	expect_s(&v, "qemu:///system");
}
END_TEST

START_TEST(test_scalar_numbers)
{
	struct vax_value v;

	ck_assert_int_eq(get(OID(1, 1, 6, 0), &v), VAX_FOUND);
	expect_i(&v, VAX_CONNECTED);
	ck_assert_int_eq(get(OID(1, 1, 7, 0), &v), VAX_FOUND);
	expect_u(&v, VAX_T_GAUGE32, 3);
	ck_assert_int_eq(get(OID(1, 1, 8, 0), &v), VAX_FOUND);
	expect_i(&v, 5);
	ck_assert_int_eq(get(OID(1, 1, 9, 0), &v), VAX_FOUND);
	expect_u(&v, VAX_T_GAUGE32, 500);
	ck_assert_int_eq(get(OID(1, 1, 10, 0), &v), VAX_FOUND);
	expect_u(&v, VAX_T_GAUGE32, 42);
	ck_assert_int_eq(get(OID(1, 1, 11, 0), &v), VAX_FOUND);
	expect_u(&v, VAX_T_COUNTER64, 7);
	ck_assert_int_eq(get(OID(1, 1, 12, 0), &v), VAX_FOUND);
	expect_u(&v, VAX_T_COUNTER64, 1);
}
END_TEST

START_TEST(test_scalar_disconnected)
{
	struct vax_value v;

	snap->conn = VAX_DISCONNECTED;
	ck_assert_int_eq(get(OID(1, 1, 6, 0), &v), VAX_FOUND);
	expect_i(&v, 2);
}
END_TEST

START_TEST(test_scalar_instance_errors)
{
	struct vax_value v;

	ck_assert_int_eq(get(OID(1, 1, 5, 1), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 1, 5), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 1, 5, 0, 0), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 1, 1, 4294967295u), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 1, 99, 0), &v), VAX_NO_OBJECT);
	ck_assert_int_eq(get(OID(1, 1, 0, 0), &v), VAX_NO_OBJECT);
	ck_assert_int_eq(get(OID(1, 1, 15, 0), &v), VAX_NO_OBJECT);
	ck_assert_int_eq(get(OID(1, 1, 4294967295u, 0), &v), VAX_NO_OBJECT);
}
END_TEST

START_TEST(test_no_object)
{
	struct vax_value v;

	ck_assert_int_eq(vax_virt_get(&view, NULL, 0, &v), VAX_NO_OBJECT);
	ck_assert_int_eq(get(OID(1), &v), VAX_NO_OBJECT);
	ck_assert_int_eq(get(OID(1, 1), &v), VAX_NO_OBJECT);
	ck_assert_int_eq(get(OID(2, 1, 1, 0), &v), VAX_NO_OBJECT);
	ck_assert_int_eq(get(OID(0, 1, 1, 0), &v), VAX_NO_OBJECT);
	ck_assert_int_eq(get(OID(1, 0, 1, 0), &v), VAX_NO_OBJECT);
	ck_assert_int_eq(get(OID(1, 6, 1, 2, 1), &v), VAX_NO_OBJECT);
	ck_assert_int_eq(get(OID(1, 2, 2, 2, 1), &v), VAX_NO_OBJECT);
	ck_assert_int_eq(get(OID(1, 2, 1, 1, 1), &v), VAX_NO_OBJECT);   /* index */
	ck_assert_int_eq(get(OID(1, 2, 1, 30, 1), &v), VAX_NO_OBJECT);
	ck_assert_int_eq(get(OID(1, 2, 1), &v), VAX_NO_OBJECT);
	ck_assert_int_eq(get(OID(1, 3, 1, 8, 1, 1), &v), VAX_NO_OBJECT);
	ck_assert_int_eq(get(OID(1, 4, 1, 19, 1, 1), &v), VAX_NO_OBJECT);
	ck_assert_int_eq(get(OID(1, 5, 1, 18, 1, 1), &v), VAX_NO_OBJECT);
	ck_assert_int_eq(get(OID(1, 5, 1, 1, 1, 1), &v), VAX_NO_OBJECT);
}
END_TEST

START_TEST(test_cache_age_unknown)
{
	struct vax_value v;

	snap->taken_ms = 0;
	ck_assert_int_eq(get(OID(1, 1, 9, 0), &v), VAX_NO_INSTANCE);
	NEXT_IS(OID(1, 1, 8, 0), OID(1, 1, 10, 0));
}
END_TEST

START_TEST(test_cache_age_clock_behind)
{
	struct vax_value v;

	view.now_ms = 9000;   /* before taken_ms */
	ck_assert_int_eq(get(OID(1, 1, 9, 0), &v), VAX_FOUND);
	expect_u(&v, VAX_T_GAUGE32, 0);
}
END_TEST

START_TEST(test_cache_age_saturates)
{
	struct vax_value v;

	view.now_ms = snap->taken_ms + 10000000000LL;
	ck_assert_int_eq(get(OID(1, 1, 9, 0), &v), VAX_FOUND);
	expect_u(&v, VAX_T_GAUGE32, 4294967295u);
}
END_TEST

START_TEST(test_no_refresh_yet)
{
	struct vax_value v;

	snap->refresh_count = 0;
	ck_assert_int_eq(get(OID(1, 1, 10, 0), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 1, 11, 0), &v), VAX_FOUND);
	expect_u(&v, VAX_T_COUNTER64, 0);
}
END_TEST

START_TEST(test_unknown_host_facts)
{
	struct vax_value v;

	free(snap->hostname);
	snap->hostname = NULL;
	free(snap->uri);
	snap->uri = NULL;
	ck_assert_int_eq(get(OID(1, 1, 1, 0), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 1, 13, 0), &v), VAX_NO_INSTANCE);
	ck_assert(next(NULL, 0));
	expect_out(OID(1, 1, 2, 0));
	NEXT_IS(OID(1, 1, 12, 0), OID(1, 1, 14, 0));   /* no URI: 13 skipped */
	NEXT_IS(OID(1, 1, 14, 0), OID(1, 2, 1, 2, 1));
}
END_TEST

START_TEST(test_display_string_cut)
{
	struct vax_value v;

	free(snap->hostname);
	snap->hostname = fx_repeat("h", 300);
	ck_assert_int_eq(get(OID(1, 1, 1, 0), &v), VAX_FOUND);
	ck_assert_uint_eq(v.len, 255);
	free(snap->hv_version);
	snap->hv_version = fx_repeat("\xc3\xa9", 150);   /* 300 bytes of U+00E9 */
	ck_assert_int_eq(get(OID(1, 1, 3, 0), &v), VAX_FOUND);
	ck_assert_uint_eq(v.len, 254);
	ck_assert(fx_utf8_valid(v.s, v.len));
}
END_TEST

START_TEST(test_display_string_exact)
{
	struct vax_value v;

	free(snap->hostname);
	snap->hostname = fx_repeat("h", 255);
	ck_assert_int_eq(get(OID(1, 1, 1, 0), &v), VAX_FOUND);
	ck_assert_uint_eq(v.len, 255);
}
END_TEST

START_TEST(test_uri_cut_at_1024)
{
	struct vax_value v;

	free(snap->uri);
	snap->uri = fx_repeat("u", 2000);
	ck_assert_int_eq(get(OID(1, 1, 13, 0), &v), VAX_FOUND);
	ck_assert_uint_eq(v.len, 1024);
}
END_TEST

/* ---- domain table ---- */

static const struct {
	uint32_t col;
	enum vax_type type;
	uint64_t u;       /* numbers; 0 for strings */
	const char *s;    /* strings; NULL: absent when type is INTEGER 99 */
	bool present;
} dom1_cells[] = {
	{ 2, VAX_T_OCTETS, 0, "web01", true },
	{ 3, VAX_T_OCTETS, 0, UUID1, true },
	{ 4, VAX_T_INTEGER, 1, NULL, true },
	{ 5, VAX_T_INTEGER, 1, NULL, true },
	{ 6, VAX_T_INTEGER, 1, NULL, true },     /* TruthValue true */
	{ 7, VAX_T_INTEGER, 2, NULL, true },     /* TruthValue false */
	{ 8, VAX_T_OCTETS, 0, "hvm", true },
	{ 9, VAX_T_INTEGER, 3, NULL, true },
	{ 10, VAX_T_GAUGE32, 2, NULL, true },
	{ 11, VAX_T_GAUGE32, 2, NULL, true },
	{ 12, VAX_T_COUNTER64, 2097152, NULL, true },
	{ 13, VAX_T_COUNTER64, 2097152, NULL, true },
	{ 14, VAX_T_COUNTER64, 123456789012ULL, NULL, true },
	{ 15, VAX_T_COUNTER64, 100000000000ULL, NULL, true },
	{ 16, VAX_T_COUNTER64, 20000000000ULL, NULL, true },
	{ 17, VAX_T_COUNTER64, 2097152, NULL, true },
	{ 18, VAX_T_COUNTER64, 500000, NULL, true },
	{ 19, VAX_T_COUNTER64, 2000000, NULL, true },
	{ 20, VAX_T_COUNTER64, 1500000, NULL, true },
	{ 21, VAX_T_COUNTER64, 2100000, NULL, true },
	{ 22, VAX_T_COUNTER64, 0, NULL, false },
	{ 23, VAX_T_COUNTER64, 0, NULL, false },
	{ 24, VAX_T_COUNTER64, 0, NULL, false },
	{ 25, VAX_T_COUNTER64, 0, NULL, false },
	{ 26, VAX_T_COUNTER64, 0, NULL, false },
	{ 27, VAX_T_COUNTER64, 500000, NULL, true },   /* 2000000 - 1500000 */
	{ 28, VAX_T_GAUGE32, 1, NULL, true },
	{ 29, VAX_T_GAUGE32, 1, NULL, true },
};

START_TEST(test_domain_cell)
{
	struct vax_value v;
	const uint32_t oid[] = { 1, 2, 1, dom1_cells[_i].col, 1 };
	enum vax_lookup r = get(oid, 5, &v);

	if (!dom1_cells[_i].present) {
		ck_assert_msg(r == VAX_NO_INSTANCE, "column %u", dom1_cells[_i].col);
		return;
	}
	ck_assert_msg(r == VAX_FOUND, "column %u", dom1_cells[_i].col);
	ck_assert_int_eq(v.type, dom1_cells[_i].type);
	if (v.type == VAX_T_OCTETS)
		expect_s(&v, dom1_cells[_i].s);
	else if (v.type == VAX_T_INTEGER)
		ck_assert_int_eq(v.i, (int64_t)dom1_cells[_i].u);
	else
		ck_assert_uint_eq(v.u, dom1_cells[_i].u);
}
END_TEST

START_TEST(test_domain_uuid_length)
{
	struct vax_value v;

	ck_assert_int_eq(get(OID(1, 2, 1, 3, 5), &v), VAX_FOUND);
	ck_assert_int_eq(v.type, VAX_T_OCTETS);
	ck_assert_uint_eq(v.len, 36);
	ck_assert_mem_eq(v.s, UUID5, 36);
}
END_TEST

START_TEST(test_domain_states)
{
	struct vax_value v;

	ck_assert_int_eq(get(OID(1, 2, 1, 4, 2), &v), VAX_FOUND);
	expect_i(&v, 5);
	ck_assert_int_eq(get(OID(1, 2, 1, 4, 5), &v), VAX_FOUND);
	expect_i(&v, 3);
}
END_TEST

START_TEST(test_truth_values)
{
	struct vax_value v;

	ck_assert_int_eq(get(OID(1, 2, 1, 6, 2), &v), VAX_FOUND);
	expect_i(&v, 1);
	ck_assert_int_eq(get(OID(1, 2, 1, 7, 2), &v), VAX_FOUND);
	expect_i(&v, 1);
	ck_assert_int_eq(get(OID(1, 2, 1, 6, 5), &v), VAX_FOUND);
	expect_i(&v, 2);
	ck_assert_int_eq(get(OID(1, 2, 1, 7, 5), &v), VAX_NO_INSTANCE);
	set(&fx_find(snap, 5)->vals, VAX_DOM_AUTOSTART, 42);   /* any non-zero */
	ck_assert_int_eq(get(OID(1, 2, 1, 7, 5), &v), VAX_FOUND);
	expect_i(&v, 1);
}
END_TEST

START_TEST(test_domain_absent_not_zero)
{
	struct vax_value v;

	/* Domain 2 is shut off: no id, no CPU time, no balloon. */
	ck_assert_int_eq(get(OID(1, 2, 1, 9, 2), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 2, 1, 14, 2), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 2, 1, 17, 2), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 2, 1, 27, 2), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 2, 1, 5, 2), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 2, 1, 8, 2), &v), VAX_NO_INSTANCE);
	/* A zero that is present is served. */
	vax_set(&fx_find(snap, 2)->vals, VAX_DOM_CPU_TIME, 0);
	ck_assert_int_eq(get(OID(1, 2, 1, 14, 2), &v), VAX_FOUND);
	expect_u(&v, VAX_T_COUNTER64, 0);
}
END_TEST

START_TEST(test_domain_without_devices)
{
	struct vax_value v;

	ck_assert_int_eq(get(OID(1, 2, 1, 28, 2), &v), VAX_FOUND);
	expect_u(&v, VAX_T_GAUGE32, 0);
	ck_assert_int_eq(get(OID(1, 2, 1, 29, 2), &v), VAX_FOUND);
	expect_u(&v, VAX_T_GAUGE32, 0);
	ck_assert_int_eq(get(OID(1, 2, 1, 28, 5), &v), VAX_FOUND);
	expect_u(&v, VAX_T_GAUGE32, 3);
	ck_assert_int_eq(get(OID(1, 2, 1, 29, 5), &v), VAX_FOUND);
	expect_u(&v, VAX_T_GAUGE32, 2);
}
END_TEST

START_TEST(test_memory_used_unused_fallback)
{
	struct vax_value v;

	ck_assert_int_eq(get(OID(1, 2, 1, 27, 5), &v), VAX_FOUND);
	expect_u(&v, VAX_T_COUNTER64, 1000000);   /* 8000000 - 7000000 */
	set(&fx_find(snap, 5)->vals, VAX_DOM_BAL_UNUSED, 9000000);
	ck_assert_int_eq(get(OID(1, 2, 1, 27, 5), &v), VAX_NO_INSTANCE);
}
END_TEST

START_TEST(test_missing_rows)
{
	struct vax_value v;

	ck_assert_int_eq(get(OID(1, 2, 1, 2, 3), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 2, 1, 2, 4), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 2, 1, 2, 0), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 2, 1, 2, 6), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 2, 1, 2, 4294967295u), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 3, 1, 2, 2, 1), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 3, 1, 2, 1, 3), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 3, 1, 2, 1, 0), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 4, 1, 2, 5, 4), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 4, 1, 2, 2, 1), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 4, 1, 2, 3, 1), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 5, 1, 2, 5, 3), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 5, 1, 2, 4, 1), &v), VAX_NO_INSTANCE);
}
END_TEST

START_TEST(test_wrong_index_length)
{
	struct vax_value v;

	ck_assert_int_eq(get(OID(1, 2, 1, 2), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 2, 1, 2, 1, 1), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 2, 1, 2, 1, 0), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 3, 1, 2, 1), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 3, 1, 2, 1, 1, 1), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 4, 1, 2, 5), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 4, 1, 2, 5, 1, 0), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 5, 1, 2), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 5, 1, 2, 1), &v), VAX_NO_INSTANCE);
}
END_TEST

START_TEST(test_integer_out_of_range_absent)
{
	struct vax_value v;
	struct vax_domain *d = fx_find(snap, 1);

	set(&d->vals, VAX_DOM_REASON, 2147483647);
	ck_assert_int_eq(get(OID(1, 2, 1, 5, 1), &v), VAX_FOUND);
	expect_i(&v, 2147483647);
	set(&d->vals, VAX_DOM_REASON, 2147483648u);
	ck_assert_int_eq(get(OID(1, 2, 1, 5, 1), &v), VAX_NO_INSTANCE);
	set(&d->vals, VAX_DOM_ID, UINT64_MAX);
	ck_assert_int_eq(get(OID(1, 2, 1, 9, 1), &v), VAX_NO_INSTANCE);
	NEXT_IS(OID(1, 2, 1, 5), OID(1, 2, 1, 5, 5));
}
END_TEST

START_TEST(test_gauge_saturates)
{
	struct vax_value v;

	set(&fx_find(snap, 1)->vals, VAX_DOM_VCPU_MAX, UINT64_C(0x100000005));
	ck_assert_int_eq(get(OID(1, 2, 1, 11, 1), &v), VAX_FOUND);
	expect_u(&v, VAX_T_GAUGE32, 4294967295u);
}
END_TEST

START_TEST(test_counter64_full_range)
{
	struct vax_value v;

	set(&fx_find(snap, 1)->vals, VAX_DOM_CPU_TIME, UINT64_MAX);
	ck_assert_int_eq(get(OID(1, 2, 1, 14, 1), &v), VAX_FOUND);
	expect_u(&v, VAX_T_COUNTER64, UINT64_MAX);
}
END_TEST

START_TEST(test_long_name_cut)
{
	struct vax_value v;

	ck_assert_uint_eq(strlen(long_name), 1200);
	ck_assert_int_eq(get(OID(1, 2, 1, 2, 5), &v), VAX_FOUND);
	ck_assert_int_eq(v.type, VAX_T_OCTETS);
	ck_assert_uint_le(v.len, 1024);
	ck_assert_uint_eq(v.len, 1023);   /* 341 whole characters */
	ck_assert(fx_utf8_valid(v.s, v.len));
	ck_assert_mem_eq(v.s, long_name, v.len);
	ck_assert_ptr_eq(v.s, fx_find(snap, 5)->name);   /* no copy */
}
END_TEST

static const struct { size_t ascii; const char *tail; size_t want; } name_cuts[] = {
	{ 1024, "", 1024 },
	{ 1025, "", 1024 },
	{ 1023, "\xc3\xa9", 1023 },   /* 2-byte char across the limit */
	{ 1022, "\xc3\xa9", 1024 },   /* ends exactly at the limit */
	{ 1021, GRIN, 1021 },
	{ 1020, GRIN, 1024 },
	{ 1023, GRIN GRIN, 1023 },
	{ 0, "", 0 },
};

START_TEST(test_name_cuts)
{
	struct vax_value v;
	struct vax_domain *d = fx_find(snap, 1);
	char *head = fx_repeat("n", name_cuts[_i].ascii);
	size_t len = strlen(head) + strlen(name_cuts[_i].tail);

	free(d->name);
	d->name = fx_calloc(len + 1, 1);
	strcpy(d->name, head);
	strcat(d->name, name_cuts[_i].tail);
	free(head);
	ck_assert_int_eq(get(OID(1, 2, 1, 2, 1), &v), VAX_FOUND);
	ck_assert_uint_eq(v.len, name_cuts[_i].want);
	ck_assert(fx_utf8_valid(v.s, v.len));
}
END_TEST

START_TEST(test_utf8_prefix)
{
	ck_assert_uint_eq(vax_utf8_prefix("", 10), 0);
	ck_assert_uint_eq(vax_utf8_prefix("abc", 3), 3);
	ck_assert_uint_eq(vax_utf8_prefix("abcd", 3), 3);
	ck_assert_uint_eq(vax_utf8_prefix("ab" EURO, 3), 2);
	ck_assert_uint_eq(vax_utf8_prefix("ab" EURO, 4), 2);
	ck_assert_uint_eq(vax_utf8_prefix("ab" EURO, 5), 5);
	ck_assert_uint_eq(vax_utf8_prefix(EURO "x", 3), 3);
	ck_assert_uint_eq(vax_utf8_prefix(GRIN, 3), 0);
	ck_assert_uint_eq(vax_utf8_prefix(GRIN, 0), 0);
}
END_TEST

/* ---- text from outside: any bytes ---- */

static const struct { const char *in, *out; } utf8_cases[] = {
	{ "", "" },
	{ "web01", "web01" },
	{ "\xe6\x95\xb0-\xc3\xbc" GRIN, "\xe6\x95\xb0-\xc3\xbc" GRIN },   /* valid stays */
	{ "a\tb\nc\x7f\xc2\x85\x01", "a\tb\nc\x7f\xc2\x85\x01" },      /* controls are text */
	{ "x\xffy", "x\xef\xbf\xbdy" },                  /* a byte never in UTF-8 */
	{ "\x80", "\xef\xbf\xbd" },                      /* a stray continuation */
	{ "\xc0\x80", "\xef\xbf\xbd\xef\xbf\xbd" },      /* overlong NUL */
	{ "\xe0\x80\xaf", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },   /* overlong '/' */
	{ "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },   /* a surrogate */
	{ "\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },  /* > U+10FFFF */
	{ "\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf" },      /* U+10FFFF itself */
	{ "ab\xe6\x95", "ab\xef\xbf\xbd" },              /* cut at the end: one U+FFFD */
	{ "\xe6\x95x", "\xef\xbf\xbdx" },                /* cut inside */
	{ "\xf0\x9f\x98", "\xef\xbf\xbd" },
	{ "\xef\xbf\xbd", "\xef\xbf\xbd" },              /* U+FFFD itself */
};

START_TEST(test_utf8_dup)
{
	char *got = vax_utf8_dup(utf8_cases[_i].in);

	ck_assert_ptr_nonnull(got);
	ck_assert_msg(strcmp(got, utf8_cases[_i].out) == 0, "case %d: got %zu bytes", _i,
		      strlen(got));
	/* Idempotent: what it makes is valid, so a second pass keeps it. */
	char *again = vax_utf8_dup(got);
	ck_assert_str_eq(again, got);
	free(again);
	free(got);
	ck_assert_ptr_null(vax_utf8_dup(NULL));
}
END_TEST

/* Strictly valid UTF-8: vax_utf8_dup changes nothing. */
static bool utf8_strict(const void *s, size_t len)
{
	char *copy = fx_calloc(len + 1, 1), *clean;
	bool same;

	memcpy(copy, s, len);
	clean = vax_utf8_dup(copy);
	same = clean && memchr(copy, '\0', len) == NULL && strcmp(clean, copy) == 0;
	free(clean);
	free(copy);
	return same;
}

START_TEST(test_name_not_utf8_served_valid)
{
	/* libvirt renames a domain to any bytes (virDomainRename through
	 * libvirtd takes "x\xffy"); the collector stores names through
	 * vax_utf8_dup, so GET serves VirtUtf8String as the MIB says. */
	struct vax_domain *d = fx_find(snap, 1);
	struct vax_value v;

	free(d->name);
	d->name = vax_utf8_dup("x\xffy\xc0\xaf");
	ck_assert_int_eq(get(OID(1, 2, 1, 2, 1), &v), VAX_FOUND);
	expect_s(&v, "x\xef\xbf\xbdy\xef\xbf\xbd\xef\xbf\xbd");
	ck_assert(utf8_strict(v.s, v.len));
}
END_TEST

START_TEST(test_name_control_chars_whole)
{
	/* libvirt accepts tab, newline, DEL and C1 controls in a name: they
	 * are valid UTF-8 text and served byte for byte. */
	static const char name[] = "a\tb\nc\x7f" "d\xc2\x85" "e";
	struct vax_domain *d = fx_find(snap, 1);
	struct vax_value v;

	free(d->name);
	d->name = vax_utf8_dup(name);
	ck_assert_int_eq(get(OID(1, 2, 1, 2, 1), &v), VAX_FOUND);
	expect_s(&v, name);
}
END_TEST

START_TEST(test_name_invalid_long_cut)
{
	/* 1100 bad bytes become 3300 bytes of U+FFFD, cut to 341 whole
	 * characters: still valid, never a split sequence. */
	struct vax_domain *d = fx_find(snap, 1);
	char *raw = fx_repeat("\xfe", 1100);
	struct vax_value v;

	free(d->name);
	d->name = vax_utf8_dup(raw);
	free(raw);
	ck_assert_int_eq(get(OID(1, 2, 1, 2, 1), &v), VAX_FOUND);
	ck_assert_uint_eq(v.len, 1023);
	ck_assert(utf8_strict(v.s, v.len));
	/* And the GETNEXT answer is the same cell, the same bytes. */
	NEXT_IS(OID(1, 2, 1, 2, 0), OID(1, 2, 1, 2, 1));
	ck_assert_uint_eq(val.len, 1023);
}
END_TEST

START_TEST(test_uri_not_utf8_served_valid)
{
	struct vax_value v;

	free(snap->uri);
	snap->uri = vax_utf8_dup("test:///\xe9t\xe9");   /* Latin-1 from a file */
	ck_assert_int_eq(get(OID(1, 1, 13, 0), &v), VAX_FOUND);
	expect_s(&v, "test:///\xef\xbf\xbdt\xef\xbf\xbd");
}
END_TEST

/* ---- 4096 vCPUs: one domain, 4096 rows ---- */

START_TEST(test_4096_vcpus)
{
	struct vax_snapshot *s = vax_snapshot_new(2);
	struct vax_view vw = { .snap = s, .now_ms = 0, .cache_timeout = 5 };
	struct vax_domain *d;
	struct vax_value v;
	uint32_t o[VAX_MAX_OID], cur[VAX_MAX_OID] = { 1, 3, 1, 2 };
	size_t olen, curlen = 4, rows = 0;

	d = fx_add_domain(s, 7, "big", UUID1, 1, NULL, 4096);
	for (uint64_t i = 0; i < 4096; i++)
		vax_set(&d->vcpus[i].vals, VAX_VCPU_TIME, 1000 + i);
	set(&d->vals, VAX_DOM_VCPU_CUR, 4096);
	fx_add_domain(s, 8, "after", UUID2, 1, NULL, 1);
	fx_seal(s);
	ck_assert_uint_eq(s->nvcpu_rows, 4097);
	ck_assert_int_eq(vax_virt_get(&vw, OID(1, 2, 1, 10, 7), &v), VAX_FOUND);
	expect_u(&v, VAX_T_GAUGE32, 4096);
	ck_assert_int_eq(vax_virt_get(&vw, OID(1, 3, 1, 2, 7, 4096), &v), VAX_FOUND);
	expect_i(&v, 4095);
	ck_assert_int_eq(vax_virt_get(&vw, OID(1, 3, 1, 4, 7, 4096), &v), VAX_FOUND);
	expect_u(&v, VAX_T_COUNTER64, 1000 + 4095);
	ck_assert_int_eq(vax_virt_get(&vw, OID(1, 3, 1, 2, 7, 4097), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(vax_virt_get(&vw, OID(1, 3, 1, 2, 7, 0), &v), VAX_NO_INSTANCE);
	/* GETNEXT through the column: every row once, in order. */
	while (vax_virt_next(&vw, cur, curlen, o, &olen, &v) && o[3] == 2 && o[4] == 7) {
		ck_assert_uint_eq(olen, 6);
		ck_assert_uint_eq(o[5], rows + 1);
		expect_i(&v, (int64_t)rows);
		rows++;
		memcpy(cur, o, olen * sizeof(*o));
		curlen = olen;
	}
	ck_assert_uint_eq(rows, 4096);
	ck_assert_int_eq(vax_oid_cmp(o, olen, OID(1, 3, 1, 2, 8, 1)), 0);
	vax_snapshot_free(s);
}
END_TEST

/* ---- device tables ---- */

START_TEST(test_vcpu_cells)
{
	struct vax_value v;

	ck_assert_int_eq(get(OID(1, 3, 1, 2, 1, 1), &v), VAX_FOUND);
	expect_i(&v, 0);   /* vCPU number = index - 1 */
	ck_assert_int_eq(get(OID(1, 3, 1, 2, 5, 3), &v), VAX_FOUND);
	expect_i(&v, 2);
	ck_assert_int_eq(get(OID(1, 3, 1, 3, 5, 2), &v), VAX_FOUND);
	expect_i(&v, 2);
	ck_assert_int_eq(get(OID(1, 3, 1, 3, 5, 3), &v), VAX_FOUND);
	expect_i(&v, 0);   /* offline: present, zero */
	ck_assert_int_eq(get(OID(1, 3, 1, 4, 1, 2), &v), VAX_FOUND);
	expect_u(&v, VAX_T_COUNTER64, 2000);
	ck_assert_int_eq(get(OID(1, 3, 1, 5, 5, 1), &v), VAX_FOUND);
	expect_u(&v, VAX_T_COUNTER64, 11);
	ck_assert_int_eq(get(OID(1, 3, 1, 6, 5, 1), &v), VAX_FOUND);
	expect_u(&v, VAX_T_COUNTER64, 12);
	ck_assert_int_eq(get(OID(1, 3, 1, 7, 5, 1), &v), VAX_FOUND);
	expect_i(&v, 2);
	ck_assert_int_eq(get(OID(1, 3, 1, 7, 1, 1), &v), VAX_FOUND);
	expect_i(&v, 0);
	ck_assert_int_eq(get(OID(1, 3, 1, 7, 1, 2), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 3, 1, 5, 1, 1), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 3, 1, 4, 5, 3), &v), VAX_NO_INSTANCE);
}
END_TEST

START_TEST(test_disk_strings)
{
	struct vax_value v;

	ck_assert_int_eq(get(OID(1, 4, 1, 2, 1, 1), &v), VAX_FOUND);
	expect_s(&v, "vda");
	ck_assert_int_eq(get(OID(1, 4, 1, 3, 1, 1), &v), VAX_FOUND);
	expect_s(&v, "/var/lib/libvirt/images/web01.qcow2");
	ck_assert_int_eq(get(OID(1, 4, 1, 4, 5, 2), &v), VAX_FOUND);
	expect_s(&v, "block");
	ck_assert_int_eq(get(OID(1, 4, 1, 5, 5, 3), &v), VAX_FOUND);
	expect_s(&v, "ide");
	ck_assert_int_eq(get(OID(1, 4, 1, 6, 5, 3), &v), VAX_FOUND);
	expect_s(&v, "cdrom");
	ck_assert_int_eq(get(OID(1, 4, 1, 2, 5, 3), &v), VAX_FOUND);
	expect_s(&v, "hdc");
	ck_assert_int_eq(get(OID(1, 4, 1, 3, 5, 3), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 4, 1, 3, 5, 2), &v), VAX_NO_INSTANCE);
}
END_TEST

START_TEST(test_disk_counters)
{
	struct vax_value v;

	/* Domain 5's vda has every field: value 100 + field number. */
	static const int field_of_col[] = {
		[7] = VAX_DISK_RD_REQS, [8] = VAX_DISK_RD_BYTES,
		[9] = VAX_DISK_WR_REQS, [10] = VAX_DISK_WR_BYTES,
		[11] = VAX_DISK_FL_REQS, [12] = VAX_DISK_RD_TIME,
		[13] = VAX_DISK_WR_TIME, [14] = VAX_DISK_FL_TIME,
		[15] = VAX_DISK_ERRORS, [16] = VAX_DISK_CAPACITY,
		[17] = VAX_DISK_ALLOCATION, [18] = VAX_DISK_PHYSICAL,
	};
	for (uint32_t col = 7; col <= 18; col++) {
		const uint32_t oid[] = { 1, 4, 1, col, 5, 1 };
		ck_assert_int_eq(get(oid, 6, &v), VAX_FOUND);
		expect_u(&v, VAX_T_COUNTER64, 100 + (uint64_t)field_of_col[col]);
	}
	ck_assert_int_eq(get(OID(1, 4, 1, 16, 5, 2), &v), VAX_FOUND);
	expect_u(&v, VAX_T_COUNTER64, 5);
	ck_assert_int_eq(get(OID(1, 4, 1, 7, 5, 2), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 4, 1, 7, 5, 3), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 4, 1, 7, 1, 1), &v), VAX_FOUND);
	expect_u(&v, VAX_T_COUNTER64, 10);
	ck_assert_int_eq(get(OID(1, 4, 1, 16, 1, 1), &v), VAX_FOUND);
	expect_u(&v, VAX_T_COUNTER64, 10737418240ULL);
	ck_assert_int_eq(get(OID(1, 4, 1, 15, 1, 1), &v), VAX_NO_INSTANCE);
}
END_TEST

START_TEST(test_nic_strings)
{
	struct vax_value v;

	ck_assert_int_eq(get(OID(1, 5, 1, 2, 1, 1), &v), VAX_FOUND);
	expect_s(&v, "vnet0");
	ck_assert_int_eq(get(OID(1, 5, 1, 4, 5, 1), &v), VAX_FOUND);
	expect_s(&v, "network");
	ck_assert_int_eq(get(OID(1, 5, 1, 5, 5, 1), &v), VAX_FOUND);
	expect_s(&v, "default");
	ck_assert_int_eq(get(OID(1, 5, 1, 6, 5, 2), &v), VAX_FOUND);
	expect_s(&v, "e1000");
	ck_assert_int_eq(get(OID(1, 5, 1, 7, 5, 1), &v), VAX_FOUND);
	expect_s(&v, "clean-traffic");
	ck_assert_int_eq(get(OID(1, 5, 1, 8, 5, 1), &v), VAX_FOUND);
	expect_s(&v, "192.0.2.5");
	ck_assert_int_eq(get(OID(1, 5, 1, 2, 5, 2), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 5, 1, 5, 5, 2), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 5, 1, 7, 1, 1), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 5, 1, 8, 1, 1), &v), VAX_NO_INSTANCE);
}
END_TEST

START_TEST(test_nic_mac)
{
	struct vax_value v;

	ck_assert_int_eq(get(OID(1, 5, 1, 3, 1, 1), &v), VAX_FOUND);
	ck_assert_int_eq(v.type, VAX_T_OCTETS);
	ck_assert_uint_eq(v.len, 6);
	ck_assert_mem_eq(v.s, "\x52\x54\x00\x00\x00\x01", 6);
	ck_assert_int_eq(get(OID(1, 5, 1, 3, 5, 1), &v), VAX_FOUND);
	ck_assert_uint_eq(v.len, 6);
	ck_assert_mem_eq(v.s, "\x52\x54\x00\x00\x00\x05", 6);
	ck_assert_int_eq(get(OID(1, 5, 1, 3, 5, 2), &v), VAX_NO_INSTANCE);
}
END_TEST

START_TEST(test_nic_ifindex)
{
	struct vax_value v;

	ck_assert_int_eq(get(OID(1, 5, 1, 9, 1, 1), &v), VAX_FOUND);
	expect_i(&v, 12);
	ck_assert_int_eq(get(OID(1, 5, 1, 9, 5, 2), &v), VAX_FOUND);
	expect_i(&v, 0);   /* no host device: 0, not absent */
	set(&fx_find(snap, 1)->nics[0].vals, VAX_NIC_HOST_IFINDEX, 2147483648u);
	ck_assert_int_eq(get(OID(1, 5, 1, 9, 1, 1), &v), VAX_FOUND);
	expect_i(&v, 0);
}
END_TEST

START_TEST(test_nic_counters)
{
	struct vax_value v;

	for (uint32_t col = 10; col <= 17; col++) {
		const uint32_t oid[] = { 1, 5, 1, col, 5, 1 };
		ck_assert_int_eq(get(oid, 6, &v), VAX_FOUND);
		expect_u(&v, VAX_T_COUNTER64, 1000 + (uint64_t)(col - 10));
	}
	ck_assert_int_eq(get(OID(1, 5, 1, 10, 5, 2), &v), VAX_FOUND);
	expect_u(&v, VAX_T_COUNTER64, 55);
	ck_assert_int_eq(get(OID(1, 5, 1, 11, 5, 2), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 5, 1, 12, 1, 1), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 5, 1, 14, 1, 1), &v), VAX_FOUND);
	expect_u(&v, VAX_T_COUNTER64, 200);
}
END_TEST

START_TEST(test_device_display_string_cut)
{
	struct vax_value v;
	struct vax_domdef *def = fx_find(snap, 5)->def;

	free(def->disks[2].type);
	def->disks[2].type = fx_repeat("x", 300);
	ck_assert_int_eq(get(OID(1, 4, 1, 4, 5, 3), &v), VAX_FOUND);
	ck_assert_uint_eq(v.len, 255);
	free(def->nics[0].type);
	def->nics[0].type = fx_repeat(EURO, 100);
	ck_assert_int_eq(get(OID(1, 5, 1, 4, 5, 1), &v), VAX_FOUND);
	ck_assert_uint_eq(v.len, 255);   /* 85 whole characters */
	ck_assert(fx_utf8_valid(v.s, v.len));
	/* Names libvirt takes in any language are VirtUtf8String (1024). */
	free(def->nics[0].model);
	def->nics[0].model = fx_repeat(EURO, 400);
	ck_assert_int_eq(get(OID(1, 5, 1, 6, 5, 1), &v), VAX_FOUND);
	ck_assert_uint_eq(v.len, 1023);
	free(def->disks[2].target);
	def->disks[2].target = fx_repeat(EURO, 400);
	ck_assert_int_eq(get(OID(1, 4, 1, 2, 5, 3), &v), VAX_FOUND);
	ck_assert_uint_eq(v.len, 1023);
	ck_assert(fx_utf8_valid(v.s, v.len));
	free(def->disks[0].source);
	def->disks[0].source = fx_repeat(EURO, 400);   /* VirtUtf8String */
	ck_assert_int_eq(get(OID(1, 4, 1, 3, 5, 1), &v), VAX_FOUND);
	ck_assert_uint_eq(v.len, 1023);
	ck_assert(fx_utf8_valid(v.s, v.len));
}
END_TEST

/* ---- GETNEXT ---- */

START_TEST(test_next_from_empty)
{
	ck_assert(next(NULL, 0));
	expect_out(OID(1, 1, 1, 0));
	expect_s(&val, "kvm-host-01");
}
END_TEST

START_TEST(test_next_before_and_into_scalars)
{
	NEXT_IS(OID(0), OID(1, 1, 1, 0));
	NEXT_IS(OID(1), OID(1, 1, 1, 0));
	NEXT_IS(OID(1, 0, 5), OID(1, 1, 1, 0));
	NEXT_IS(OID(1, 1), OID(1, 1, 1, 0));
	NEXT_IS(OID(1, 1, 0), OID(1, 1, 1, 0));
	NEXT_IS(OID(1, 1, 1), OID(1, 1, 1, 0));
	NEXT_IS(OID(1, 1, 1, 0), OID(1, 1, 2, 0));
	NEXT_IS(OID(1, 1, 1, 0, 5), OID(1, 1, 2, 0));
	NEXT_IS(OID(1, 1, 6, 0), OID(1, 1, 7, 0));
	expect_u(&val, VAX_T_GAUGE32, 3);
}
END_TEST

START_TEST(test_next_scalars_to_table)
{
	NEXT_IS(OID(1, 1, 13, 0), OID(1, 1, 14, 0));
	NEXT_IS(OID(1, 1, 14, 0), OID(1, 2, 1, 2, 1));
	expect_s(&val, "web01");
	NEXT_IS(OID(1, 1, 15), OID(1, 2, 1, 2, 1));
	NEXT_IS(OID(1, 1, 4294967295u), OID(1, 2, 1, 2, 1));
	NEXT_IS(OID(1, 2), OID(1, 2, 1, 2, 1));
	NEXT_IS(OID(1, 2, 0), OID(1, 2, 1, 2, 1));
	NEXT_IS(OID(1, 2, 1), OID(1, 2, 1, 2, 1));
	NEXT_IS(OID(1, 2, 1, 0), OID(1, 2, 1, 2, 1));
	NEXT_IS(OID(1, 2, 1, 1, 5), OID(1, 2, 1, 2, 1));
	NEXT_IS(OID(1, 2, 1, 2), OID(1, 2, 1, 2, 1));
	NEXT_IS(OID(1, 2, 1, 2, 0), OID(1, 2, 1, 2, 1));
}
END_TEST

START_TEST(test_next_within_index)
{
	NEXT_IS(OID(1, 2, 1, 2, 1), OID(1, 2, 1, 2, 2));
	NEXT_IS(OID(1, 2, 1, 2, 2), OID(1, 2, 1, 2, 5));
	NEXT_IS(OID(1, 2, 1, 2, 3), OID(1, 2, 1, 2, 5));
	NEXT_IS(OID(1, 2, 1, 2, 4, 4294967295u), OID(1, 2, 1, 2, 5));
	NEXT_IS(OID(1, 2, 1, 2, 2, 99), OID(1, 2, 1, 2, 5));
	NEXT_IS(OID(1, 2, 1, 2, 5), OID(1, 2, 1, 3, 1));
	NEXT_IS(OID(1, 2, 1, 2, 5, 0), OID(1, 2, 1, 3, 1));
	NEXT_IS(OID(1, 2, 1, 2, 4294967295u), OID(1, 2, 1, 3, 1));
	NEXT_IS(OID(1, 2, 1, 3, 1), OID(1, 2, 1, 3, 2));
	expect_s(&val, UUID2);
}
END_TEST

START_TEST(test_next_two_part_index)
{
	NEXT_IS(OID(1, 3, 1, 2), OID(1, 3, 1, 2, 1, 1));
	NEXT_IS(OID(1, 3, 1, 2, 1), OID(1, 3, 1, 2, 1, 1));
	NEXT_IS(OID(1, 3, 1, 2, 1, 1), OID(1, 3, 1, 2, 1, 2));
	NEXT_IS(OID(1, 3, 1, 2, 1, 2), OID(1, 3, 1, 2, 5, 1));
	NEXT_IS(OID(1, 3, 1, 2, 2), OID(1, 3, 1, 2, 5, 1));
	NEXT_IS(OID(1, 3, 1, 2, 3, 7), OID(1, 3, 1, 2, 5, 1));
	NEXT_IS(OID(1, 3, 1, 2, 1, 4294967295u), OID(1, 3, 1, 2, 5, 1));
	NEXT_IS(OID(1, 3, 1, 2, 5, 3), OID(1, 3, 1, 3, 1, 1));
	NEXT_IS(OID(1, 4, 1, 2, 1, 1), OID(1, 4, 1, 2, 5, 1));
	NEXT_IS(OID(1, 4, 1, 2, 5, 1, 0), OID(1, 4, 1, 2, 5, 2));
}
END_TEST

START_TEST(test_next_skips_absent)
{
	/* Domain 2 has no OS type, no id; domain 1 no swap counters. */
	NEXT_IS(OID(1, 2, 1, 8, 1), OID(1, 2, 1, 8, 5));
	NEXT_IS(OID(1, 2, 1, 9, 1), OID(1, 2, 1, 9, 5));
	NEXT_IS(OID(1, 2, 1, 22), OID(1, 2, 1, 22, 5));
	NEXT_IS(OID(1, 2, 1, 22, 5), OID(1, 2, 1, 23, 5));
	NEXT_IS(OID(1, 2, 1, 26, 5), OID(1, 2, 1, 27, 1));
	NEXT_IS(OID(1, 2, 1, 27, 1), OID(1, 2, 1, 27, 5));
	/* vCPU 2 of domain 1 has no physical CPU. */
	NEXT_IS(OID(1, 3, 1, 7, 1, 1), OID(1, 3, 1, 7, 5, 1));
	/* Only domain 5's first disk has a flush count... */
	NEXT_IS(OID(1, 4, 1, 11), OID(1, 4, 1, 11, 5, 1));
	/* ...and only the first disks have a source. */
	NEXT_IS(OID(1, 4, 1, 3, 1, 1), OID(1, 4, 1, 3, 5, 1));
	NEXT_IS(OID(1, 4, 1, 3, 5, 1), OID(1, 4, 1, 4, 1, 1));
}
END_TEST

START_TEST(test_next_between_tables)
{
	NEXT_IS(OID(1, 2, 1, 29, 5), OID(1, 3, 1, 2, 1, 1));
	NEXT_IS(OID(1, 2, 1, 30), OID(1, 3, 1, 2, 1, 1));
	NEXT_IS(OID(1, 2, 1, 4294967295u), OID(1, 3, 1, 2, 1, 1));
	NEXT_IS(OID(1, 2, 2), OID(1, 3, 1, 2, 1, 1));
	NEXT_IS(OID(1, 2, 4294967295u), OID(1, 3, 1, 2, 1, 1));
	NEXT_IS(OID(1, 3, 1, 7, 5, 1), OID(1, 4, 1, 2, 1, 1));
	NEXT_IS(OID(1, 4, 1, 18, 5, 1), OID(1, 5, 1, 2, 1, 1));
}
END_TEST

START_TEST(test_next_last_cell)
{
	NEXT_IS(OID(1, 5, 1, 17, 1, 1), OID(1, 5, 1, 17, 5, 1));
	NEXT_IS(OID(1, 5, 1, 17), OID(1, 5, 1, 17, 5, 1));
	ck_assert(!next(OID(1, 5, 1, 17, 5, 1)));
}
END_TEST

START_TEST(test_next_past_end)
{
	ck_assert(!next(OID(1, 5, 1, 17, 5, 2)));
	ck_assert(!next(OID(1, 5, 1, 18)));
	ck_assert(!next(OID(1, 5, 1, 99)));
	ck_assert(!next(OID(1, 5, 2)));
	ck_assert(!next(OID(1, 6)));
	ck_assert(!next(OID(1, 6, 1, 2, 1)));
	ck_assert(!next(OID(2)));
	ck_assert(!next(OID(2, 0)));
	ck_assert(!next(OID(4294967295u)));
	ck_assert(!next(OID(1, 4294967295u)));
	ck_assert(!next(OID(1, 5, 4294967295u, 1)));
	ck_assert(!next(OID(1, 5, 1, 17, 4294967295u, 4294967295u)));
}
END_TEST

START_TEST(test_next_long_oids)
{
	uint32_t big[1000];

	/* 1.2.1.2.1 followed by zeros sorts after domain 1's cell. */
	memset(big, 0, sizeof(big));
	memcpy(big, (const uint32_t[]){ 1, 2, 1, 2, 1 }, 5 * sizeof(uint32_t));
	ck_assert(next(big, VAX_MAX_OID));
	expect_out(OID(1, 2, 1, 2, 2));
	ck_assert(next(big, 1000));
	expect_out(OID(1, 2, 1, 2, 2));
	ck_assert_uint_le(outlen, VAX_MAX_OID);

	for (size_t i = 0; i < 1000; i++)
		big[i] = 1;        /* 1.1.1.1... > 1.1.1.0 */
	ck_assert(next(big, 1000));
	expect_out(OID(1, 1, 2, 0));

	for (size_t i = 6; i < 1000; i++)
		big[i] = 4294967295u;
	memcpy(big, (const uint32_t[]){ 1, 3, 1, 2, 1, 1 }, 6 * sizeof(uint32_t));
	ck_assert(next(big, 1000));
	expect_out(OID(1, 3, 1, 2, 1, 2));

	for (size_t i = 0; i < 1000; i++)
		big[i] = 4294967295u;
	ck_assert(!next(big, 1000));
}
END_TEST

START_TEST(test_next_value_matches_get)
{
	struct vax_value v;

	NEXT_IS(OID(1, 2, 1, 14, 1), OID(1, 2, 1, 14, 5));
	ck_assert_int_eq(get(out, outlen, &v), VAX_FOUND);
	ck_assert(same_value(&v, &val));
	expect_u(&val, VAX_T_COUNTER64, 5);
	NEXT_IS(OID(1, 5, 1, 3), OID(1, 5, 1, 3, 1, 1));
	ck_assert_uint_eq(val.len, 6);
}
END_TEST

/* ---- the whole walk ---- */

struct walk {
	size_t n;
	uint32_t oid[FIXTURE_CELLS * 2][6];
	size_t len[FIXTURE_CELLS * 2];
	size_t per_table[6];    /* by virtObjects sub-id */
};

static void walk(struct walk *w)
{
	uint32_t cur[VAX_MAX_OID];
	size_t curlen = 0;
	struct vax_value g;

	memset(w, 0, sizeof(*w));
	while (next(cur, curlen)) {
		ck_assert_uint_le(outlen, 6);
		ck_assert_uint_ge(outlen, 4);
		ck_assert_int_gt(vax_oid_cmp(out, outlen, cur, curlen), 0);
		ck_assert_int_eq(get(out, outlen, &g), VAX_FOUND);
		ck_assert(same_value(&g, &val));
		ck_assert_uint_lt(w->n, FIXTURE_CELLS * 2);
		memcpy(w->oid[w->n], out, outlen * sizeof(*out));
		w->len[w->n] = outlen;
		if (out[1] < 6)
			w->per_table[out[1]]++;
		w->n++;
		memcpy(cur, out, outlen * sizeof(*out));
		curlen = outlen;
	}
}

static bool walked(const struct walk *w, const uint32_t *oid, size_t len)
{
	for (size_t i = 0; i < w->n; i++)
		if (vax_oid_cmp(w->oid[i], w->len[i], oid, len) == 0)
			return true;
	return false;
}

START_TEST(test_walk_count)
{
	static struct walk w;

	walk(&w);
	ck_assert_uint_eq(w.n, expected_cells(snap));
	ck_assert_uint_eq(w.n, FIXTURE_CELLS);
	ck_assert_uint_eq(w.per_table[1], 14);   /* scalars */
	ck_assert_uint_eq(w.per_table[2], 23 + 9 + 22);
	ck_assert_uint_eq(w.per_table[3], 18);
	ck_assert_uint_eq(w.per_table[4], 37);
	ck_assert_uint_eq(w.per_table[5], 30);
}
END_TEST

START_TEST(test_walk_matches_get)
{
	/* Every cell GET finds, by trying every column of every index
	 * (present or not), is visited by the walk, and nothing else is. */
	static struct walk w;
	static const uint32_t ncols[] = { 0, 13, 29, 7, 18, 17 };
	static const uint32_t doms[] = { 0, 1, 2, 3, 4, 5, 6 };
	struct vax_value v;
	size_t found = 0;

	walk(&w);
	for (uint32_t id = 0; id <= ncols[1] + 1; id++) {
		const uint32_t oid[] = { 1, 1, id, 0 };
		if (get(oid, 4, &v) == VAX_FOUND) {
			found++;
			ck_assert(walked(&w, oid, 4));
		}
	}
	for (uint32_t t = 2; t <= 5; t++)
		for (uint32_t col = 0; col <= ncols[t] + 1; col++)
			for (size_t di = 0; di < sizeof(doms) / sizeof(doms[0]); di++)
				for (uint32_t sub = 0; sub <= (t == 2 ? 0 : 4); sub++) {
					const uint32_t oid[] = { 1, t, 1, col, doms[di], sub };
					size_t len = t == 2 ? 5 : 6;
					if (get(oid, len, &v) != VAX_FOUND)
						continue;
					found++;
					ck_assert_msg(walked(&w, oid, len), "%u.%u.%u.%u not walked",
						      t, col, doms[di], sub);
				}
	ck_assert_uint_eq(found, w.n);
}
END_TEST

START_TEST(test_walk_empty_snapshot)
{
	static struct walk w;
	struct vax_value v;

	vax_snapshot_free(snap);
	snap = vax_snapshot_new(0);
	fx_seal(snap);
	view.snap = snap;
	walk(&w);
	/* No host facts, no refresh: agent version, connection state, count,
	 * cache timeout, refresh count and errors. */
	ck_assert_uint_eq(w.n, 6);
	ck_assert_uint_eq(w.n, expected_cells(snap));
	ck_assert_int_eq(get(OID(1, 1, 7, 0), &v), VAX_FOUND);
	expect_u(&v, VAX_T_GAUGE32, 0);
	ck_assert_int_eq(get(OID(1, 1, 6, 0), &v), VAX_FOUND);
	expect_i(&v, VAX_DISCONNECTED);
	ck_assert_int_eq(get(OID(1, 2, 1, 2, 1), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 4, 1, 2, 1, 1), &v), VAX_NO_INSTANCE);
	ck_assert(!next(OID(1, 1, 12, 0)));
}
END_TEST

START_TEST(test_highest_index)
{
	struct vax_snapshot *s = vax_snapshot_new(1);
	struct vax_view vw = { .snap = s, .now_ms = 0, .cache_timeout = 5 };
	struct vax_value v;
	uint32_t o[VAX_MAX_OID];
	size_t olen;

	fx_add_domain(s, 2147483647u, "last", UUID1, 1, fx_domdef_n(1, 0), 0);
	fx_seal(s);
	ck_assert_int_eq(vax_virt_get(&vw, OID(1, 4, 1, 2, 2147483647u, 1), &v), VAX_FOUND);
	expect_s(&v, "vda");
	ck_assert(vax_virt_next(&vw, OID(1, 4, 1, 2, 2147483647u, 0), o, &olen, &v));
	ck_assert_int_eq(vax_oid_cmp(o, olen, OID(1, 4, 1, 2, 2147483647u, 1)), 0);
	ck_assert(vax_virt_next(&vw, OID(1, 2, 1, 2, 2147483646u), o, &olen, &v));
	ck_assert_int_eq(vax_oid_cmp(o, olen, OID(1, 2, 1, 2, 2147483647u)), 0);
	vax_snapshot_free(s);
}
END_TEST

/* No XML could be had: the device counts are unknown, not zero. */
START_TEST(test_counts_unknown_without_xml)
{
	struct vax_snapshot *s2 = vax_snapshot_new(1);
	struct vax_domain *d = vax_snapshot_add(s2);
	struct vax_view w = { .snap = s2, .now_ms = 1, .cache_timeout = 5 };
	struct vax_value v;

	d->index = 1;
	d->name = strdup("x");
	memcpy(d->uuid, "8e3b1c1a-0d5e-4f8a-9a51-000000000009", 37);
	d->def = vax_domdef_new();
	ck_assert_int_eq(vax_snapshot_seal(s2), 0);
	ck_assert_int_eq(vax_virt_get(&w, OID(1, 2, 1, 28, 1), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(vax_virt_get(&w, OID(1, 2, 1, 29, 1), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(vax_virt_get(&w, OID(1, 2, 1, 2, 1), &v), VAX_FOUND);
	vax_snapshot_free(s2);
}
END_TEST

static Suite *mib_suite(void)
{
	Suite *s = suite_create("mib_virtagentx");
	TCase *tc;

	tc = tcase_create("basics");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_counts_unknown_without_xml);
	tcase_add_test(tc, test_root);
	tcase_add_test(tc, test_oid_cmp);
	tcase_add_test(tc, test_seal_sorts_domains);
	tcase_add_test(tc, test_seal_rows);
	tcase_add_test(tc, test_expected_cells);
	tcase_add_test(tc, test_utf8_prefix);
	suite_add_tcase(s, tc);

	tc = tcase_create("scalars");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_scalar_strings);
	tcase_add_test(tc, test_scalar_numbers);
	tcase_add_test(tc, test_scalar_disconnected);
	tcase_add_test(tc, test_scalar_instance_errors);
	tcase_add_test(tc, test_no_object);
	tcase_add_test(tc, test_cache_age_unknown);
	tcase_add_test(tc, test_cache_age_clock_behind);
	tcase_add_test(tc, test_cache_age_saturates);
	tcase_add_test(tc, test_no_refresh_yet);
	tcase_add_test(tc, test_unknown_host_facts);
	tcase_add_test(tc, test_display_string_cut);
	tcase_add_test(tc, test_display_string_exact);
	tcase_add_test(tc, test_uri_cut_at_1024);
	suite_add_tcase(s, tc);

	tc = tcase_create("domains");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_domain_cell, 0,
			    (int)(sizeof(dom1_cells) / sizeof(dom1_cells[0])));
	tcase_add_test(tc, test_domain_uuid_length);
	tcase_add_test(tc, test_domain_states);
	tcase_add_test(tc, test_truth_values);
	tcase_add_test(tc, test_domain_absent_not_zero);
	tcase_add_test(tc, test_domain_without_devices);
	tcase_add_test(tc, test_memory_used_unused_fallback);
	tcase_add_test(tc, test_missing_rows);
	tcase_add_test(tc, test_wrong_index_length);
	tcase_add_test(tc, test_integer_out_of_range_absent);
	tcase_add_test(tc, test_gauge_saturates);
	tcase_add_test(tc, test_counter64_full_range);
	tcase_add_test(tc, test_long_name_cut);
	tcase_add_loop_test(tc, test_name_cuts, 0,
			    (int)(sizeof(name_cuts) / sizeof(name_cuts[0])));
	tcase_add_loop_test(tc, test_utf8_dup, 0,
			    (int)(sizeof(utf8_cases) / sizeof(utf8_cases[0])));
	tcase_add_test(tc, test_name_not_utf8_served_valid);
	tcase_add_test(tc, test_name_control_chars_whole);
	tcase_add_test(tc, test_name_invalid_long_cut);
	tcase_add_test(tc, test_uri_not_utf8_served_valid);
	tcase_add_test(tc, test_4096_vcpus);
	suite_add_tcase(s, tc);

	tc = tcase_create("devices");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_vcpu_cells);
	tcase_add_test(tc, test_disk_strings);
	tcase_add_test(tc, test_disk_counters);
	tcase_add_test(tc, test_nic_strings);
	tcase_add_test(tc, test_nic_mac);
	tcase_add_test(tc, test_nic_ifindex);
	tcase_add_test(tc, test_nic_counters);
	tcase_add_test(tc, test_device_display_string_cut);
	suite_add_tcase(s, tc);

	tc = tcase_create("getnext");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_next_from_empty);
	tcase_add_test(tc, test_next_before_and_into_scalars);
	tcase_add_test(tc, test_next_scalars_to_table);
	tcase_add_test(tc, test_next_within_index);
	tcase_add_test(tc, test_next_two_part_index);
	tcase_add_test(tc, test_next_skips_absent);
	tcase_add_test(tc, test_next_between_tables);
	tcase_add_test(tc, test_next_last_cell);
	tcase_add_test(tc, test_next_past_end);
	tcase_add_test(tc, test_next_long_oids);
	tcase_add_test(tc, test_next_value_matches_get);
	tcase_add_test(tc, test_highest_index);
	suite_add_tcase(s, tc);

	tc = tcase_create("walk");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_walk_count);
	tcase_add_test(tc, test_walk_matches_get);
	tcase_add_test(tc, test_walk_empty_snapshot);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vax_run_suite(mib_suite());
}
