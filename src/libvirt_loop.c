/* libvirt_loop.c - libvirt's default event loop on its own thread (see
 * libvirt_loop.h).  Until 0.1 the main thread ran libvirt's GLib loop with
 * net-snmp's sockets mirrored into it, and that loop's bookkeeping on every
 * AgentX request cost ~45% more CPU per varbind than a plain net-snmp
 * subagent (bench/). */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>

#include "libvirt_loop.h"
#include "log.h"

struct vax_libvirt_loop {
	pthread_t thread;
	atomic_bool stop;
	int timer;              /* armed only to end a wait, at stop */
};

static void *loop_main(void *arg)
{
	struct vax_libvirt_loop *l = arg;

	while (!atomic_load(&l->stop))
		if (virEventRunDefaultImpl() < 0 && errno != EINTR)
			vax_err("libvirt's event loop failed");
	return NULL;
}

static void on_timer(int timer, void *opaque)
{
	(void)opaque;
	virEventUpdateTimeout(timer, -1);
}

struct vax_libvirt_loop *vax_libvirt_loop_start(char *err, size_t errlen)
{
	struct vax_libvirt_loop *l = calloc(1, sizeof(*l));
	sigset_t all, old;
	int rc;

	if (!l) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	atomic_init(&l->stop, false);
	if (virEventRegisterDefaultImpl() < 0 ||
	    (l->timer = virEventAddTimeout(-1, on_timer, NULL, NULL)) < 0) {
		snprintf(err, errlen, "cannot set up libvirt's event loop");
		free(l);
		return NULL;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&l->thread, NULL, loop_main, l);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		snprintf(err, errlen, "cannot start a thread: %s", strerror(rc));
		virEventRemoveTimeout(l->timer);
		free(l);
		return NULL;
	}
	return l;
}

void vax_libvirt_loop_stop(struct vax_libvirt_loop *l)
{
	if (!l)
		return;
	atomic_store(&l->stop, true);
	virEventUpdateTimeout(l->timer, 0);   /* ends the wait in progress */
	pthread_join(l->thread, NULL);
	virEventRemoveTimeout(l->timer);
	free(l);
}
