/* collector_state.c - what every part of the collector shares: asking the
 * worker for a refresh (any thread), and the references that keep the
 * collector alive while a fetcher thread is still inside libvirt. Below
 * the other collector files: it calls none of them. */
#include "config.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "collector_int.h"

void col_ask(struct vax_collector *c, const char *uuid)
{
	pthread_mutex_lock(&c->lock);
	if (uuid) {
		char (*v)[37] = realloc(c->invalid, (c->ninvalid + 1) * sizeof(*v));
		if (v) {
			c->invalid = v;
			memcpy(c->invalid[c->ninvalid++], uuid, 37);
		}
	}
	c->kicked = true;
	pthread_cond_signal(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

void vax_collector_kick(struct vax_collector *c)
{
	col_ask(c, NULL);
}

/* Freed by the last of the owner and the fetcher threads still in a call. */
void col_release(struct vax_collector *c)
{
	bool last;

	pthread_mutex_lock(&c->lock);
	last = --c->refs == 0;
	pthread_mutex_unlock(&c->lock);
	if (!last)
		return;
	for (size_t i = 0; i < c->nxml; i++)
		vax_domdef_unref(c->xml[i].def);
	free(c->xml);
	vax_index_free(c->index);
	vax_snapshot_free(c->prev);
	vax_snapshot_free(c->usage_base);
	free(c->invalid);
	free(c->conn_uri);
	free(c->cpu_model);
	free(c->dom_indexes);
	free(c->new_uri);
	free(c->new_index);
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->lock);
	pthread_mutex_destroy(&c->index_lock);
	free(c->uri);
	free(c);
}
