/* libvirt_loop.h - libvirt's default event loop, on a thread of its own.
 *
 * That thread runs libvirt's connection keepalives, close callbacks and
 * domain event callbacks (collector_conn.c registers them). They run there,
 * never on the main thread: they only hand work over (handoff.h). */
#ifndef VAX_LIBVIRT_LOOP_H
#define VAX_LIBVIRT_LOOP_H

#include <stddef.h>

struct vax_libvirt_loop;

/* Register libvirt's default event implementation and start its thread,
 * with every signal blocked there (signals are the main thread's). This
 * must come before any libvirt connection opens, or keepalives and events
 * never run: vax_collector_start takes the handle as proof. NULL with err
 * on failure. */
struct vax_libvirt_loop *vax_libvirt_loop_start(char *err, size_t errlen);

/* End the thread and wait for it; once every connection is closed. */
void vax_libvirt_loop_stop(struct vax_libvirt_loop *l);

#endif
