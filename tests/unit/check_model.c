/* check_model.c - snapshots, definitions, value sets, cpusets and the
 * memory formula of model.c. */
#include "config.h"

#include <check.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "model.h"

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))
#define UUID1 "8e3b1c1a-0d5e-4f8a-9a51-000000000001"

/* ---- the value sets: vax_set, vax_has, vax_unset ---- */

/* Each entity's set holds exactly its own fields, in one 64-bit mask. */
START_TEST(test_vals_sizes)
{
	struct vax_vals d;
	struct vax_vcpu_vals c;
	struct vax_disk_vals k;
	struct vax_nic_vals n;

	ck_assert_uint_eq(VAX_NVALS(&d), VAX_DOM_NFIELDS);
	ck_assert_uint_eq(VAX_NVALS(&c), VAX_VCPU_NFIELDS);
	ck_assert_uint_eq(VAX_NVALS(&k), VAX_DISK_NFIELDS);
	ck_assert_uint_eq(VAX_NVALS(&n), VAX_NIC_NFIELDS);
	ck_assert_uint_le(VAX_DOM_NFIELDS, 64);
	ck_assert_uint_le(VAX_DISK_NFIELDS, 64);
	ck_assert_uint_le(VAX_NIC_NFIELDS, 64);
	ck_assert_uint_le(VAX_VCPU_NFIELDS, 64);
}
END_TEST

/* Every field on its own: set makes it present (0 too, the point of the
 * mask), touches no other field, unset makes it absent again. */
START_TEST(test_vals_each_field)
{
	static const uint64_t xs[] = { 0, 1, UINT64_MAX };

	for (int f = 0; f < VAX_DOM_NFIELDS; f++) {
		for (int i = 0; i < N(xs); i++) {
			struct vax_vals v;
			memset(&v, 0, sizeof(v));
			vax_set(&v, f, xs[i]);
			ck_assert(vax_has(&v, f));
			ck_assert_uint_eq(v.have, UINT64_C(1) << f);
			ck_assert_uint_eq(v.v[f], xs[i]);
			for (int g = 0; g < VAX_DOM_NFIELDS; g++)
				if (g != f)
					ck_assert(!vax_has(&v, g) && v.v[g] == 0);
			vax_unset(&v, f);
			ck_assert(!vax_has(&v, f));
			ck_assert_uint_eq(v.have, 0);
		}
	}
}
END_TEST

START_TEST(test_vals_unset_keeps_others)
{
	struct vax_disk_vals v = { 0 };

	vax_set(&v, VAX_DISK_RD_BYTES, 10);
	vax_set(&v, VAX_DISK_WR_BYTES, 20);
	vax_set(&v, VAX_DISK_RD_BYTES, 11);   /* again: the new value */
	vax_unset(&v, VAX_DISK_WR_BYTES);
	vax_unset(&v, VAX_DISK_WR_BYTES);     /* twice: still absent */
	vax_unset(&v, VAX_DISK_ERRORS);       /* never set */
	ck_assert(vax_has(&v, VAX_DISK_RD_BYTES));
	ck_assert_uint_eq(v.v[VAX_DISK_RD_BYTES], 11);
	ck_assert(!vax_has(&v, VAX_DISK_WR_BYTES));
	ck_assert_uint_eq(v.have, UINT64_C(1) << VAX_DISK_RD_BYTES);
}
END_TEST

/* A field beyond an entity's array (another entity's field, a bad id) is
 * ignored: nothing written past the array, never present. */
static const int bad_fields[] = { -1, -64, INT_MIN, 63, 64, 65, INT_MAX,
				  VAX_DOM_NFIELDS, VAX_DISK_NFIELDS };

#define OUT_OF_RANGE(type, nfields) do { \
	struct { type v; uint64_t canary; } w; \
	int f_ = bad_fields[_i]; \
	memset(&w, 0, sizeof(w)); \
	w.canary = 0x5a5a5a5a5a5a5a5aULL; \
	vax_set(&w.v, nfields - 1, 7);   /* a real field, so have is not 0 */ \
	if (f_ < 0 || f_ >= (nfields)) { \
		vax_set(&w.v, f_, 0xdeadULL); \
		ck_assert(!vax_has(&w.v, f_)); \
		vax_unset(&w.v, f_); \
		ck_assert_uint_eq(w.v.have, UINT64_C(1) << ((nfields) - 1)); \
		ck_assert_uint_eq(w.canary, 0x5a5a5a5a5a5a5a5aULL); \
		for (int g_ = 0; g_ < (nfields) - 1; g_++) \
			ck_assert_uint_eq(w.v.v[g_], 0); \
	} \
} while (0)

