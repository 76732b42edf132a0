/* check_libvirt_events.c - lifecycle events to notifications, and trapEvents. */
#include "config.h"

#include <check.h>
#include <string.h>

#include <libvirt/libvirt.h>

#include "conf.h"
#include "libvirt_events.h"
#include "fixtures.h"
#include "mib_virtagentx.h"

/* Our kinds are libvirt's numbers: a notification is kind + 1. */
START_TEST(test_kinds_are_libvirts)
{
	ck_assert_int_eq(VAX_EV_DEFINED, VIR_DOMAIN_EVENT_DEFINED);
	ck_assert_int_eq(VAX_EV_UNDEFINED, VIR_DOMAIN_EVENT_UNDEFINED);
	ck_assert_int_eq(VAX_EV_STARTED, VIR_DOMAIN_EVENT_STARTED);
	ck_assert_int_eq(VAX_EV_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED);
	ck_assert_int_eq(VAX_EV_RESUMED, VIR_DOMAIN_EVENT_RESUMED);
	ck_assert_int_eq(VAX_EV_STOPPED, VIR_DOMAIN_EVENT_STOPPED);
	ck_assert_int_eq(VAX_EV_SHUTDOWN, VIR_DOMAIN_EVENT_SHUTDOWN);
	ck_assert_int_eq(VAX_EV_PMSUSPENDED, VIR_DOMAIN_EVENT_PMSUSPENDED);
	ck_assert_int_eq(VAX_EV_CRASHED, VIR_DOMAIN_EVENT_CRASHED);
}
END_TEST

/* Detail words sit at libvirt's enum values. */
START_TEST(test_detail_words)
{
	ck_assert_str_eq(vax_event_detail_name(VAX_EV_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED), "destroyed");
	ck_assert_str_eq(vax_event_detail_name(VAX_EV_STOPPED, VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT), "from snapshot");
	ck_assert_str_eq(vax_event_detail_name(VAX_EV_STARTED, VIR_DOMAIN_EVENT_STARTED_WAKEUP), "wakeup");
	ck_assert_str_eq(vax_event_detail_name(VAX_EV_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY_FAILED), "postcopy failed");
	ck_assert_str_eq(vax_event_detail_name(VAX_EV_RESUMED, VIR_DOMAIN_EVENT_RESUMED_POSTCOPY_FAILED), "postcopy failed");
	ck_assert_str_eq(vax_event_detail_name(VAX_EV_DEFINED, VIR_DOMAIN_EVENT_DEFINED_FROM_SNAPSHOT), "from snapshot");
	ck_assert_str_eq(vax_event_detail_name(VAX_EV_UNDEFINED, VIR_DOMAIN_EVENT_UNDEFINED_RENAMED), "renamed");
	ck_assert_str_eq(vax_event_detail_name(VAX_EV_SHUTDOWN, VIR_DOMAIN_EVENT_SHUTDOWN_HOST), "host");
	ck_assert_str_eq(vax_event_detail_name(VAX_EV_PMSUSPENDED, VIR_DOMAIN_EVENT_PMSUSPENDED_DISK), "disk");
	ck_assert_str_eq(vax_event_detail_name(VAX_EV_CRASHED, VIR_DOMAIN_EVENT_CRASHED_CRASHLOADED), "crashloaded");
}
END_TEST

START_TEST(test_unknown_details)
{
	ck_assert_str_eq(vax_event_detail_name(VAX_EV_STOPPED, 99), "unknown");
	ck_assert_str_eq(vax_event_detail_name(VAX_EV_STOPPED, -1), "unknown");
	ck_assert_str_eq(vax_event_detail_name(42, 0), "unknown");
	ck_assert_str_eq(vax_event_detail_name(-1, 0), "unknown");
	ck_assert_ptr_null(vax_event_kind_name(VAX_EV_NKINDS));
	ck_assert_ptr_null(vax_event_kind_name(-1));
}
END_TEST

START_TEST(test_states)
{
	ck_assert_int_eq(vax_event_state(VAX_EV_STARTED), VIR_DOMAIN_RUNNING);
	ck_assert_int_eq(vax_event_state(VAX_EV_RESUMED), VIR_DOMAIN_RUNNING);
	ck_assert_int_eq(vax_event_state(VAX_EV_SUSPENDED), VIR_DOMAIN_PAUSED);
	ck_assert_int_eq(vax_event_state(VAX_EV_STOPPED), VIR_DOMAIN_SHUTOFF);
	ck_assert_int_eq(vax_event_state(VAX_EV_SHUTDOWN), VIR_DOMAIN_SHUTDOWN);
	ck_assert_int_eq(vax_event_state(VAX_EV_PMSUSPENDED), VIR_DOMAIN_PMSUSPENDED);
	ck_assert_int_eq(vax_event_state(VAX_EV_CRASHED), VIR_DOMAIN_CRASHED);
	ck_assert_int_eq(vax_event_state(VAX_EV_DEFINED), -1);
	ck_assert_int_eq(vax_event_state(VAX_EV_UNDEFINED), -1);
	ck_assert_int_eq(vax_event_state(77), -1);
}
END_TEST

