/* check_mib_vmmib.c - VM-MIB (RFC 7666) from an in-memory snapshot: the
 * libvirt state mapping, units, and the computed affinity rows. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <libvirt/libvirt.h>

#include "fixtures.h"
#include "mib_vmmib.h"
#include "uuid.h"

#define OID(...) ((const uint32_t[]){ __VA_ARGS__ }), \
	(sizeof((const uint32_t[]){ __VA_ARGS__ }) / sizeof(uint32_t))

START_TEST(test_oper_state)
{
	static const struct { int state, reason, oper; } map[] = {
		{ VIR_DOMAIN_NOSTATE, 0, VAX_VM_OPER_UNKNOWN },
		{ VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED, VAX_VM_OPER_RUNNING },
		{ VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_MIGRATED, VAX_VM_OPER_RUNNING },
		{ VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_POSTCOPY, VAX_VM_OPER_MIGRATING },
		{ VIR_DOMAIN_BLOCKED, 0, VAX_VM_OPER_RUNNING },
		{ VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER, VAX_VM_OPER_PAUSED },
		{ VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_IOERROR, VAX_VM_OPER_PAUSED },
		{ VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_MIGRATION, VAX_VM_OPER_MIGRATING },
		{ VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_POSTCOPY, VAX_VM_OPER_MIGRATING },
		{ VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_SAVE, VAX_VM_OPER_SUSPENDING },
		{ VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_SHUTTING_DOWN, VAX_VM_OPER_SHUTTINGDOWN },
		{ VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_CRASHED, VAX_VM_OPER_CRASHED },
		{ VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_STARTING_UP, VAX_VM_OPER_PREPARING },
		{ VIR_DOMAIN_SHUTDOWN, 0, VAX_VM_OPER_SHUTTINGDOWN },
		{ VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_SHUTDOWN, VAX_VM_OPER_SHUTDOWN },
		{ VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_DESTROYED, VAX_VM_OPER_SHUTDOWN },
		{ VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_SAVED, VAX_VM_OPER_SUSPENDED },
		{ VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_CRASHED, VAX_VM_OPER_CRASHED },
		{ VIR_DOMAIN_CRASHED, 0, VAX_VM_OPER_CRASHED },
		{ VIR_DOMAIN_PMSUSPENDED, 0, VAX_VM_OPER_SUSPENDED },
		{ 99, 0, VAX_VM_OPER_OTHER },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		ck_assert_msg(vax_vm_oper_state(map[i].state, map[i].reason) == map[i].oper,
			      "state %d reason %d", map[i].state, map[i].reason);
	ck_assert_int_eq(vax_vm_oper_state(-1, 1), VAX_VM_OPER_UNKNOWN);
}
END_TEST

START_TEST(test_admin_state)
{
	/* running 1, suspended 2, paused 3, shutdown 4; none for unknown/other */
	static const int admin[13] = { 0, 0, 0, 1, 1, 2, 2, 1, 3, 1, 4, 4, 4 };

	for (int oper = 1; oper <= 12; oper++)
		ck_assert_int_eq(vax_vm_admin_state(oper), admin[oper]);
	ck_assert_int_eq(vax_vm_admin_state(0), 0);
}
END_TEST

START_TEST(test_cpuset)
{
	ck_assert_int_eq(vax_cpuset_has("0-3,^2", 2), 0);
	ck_assert_int_eq(vax_cpuset_has("0-3,^2", 3), 1);
	ck_assert_int_eq(vax_cpuset_has("0-3,^2", 4), 0);
	ck_assert_int_eq(vax_cpuset_has("5", 5), 1);
	ck_assert_int_eq(vax_cpuset_has("1,3, 5", 5), 1);
	ck_assert_int_eq(vax_cpuset_has("^1,1", 1), 1);   /* left to right */
	ck_assert_int_eq(vax_cpuset_has("3-1", 2), -1);
	ck_assert_int_eq(vax_cpuset_has("a", 0), -1);
	ck_assert_int_eq(vax_cpuset_has("1-", 1), -1);
	ck_assert_int_eq(vax_cpuset_has("", 0), -1);
	ck_assert_int_eq(vax_cpuset_has(NULL, 0), -1);
}
END_TEST