START_TEST(test_vals_out_of_range)
{
	OUT_OF_RANGE(struct vax_vals, VAX_DOM_NFIELDS);
	OUT_OF_RANGE(struct vax_vcpu_vals, VAX_VCPU_NFIELDS);
	OUT_OF_RANGE(struct vax_disk_vals, VAX_DISK_NFIELDS);
	OUT_OF_RANGE(struct vax_nic_vals, VAX_NIC_NFIELDS);
}
END_TEST

/* ---- definitions ---- */

START_TEST(test_domdef_new)
{
	struct vax_domdef *def = vax_domdef_new();

	ck_assert_ptr_nonnull(def);
	ck_assert_int_eq(def->ref, 1);
	ck_assert(!def->parsed);   /* nothing read yet: counts unknown */
	ck_assert_uint_eq(def->vals.have, 0);
	ck_assert_ptr_null(def->os_type);
	ck_assert_ptr_null(def->cpuset);
	ck_assert(!def->cpu_auto);
	ck_assert_uint_eq(def->npins + def->ndisks + def->nnics, 0);
	ck_assert_ptr_null(def->pins);
	ck_assert_ptr_null(def->disks);
	ck_assert_ptr_null(def->nics);
	vax_domdef_unref(def);
}
END_TEST

/* The last unref frees every string it owns (valgrind / ASan see the
 * rest); the ones before it free nothing. */
START_TEST(test_domdef_ref_unref)
{
	struct vax_domdef *def = fx_domdef_n(2, 1);

	def->os_type = fx_strdup("hvm");
	def->cpuset = fx_strdup("0-3");
	def->pins = fx_calloc(2, sizeof(*def->pins));
	def->npins = 2;
	def->pins[0].cpuset = fx_strdup("1");
	def->pins[1].cpuset = fx_strdup("2-3");
	for (size_t i = 0; i < def->ndisks; i++) {
		struct vax_disk_def *d = &def->disks[i];
		d->source = fx_strdup("/img/a");
		d->type = fx_strdup("file");
		d->bus = fx_strdup("virtio");
		d->device = fx_strdup("disk");
		d->format = fx_strdup("qcow2");
	}
	def->nics[0].type = fx_strdup("bridge");
	def->nics[0].source = fx_strdup("br0");
	def->nics[0].parent = fx_strdup("br0");
	def->nics[0].model = fx_strdup("virtio");
	def->nics[0].filterref = fx_strdup("clean-traffic");
	def->nics[0].ip = fx_strdup("192.0.2.1");

	ck_assert_ptr_eq(vax_domdef_ref(def), def);
	ck_assert_ptr_eq(vax_domdef_ref(def), def);
	ck_assert_int_eq(def->ref, 3);
	vax_domdef_unref(def);
	vax_domdef_unref(def);
	ck_assert_int_eq(def->ref, 1);
	ck_assert_str_eq(def->nics[0].ip, "192.0.2.1");
	ck_assert_str_eq(def->disks[1].target, "vdb");
	vax_domdef_unref(def);

	ck_assert_ptr_null(vax_domdef_ref(NULL));
	vax_domdef_unref(NULL);
}
END_TEST

/* The collector and the agent drop references from two threads. */
#define REF_THREADS 4
#define REF_ROUNDS 20000

struct churn { struct vax_domdef *def; struct vax_snapshot *snap; };

static void *ref_churn(void *arg)
{
	const struct churn *c = arg;

	for (int i = 0; i < REF_ROUNDS; i++) {
		vax_domdef_unref(vax_domdef_ref(c->def));
		vax_snapshot_free(vax_snapshot_ref(c->snap));
	}
	return NULL;
}

START_TEST(test_ref_threads)
{
	struct vax_snapshot *s = vax_snapshot_new(0);
	struct vax_domdef *def = vax_domdef_new();
	struct churn arg = { def, s };
	pthread_t t[REF_THREADS];

	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_nonnull(def);
	for (int i = 0; i < REF_THREADS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, ref_churn, &arg), 0);
	for (int i = 0; i < REF_THREADS; i++)
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);
	ck_assert_int_eq(def->ref, 1);
	ck_assert_int_eq(s->ref, 1);
	vax_domdef_unref(def);
	vax_snapshot_free(s);
}
END_TEST

