/* check_mib_storage.c - VIRT-AGENTX-MIB's virtPoolTable and
 * virtNetworkTable, and their notifications, from a fixture snapshot. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "libvirt_events.h"
#include "libvirt_state.h"
#include "mib_virtagentx.h"
#include "model.h"

#define OID(...) ((const uint32_t[]){ __VA_ARGS__ }), \
	(sizeof((const uint32_t[]){ __VA_ARGS__ }) / sizeof(uint32_t))

static struct vax_snapshot *snap;
static struct vax_view view;

/* Two pools (a full one on a filesystem, an inactive one libvirt knows
 * nothing of), one network: indexes 7, 3 and 5, not in UUID order. */
static void setup(void)
{
	struct vax_storage_set *st = vax_storage_set_new(2, 1);
	struct vax_pool *p;
	struct vax_network *n;

	ck_assert_ptr_nonnull(st);
	st->npools = 2;
	st->nnets = 1;
	p = &st->pools[0];
	snprintf(p->uuid, sizeof(p->uuid), "%s", "11111111-2222-3333-4444-555555555555");
	p->name = fx_strdup("images");
	p->type = fx_strdup("dir");
	p->target = fx_strdup("/var/lib/libvirt/images");
	p->read_ms = 1000;
	vax_set(&p->vals, VAX_POOL_STATE, VAX_POOL_STATE_RUNNING);
	vax_set(&p->vals, VAX_POOL_AUTOSTART, 1);
	vax_set(&p->vals, VAX_POOL_PERSISTENT, 1);
	vax_set(&p->vals, VAX_POOL_CAPACITY, 6ULL << 40);
	vax_set(&p->vals, VAX_POOL_ALLOCATION, (6ULL << 40) / 100 * 93);
	vax_set(&p->vals, VAX_POOL_AVAILABLE, (6ULL << 40) / 100 * 7);
	vax_set(&p->vals, VAX_POOL_VOLUMES, 12);
	vax_set(&p->vals, VAX_POOL_SOURCE, VAX_POOL_SRC_FILESYSTEM);
	vax_set(&p->vals, VAX_POOL_THRESHOLD, 9000);
	p = &st->pools[1];
	snprintf(p->uuid, sizeof(p->uuid), "%s", "00000000-2222-3333-4444-555555555555");
	p->name = fx_strdup("scratch");
	p->type = fx_strdup("logical");
	p->read_ms = 400;
	p->stalled = true;
	vax_set(&p->vals, VAX_POOL_STATE, VAX_POOL_STATE_INACTIVE);
	vax_set(&p->vals, VAX_POOL_AUTOSTART, 0);
	vax_set(&p->vals, VAX_POOL_CAPACITY, 0);
	vax_set(&p->vals, VAX_POOL_ALLOCATION, 0);
	vax_set(&p->vals, VAX_POOL_SOURCE, VAX_POOL_SRC_LIBVIRT);
	n = &st->nets[0];
	snprintf(n->uuid, sizeof(n->uuid), "%s", "dd8fe884-6c02-601e-7551-cca97df1c5df");
	n->name = fx_strdup("default");
	n->bridge = fx_strdup("virbr0");
	n->forward = fx_strdup("nat");
	vax_set(&n->vals, VAX_NET_ACTIVE, 1);
	vax_set(&n->vals, VAX_NET_AUTOSTART, 0);
	vax_set(&n->vals, VAX_NET_PERSISTENT, 1);
	vax_set(&n->vals, VAX_NET_LEASES, 3);

	snap = vax_snapshot_new(0);
	ck_assert_ptr_nonnull(snap);
	snap->storage = st;
	snap->pool_rows = fx_calloc(2, sizeof(*snap->pool_rows));
	snap->pool_rows[0] = (struct vax_row){ .sub = 3, .item = &st->pools[1] };
	snap->pool_rows[1] = (struct vax_row){ .sub = 7, .item = &st->pools[0] };
	snap->npool_rows = 2;
	snap->net_rows = fx_calloc(1, sizeof(*snap->net_rows));
	snap->net_rows[0] = (struct vax_row){ .sub = 5, .item = &st->nets[0] };
	snap->nnet_rows = 1;
	fx_seal(snap);
	view = (struct vax_view){ .snap = snap, .now_ms = 1500, .cache_timeout = 5 };
}

static void teardown(void)
{
	vax_snapshot_free(snap);
}

static void want_int(const uint32_t *oid, size_t len, int64_t i)
{
	struct vax_value v;

	ck_assert_int_eq(vax_virt_get(&view, oid, len, &v), VAX_FOUND);
	ck_assert_int_eq(v.type, VAX_T_INTEGER);
	ck_assert_int_eq(v.i, i);
}

static void want_uint(const uint32_t *oid, size_t len, enum vax_type type, uint64_t u)
{
	struct vax_value v;

	ck_assert_int_eq(vax_virt_get(&view, oid, len, &v), VAX_FOUND);
	ck_assert_int_eq(v.type, type);
	ck_assert_uint_eq(v.u, u);
}

