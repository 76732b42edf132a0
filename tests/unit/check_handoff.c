/* check_handoff.c - the snapshot mailbox and the event queue between
 * threads: newest snapshot wins, timed waits, event order across the
 * ring's wrap, drops counted, and producers on threads of their own. */
#include "config.h"

#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixtures.h"
#include "handoff.h"

static struct vax_handoff h;
static int wakes;

static void count_wake(void) { __atomic_add_fetch(&wakes, 1, __ATOMIC_SEQ_CST); }

static void setup(void)
{
	wakes = 0;
	ck_assert_int_eq(vax_handoff_init(&h, 4, count_wake), 0);
}

static void teardown(void) { vax_handoff_free(&h); }

static struct vax_snapshot *snap(int64_t mark)
{
	struct vax_snapshot *s = vax_snapshot_new(0);

	ck_assert_ptr_nonnull(s);
	s->taken_ms = mark;
	return s;
}

static struct vax_event event(int kind, int detail)
{
	struct vax_event ev = { .kind = kind, .detail = detail };

	snprintf(ev.uuid, sizeof(ev.uuid), "00000000-0000-4000-8000-%012d", detail);
	snprintf(ev.name, sizeof(ev.name), "dom%d", detail);
	return ev;
}

START_TEST(test_newest_snapshot_wins)
{
	struct vax_snapshot *s;

	ck_assert_ptr_null(vax_handoff_take(&h));
	vax_handoff_publish(&h, snap(1));
	vax_handoff_publish(&h, snap(2));   /* the unserved first one is freed */
	ck_assert_int_eq(wakes, 2);
	s = vax_handoff_take(&h);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(s->taken_ms, 2);
	ck_assert_ptr_null(vax_handoff_take(&h));
	vax_snapshot_free(s);
	vax_handoff_publish(&h, snap(3));   /* freed by vax_handoff_free */
}
END_TEST

START_TEST(test_wait_times_out)
{
	ck_assert_ptr_null(vax_handoff_wait(&h, 20));
	vax_handoff_publish(&h, snap(7));   /* already there: no wait */
	struct vax_snapshot *s = vax_handoff_wait(&h, 0);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(s->taken_ms, 7);
	vax_snapshot_free(s);
}
END_TEST

static void *publish_later(void *arg)
{
	(void)arg;
	usleep(50 * 1000);
	vax_handoff_publish(&h, snap(9));
	return NULL;
}

START_TEST(test_wait_gets_a_later_snapshot)
{
	pthread_t t;
	struct vax_snapshot *s;

	ck_assert_int_eq(pthread_create(&t, NULL, publish_later, NULL), 0);
	s = vax_handoff_wait(&h, 30000);   /* ends when it comes */
	pthread_join(t, NULL);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(s->taken_ms, 9);
	vax_snapshot_free(s);
}
END_TEST

START_TEST(test_events_in_order_across_the_wrap)
{
	struct vax_event ev, in;
	int want = 1;

	ck_assert(!vax_handoff_next_event(&h, &ev));
	for (int round = 0; round < 3; round++) {   /* 3 in, 3 out: the ring wraps */
		for (int k = 0; k < 3; k++) {
			in = event(VAX_EV_STARTED, round * 3 + k + 1);
			vax_handoff_event(&h, &in, 1000 + round * 3 + k);
		}
		ck_assert_uint_eq(vax_handoff_events(&h), 3);
		for (int k = 0; k < 3; k++, want++) {
			ck_assert(vax_handoff_next_event(&h, &ev));
			ck_assert_int_eq(ev.detail, want);
			ck_assert_int_eq(ev.at_ms, 1000 + want - 1);
			ck_assert_int_eq(ev.kind, VAX_EV_STARTED);
			ck_assert_str_eq(ev.name, event(0, want).name);
		}
	}
	ck_assert_uint_eq(vax_handoff_events(&h), 0);
	ck_assert_uint_eq(vax_handoff_take_dropped(&h), 0);
	ck_assert_int_eq(wakes, 9);
}
END_TEST

START_TEST(test_full_queue_counts_drops)
{
	struct vax_event ev;

	for (int i = 1; i <= 7; i++) {
		ev = event(VAX_EV_STOPPED, i);
		vax_handoff_event(&h, &ev, i);
	}
	ck_assert_uint_eq(vax_handoff_events(&h), 4);
	ck_assert_uint_eq(vax_handoff_take_dropped(&h), 3);
	ck_assert_uint_eq(vax_handoff_take_dropped(&h), 0);   /* taken once */
	/* The oldest four are kept: a drop loses the newest, never reorders. */
	for (int i = 1; i <= 4; i++) {
		ck_assert(vax_handoff_next_event(&h, &ev));
		ck_assert_int_eq(ev.detail, i);
	}
	ck_assert(!vax_handoff_next_event(&h, &ev));
}
END_TEST

#define PRODUCERS 4
#define EACH 2000

static struct vax_handoff big;

static void *produce(void *arg)
{
	int id = (int)(intptr_t)arg;

	for (int i = 0; i < EACH; i++) {
		struct vax_event ev = { .kind = id, .detail = i };
		vax_handoff_event(&big, &ev, 0);
		if (i % 97 == 0)
			vax_handoff_publish(&big, snap(id * EACH + i));
	}
	return NULL;
}

START_TEST(test_producers_on_threads)
{
	pthread_t t[PRODUCERS];
	int next[PRODUCERS] = { 0 }, got = 0;
	struct vax_event ev;

	ck_assert_int_eq(vax_handoff_init(&big, PRODUCERS * EACH, NULL), 0);
	for (int i = 0; i < PRODUCERS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, produce, (void *)(intptr_t)i), 0);
	/* The main thread takes while they put, as the agent does. */
	while (got < PRODUCERS * EACH) {
		if (!vax_handoff_next_event(&big, &ev)) {
			vax_snapshot_free(vax_handoff_take(&big));
			continue;
		}
		ck_assert_int_ge(ev.kind, 0);
		ck_assert_int_lt(ev.kind, PRODUCERS);
		ck_assert_int_eq(ev.detail, next[ev.kind]);   /* each producer's order */
		next[ev.kind]++;
		got++;
	}
	for (int i = 0; i < PRODUCERS; i++)
		pthread_join(t[i], NULL);
	ck_assert_uint_eq(vax_handoff_take_dropped(&big), 0);
	ck_assert(!vax_handoff_next_event(&big, &ev));
	vax_handoff_free(&big);
}
END_TEST

static Suite *handoff_suite(void)
{
	Suite *s = suite_create("handoff");
	TCase *tc = tcase_create("handoff");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_newest_snapshot_wins);
	tcase_add_test(tc, test_wait_times_out);
	tcase_add_test(tc, test_wait_gets_a_later_snapshot);
	tcase_add_test(tc, test_events_in_order_across_the_wrap);
	tcase_add_test(tc, test_full_queue_counts_drops);
	tcase_add_test(tc, test_producers_on_threads);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vax_run_suite(handoff_suite());
}