/* ---- snapshots ---- */

START_TEST(test_snapshot_new)
{
	struct vax_snapshot *s = vax_snapshot_new(0);

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(s->ref, 1);
	ck_assert_int_eq(s->conn, VAX_DISCONNECTED);   /* until the collector says */
	ck_assert_uint_eq(s->ndomains + s->domains_cap, 0);
	ck_assert_ptr_null(s->domains);
	ck_assert_ptr_null(s->hostname);
	ck_assert_ptr_null(s->uri);
	ck_assert(!s->host_boot_known);
	ck_assert_uint_eq(s->host_cpus, 0);
	/* An empty snapshot seals, with no rows, and finds nothing. */
	ck_assert_int_eq(vax_snapshot_seal(s), 0);
	ck_assert_uint_eq(s->nvcpu_rows + s->ndisk_rows + s->nnic_rows, 0);
	ck_assert_ptr_null(s->vcpu_rows);
	ck_assert_ptr_null(s->disk_rows);
	ck_assert_ptr_null(s->nic_rows);
	ck_assert_ptr_null(vax_snapshot_find(s, 0));
	ck_assert_ptr_null(vax_snapshot_find(s, 1));
	vax_snapshot_free(s);
}
END_TEST

/* Room made for n, then adds: each returns the next domain, zeroed even
 * in memory realloc() did not clear, and growing keeps the ones before. */
static const struct { size_t room, adds, cap; } grow_cases[] = {
	{ 0, 1, 16 },      /* no room: 16 */
	{ 0, 17, 32 },
	{ 1, 1, 1 },       /* exactly the room asked for: no growth */
	{ 3, 3, 3 },
	{ 2, 3, 4 },       /* then doubling */
	{ 3, 13, 24 },
};

START_TEST(test_snapshot_add)
{
	struct vax_snapshot *s = vax_snapshot_new(grow_cases[_i].room);
	struct vax_domain zero;

	memset(&zero, 0, sizeof(zero));
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->domains_cap, grow_cases[_i].room);
	for (size_t i = 0; i < grow_cases[_i].adds; i++) {
		struct vax_domain *d = vax_snapshot_add(s);
		ck_assert_ptr_nonnull(d);
		ck_assert_uint_eq(s->ndomains, i + 1);
		ck_assert_ptr_eq(d, &s->domains[i]);
		ck_assert(memcmp(d, &zero, sizeof(zero)) == 0);
		d->index = (uint32_t)(1000 - i);
		d->name = fx_strdup("x");
		d->def = vax_domdef_new();
	}
	ck_assert_uint_eq(s->domains_cap, grow_cases[_i].cap);
	for (size_t i = 0; i < grow_cases[_i].adds; i++) {
		ck_assert_uint_eq(s->domains[i].index, 1000 - i);
		ck_assert_str_eq(s->domains[i].name, "x");
	}
	vax_snapshot_free(s);
}
END_TEST

/* Sealing sorts by index, parses the UUIDs and lists the device rows in
 * (domain, device) order, devices numbered from 1. */