START_TEST(test_uuid)
{
	uint8_t u[16];
	static const uint8_t want[16] = { 0x8e, 0x3b, 0x1c, 0x1a, 0x0d, 0x5e, 0x4f, 0x8a,
		0x9a, 0x51, 0, 0, 0, 0, 0, 0x01 };

	ck_assert(vax_uuid_parse("8e3b1c1a-0d5e-4f8a-9a51-000000000001", u));
	ck_assert_mem_eq(u, want, 16);
	ck_assert(vax_uuid_parse("8E3B1C1A-0D5E-4F8A-9A51-000000000001", u));
	ck_assert(!vax_uuid_parse("8e3b1c1a-0d5e-4f8a-9a51-00000000000", u));
	ck_assert(!vax_uuid_parse("8e3b1c1a-0d5e-4f8a-9a51-0000000000011", u));
	ck_assert(!vax_uuid_parse("8e3b1c1a0d5e-4f8a-9a51-000000000001-", u));
	ck_assert(!vax_uuid_parse("xe3b1c1a-0d5e-4f8a-9a51-000000000001", u));
}
END_TEST

START_TEST(test_uuid_octets)
{
	uint8_t o[16] = { 0 };
	static const uint8_t want[16] = { 0x7a, 0x1e, 0, 0, 0, 0, 0x40, 0, 0x80, 0,
		0, 0, 0, 0, 0, 0xAB };

	ck_assert(vax_uuid_parse("7a1e0000-0000-4000-8000-0000000000aB", o));
	ck_assert_mem_eq(o, want, 16);
	ck_assert(!vax_uuid_parse("7a1e0000-0000-4000-8000-0000000000a", o));
	ck_assert(!vax_uuid_parse("7a1e0000-0000-4000-8000-0000000000aB0", o));
	ck_assert(!vax_uuid_parse("7a1e0000x0000-4000-8000-0000000000aB", o));
	ck_assert(!vax_uuid_parse("7a1e0000-0000-4000-8000-0000000000ag", o));
	ck_assert(!vax_uuid_parse("", o));
	ck_assert(!vax_uuid_parse(NULL, o));
	ck_assert_mem_eq(o, want, 16);   /* untouched on failure */
}
END_TEST

/* Sizes past what a 1 GiB unit brings into Integer32 (libvirt accepts
 * <memory unit='EiB'>4</memory>): the unit stops at 1 GiB, an Integer32
 * of bytes, and a size that still does not fit is absent, never cut to
 * 32 bits. */