START_TEST(test_parse_list)
{
	char err[256];
	unsigned m = 0;

	ck_assert_int_eq(vax_event_parse_list("all", &m, err, sizeof(err)), 0);
	ck_assert_uint_eq(m, VAX_EV_ALL);
	ck_assert_int_eq(vax_event_parse_list("stopped,crashed", &m, err, sizeof(err)), 0);
	ck_assert_uint_eq(m, (1u << VAX_EV_STOPPED) | (1u << VAX_EV_CRASHED));
	ck_assert_int_eq(vax_event_parse_list(" Started ,  SHUTDOWN ", &m, err, sizeof(err)), 0);
	ck_assert_uint_eq(m, (1u << VAX_EV_STARTED) | (1u << VAX_EV_SHUTDOWN));
	ck_assert_int_eq(vax_event_parse_list("stopped pmsuspended", &m, err, sizeof(err)), 0);
	ck_assert_uint_eq(m, (1u << VAX_EV_STOPPED) | (1u << VAX_EV_PMSUSPENDED));
}
END_TEST

START_TEST(test_parse_list_errors)
{
	char err[256];
	unsigned m = 7;

	ck_assert_int_eq(vax_event_parse_list("stopped,rebooted", &m, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "\"rebooted\""));
	ck_assert_uint_eq(m, 7);   /* untouched on error */
	ck_assert_int_eq(vax_event_parse_list("", &m, err, sizeof(err)), -1);
	ck_assert_int_eq(vax_event_parse_list(" , ,", &m, err, sizeof(err)), -1);
	ck_assert_int_eq(vax_event_parse_list("stop", &m, err, sizeof(err)), -1);
	ck_assert_int_eq(vax_event_parse_list("stoppedx", &m, err, sizeof(err)), -1);
}
END_TEST

/* The notification a domain event becomes: OIDs and values. */
START_TEST(test_domain_trap)
{
	struct vax_domdef def = { 0 };
	char name[] = "web01";
	struct vax_domain d = { .index = 42, .name = name, .def = &def };
	struct vax_varbind vb[VAX_TRAP_VARBINDS];
	const uint32_t *trap;
	size_t n;

	memcpy(d.uuid, "8e3b1c1a-0d5e-4f8a-9a51-000000000001", 37);
	vax_set(&d.vals, VAX_DOM_STATE, 5);
	n = vax_virt_domain_trap(&d, VAX_EV_STOPPED, 1, vb, VAX_TRAP_VARBINDS);
	ck_assert_uint_eq(n, 6);
	/* snmpTrapOID.0 = virtNotifications.6 */
	ck_assert_uint_eq(vb[0].len, 11);
	ck_assert_uint_eq(vb[0].oid[9], 1);
	ck_assert_int_eq(vb[0].val.type, VAX_T_OID);
	trap = vb[0].val.s;
	ck_assert_uint_eq(vb[0].val.len, 9);
	ck_assert_uint_eq(trap[6], 32473);
	ck_assert_uint_eq(trap[7], 0);
	ck_assert_uint_eq(trap[8], 6);
	/* virtDomainName.42, UUID, state, detail, text */
	const uint32_t cols[] = { 2, 3, 4, 30, 31 };
	for (size_t i = 0; i < 5; i++) {
		ck_assert_uint_eq(vb[i + 1].len, 12);
		ck_assert_uint_eq(vb[i + 1].oid[10], cols[i]);
		ck_assert_uint_eq(vb[i + 1].oid[11], 42);
	}
	ck_assert_mem_eq(vb[1].val.s, "web01", 5);
	ck_assert_uint_eq(vb[2].val.len, 36);
	ck_assert_int_eq(vb[3].val.i, 5);
	ck_assert_int_eq(vb[4].val.i, 1);
	ck_assert_mem_eq(vb[5].val.s, "destroyed", 9);
	ck_assert_uint_eq(vb[5].val.len, 9);
	/* Too little room, or an unknown kind: nothing. */
	ck_assert_uint_eq(vax_virt_domain_trap(&d, VAX_EV_STOPPED, 1, vb, 3), 0);
	ck_assert_uint_eq(vax_virt_domain_trap(&d, 99, 1, vb, VAX_TRAP_VARBINDS), 0);
}
END_TEST

START_TEST(test_connection_trap)
{
	struct vax_snapshot *s = vax_snapshot_new(0);
	struct vax_view view = { s, 0, 5 };
	struct vax_varbind vb[3];
	const uint32_t *trap;

	s->uri = strdup("qemu:///system");
	s->conn = VAX_DISCONNECTED;
	ck_assert_uint_eq(vax_virt_connection_trap(&view, false, vb, 3), 3);
	trap = vb[0].val.s;
	ck_assert_uint_eq(trap[8], 10);
	ck_assert_uint_eq(vb[1].oid[9], 13);
	ck_assert_mem_eq(vb[1].val.s, "qemu:///system", 14);
	ck_assert_uint_eq(vb[2].oid[9], 6);
	ck_assert_int_eq(vb[2].val.i, 2);
	s->conn = VAX_CONNECTED;
	ck_assert_uint_eq(vax_virt_connection_trap(&view, true, vb, 3), 3);
	trap = vb[0].val.s;
	ck_assert_uint_eq(trap[8], 11);
	ck_assert_int_eq(vb[2].val.i, 1);
	vax_snapshot_free(s);
}
END_TEST

static Suite *events_suite(void)
{
	Suite *s = suite_create("events");
	TCase *tc = tcase_create("events");

	tcase_add_test(tc, test_kinds_are_libvirts);
	tcase_add_test(tc, test_detail_words);
	tcase_add_test(tc, test_unknown_details);
	tcase_add_test(tc, test_states);
	tcase_add_test(tc, test_parse_list);
	tcase_add_test(tc, test_parse_list_errors);
	tcase_add_test(tc, test_domain_trap);
	tcase_add_test(tc, test_connection_trap);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vax_run_suite(events_suite());
}
