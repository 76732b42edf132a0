/* collector_storage.c - the storage thread's last set into a snapshot,
 * with each pool's and network's index, on the worker. No libvirt call:
 * the storage thread made them (storage.h). */
#include "config.h"

#include <stdlib.h>

#include "collector_int.h"
#include "log.h"
#include "storage.h"

static int cmp_row(const void *a, const void *b)
{
	uint32_t x = ((const struct vax_row *)a)->sub, y = ((const struct vax_row *)b)->sub;

	return (x > y) - (x < y);
}

/* Rows of n items of size sz at base, indexed from the index map. */
static struct vax_row *rows(struct vax_collector *c, const void *base, size_t n, size_t sz,
			    const char *what, size_t *nrows)
{
	struct vax_row *r = n ? calloc(n, sizeof(*r)) : NULL;
	size_t k = 0;

	for (size_t i = 0; r && i < n; i++) {
		const void *item = (const char *)base + i * sz;
		/* Every item starts with its UUID (struct vax_pool, vax_network). */
		uint32_t index = vax_collector_index(c, (const char *)item, what);
		if (index)
			r[k++] = (struct vax_row){ .sub = index, .item = item };
	}
	if (k)
		qsort(r, k, sizeof(*r), cmp_row);
	*nrows = k;
	return r;
}

void col_storage_rows(struct vax_collector *c, struct vax_snapshot *s)
{
	struct vax_storage_set *set = vax_storage_get(c->storage);

	if (!set)
		return;
	s->storage = set;
	s->pool_rows = rows(c, set->pools, set->npools, sizeof(*set->pools), "pool", &s->npool_rows);
	s->net_rows = rows(c, set->nets, set->nnets, sizeof(*set->nets), "network", &s->nnet_rows);
}