START_TEST(test_snapshot_seal)
{
	static const struct { uint32_t index; const char *uuid; size_t disks, nics, vcpus; }
	doms[] = {
		{ 7, UUID1, 1, 0, 2 },
		{ 2, "8E3B1C1A-0D5E-4F8A-9A51-0000000000FF", 2, 1, 0 },   /* upper case */
		{ 9, "not-a-uuid", 0, 2, 1 },
		{ 4, "", 0, 0, 0 },
	};
	static const uint8_t raw1[16] = { 0x8e, 0x3b, 0x1c, 0x1a, 0x0d, 0x5e, 0x4f, 0x8a,
					  0x9a, 0x51, 0, 0, 0, 0, 0, 0x01 };
	static const uint32_t order[] = { 2, 4, 7, 9 };
	/* The rows: (domain index, device number). */
	static const uint32_t vcpu_rows[][2] = { { 7, 1 }, { 7, 2 }, { 9, 1 } };
	static const uint32_t disk_rows[][2] = { { 2, 1 }, { 2, 2 }, { 7, 1 } };
	static const uint32_t nic_rows[][2] = { { 2, 1 }, { 9, 1 }, { 9, 2 } };
	struct vax_snapshot *s = vax_snapshot_new(2);   /* grows on the way */

	for (int i = 0; i < N(doms); i++)
		fx_add_domain(s, doms[i].index, "d", doms[i].uuid, 1,
			      fx_domdef_n(doms[i].disks, doms[i].nics), doms[i].vcpus);
	ck_assert_int_eq(vax_snapshot_seal(s), 0);

	ck_assert_uint_eq(s->ndomains, N(order));
	for (int i = 0; i < N(order); i++)
		ck_assert_uint_eq(s->domains[i].index, order[i]);
	ck_assert(s->domains[2].has_uuid_raw);
	ck_assert_mem_eq(s->domains[2].uuid_raw, raw1, 16);
	ck_assert(s->domains[0].has_uuid_raw);
	ck_assert_uint_eq(s->domains[0].uuid_raw[15], 0xff);
	ck_assert(!s->domains[3].has_uuid_raw);
	ck_assert(!s->domains[1].has_uuid_raw);

#define ROWS(n, rows, want) do { \
	ck_assert_uint_eq(n, N(want)); \
	for (int r_ = 0; r_ < N(want); r_++) { \
		ck_assert_uint_eq((rows)[r_].dom->index, (want)[r_][0]); \
		ck_assert_uint_eq((rows)[r_].sub, (want)[r_][1]); \
		ck_assert_uint_eq((rows)[r_].sub2, 0); \
		ck_assert_ptr_eq((rows)[r_].dom, vax_snapshot_find(s, (want)[r_][0])); \
	} \
} while (0)
	ROWS(s->nvcpu_rows, s->vcpu_rows, vcpu_rows);
	ROWS(s->ndisk_rows, s->disk_rows, disk_rows);
	ROWS(s->nnic_rows, s->nic_rows, nic_rows);
#undef ROWS
	vax_snapshot_free(s);
}
END_TEST

/* Binary search over the sorted indices, ends included. */
static const uint32_t find_indices[] = { 1, 2, 5, 100, 4294967294u, 4294967295u };
static const struct { uint32_t index; bool found; } finds[] = {
	{ 0, false }, { 1, true }, { 2, true }, { 3, false }, { 4, false },
	{ 5, true }, { 6, false }, { 99, false }, { 100, true }, { 101, false },
	{ 2147483648u, false }, { 4294967293u, false }, { 4294967294u, true },
	{ 4294967295u, true },
};

START_TEST(test_snapshot_find)
{
	struct vax_snapshot *s = vax_snapshot_new(N(find_indices));
	const struct vax_domain *d;

	/* Added backwards: seal sorts them. */
	for (int i = N(find_indices) - 1; i >= 0; i--)
		fx_add_domain(s, find_indices[i], "d", NULL, -1, NULL, 0);
	fx_seal(s);
	d = vax_snapshot_find(s, finds[_i].index);
	if (!finds[_i].found) {
		ck_assert_msg(d == NULL, "index %u found", finds[_i].index);
	} else {
		ck_assert_msg(d != NULL, "index %u not found", finds[_i].index);
		ck_assert_uint_eq(d->index, finds[_i].index);
		ck_assert(d >= s->domains && d < s->domains + s->ndomains);
	}
	vax_snapshot_free(s);
}
END_TEST

/* Every size of a search range, every hit and every miss between. */
START_TEST(test_snapshot_find_all)
{
	for (uint32_t n = 0; n <= 40; n++) {
		struct vax_snapshot *s = vax_snapshot_new(n);
		for (uint32_t i = 0; i < n; i++)
			fx_add_domain(s, 2 * i + 1, NULL, NULL, -1, NULL, 0);
		fx_seal(s);
		for (uint32_t x = 0; x <= 2 * n; x++) {
			const struct vax_domain *d = vax_snapshot_find(s, x);
			if (x % 2)
				ck_assert_msg(d && d->index == x, "n %u: %u missed", n, x);
			else
				ck_assert_msg(!d, "n %u: %u found", n, x);
		}
		vax_snapshot_free(s);
	}
}
END_TEST

/* The agent's reference keeps a snapshot (and the definitions it
 * shares with the next one) alive after the collector dropped its own. */