static void want_str(const uint32_t *oid, size_t len, const char *s)
{
	struct vax_value v;

	ck_assert_int_eq(vax_virt_get(&view, oid, len, &v), VAX_FOUND);
	ck_assert_int_eq(v.type, VAX_T_OCTETS);
	ck_assert_uint_eq(v.len, strlen(s));
	ck_assert(memcmp(v.s, s, v.len) == 0);
}

static void want_absent(const uint32_t *oid, size_t len)
{
	struct vax_value v;

	ck_assert_int_eq(vax_virt_get(&view, oid, len, &v), VAX_NO_INSTANCE);
}

START_TEST(test_pool_columns)
{
	want_str(OID(1, 10, 1, 2, 7), "images");
	want_str(OID(1, 10, 1, 3, 7), "11111111-2222-3333-4444-555555555555");
	want_str(OID(1, 10, 1, 4, 7), "dir");
	want_int(OID(1, 10, 1, 5, 7), 3);          /* running: libvirt's 2 + 1 */
	want_int(OID(1, 10, 1, 6, 7), 1);
	want_int(OID(1, 10, 1, 7, 7), 1);
	want_uint(OID(1, 10, 1, 8, 7), VAX_T_COUNTER64, 6ULL << 40);
	want_uint(OID(1, 10, 1, 9, 7), VAX_T_COUNTER64, (6ULL << 40) / 100 * 93);
	want_uint(OID(1, 10, 1, 10, 7), VAX_T_COUNTER64, (6ULL << 40) / 100 * 7);
	want_uint(OID(1, 10, 1, 11, 7), VAX_T_GAUGE32, 9300);
	want_uint(OID(1, 10, 1, 12, 7), VAX_T_GAUGE32, 9000);
	want_int(OID(1, 10, 1, 13, 7), VAX_POOL_SRC_FILESYSTEM);
	want_uint(OID(1, 10, 1, 14, 7), VAX_T_GAUGE32, 500);   /* read at 1000, now 1500 */
	want_int(OID(1, 10, 1, 15, 7), 2);
	want_str(OID(1, 10, 1, 16, 7), "/var/lib/libvirt/images");
	want_uint(OID(1, 10, 1, 17, 7), VAX_T_GAUGE32, 12);
}
END_TEST

START_TEST(test_pool_inactive)
{
	want_int(OID(1, 10, 1, 5, 3), 1);          /* inactive */
	want_int(OID(1, 10, 1, 6, 3), 2);
	want_absent(OID(1, 10, 1, 7, 3));          /* not known: absent, not false */
	want_absent(OID(1, 10, 1, 10, 3));
	want_absent(OID(1, 10, 1, 11, 3));         /* capacity 0: no percentage */
	want_absent(OID(1, 10, 1, 12, 3));         /* no threshold */
	want_int(OID(1, 10, 1, 13, 3), VAX_POOL_SRC_LIBVIRT);
	want_int(OID(1, 10, 1, 15, 3), 1);         /* stalled */
	want_absent(OID(1, 10, 1, 16, 3));
	want_absent(OID(1, 10, 1, 17, 3));
	want_absent(OID(1, 10, 1, 2, 4));          /* no such row */
	want_absent(OID(1, 10, 1, 2, 5));          /* the network's index */
}
END_TEST

START_TEST(test_network_columns)
{
	want_str(OID(1, 11, 1, 2, 5), "default");
	want_str(OID(1, 11, 1, 3, 5), "dd8fe884-6c02-601e-7551-cca97df1c5df");
	want_str(OID(1, 11, 1, 4, 5), "virbr0");
	want_int(OID(1, 11, 1, 5, 5), 1);
	want_int(OID(1, 11, 1, 6, 5), 2);
	want_int(OID(1, 11, 1, 7, 5), 1);
	want_str(OID(1, 11, 1, 8, 5), "nat");
	want_uint(OID(1, 11, 1, 9, 5), VAX_T_GAUGE32, 3);
	want_absent(OID(1, 11, 1, 2, 7));
	struct vax_value v;
	ck_assert_int_eq(vax_virt_get(&view, OID(1, 11, 1, 10, 5), &v), VAX_NO_OBJECT);
}
END_TEST

/* A walk visits the pool rows in index order, column by column, then the
 * network's, skipping absent cells. */
