/* check_mib_vmmib_notify.c - which VM-MIB notifications events make, the bulk
 * VM lists, and the rate limiter, all as functions of their inputs and
 * of time. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>

#include "libvirt_events.h"
#include "fixtures.h"
#include "mib_vmmib_notify.h"
#include "mib_vmmib_state.h"

/* ---- rate limiter ---- */

START_TEST(test_rate_unlimited)
{
	struct vax_rate r;

	vax_rate_init(&r, 0, 0);
	for (int i = 0; i < 100000; i++)
		ck_assert(vax_rate_allow(&r, 0));
	ck_assert_uint_eq(r.denied, 0);
}
END_TEST

START_TEST(test_rate_burst_then_steady)
{
	struct vax_rate r;
	int sent = 0;

	vax_rate_init(&r, 2, 2);
	/* A burst at one instant: the bucket (2), no more. */
	for (int i = 0; i < 10; i++)
		sent += vax_rate_allow(&r, 1000);
	ck_assert_int_eq(sent, 2);
	ck_assert_uint_eq(r.denied, 8);
	/* One token per 500 ms at 2/s. */
	ck_assert(!vax_rate_allow(&r, 1499));
	ck_assert(vax_rate_allow(&r, 1500));
	ck_assert(!vax_rate_allow(&r, 1500));
	ck_assert(vax_rate_allow(&r, 2000));
	/* A long quiet spell refills to the burst only. */
	sent = 0;
	for (int i = 0; i < 10; i++)
		sent += vax_rate_allow(&r, 100000);
	ck_assert_int_eq(sent, 2);
	/* Over any 10 s of constant demand (one try a ms): at most
	 * burst + rate * 10 s. */
	sent = 0;
	for (int64_t t = 200000; t < 210000; t++)
		sent += vax_rate_allow(&r, t);
	ck_assert_int_le(sent, 2 + 2 * 10);
	ck_assert_int_ge(sent, 2 * 10);
	/* Time going backwards (it does not: monotonic) takes nothing. */
	ck_assert(!vax_rate_allow(&r, 5));
}
END_TEST

START_TEST(test_rate_fractional)
{
	struct vax_rate r;
	int sent = 0;

	vax_rate_init(&r, 3, 3);
	for (int i = 0; i < 3; i++)
		ck_assert(vax_rate_allow(&r, 0));
	/* 3/s: a token every 333.3 ms, none lost to rounding over a minute. */
	for (int64_t t = 1; t <= 60000; t++)
		sent += vax_rate_allow(&r, t);
	ck_assert_int_eq(sent, 180);
}
END_TEST

/* ---- tracker ---- */

static size_t ev(struct vax_vm_tracker *t, uint32_t idx, int kind, int detail, int persistent,
		 int64_t at, struct vax_vm_trap out[2])
{
	return vax_vm_tracker_event(t, idx, kind, detail, persistent, at, out);
}