START_TEST(test_snapshot_ref_free)
{
	struct vax_domdef *def = fx_domdef_n(1, 1);
	struct vax_snapshot *a = vax_snapshot_new(1), *b = vax_snapshot_new(1);

	a->hostname = fx_strdup("host");
	a->hv_type = fx_strdup("QEMU");
	a->hv_version = fx_strdup("8.2.0");
	a->lib_version = fx_strdup("10.0.0");
	a->uri = fx_strdup("qemu:///system");
	fx_add_domain(a, 1, "web01", UUID1, 1, vax_domdef_ref(def), 2);
	fx_add_domain(b, 1, "web01", UUID1, 1, def, 2);   /* b takes our reference */
	fx_seal(a);
	fx_seal(b);
	ck_assert_int_eq(def->ref, 2);

	ck_assert_ptr_eq(vax_snapshot_ref(a), a);
	ck_assert_int_eq(a->ref, 2);
	vax_snapshot_free(a);
	ck_assert_int_eq(a->ref, 1);
	ck_assert_str_eq(a->hostname, "host");
	ck_assert_ptr_eq(vax_snapshot_find(a, 1)->def, def);
	ck_assert_int_eq(def->ref, 2);   /* not freed: not its domains' either */
	vax_snapshot_free(a);
	ck_assert_int_eq(def->ref, 1);   /* b's still */
	ck_assert_str_eq(vax_snapshot_find(b, 1)->def->disks[0].target, "vda");
	vax_snapshot_free(b);

	ck_assert_ptr_null(vax_snapshot_ref(NULL));
	vax_snapshot_free(NULL);
}
END_TEST

/* ---- guest data in snapshots ---- */

static void set_mac(struct vax_nic_def *n, uint8_t last)
{
	memcpy(n->mac, (const uint8_t[]){ 0x52, 0x54, 0, 0, 0, last }, 6);
	n->has_mac = true;
}

/* Address rows by (domain, interface row, number): row 0 (a MAC of no NIC,
 * or none) first, numbered from 1 in the merged order; filesystem rows
 * numbered from 1; items point into the guest data, which stays put when
 * seal sorts the domains. */
START_TEST(test_seal_guest_rows)
{
	struct vax_snapshot *s = vax_snapshot_new(4);
	struct vax_domdef *def = fx_domdef_n(0, 3);
	struct vax_guest_info *info = fx_guest_info(1, NULL, NULL, NULL, NULL, false, 0, -1);
	struct vax_guest_addr a7[] = {
		fx_addr("52:54:00:00:00:0b", "10.0.0.1", 24, VAX_SRC_LEASE, NULL),
		fx_addr("52:54:00:00:00:0a", "10.0.0.2", 24, VAX_SRC_LEASE, NULL),
		fx_addr(NULL, "10.0.0.3", -1, VAX_SRC_AGENT, "tun0"),
		fx_addr("52:54:00:00:00:0b", "fe80::b", 64, VAX_SRC_AGENT, "eth1"),
		fx_addr("52:54:00:00:00:cc", "172.17.0.1", 16, VAX_SRC_AGENT, "docker0"),
		/* Zero bytes: the third NIC has no MAC, so it is not that one. */
		fx_addr("00:00:00:00:00:00", "10.9.9.9", 8, VAX_SRC_AGENT, "br0"),
	};
	struct vax_guest_addr a5[] = { fx_addr("52:54:00:00:00:0a", "10.1.0.1", 24,
					       VAX_SRC_ARP, NULL) };
	/* (domain, interface row, number, address of its list) */
	static const uint32_t want[][4] = {
		{ 5, 0, 1, 0 },                   /* 5 has no NIC at all */
		{ 7, 0, 1, 2 }, { 7, 0, 2, 4 }, { 7, 0, 3, 5 },
		{ 7, 1, 1, 1 },
		{ 7, 2, 1, 0 }, { 7, 2, 2, 3 },
	};
	struct vax_domain *d;
	struct vax_guest *g3, *g5, *g7;

	set_mac(&def->nics[0], 0x0a);
	set_mac(&def->nics[1], 0x0b);
	fx_guest_fs(info, "/", "ext4", "/dev/vda1", "vda", 10, 5);
	fx_guest_fs(info, "/home", "xfs", "/dev/vdb", "vdb", 20, 5);
	d = fx_add_domain(s, 7, "seven", UUID1, 1, def, 0);
	d->guest = g7 = fx_guest(VAX_AGENT_CONNECTED, NULL, NULL, 5, a7, N(a7));
	fx_add_domain(s, 9, "nine", UUID1, 1, fx_domdef_n(1, 1), 0);   /* nothing known */
	d = fx_add_domain(s, 5, "five", UUID1, 1, NULL, 0);
	d->guest = g5 = fx_guest(VAX_AGENT_NOT_CONFIGURED, NULL, NULL, 5, a5, N(a5));
	d = fx_add_domain(s, 3, "three", UUID1, 1, NULL, 0);
	d->guest = g3 = fx_guest(VAX_AGENT_CONNECTED, NULL, info, 0, NULL, 0);
	ck_assert_int_eq(vax_snapshot_seal(s), 0);

	ck_assert_uint_eq(s->naddr_rows, N(want));
	for (int k = 0; k < N(want); k++) {
		const struct vax_row *r = &s->addr_rows[k];
		const struct vax_guest *g = want[k][0] == 5 ? g5 : g7;
		ck_assert_ptr_eq(r->dom, vax_snapshot_find(s, want[k][0]));
		ck_assert_ptr_eq(r->dom->guest, g);
		ck_assert_uint_eq(r->sub, want[k][1]);
		ck_assert_uint_eq(r->sub2, want[k][2]);
		ck_assert_ptr_eq(r->item, &g->addrs[want[k][3]]);
	}
	ck_assert_uint_eq(s->nfs_rows, 2);
	for (uint32_t k = 0; k < 2; k++) {
		ck_assert_ptr_eq(s->fs_rows[k].dom, vax_snapshot_find(s, 3));
		ck_assert_uint_eq(s->fs_rows[k].sub, k + 1);
		ck_assert_ptr_eq(s->fs_rows[k].item, &g3->info->fs[k]);
	}
	vax_snapshot_free(s);
}
END_TEST

