/* check_mib_vmmib_state.c - libvirt states as VM-MIB vmOperState/vmAdminState,
 * events as the per-VM notification they make, vmUUID, vmName. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>

#include "libvirt_events.h"
#include "fixtures.h"
#include "mib_vmmib_state.h"

#define OPER(st, re) vax_vm_oper_state(VIR_DOMAIN_##st, VIR_DOMAIN_##re)
#define ADMIN(st, re) vax_vm_admin_state(OPER(st, re))

START_TEST(test_oper_state)
{
	ck_assert_int_eq(OPER(RUNNING, RUNNING_BOOTED), VAX_VM_OPER_RUNNING);
	ck_assert_int_eq(OPER(RUNNING, RUNNING_UNPAUSED), VAX_VM_OPER_RUNNING);
	ck_assert_int_eq(OPER(RUNNING, RUNNING_POSTCOPY), VAX_VM_OPER_MIGRATING);
	ck_assert_int_eq(OPER(BLOCKED, BLOCKED_UNKNOWN), VAX_VM_OPER_RUNNING);
	ck_assert_int_eq(OPER(PAUSED, PAUSED_USER), VAX_VM_OPER_PAUSED);
	ck_assert_int_eq(OPER(PAUSED, PAUSED_IOERROR), VAX_VM_OPER_PAUSED);
	ck_assert_int_eq(OPER(PAUSED, PAUSED_MIGRATION), VAX_VM_OPER_MIGRATING);
	ck_assert_int_eq(OPER(PAUSED, PAUSED_POSTCOPY), VAX_VM_OPER_MIGRATING);
	ck_assert_int_eq(OPER(PAUSED, PAUSED_SAVE), VAX_VM_OPER_SUSPENDING);
	ck_assert_int_eq(OPER(PAUSED, PAUSED_SHUTTING_DOWN), VAX_VM_OPER_SHUTTINGDOWN);
	ck_assert_int_eq(OPER(PAUSED, PAUSED_CRASHED), VAX_VM_OPER_CRASHED);
	ck_assert_int_eq(OPER(PAUSED, PAUSED_STARTING_UP), VAX_VM_OPER_PREPARING);
	ck_assert_int_eq(OPER(SHUTDOWN, SHUTDOWN_USER), VAX_VM_OPER_SHUTTINGDOWN);
	ck_assert_int_eq(OPER(SHUTOFF, SHUTOFF_SHUTDOWN), VAX_VM_OPER_SHUTDOWN);
	ck_assert_int_eq(OPER(SHUTOFF, SHUTOFF_DESTROYED), VAX_VM_OPER_SHUTDOWN);
	ck_assert_int_eq(OPER(SHUTOFF, SHUTOFF_SAVED), VAX_VM_OPER_SUSPENDED);
	ck_assert_int_eq(OPER(SHUTOFF, SHUTOFF_CRASHED), VAX_VM_OPER_CRASHED);
	ck_assert_int_eq(OPER(CRASHED, CRASHED_PANICKED), VAX_VM_OPER_CRASHED);
	ck_assert_int_eq(OPER(PMSUSPENDED, PMSUSPENDED_UNKNOWN), VAX_VM_OPER_SUSPENDED);
	ck_assert_int_eq(OPER(NOSTATE, NOSTATE_UNKNOWN), VAX_VM_OPER_UNKNOWN);
	ck_assert_int_eq(vax_vm_oper_state(-1, 0), VAX_VM_OPER_UNKNOWN);
	ck_assert_int_eq(vax_vm_oper_state(99, 0), VAX_VM_OPER_OTHER);
	/* Every value is in VirtualMachineOperState's range. */
	for (int st = -1; st < 10; st++)
		for (int re = 0; re < 16; re++) {
			int o = vax_vm_oper_state(st, re), a = vax_vm_admin_state(o);
			ck_assert(o >= 1 && o <= 12);
			/* no admin state exactly for unknown and other */
			ck_assert(o <= VAX_VM_OPER_OTHER ? a == 0 : a >= 1 && a <= 4);
		}
}
END_TEST