START_TEST(test_tracker_sequence)
{
	struct vax_vm_tracker t = { 0 };
	struct vax_vm_trap o[2];

	/* define, start, suspend, resume, save, restore, destroy, undefine */
	ck_assert_uint_eq(ev(&t, 3, VAX_EV_DEFINED, 0, 1, 10, o), 0);
	ck_assert_uint_eq(ev(&t, 3, VAX_EV_STARTED, 0, 1, 20, o), 1);
	ck_assert_int_eq(o[0].notif, 1);                     /* vmRunning */
	ck_assert_int_eq(o[0].prev_oper, VAX_VM_OPER_SHUTDOWN);
	ck_assert_uint_eq(o[0].index, 3);
	ck_assert_uint_eq(ev(&t, 3, VAX_EV_SUSPENDED, 0, 1, 30, o), 1);
	ck_assert_int_eq(o[0].notif, 4);                     /* vmPaused */
	ck_assert_int_eq(o[0].prev_oper, VAX_VM_OPER_RUNNING);
	ck_assert_uint_eq(ev(&t, 3, VAX_EV_RESUMED, 0, 1, 40, o), 1);
	ck_assert_int_eq(o[0].notif, 1);
	ck_assert_int_eq(o[0].prev_oper, VAX_VM_OPER_PAUSED);
	ck_assert_uint_eq(ev(&t, 3, VAX_EV_STOPPED, VIR_DOMAIN_EVENT_STOPPED_SAVED, 1, 50, o), 1);
	ck_assert_int_eq(o[0].notif, 6);                     /* vmSuspended */
	ck_assert_int_eq(o[0].prev_oper, VAX_VM_OPER_RUNNING);
	ck_assert_uint_eq(ev(&t, 3, VAX_EV_STARTED, VIR_DOMAIN_EVENT_STARTED_RESTORED, 1, 60, o), 1);
	ck_assert_int_eq(o[0].prev_oper, VAX_VM_OPER_SUSPENDED);
	ck_assert_uint_eq(ev(&t, 3, VAX_EV_SHUTDOWN, 2, 1, 70, o), 1);
	ck_assert_int_eq(o[0].notif, 2);                     /* vmShuttingdown */
	ck_assert_uint_eq(ev(&t, 3, VAX_EV_STOPPED, 1, 1, 71, o), 1);
	ck_assert_int_eq(o[0].notif, 3);                     /* vmShutdown */
	ck_assert_int_eq(o[0].prev_oper, VAX_VM_OPER_SHUTTINGDOWN);
	ck_assert_uint_eq(ev(&t, 3, VAX_EV_UNDEFINED, 0, 1, 80, o), 1);
	ck_assert_int_eq(o[0].notif, VAX_VM_NOTIF_DELETED);
	ck_assert_int_eq(o[0].prev_oper, VAX_VM_OPER_SHUTDOWN);
	ck_assert_int_eq(o[0].persistent, VAX_VM_PERSISTENT_YES);
	vax_vm_tracker_free(&t);
}
END_TEST

/* "changed to X from some other state": a second event to the same state
 * (QEMU's start: resumed, then started) makes nothing. */
START_TEST(test_tracker_no_change)
{
	struct vax_vm_tracker t = { 0 };
	struct vax_vm_trap o[2];

	ck_assert_uint_eq(ev(&t, 1, VAX_EV_RESUMED, 0, 1, 10, o), 1);
	ck_assert_int_eq(o[0].prev_oper, VAX_VM_OPER_UNKNOWN);   /* never seen */
	ck_assert_uint_eq(ev(&t, 1, VAX_EV_STARTED, 0, 1, 11, o), 0);
	/* Rename: undefined (renamed) and defined (renamed), same UUID and
	 * row: not deleted. */
	ck_assert_uint_eq(ev(&t, 1, VAX_EV_UNDEFINED, VIR_DOMAIN_EVENT_UNDEFINED_RENAMED, 1, 12, o), 0);
	ck_assert_uint_eq(ev(&t, 1, VAX_EV_DEFINED, VIR_DOMAIN_EVENT_DEFINED_RENAMED, 1, 12, o), 0);
	ck_assert_uint_eq(ev(&t, 1, VAX_EV_SUSPENDED, 0, 1, 13, o), 1);
	ck_assert_int_eq(o[0].prev_oper, VAX_VM_OPER_RUNNING);
	/* An index too large to track: still reported, state unknown. */
	ck_assert_uint_eq(ev(&t, 1u << 30, VAX_EV_STARTED, 0, 1, 14, o), 1);
	ck_assert_int_eq(o[0].prev_oper, VAX_VM_OPER_UNKNOWN);
	vax_vm_tracker_free(&t);
}
END_TEST

START_TEST(test_tracker_transient)
{
	struct vax_vm_tracker t = { 0 };
	struct vax_vm_trap o[2];

	ck_assert_uint_eq(ev(&t, 5, VAX_EV_STARTED, 0, 0, 10, o), 1);
	ck_assert_uint_eq(ev(&t, 5, VAX_EV_STOPPED, 1, 0, 20, o), 2);
	ck_assert_int_eq(o[0].notif, 3);
	ck_assert_int_eq(o[1].notif, VAX_VM_NOTIF_DELETED);
	ck_assert_int_eq(o[1].prev_oper, VAX_VM_OPER_SHUTDOWN);
	ck_assert_int_eq(o[1].persistent, VAX_VM_PERSISTENT_NO);
	/* Persistence unknown: not deleted (it may be persistent). */
	ck_assert_uint_eq(ev(&t, 6, VAX_EV_STARTED, 0, -1, 10, o), 1);
	ck_assert_uint_eq(ev(&t, 6, VAX_EV_STOPPED, 1, -1, 20, o), 1);
	vax_vm_tracker_free(&t);
}
END_TEST

