/* collector_index.c - the collector's index map (UUID -> stable index):
 * handed out on the worker and on the main thread (for notifications of
 * domains not yet in a snapshot), saved by the worker. Under index_lock;
 * the file is written from a copy, so no one waits on a disk. */
#include "config.h"

#include <pthread.h>
#include <stdbool.h>
#include <unistd.h>

#include "collector_int.h"
#include "log.h"

uint32_t vax_collector_lookup(struct vax_collector *c, const char *uuid)
{
	uint32_t index;

	pthread_mutex_lock(&c->index_lock);
	index = vax_index_lookup(c->index, uuid);
	pthread_mutex_unlock(&c->index_lock);
	return index;
}

uint32_t vax_collector_index(struct vax_collector *c, const char *uuid, const char *what)
{
	bool added;
	uint32_t index;

	pthread_mutex_lock(&c->index_lock);
	index = vax_index_get(c->index, uuid, &added);
	c->index_dirty |= added;
	pthread_mutex_unlock(&c->index_lock);
	if (added)
		vax_info("%s %s gets index %u", what, uuid, index);
	return index;
}

/* Write the index file when it gained entries, from a copy: the main
 * thread looks indexes up for notifications and must not wait on a disk.
 * A failure is logged once, and retried at the next refresh. */
void col_save_index(struct vax_collector *c)
{
	struct vax_index *copy = NULL;
	char err[512];

	pthread_mutex_lock(&c->index_lock);
	if (c->index_dirty && (copy = vax_index_dup(c->index)))
		c->index_dirty = false;
	pthread_mutex_unlock(&c->index_lock);
	if (!copy)
		return;
	if (vax_index_save(copy, err, sizeof(err)) < 0) {
		if (!c->index_save_failed)
			vax_warn("%s%s; indexes may change when the agent restarts", err,
				 geteuid() ? " (the agent does not run as root: the file's "
				 "directory must be writable by its user, see -U)" : "");
		c->index_save_failed = true;
		pthread_mutex_lock(&c->index_lock);
		c->index_dirty = true;
		pthread_mutex_unlock(&c->index_lock);
	} else if (c->index_save_failed) {
		vax_notice("%s written again", vax_index_path(copy));
		c->index_save_failed = false;
	}
	vax_index_free(copy);
}
