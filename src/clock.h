/* clock.h - the one clock the agent measures with (any thread). */
#ifndef VAX_CLOCK_H
#define VAX_CLOCK_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

/* Milliseconds of CLOCK_MONOTONIC, the clock snapshots are stamped with. */
int64_t vax_now_ms(void);
/* The time MS (>= 0) milliseconds from now on CLOCK, for the timed waits. */
struct timespec vax_time_in(clockid_t clock, int64_t ms);
/* A condition variable whose timed waits run on CLOCK_MONOTONIC (a wall
 * clock step must not cut a wait short or stretch it); as pthread_cond_init. */
int vax_cond_init_monotonic(pthread_cond_t *cond);

#endif