START_TEST(test_huge_sizes)
{
	struct vax_snapshot *s = vax_snapshot_new(1);
	struct vax_domdef *def = fx_domdef_n(1, 0);
	struct vax_domain *d;
	struct vax_value v;

	def->disks[0].type = fx_strdup("file");
	d = fx_add_domain(s, 3, "huge", "8e3b1c1a-0d5e-4f8a-9a51-000000000003", 1, def, 1);
	vax_set(&d->vals, VAX_DOM_MEM_MAX, UINT64_C(1) << 52);   /* KiB: 4 EiB */
	vax_set(&d->vals, VAX_DOM_MEM_CUR, UINT64_C(1) << 40);   /* KiB: 1 PiB */
	vax_set(&d->disks[0].vals, VAX_DISK_CAPACITY, UINT64_MAX);
	fx_seal(s);
	struct vax_view w = { s, 1000, 5 };

	ck_assert_int_eq(vax_vm_get(&w, OID(1, 4, 1, 12, 3), &v), VAX_FOUND);
	ck_assert_int_eq(v.i, 1 << 30);                 /* vmMemUnit: 1 GiB */
	ck_assert_int_eq(vax_vm_get(&w, OID(1, 4, 1, 13, 3), &v), VAX_FOUND);
	ck_assert_int_eq(v.i, 1 << 20);                 /* 1 PiB in GiB */
	ck_assert_int_eq(vax_vm_get(&w, OID(1, 4, 1, 15, 3), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(vax_vm_get(&w, OID(1, 7, 1, 10, 3, 1), &v), VAX_FOUND);
	ck_assert_int_eq(v.i, 1 << 30);                 /* vmStorageSizeUnit */
	ck_assert_int_eq(vax_vm_get(&w, OID(1, 7, 1, 11, 3, 1), &v), VAX_NO_INSTANCE);
	vax_snapshot_free(s);
}
END_TEST

/* A running domain with 2 vCPUs pinned, 3 TiB of memory, a 3 GiB qcow2
 * disk and a raw one, on a 4-CPU host. */
START_TEST(test_cells)
{
	struct vax_snapshot *s = vax_snapshot_new(1);
	struct vax_domdef *def = fx_domdef_n(2, 0);
	struct vax_domain *d;
	struct vax_value v;
	uint32_t out[VAX_MAX_OID];
	size_t outlen;

	def->cpuset = fx_strdup("0-3");
	def->npins = 1;
	def->pins = fx_calloc(1, sizeof(*def->pins));
	def->pins[0].vcpu = 1;
	def->pins[0].cpuset = fx_strdup("2");
	def->disks[0].type = fx_strdup("file");
	def->disks[0].format = fx_strdup("qcow2");
	def->disks[1].type = fx_strdup("file");
	def->disks[1].format = fx_strdup("raw");
	d = fx_add_domain(s, 7, "big", "8e3b1c1a-0d5e-4f8a-9a51-000000000007", 1, def, 2);
	vax_set(&d->vals, VAX_DOM_MEM_MAX, UINT64_C(3) << 30);   /* KiB: 3 TiB */
	vax_set(&d->vals, VAX_DOM_MEM_CUR, UINT64_C(1) << 30);
	vax_set(&d->vals, VAX_DOM_CPU_TIME, 5000001);
	vax_set(&d->vcpus[0].vals, VAX_VCPU_TIME, 2999);
	for (int i = 0; i < 2; i++) {
		vax_set(&d->disks[i].vals, VAX_DISK_CAPACITY, UINT64_C(3) << 30);
		vax_set(&d->disks[i].vals, VAX_DISK_ALLOCATION, UINT64_C(1) << 20);
	}
	s->host_cpus = 4;
	fx_seal(s);
	struct vax_view w = { s, 1000, 5 };

	ck_assert_int_eq(vax_vm_get(&w, OID(1, 4, 1, 12, 7), &v), VAX_FOUND);
	ck_assert_int_eq(v.i, 1024 * 1024);   /* 3 TiB in KiB > 2^31-1: MiB */
	ck_assert_int_eq(vax_vm_get(&w, OID(1, 4, 1, 15, 7), &v), VAX_FOUND);
	ck_assert_int_eq(v.i, 3 << 20);
	ck_assert_int_eq(vax_vm_get(&w, OID(1, 4, 1, 13, 7), &v), VAX_FOUND);
	ck_assert_int_eq(v.i, 1 << 20);
	ck_assert_int_eq(vax_vm_get(&w, OID(1, 4, 1, 17, 7), &v), VAX_FOUND);
	ck_assert_uint_eq(v.u, 5000);   /* ns -> µs */
	ck_assert_int_eq(vax_vm_get(&w, OID(1, 4, 1, 3, 7), &v), VAX_FOUND);
	ck_assert_uint_eq(v.len, 16);
	ck_assert_int_eq(vax_vm_get(&w, OID(1, 4, 1, 6, 7), &v), VAX_FOUND);
	ck_assert_int_eq(v.i, VAX_VM_OPER_RUNNING);
	ck_assert_int_eq(vax_vm_get(&w, OID(1, 4, 1, 7, 7), &v), VAX_FOUND);
	ck_assert_int_eq(v.i, 1);   /* autostart unknown */
	ck_assert_int_eq(vax_vm_get(&w, OID(1, 4, 1, 14, 7), &v), VAX_FOUND);
	ck_assert_int_eq(v.i, -1);
	ck_assert_int_eq(vax_vm_get(&w, OID(1, 5, 1, 2, 7, 1), &v), VAX_FOUND);
	ck_assert_uint_eq(v.u, 2);
	ck_assert_int_eq(vax_vm_get(&w, OID(1, 5, 1, 2, 7, 2), &v), VAX_NO_INSTANCE);
	/* Disks: 3 GiB does not fit Integer32 bytes: KiB. Raw: allocated is
	 * the defined size (RFC 7666). */
	ck_assert_int_eq(vax_vm_get(&w, OID(1, 7, 1, 4, 7, 1), &v), VAX_FOUND);
	ck_assert_int_eq(v.i, 5);   /* sparse */
	ck_assert_int_eq(vax_vm_get(&w, OID(1, 7, 1, 10, 7, 1), &v), VAX_FOUND);
	ck_assert_int_eq(v.i, 1024);
	ck_assert_int_eq(vax_vm_get(&w, OID(1, 7, 1, 12, 7, 1), &v), VAX_FOUND);
	ck_assert_int_eq(v.i, 1024);
	ck_assert_int_eq(vax_vm_get(&w, OID(1, 7, 1, 4, 7, 2), &v), VAX_FOUND);
	ck_assert_int_eq(v.i, 4);   /* raw */
	ck_assert_int_eq(vax_vm_get(&w, OID(1, 7, 1, 12, 7, 2), &v), VAX_FOUND);
	ck_assert_int_eq(v.i, 3 << 20);
	/* Affinity: vCPU 1 (index 2) pinned to host CPU 2 only; vCPU 0 on 0-3. */
	ck_assert_int_eq(vax_vm_get(&w, OID(1, 6, 1, 3, 7, 2, 196610), &v), VAX_FOUND);
	ck_assert_int_eq(v.i, 1);
	ck_assert_int_eq(vax_vm_get(&w, OID(1, 6, 1, 3, 7, 2, 196611), &v), VAX_FOUND);
	ck_assert_int_eq(v.i, 2);
	ck_assert_int_eq(vax_vm_get(&w, OID(1, 6, 1, 3, 7, 1, 196611), &v), VAX_FOUND);
	ck_assert_int_eq(v.i, 1);
	ck_assert_int_eq(vax_vm_get(&w, OID(1, 6, 1, 3, 7, 1, 196612), &v), VAX_NO_INSTANCE);
	ck_assert(vax_vm_next(&w, OID(1, 6, 1, 3, 7, 1, 196611), out, &outlen, &v));
	ck_assert_uint_eq(outlen, 7);
	ck_assert_uint_eq(out[5], 2);
	ck_assert_uint_eq(out[6], 196608);
	/* Never anything in .1.9 or .1.10: another registration's. */
	ck_assert(!vax_vm_next(&w, OID(1, 8), out, &outlen, &v));
	ck_assert_int_eq(vax_vm_get(&w, OID(1, 9, 0), &v), VAX_NO_OBJECT);
	/* No host boot known (a remote libvirt): no vmHvUpTime. */
	ck_assert_int_eq(vax_vm_get(&w, OID(1, 1, 4, 0), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(vax_vm_get(&w, OID(1, 2, 0), &v), VAX_FOUND);
	ck_assert_int_eq(v.i, 1);
	vax_snapshot_free(s);
}
END_TEST

/* ---- notifications: the varbinds, from the getters that answer GET ---- */

/* A domain as a notification names it: name and raw UUID only (the name
 * in static storage, until the next call). */
static struct vax_domain event_domain(const char *name, const char *uuid)
{
	static char buf[1025];
	struct vax_domain d = { .name = name ? buf : NULL };

	if (name)
		snprintf(buf, sizeof(buf), "%s", name);

	d.has_uuid_raw = vax_uuid_parse(uuid, d.uuid_raw);
	return d;
}

START_TEST(test_varbinds)
{
	struct vax_varbind vb[6];
	struct vax_vm_trap t = { 4, 7, VAX_VM_OPER_RUNNING, VAX_VM_PERSISTENT_YES };
	static const uint32_t name_oid[] = { 1, 3, 6, 1, 2, 1, 236, 1, 4, 1, 2, 7 };
	static const uint32_t trap_oid[] = { 1, 3, 6, 1, 2, 1, 236, 0, 4 };
	struct vax_domain d = event_domain("web01", "7a1e0000-0000-4000-8000-000000000001");
	size_t n;

	n = vax_vm_trap_varbinds(&t, &d, vb, 6);
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(vb[0].len, 11);   /* snmpTrapOID.0 = vmPaused */
	ck_assert_int_eq(vb[0].val.type, VAX_T_OID);
	ck_assert_uint_eq(vb[0].val.len, 9);
	ck_assert_mem_eq(vb[0].val.s, trap_oid, sizeof(trap_oid));
	ck_assert_uint_eq(vb[1].len, 12);
	ck_assert_mem_eq(vb[1].oid, name_oid, sizeof(name_oid));
	ck_assert_uint_eq(vb[1].val.len, 5);
	ck_assert_uint_eq(vb[2].oid[10], 3);   /* vmUUID */
	ck_assert_uint_eq(vb[2].val.len, 16);
	ck_assert_uint_eq(((const uint8_t *)vb[2].val.s)[15], 1);
	ck_assert_uint_eq(vb[3].oid[10], 6);   /* vmOperState */
	ck_assert_int_eq(vb[3].val.i, VAX_VM_OPER_RUNNING);
	t.notif = VAX_VM_NOTIF_DELETED;
	d = event_domain("web01", "not-a-uuid");
	n = vax_vm_trap_varbinds(&t, &d, vb, 6);
	ck_assert_uint_eq(n, 5);
	ck_assert_uint_eq(vb[2].val.len, 0);   /* UUIDorZero */
	ck_assert_uint_eq(vb[4].oid[10], 8);   /* vmPersistent */
	ck_assert_int_eq(vb[4].val.i, VAX_VM_PERSISTENT_YES);
	d = event_domain("x", "");
	ck_assert_uint_eq(vax_vm_trap_varbinds(&t, &d, vb, 4), 0);

	uint8_t bits[2] = { 0x80, 0x01 };
	n = vax_vm_bulk_varbinds(1, bits, 2, vb, 2);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(((const uint32_t *)vb[0].val.s)[8], 11);   /* vmBulkRunning */
	ck_assert_uint_eq(vb[1].len, 10);   /* vmAffectedVMs.0 */
	ck_assert_uint_eq(vb[1].oid[8], 11);
	ck_assert_uint_eq(vb[1].oid[9], 0);
	ck_assert_uint_eq(vb[1].val.len, 2);
}
END_TEST

/* vmName in a notification: VM-MIB's SnmpAdminString, at most 255 bytes,
 * cut on a character. */
static size_t name_len(const char *name)
{
	struct vax_vm_trap t = { 4, 7, VAX_VM_OPER_RUNNING, VAX_VM_PERSISTENT_YES };
	struct vax_domain d = event_domain(name, "");
	struct vax_varbind vb[6];

	ck_assert_uint_eq(vax_vm_trap_varbinds(&t, &d, vb, 6), 4);
	return vb[1].val.len;
}

START_TEST(test_name_len)
{
	char *long_ascii = fx_repeat("a", 300), *long_utf8 = fx_repeat("\xd0\xb4", 200);

	ck_assert_uint_eq(name_len("web01"), 5);
	ck_assert_uint_eq(name_len(NULL), 0);
	ck_assert_uint_eq(name_len(long_ascii), 255);
	/* 2-byte characters: 127 of them (254 bytes), never half of one. */
	ck_assert_uint_eq(name_len(long_utf8), 254);
	ck_assert(fx_utf8_valid(long_utf8, name_len(long_utf8)));
	free(long_ascii);
	free(long_utf8);
}
END_TEST

static Suite *vm_suite(void)
{
	Suite *s = suite_create("mib_vmmib");
	TCase *tc = tcase_create("vm");

	tcase_add_test(tc, test_oper_state);
	tcase_add_test(tc, test_admin_state);
	tcase_add_test(tc, test_cpuset);
	tcase_add_test(tc, test_uuid);
	tcase_add_test(tc, test_uuid_octets);
	tcase_add_test(tc, test_cells);
	tcase_add_test(tc, test_huge_sizes);
	tcase_add_test(tc, test_varbinds);
	tcase_add_test(tc, test_name_len);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vax_run_suite(vm_suite());
}
