/* index.h - stable small integers for domain UUIDs, kept in a file.
 *
 * An NMS wants small integer indexes that survive restarts; a UUID maps to
 * the same index for as long as the file exists, and an index is never given
 * to another UUID (the file remembers every UUID it has seen).
 *
 * No locks of its own: collector_index.c guards the one map the worker and
 * the main thread share.
 */
#ifndef VAX_INDEX_H
#define VAX_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VAX_INDEX_MAX 2147483647u

struct vax_index;

/* path NULL keeps the map in memory only. */
struct vax_index *vax_index_new(const char *path);
void vax_index_free(struct vax_index *ix);

/* Read the file. A missing file is an empty map. Lines that do not parse
 * are skipped and reported through warn("FILE:LINE: problem"). Returns -1
 * with err set when the file exists but cannot be read. */
int vax_index_load(struct vax_index *ix, void (*warn)(const char *msg),
		   char *err, size_t errlen);

/* The index of a canonical UUID, assigning the next free one if new
 * (*added set). 0 when the UUID is malformed or the space is exhausted. */
uint32_t vax_index_get(struct vax_index *ix, const char *uuid, bool *added);
/* The index a UUID has, 0 if none: never assigns one. */
uint32_t vax_index_lookup(const struct vax_index *ix, const char *uuid);

/* A copy (to write it without holding up the map's users); NULL: no memory. */
struct vax_index *vax_index_dup(const struct vax_index *ix);

/* Write the map (temp file, fsync, rename). -1 with err on failure. */
int vax_index_save(struct vax_index *ix, char *err, size_t errlen);

const char *vax_index_path(const struct vax_index *ix);
size_t vax_index_count(const struct vax_index *ix);


#endif
