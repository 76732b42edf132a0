/* index.c - the UUID -> index map and its file. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file.h"
#include "index.h"
#include "uuid.h"

struct entry {
	char uuid[37];
	uint32_t index;
};

struct vax_index {
	char *path;
	struct entry *e;   /* sorted by uuid */
	size_t n, cap;
	uint32_t max;      /* highest index ever given */
};

struct vax_index *vax_index_new(const char *path)
{
	struct vax_index *ix = calloc(1, sizeof(*ix));

	if (ix && path && !(ix->path = strdup(path))) {
		free(ix);
		return NULL;
	}
	return ix;
}

void vax_index_free(struct vax_index *ix)
{
	if (!ix)
		return;
	free(ix->e);
	free(ix->path);
	free(ix);
}

struct vax_index *vax_index_dup(const struct vax_index *ix)
{
	struct vax_index *d = vax_index_new(ix->path);

	if (!d)
		return NULL;
	if (ix->n && !(d->e = malloc(ix->n * sizeof(*d->e)))) {
		vax_index_free(d);
		return NULL;
	}
	if (ix->n)
		memcpy(d->e, ix->e, ix->n * sizeof(*d->e));
	d->n = d->cap = ix->n;
	d->max = ix->max;
	return d;
}

const char *vax_index_path(const struct vax_index *ix) { return ix->path; }
size_t vax_index_count(const struct vax_index *ix) { return ix->n; }

/* Position of uuid, or where it would go; *found tells which. */
static size_t find(const struct vax_index *ix, const char *uuid, bool *found)
{
	size_t lo = 0, hi = ix->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(ix->e[mid].uuid, uuid);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

static int insert(struct vax_index *ix, size_t at, const char *uuid, uint32_t index)
{
	if (ix->n == ix->cap) {
		size_t cap = ix->cap ? ix->cap * 2 : 64;
		struct entry *e = realloc(ix->e, cap * sizeof(*e));
		if (!e)
			return -1;
		ix->e = e;
		ix->cap = cap;
	}
	memmove(&ix->e[at + 1], &ix->e[at], (ix->n - at) * sizeof(*ix->e));
	memcpy(ix->e[at].uuid, uuid, 37);
	ix->e[at].index = index;
	ix->n++;
	if (index > ix->max)
		ix->max = index;
	return 0;
}

static bool index_taken(const struct vax_index *ix, uint32_t index)
{
	for (size_t i = 0; i < ix->n; i++)   /* load time only */
		if (ix->e[i].index == index)
			return true;
	return false;
}

int vax_index_load(struct vax_index *ix, void (*warn)(const char *msg),
		   char *err, size_t errlen)
{
	char line[256], uuid[37], tail[2], msg[512];
	unsigned long long index;
	int lineno = 0;
	FILE *f;

	if (!ix->path)
		return 0;
	if (!(f = vax_fopen_regular(ix->path, "index file", err, errlen)))
		return errno == ENOENT ? 0 : -1;
	while (fgets(line, sizeof(line), f)) {
		const char *problem = NULL;
		char raw[64];
		bool found;
		size_t at;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			int c;
			while ((c = fgetc(f)) != EOF && c != '\n')
				;
			problem = "line too long";
		} else if (line[strspn(line, " \t\r\n")] == '#' ||
			   line[strspn(line, " \t\r\n")] == '\0') {
			continue;
		} else if (sscanf(line, "%63s %llu %1s", raw, &index, tail) != 2 ||
			   !vax_uuid_canonical(raw, uuid)) {
			problem = "expected \"UUID INDEX\"";
		} else if (index < 1 || index > VAX_INDEX_MAX) {
			problem = "index out of range 1..2147483647";
		} else if ((void)find(ix, uuid, &found), found) {
			problem = "UUID listed twice; keeping the first";
		} else if (index_taken(ix, (uint32_t)index)) {
			problem = "index listed twice; keeping the first";
		}
		if (problem) {
			snprintf(msg, sizeof(msg), "%s:%d: %s", ix->path, lineno, problem);
			if (warn)
				warn(msg);
			continue;
		}
		at = find(ix, uuid, &found);
		if (insert(ix, at, uuid, (uint32_t)index) < 0) {
			fclose(f);
			snprintf(err, errlen, "%s: out of memory", ix->path);
			return -1;
		}
	}
	if (ferror(f)) {
		/* A partial map would hand out indexes the file already holds. */
		snprintf(err, errlen, "%s: cannot read index file: %s", ix->path,
			 strerror(errno));
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

/* Where uuid_in (canonicalized into uuid) is or would go; false if it is
 * not a UUID. */
static bool locate(const struct vax_index *ix, const char *uuid_in, char uuid[37],
		   size_t *at, bool *found)
{
	if (!vax_uuid_canonical(uuid_in, uuid))
		return false;
	*at = find(ix, uuid, found);
	return true;
}

uint32_t vax_index_get(struct vax_index *ix, const char *uuid_in, bool *added)
{
	char uuid[37];
	bool found;
	size_t at;

	*added = false;
	if (!locate(ix, uuid_in, uuid, &at, &found))
		return 0;
	if (found)
		return ix->e[at].index;
	if (ix->max >= VAX_INDEX_MAX || insert(ix, at, uuid, ix->max + 1) < 0)
		return 0;
	*added = true;
	return ix->e[at].index;
}

uint32_t vax_index_lookup(const struct vax_index *ix, const char *uuid_in)
{
	char uuid[37];
	bool found;
	size_t at;

	return locate(ix, uuid_in, uuid, &at, &found) && found ? ix->e[at].index : 0;
}

int vax_index_save(struct vax_index *ix, char *err, size_t errlen)
{
	char *tmp = NULL;
	FILE *f = NULL;
	int fd = -1;

	if (!ix->path)
		return 0;
	if (asprintf(&tmp, "%s.tmp", ix->path) < 0) {
		tmp = NULL;
		goto fail;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0 ||
	    !(f = fdopen(fd, "w")))
		goto fail;
	fd = -1;
	fprintf(f, "# virt-agentx domain indexes: UUID INDEX, one per line.\n"
		   "# An index is never given to another domain while this file exists.\n");
	for (size_t i = 0; i < ix->n; i++)
		fprintf(f, "%s %u\n", ix->e[i].uuid, ix->e[i].index);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		goto fail;
	if (fclose(f) != 0) {
		f = NULL;
		goto fail;
	}
	f = NULL;
	if (rename(tmp, ix->path) != 0)
		goto fail;
	free(tmp);
	return 0;
fail:
	snprintf(err, errlen, "%s: cannot write index file: %s", ix->path,
		 strerror(errno));
	if (f)
		fclose(f);
	if (fd >= 0)
		close(fd);
	if (tmp)
		unlink(tmp);
	free(tmp);
	return -1;
}