START_TEST(test_admin_state)
{
	ck_assert_int_eq(ADMIN(RUNNING, RUNNING_BOOTED), VAX_VM_ADMIN_RUNNING);
	ck_assert_int_eq(ADMIN(PAUSED, PAUSED_USER), VAX_VM_ADMIN_PAUSED);
	ck_assert_int_eq(ADMIN(PAUSED, PAUSED_MIGRATION), VAX_VM_ADMIN_RUNNING);
	ck_assert_int_eq(ADMIN(PAUSED, PAUSED_STARTING_UP), VAX_VM_ADMIN_RUNNING);
	ck_assert_int_eq(ADMIN(PAUSED, PAUSED_SAVE), VAX_VM_ADMIN_SUSPENDED);
	ck_assert_int_eq(ADMIN(SHUTOFF, SHUTOFF_SAVED), VAX_VM_ADMIN_SUSPENDED);
	ck_assert_int_eq(ADMIN(PMSUSPENDED, PMSUSPENDED_UNKNOWN), VAX_VM_ADMIN_SUSPENDED);
	ck_assert_int_eq(ADMIN(SHUTOFF, SHUTOFF_DESTROYED), VAX_VM_ADMIN_SHUTDOWN);
	ck_assert_int_eq(ADMIN(SHUTDOWN, SHUTDOWN_USER), VAX_VM_ADMIN_SHUTDOWN);
	ck_assert_int_eq(ADMIN(CRASHED, CRASHED_PANICKED), VAX_VM_ADMIN_SHUTDOWN);
}
END_TEST

START_TEST(test_persistent)
{
	ck_assert_int_eq(vax_vm_persistent(1), VAX_VM_PERSISTENT_YES);
	ck_assert_int_eq(vax_vm_persistent(0), VAX_VM_PERSISTENT_NO);
	ck_assert_int_eq(vax_vm_persistent(-1), VAX_VM_PERSISTENT_UNKNOWN);
}
END_TEST

/* Each event, with each of its details, as libvirt numbers them. */
START_TEST(test_event_states)
{
	static const struct { int ev, detail, oper, notif; } t[] = {
		{ VIR_DOMAIN_EVENT_DEFINED, VIR_DOMAIN_EVENT_DEFINED_ADDED, 0, 0 },
		{ VIR_DOMAIN_EVENT_UNDEFINED, VIR_DOMAIN_EVENT_UNDEFINED_REMOVED, 0, 0 },
		{ VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED, 4, 1 },
		{ VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_RESTORED, 4, 1 },
		{ VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_MIGRATED, 4, 1 },
		{ VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED, 8, 4 },
		{ VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_IOERROR, 8, 4 },
		{ VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_MIGRATED, 9, 8 },
		{ VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY, 9, 8 },
		{ VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY_FAILED, 8, 4 },
		{ VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED, 4, 1 },
		{ VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_MIGRATED, 4, 1 },
		{ VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_POSTCOPY, 9, 8 },
		{ VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN, 11, 3 },
		{ VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED, 11, 3 },
		{ VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_MIGRATED, 11, 3 },
		{ VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_FAILED, 11, 3 },
		{ VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_SAVED, 6, 6 },
		{ VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_CRASHED, 12, 9 },
		{ VIR_DOMAIN_EVENT_SHUTDOWN, VIR_DOMAIN_EVENT_SHUTDOWN_FINISHED, 10, 2 },
		{ VIR_DOMAIN_EVENT_SHUTDOWN, VIR_DOMAIN_EVENT_SHUTDOWN_HOST, 10, 2 },
		{ VIR_DOMAIN_EVENT_PMSUSPENDED, VIR_DOMAIN_EVENT_PMSUSPENDED_MEMORY, 6, 6 },
		{ VIR_DOMAIN_EVENT_PMSUSPENDED, VIR_DOMAIN_EVENT_PMSUSPENDED_DISK, 6, 6 },
		{ VIR_DOMAIN_EVENT_CRASHED, VIR_DOMAIN_EVENT_CRASHED_PANICKED, 12, 9 },
		{ 42, 0, 0, 0 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int o = vax_vm_event_oper_state(t[i].ev, t[i].detail);
		ck_assert_msg(o == t[i].oper, "event %d/%d: %d", t[i].ev, t[i].detail, o);
		ck_assert_int_eq(vax_vm_notification(o), t[i].notif);
	}
	/* The per-VM notifications' numbers in the VM-MIB. */
	ck_assert_int_eq(vax_vm_notification(VAX_VM_OPER_SUSPENDING), 5);
	ck_assert_int_eq(vax_vm_notification(VAX_VM_OPER_RESUMING), 7);
	ck_assert_int_eq(vax_vm_notification(VAX_VM_OPER_UNKNOWN), 0);
	ck_assert_int_eq(vax_vm_notification(VAX_VM_OPER_PREPARING), 0);
	ck_assert_str_eq(vax_vm_oper_name(VAX_VM_OPER_SHUTTINGDOWN), "shuttingdown");
	ck_assert_str_eq(vax_vm_oper_name(0), "?");
}
END_TEST

static Suite *vm_state_suite(void)
{
	Suite *s = suite_create("mib_vmmib_state");
	TCase *tc = tcase_create("mib_vmmib_state");

	tcase_add_test(tc, test_oper_state);
	tcase_add_test(tc, test_admin_state);
	tcase_add_test(tc, test_persistent);
	tcase_add_test(tc, test_event_states);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vax_run_suite(vm_state_suite());
}
