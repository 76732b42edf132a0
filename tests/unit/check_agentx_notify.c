/* check_agentx_notify.c - the notification queue without an AgentX
 * session: notifications wait (net-snmp would drop them), the queue holds
 * at most VAX_NOTIFY_QUEUE, and nothing is waited for on a socket. */
#include "config.h"

#include <check.h>

#include "agentx_notify.h"
#include "fixtures.h"

static netsnmp_variable_list *one(long n)
{
	static const oid name[] = { 1, 3, 6, 1, 4, 1, 32473, 1, 1, 7, 0 };
	netsnmp_variable_list *vars = NULL;

	ck_assert_ptr_nonnull(snmp_varlist_add_variable(&vars, name, OID_LENGTH(name),
							ASN_INTEGER, &n, sizeof(n)));
	return vars;
}

START_TEST(test_no_session_holds_them)
{
	ck_assert(!vax_notify_connected());
	for (long i = 0; i < 10; i++)
		vax_notify_queue(one(i));
	ck_assert_uint_eq(vax_notify_flush(64), 10);   /* none sent */
	ck_assert_uint_eq(vax_notify_queued(), 10);
	ck_assert_int_eq(vax_notify_wait_fd(), -1);    /* no socket to wait on */
	vax_notify_queue(NULL);                        /* out of memory: nothing */
	ck_assert_uint_eq(vax_notify_queued(), 10);
	vax_notify_shutdown();
	ck_assert_uint_eq(vax_notify_queued(), 0);
}
END_TEST

START_TEST(test_bounded)
{
	for (long i = 0; i < VAX_NOTIFY_QUEUE + 30; i++)
		vax_notify_queue(one(i));
	ck_assert_uint_eq(vax_notify_queued(), VAX_NOTIFY_QUEUE);
	ck_assert_uint_eq(vax_notify_flush(64), VAX_NOTIFY_QUEUE);   /* logs the 30 */
	vax_notify_shutdown();
	ck_assert_uint_eq(vax_notify_queued(), 0);
}
END_TEST

static Suite *notify_suite(void)
{
	Suite *s = suite_create("agentx_notify");
	TCase *tc = tcase_create("agentx_notify");

	tcase_add_test(tc, test_no_session_holds_them);
	tcase_add_test(tc, test_bounded);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vax_run_suite(notify_suite());
}