/* libvirt's undefine of an active domain only makes it transient: its
 * row stays, and the one vmDeleted comes when it stops. */
START_TEST(test_tracker_undefine_running)
{
	struct vax_vm_tracker t = { 0 };
	struct vax_vm_trap o[2];

	ck_assert_uint_eq(ev(&t, 7, VAX_EV_STARTED, 0, 1, 10, o), 1);
	ck_assert_uint_eq(ev(&t, 7, VAX_EV_UNDEFINED, 0, 1, 20, o), 0);
	ck_assert_uint_eq(ev(&t, 7, VAX_EV_STOPPED, 1, 1, 30, o), 2);
	ck_assert_int_eq(o[0].notif, 3);   /* vmShutdown */
	ck_assert_int_eq(o[1].notif, VAX_VM_NOTIF_DELETED);
	ck_assert_int_eq(o[1].persistent, VAX_VM_PERSISTENT_NO);
	/* Undefined while shut off: deleted at once, persistent. */
	ck_assert_uint_eq(ev(&t, 8, VAX_EV_DEFINED, 0, 1, 10, o), 0);
	ck_assert_uint_eq(ev(&t, 8, VAX_EV_UNDEFINED, 0, 1, 20, o), 1);
	ck_assert_int_eq(o[0].notif, VAX_VM_NOTIF_DELETED);
	ck_assert_int_eq(o[0].persistent, VAX_VM_PERSISTENT_YES);
	vax_vm_tracker_free(&t);
}
END_TEST

static struct vax_snapshot *snap(int64_t taken, uint32_t idx, int state, int reason)
{
	struct vax_snapshot *s = vax_snapshot_new(1);
	struct vax_domain *d = fx_add_domain(s, idx, "d", "7a1e0000-0000-4000-8000-000000000001",
					     state, NULL, 0);

	vax_set(&d->vals, VAX_DOM_REASON, (uint64_t)reason);
	s->taken_ms = s->begun_ms = taken;
	fx_seal(s);
	return s;
}

/* Snapshots tell the state of VMs no event told about; one that already
 * shows the event's state does not swallow the event. */
START_TEST(test_tracker_snapshots)
{
	struct vax_vm_tracker t = { 0 };
	struct vax_vm_trap o[2];
	struct vax_snapshot *s;

	s = snap(100, 2, VIR_DOMAIN_RUNNING, 1);
	vax_vm_tracker_snapshot(&t, s);
	vax_snapshot_free(s);
	ck_assert_uint_eq(ev(&t, 2, VAX_EV_SUSPENDED, 0, 1, 200, o), 1);
	ck_assert_int_eq(o[0].prev_oper, VAX_VM_OPER_RUNNING);
	/* Gathered (300) after the resume happened, before its event came
	 * (310): the event is still sent, and names the state before. */
	s = snap(300, 2, VIR_DOMAIN_RUNNING, 5);
	vax_vm_tracker_snapshot(&t, s);
	vax_snapshot_free(s);
	ck_assert_uint_eq(ev(&t, 2, VAX_EV_RESUMED, 0, 1, 310, o), 1);
	ck_assert_int_eq(o[0].prev_oper, VAX_VM_OPER_PAUSED);
	/* A snapshot gathered before the last event does not undo it. */
	s = snap(305, 2, VIR_DOMAIN_PAUSED, 1);
	vax_vm_tracker_snapshot(&t, s);
	vax_snapshot_free(s);
	ck_assert_uint_eq(ev(&t, 2, VAX_EV_RESUMED, 0, 1, 400, o), 0);
	/* A refresh begun (410) before a pause (420) and taken after it (450)
	 * read "running": the pause stands, and the destroy names it. */
	ck_assert_uint_eq(ev(&t, 2, VAX_EV_SUSPENDED, 0, 1, 420, o), 1);
	s = snap(450, 2, VIR_DOMAIN_RUNNING, 1);
	s->begun_ms = 410;
	vax_vm_tracker_snapshot(&t, s);
	vax_snapshot_free(s);
	ck_assert_uint_eq(ev(&t, 2, VAX_EV_STOPPED, 1, 1, 460, o), 1);
	ck_assert_int_eq(o[0].prev_oper, VAX_VM_OPER_PAUSED);
	/* A VM first seen in a snapshot already in the event's state. */
	s = snap(500, 9, VIR_DOMAIN_RUNNING, 1);
	vax_vm_tracker_snapshot(&t, s);
	vax_snapshot_free(s);
	ck_assert_uint_eq(ev(&t, 9, VAX_EV_STARTED, 0, 1, 510, o), 1);
	ck_assert_int_eq(o[0].prev_oper, VAX_VM_OPER_UNKNOWN);
	/* A managed-saved domain (shut off, saved) restored by start. */
	s = snap(600, 10, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_SAVED);
	vax_vm_tracker_snapshot(&t, s);
	vax_snapshot_free(s);
	ck_assert_uint_eq(ev(&t, 10, VAX_EV_STARTED, VIR_DOMAIN_EVENT_STARTED_RESTORED, 1, 610, o), 1);
	ck_assert_int_eq(o[0].prev_oper, VAX_VM_OPER_SUSPENDED);
	vax_vm_tracker_free(&t);
}
END_TEST