/* Guest data without addresses or filesystems: no rows, no allocation. */
START_TEST(test_seal_guest_empty)
{
	struct vax_snapshot *s = vax_snapshot_new(1);
	struct vax_domain *d = fx_add_domain(s, 1, "d", UUID1, 1, fx_domdef_n(1, 1), 0);

	d->guest = fx_guest(VAX_AGENT_NOT_RESPONDING, "x", NULL, 0, NULL, 0);
	fx_seal(s);
	ck_assert_uint_eq(s->naddr_rows, 0);
	ck_assert_ptr_null(s->addr_rows);
	ck_assert_uint_eq(s->nfs_rows, 0);
	ck_assert_ptr_null(s->fs_rows);
	vax_snapshot_free(s);
}
END_TEST

/* One guest record in two snapshots (as the collector puts it into each
 * snapshot it builds): freed with the last of them, its answer with it. */
START_TEST(test_guest_shared)
{
	struct vax_guest_info *info = fx_guest_info(1, "h", NULL, NULL, NULL, false, 0, 1);
	struct vax_guest_addr addr = fx_addr("52:54:00:00:00:01", "10.0.0.1", 24,
					     VAX_SRC_AGENT, "eth0");
	struct vax_guest *g;
	struct vax_snapshot *a = vax_snapshot_new(1), *b = vax_snapshot_new(1);
	const struct vax_guest_addr *seen;

	fx_guest_fs(info, "/", "ext4", NULL, NULL, 1, 1);
	vax_guest_info_ref(info);                      /* ours, to watch it */
	g = fx_guest(VAX_AGENT_CONNECTED, NULL, info, 1, &addr, 1);
	fx_add_domain(a, 1, "d", UUID1, 1, NULL, 0)->guest = vax_guest_ref(g);
	fx_add_domain(b, 1, "d", UUID1, 1, NULL, 0)->guest = g;   /* b takes ours */
	fx_seal(a);
	fx_seal(b);
	ck_assert_int_eq(g->ref, 2);
	ck_assert_int_eq(info->ref, 2);
	vax_snapshot_free(a);
	ck_assert_int_eq(g->ref, 1);
	ck_assert_int_eq(info->ref, 2);
	seen = b->addr_rows[0].item;                   /* b's rows still good */
	ck_assert_str_eq(seen->ifname, "eth0");
	ck_assert_str_eq(((const struct vax_guest_fs *)b->fs_rows[0].item)->mountpoint, "/");
	vax_snapshot_free(b);
	ck_assert_int_eq(info->ref, 1);                /* the record let go once */
	ck_assert_str_eq(info->hostname, "h");
	vax_guest_info_unref(info);

	ck_assert_ptr_null(vax_guest_ref(NULL));
	ck_assert_ptr_null(vax_guest_info_ref(NULL));
	vax_guest_unref(NULL);
	vax_guest_info_unref(NULL);
	vax_guest_addrs_free(NULL, 0);
}
END_TEST