START_TEST(test_walk_order)
{
	static const uint32_t want[][5] = {
		{ 1, 10, 1, 2, 3 }, { 1, 10, 1, 2, 7 }, { 1, 10, 1, 3, 3 }, { 1, 10, 1, 3, 7 },
	};
	uint32_t cur[32] = { 1, 10 }, out[32];
	size_t len = 2, olen;
	struct vax_value v;

	for (size_t i = 0; i < 4; i++) {
		ck_assert(vax_virt_next(&view, cur, len, out, &olen, &v));
		ck_assert_uint_eq(olen, 5);
		ck_assert(memcmp(out, want[i], sizeof(want[i])) == 0);
		memcpy(cur, out, olen * sizeof(*out));
		len = olen;
	}
	/* From the inactive pool's used % (absent) on: the full pool's. */
	ck_assert(vax_virt_next(&view, OID(1, 10, 1, 10, 3), out, &olen, &v));
	ck_assert(memcmp(out, ((const uint32_t[]){ 1, 10, 1, 10, 7 }), 5 * sizeof(*out)) == 0);
	ck_assert(vax_virt_next(&view, OID(1, 10, 1, 17, 7), out, &olen, &v));
	ck_assert(memcmp(out, ((const uint32_t[]){ 1, 11, 1, 2, 5 }), 5 * sizeof(*out)) == 0);
	ck_assert(!vax_virt_next(&view, OID(1, 11, 1, 9, 5), out, &olen, &v));
}
END_TEST

/* The index of a varbind's instance, and that its column is `col` of
 * table t. */
static void want_cell(const struct vax_varbind *vb, uint32_t t, uint32_t col, uint32_t index)
{
	const uint32_t tail[] = { 1, t, 1, col, index };

	ck_assert_uint_eq(vb->len, 7 + 5);
	ck_assert(memcmp(vb->oid + 7, tail, sizeof(tail)) == 0);
}

static uint32_t trap_number(const struct vax_varbind *vb)
{
	ck_assert_int_eq(vb->val.type, VAX_T_OID);
	ck_assert_uint_eq(vb->val.len, 9);
	return ((const uint32_t *)vb->val.s)[8];
}

START_TEST(test_space_traps)
{
	struct vax_varbind vb[VAX_TRAP_VARBINDS + 1];
	const struct vax_pool *p = &snap->storage->pools[0];
	size_t n = vax_virt_pool_trap(p, 7, VAX_EV_POOL_SPACE_LOW, vb, 7);

	ck_assert_uint_eq(n, 7);
	ck_assert_uint_eq(trap_number(&vb[0]), 14);
	want_cell(&vb[1], 10, 2, 7);
	want_cell(&vb[2], 10, 8, 7);
	ck_assert_uint_eq(vb[2].val.u, 6ULL << 40);
	want_cell(&vb[5], 10, 11, 7);
	ck_assert_uint_eq(vb[5].val.u, 9300);
	want_cell(&vb[6], 10, 12, 7);
	ck_assert_uint_eq(vb[6].val.u, 9000);
	n = vax_virt_pool_trap(p, 7, VAX_EV_POOL_SPACE_OK, vb, 7);
	ck_assert_uint_eq(trap_number(&vb[0]), 15);
	ck_assert_uint_eq(n, 7);
	/* Too little room, or a kind with no notification: nothing. */
	ck_assert_uint_eq(vax_virt_pool_trap(p, 7, VAX_EV_POOL_SPACE_LOW, vb, 6), 0);
	ck_assert_uint_eq(vax_virt_pool_trap(p, 7, VAX_EV_POOL_DEFINED, vb, 7), 0);
}
END_TEST

START_TEST(test_lifecycle_traps)
{
	struct vax_varbind vb[VAX_TRAP_VARBINDS + 1];
	const struct vax_pool *p = &snap->storage->pools[0];
	const struct vax_network *nw = &snap->storage->nets[0];
	size_t n;

	n = vax_virt_pool_trap(p, 7, VAX_EV_POOL_STOPPED, vb, 7);
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(trap_number(&vb[0]), 13);
	want_cell(&vb[1], 10, 2, 7);
	want_cell(&vb[2], 10, 3, 7);
	want_cell(&vb[3], 10, 5, 7);
	ck_assert_uint_eq(trap_number(&vb[0]), 13);
	n = vax_virt_pool_trap(p, 7, VAX_EV_POOL_STARTED, vb, 7);
	ck_assert_uint_eq(trap_number(&vb[0]), 12);
	n = vax_virt_network_trap(nw, 5, VAX_EV_NET_STARTED, vb, 7);
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(trap_number(&vb[0]), 16);
	want_cell(&vb[3], 11, 5, 5);
	ck_assert_int_eq(vb[3].val.i, 1);
	n = vax_virt_network_trap(nw, 5, VAX_EV_NET_STOPPED, vb, 7);
	ck_assert_uint_eq(trap_number(&vb[0]), 17);
	ck_assert_uint_eq(vax_virt_network_trap(nw, 5, VAX_EV_NET_DEFINED, vb, 7), 0);
}
END_TEST

static Suite *storage_suite(void)
{
	Suite *s = suite_create("mib_storage");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_pool_columns);
	tcase_add_test(tc, test_pool_inactive);
	tcase_add_test(tc, test_network_columns);
	tcase_add_test(tc, test_walk_order);
	tcase_add_test(tc, test_space_traps);
	tcase_add_test(tc, test_lifecycle_traps);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vax_run_suite(storage_suite());
}