/* ---- bulk ---- */

START_TEST(test_bulk_bits)
{
	struct vax_vm_bulk b;
	uint8_t *bits;
	size_t len;

	vax_vm_bulk_init(&b, 1000);
	ck_assert_int_eq(vax_vm_bulk_due(&b), -1);
	ck_assert(vax_vm_bulk_add(&b, 1, 1, 5000));
	ck_assert(vax_vm_bulk_add(&b, 1, 8, 5100));
	ck_assert(vax_vm_bulk_add(&b, 1, 10, 5200));
	ck_assert(vax_vm_bulk_add(&b, 3, 2, 5300));
	ck_assert(!vax_vm_bulk_add(&b, 3, 0, 5300));
	ck_assert(!vax_vm_bulk_add(&b, 11, 1, 5300));
	ck_assert(!vax_vm_bulk_add(&b, 3, 65535u * 8 + 1, 5300));
	ck_assert_int_eq(vax_vm_bulk_due(&b), 6000);   /* from the first change */
	/* VirtualMachineList: VMs 1..8 in octet 0, MSB = lowest index. */
	bits = vax_vm_bulk_take(&b, 1, &len);
	ck_assert_uint_eq(len, 2);
	ck_assert_uint_eq(bits[0], 0x81);   /* 1 and 8 */
	ck_assert_uint_eq(bits[1], 0x40);   /* 10 */
	free(bits);
	ck_assert_int_eq(vax_vm_bulk_due(&b), 6000);   /* notif 3 still waits */
	ck_assert_ptr_null(vax_vm_bulk_take(&b, 2, &len));
	bits = vax_vm_bulk_take(&b, 3, &len);
	ck_assert_uint_eq(len, 1);
	ck_assert_uint_eq(bits[0], 0x40);
	free(bits);
	ck_assert_int_eq(vax_vm_bulk_due(&b), -1);
	ck_assert(vax_vm_bulk_add(&b, 10, 65535u * 8, 7000));
	ck_assert_int_eq(vax_vm_bulk_due(&b), 8000);
	vax_vm_bulk_free(&b);
}
END_TEST

static Suite *vm_notify_suite(void)
{
	Suite *s = suite_create("mib_vmmib_notify");
	TCase *tc = tcase_create("mib_vmmib_notify");

	tcase_add_test(tc, test_rate_unlimited);
	tcase_add_test(tc, test_rate_burst_then_steady);
	tcase_add_test(tc, test_rate_fractional);
	tcase_add_test(tc, test_tracker_sequence);
	tcase_add_test(tc, test_tracker_no_change);
	tcase_add_test(tc, test_tracker_transient);
	tcase_add_test(tc, test_tracker_undefine_running);
	tcase_add_test(tc, test_tracker_snapshots);
	tcase_add_test(tc, test_bulk_bits);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vax_run_suite(vm_notify_suite());
}