/* A domain given back before sealing lets go of its guest record. */
START_TEST(test_drop_last_guest)
{
	struct vax_snapshot *s = vax_snapshot_new(1);
	struct vax_guest *g = fx_guest(VAX_AGENT_CONNECTED, NULL, NULL, 0, NULL, 0);

	fx_add_domain(s, 1, "d", UUID1, 1, NULL, 0)->guest = vax_guest_ref(g);
	ck_assert_int_eq(g->ref, 2);
	vax_snapshot_drop_last(s);
	ck_assert_int_eq(g->ref, 1);
	ck_assert_uint_eq(s->ndomains, 0);
	vax_guest_unref(g);
	fx_seal(s);
	vax_snapshot_free(s);
}
END_TEST

/* ---- cpusets ---- */

/* libvirt's cpuset syntax (virBitmapParse): 1 in, 0 out, -1 not a cpuset;
 * the whole string is checked, not only up to the CPU asked about. */
static const struct { const char *set; unsigned cpu; int want; } cpusets[] = {
	{ "0-3,^2", 2, 0 },
	{ "0-3,^2", 3, 1 },
	{ "0-3,^2", 4, 0 },
	{ "5", 5, 1 },
	{ "5", 4, 0 },
	{ "0", 0, 1 },
	{ "1,3, 5", 5, 1 },        /* spaces around items */
	{ " 1 , 3 ", 3, 1 },
	{ "2-2", 2, 1 },
	{ "0-3", 0, 1 },           /* both ends of a range */
	{ "0-3", 3, 1 },
	{ "^1,1", 1, 1 },          /* left to right */
	{ "1,^1", 1, 0 },
	{ "^2", 2, 0 },            /* a negation alone: an empty set */
	{ "^2", 3, 0 },
	{ "0-7,^3,^5", 5, 0 },
	{ "0-7,^3,^5", 6, 1 },
	{ "1,1,1", 1, 1 },
	{ "64-127", 100, 1 },      /* beyond one 64-bit word */
	{ "4294967295", 4294967295u, 1 },
	{ "0-4294967295", 4294967295u, 1 },
	{ "3-1", 2, -1 },          /* a reversed range */
	{ "0-3,^0-1", 0, -1 },     /* ^ takes one CPU, not a range */
	{ "a", 0, -1 },
	{ "1-", 1, -1 },
	{ "1-a", 1, -1 },
	{ "-1", 1, -1 },
	{ "1-2-3", 2, -1 },
	{ ",1", 1, -1 },
	{ "1,,2", 2, -1 },
	{ "1;2", 1, -1 },
	{ "0x1", 1, -1 },
	{ "1.5", 1, -1 },
	{ "^", 0, -1 },
	{ "^ 1", 1, -1 },
	{ "1,x", 1, -1 },          /* cpu 1 matched before the bad part */
	{ "", 0, -1 },
	{ NULL, 0, -1 },
};

START_TEST(test_cpuset_has)
{
	int got = vax_cpuset_has(cpusets[_i].set, cpusets[_i].cpu);

	ck_assert_msg(got == cpusets[_i].want, "\"%s\" has %u: %d, not %d",
		      cpusets[_i].set ? cpusets[_i].set : "(null)", cpusets[_i].cpu,
		      got, cpusets[_i].want);
}
END_TEST

/* ---- memory used ---- */

/* Ceilometer's rule: available - usable, else available - unused; absent
 * (never 0, never wrapped round) when it cannot be had. */
struct opt { bool has; uint64_t v; };
#define SOME(x) { true, (x) }
static const struct {
	const char *name;
	struct opt avail, usable, unused;
	bool others;              /* the other balloon values set too */
	bool ok;
	uint64_t used;
} mem_cases[] = {
	{ "usable first", SOME(1000), SOME(300), SOME(100), false, true, 700 },
	{ "else unused", SOME(1000), { 0 }, SOME(200), false, true, 800 },
	{ "all of it used", SOME(1000), { 0 }, SOME(1000), false, true, 0 },
	{ "a real zero", SOME(0), SOME(0), { 0 }, false, true, 0 },
	{ "64 bits", SOME(UINT64_MAX), SOME(0), { 0 }, false, true, UINT64_MAX },
	{ "usable above available", SOME(1000), SOME(1200), SOME(100), false, false, 0 },
	{ "unused above available", SOME(1000), { 0 }, SOME(1001), false, false, 0 },
	{ "no available", { 0 }, SOME(300), SOME(100), false, false, 0 },
	{ "available only", SOME(1000), { 0 }, { 0 }, false, false, 0 },
	{ "nothing", { 0 }, { 0 }, { 0 }, false, false, 0 },
	/* Not from actual or rss, which Ceilometer does not use either. */
	{ "available only, others set", SOME(1000), { 0 }, { 0 }, true, false, 0 },
	{ "others only", { 0 }, { 0 }, { 0 }, true, false, 0 },
	{ "others do not change it", SOME(1000), { 0 }, SOME(10), true, true, 990 },
};

static void set_opt(struct vax_vals *v, int f, struct opt o)
{
	if (o.has)
		vax_set(v, f, o.v);
	else
		v->v[f] = 77;   /* a stale number without its bit: still absent */
}

START_TEST(test_mem_used)
{
	struct vax_domain d;
	uint64_t used = 12345, want;
	bool ok;

	memset(&d, 0, sizeof(d));
	set_opt(&d.vals, VAX_DOM_BAL_AVAILABLE, mem_cases[_i].avail);
	set_opt(&d.vals, VAX_DOM_BAL_USABLE, mem_cases[_i].usable);
	set_opt(&d.vals, VAX_DOM_BAL_UNUSED, mem_cases[_i].unused);
	if (mem_cases[_i].others)
		for (int f = VAX_DOM_BAL_ACTUAL; f <= VAX_DOM_BAL_DISK_CACHES; f++)
			if (f != VAX_DOM_BAL_AVAILABLE && f != VAX_DOM_BAL_USABLE &&
			    f != VAX_DOM_BAL_UNUSED)
				vax_set(&d.vals, f, 5);
	ok = vax_domain_mem_used(&d, &used);
	ck_assert_msg(ok == mem_cases[_i].ok, "%s: %d", mem_cases[_i].name, ok);
	/* Absent leaves *out alone: no made-up number. */
	want = ok ? mem_cases[_i].used : 12345;
	ck_assert_msg(used == want, "%s: %llu, not %llu", mem_cases[_i].name,
		      (unsigned long long)used, (unsigned long long)want);
}
END_TEST

/* What was unset is absent again: the fallback takes over. */
START_TEST(test_mem_used_after_unset)
{
	struct vax_domain d;
	uint64_t used = 0;

	memset(&d, 0, sizeof(d));
	vax_set(&d.vals, VAX_DOM_BAL_AVAILABLE, 1000);
	vax_set(&d.vals, VAX_DOM_BAL_USABLE, 300);
	vax_set(&d.vals, VAX_DOM_BAL_UNUSED, 100);
	vax_unset(&d.vals, VAX_DOM_BAL_USABLE);
	ck_assert(vax_domain_mem_used(&d, &used));
	ck_assert_uint_eq(used, 900);
	vax_unset(&d.vals, VAX_DOM_BAL_UNUSED);
	used = 1;
	ck_assert(!vax_domain_mem_used(&d, &used));
	ck_assert_uint_eq(used, 1);
}
END_TEST

static Suite *model_suite(void)
{
	Suite *s = suite_create("model");
	TCase *tc;

	tc = tcase_create("values");
	tcase_add_test(tc, test_vals_sizes);
	tcase_add_test(tc, test_vals_each_field);
	tcase_add_test(tc, test_vals_unset_keeps_others);
	tcase_add_loop_test(tc, test_vals_out_of_range, 0, N(bad_fields));
	tcase_add_loop_test(tc, test_mem_used, 0, N(mem_cases));
	tcase_add_test(tc, test_mem_used_after_unset);
	suite_add_tcase(s, tc);

	tc = tcase_create("snapshot");
	tcase_add_test(tc, test_domdef_new);
	tcase_add_test(tc, test_domdef_ref_unref);
	tcase_add_test(tc, test_ref_threads);
	tcase_add_test(tc, test_snapshot_new);
	tcase_add_loop_test(tc, test_snapshot_add, 0, N(grow_cases));
	tcase_add_test(tc, test_snapshot_seal);
	tcase_add_loop_test(tc, test_snapshot_find, 0, N(finds));
	tcase_add_test(tc, test_snapshot_find_all);
	tcase_add_test(tc, test_snapshot_ref_free);
	tcase_add_test(tc, test_seal_guest_rows);
	tcase_add_test(tc, test_seal_guest_empty);
	tcase_add_test(tc, test_guest_shared);
	tcase_add_test(tc, test_drop_last_guest);
	suite_add_tcase(s, tc);

	tc = tcase_create("cpuset");
	tcase_add_loop_test(tc, test_cpuset_has, 0, N(cpusets));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vax_run_suite(model_suite());
}
