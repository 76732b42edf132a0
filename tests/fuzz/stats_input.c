/* stats_input.c - the stats fuzzer's text format into a definition and
 * typed parameters (see stats_input.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "stats_input.h"

#define MAX_DEVS 8
#define MAX_PARAMS 4096

static char *dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* "D vda", "N" ... : one more device; false when out of memory. */
static bool add_device(struct vax_domdef *def, char tag, const char *s, size_t n)
{
	char *target = NULL;

	if (n && !(target = dup_n(s, n)))
		return false;
	if (tag == 'N') {
		if (def->nnics == MAX_DEVS)
			goto ignore;
		def->nics[def->nnics++].target = target;
	} else {
		struct vax_disk_def *d;
		if (def->ndisks == MAX_DEVS)
			goto ignore;
		d = &def->disks[def->ndisks++];
		d->target = target;
		if (tag == 'D' && !(d->source = strdup("/fuzz/disk.img")))
			return false;
	}
	return true;
ignore:
	free(target);
	return true;
}

static int param_type(char tag)
{
	switch (tag) {
	case 'i': return VIR_TYPED_PARAM_INT;
	case 'u': return VIR_TYPED_PARAM_UINT;
	case 'l': return VIR_TYPED_PARAM_LLONG;
	case 'L': return VIR_TYPED_PARAM_ULLONG;
	case 'd': return VIR_TYPED_PARAM_DOUBLE;
	case 'b': return VIR_TYPED_PARAM_BOOLEAN;
	case 's': return VIR_TYPED_PARAM_STRING;
	case '?': return 0;
	case '!': return VIR_TYPED_PARAM_STRING + 1;
	default: return -1;
	}
}

/* "L block.0.rd.reqs=42": one more parameter; false when out of memory. */
static bool add_param(struct stats_input *in, int type, const char *s, size_t n)
{
	virTypedParameter *p = &in->p[in->n];
	const char *eq = memchr(s, '=', n);
	size_t flen = eq ? (size_t)(eq - s) : n;
	char *val = NULL;

	memset(p, 0, sizeof(*p));
	if (flen > VIR_TYPED_PARAM_FIELD_LENGTH - 1)
		flen = VIR_TYPED_PARAM_FIELD_LENGTH - 1;
	memcpy(p->field, s, flen);   /* an embedded NUL cuts it, as in C */
	p->type = type;
	if (eq && !(val = dup_n(eq + 1, n - (size_t)(eq + 1 - s))))
		return false;
	in->n++;
	switch (type) {
	case VIR_TYPED_PARAM_STRING:
		p->value.s = val;   /* NULL without "=" */
		return true;
	case VIR_TYPED_PARAM_INT:
		p->value.i = val ? (int)strtoll(val, NULL, 0) : 0;
		break;
	case VIR_TYPED_PARAM_UINT:
		p->value.ui = val ? (unsigned)strtoull(val, NULL, 0) : 0;
		break;
	case VIR_TYPED_PARAM_LLONG:
		p->value.l = val ? strtoll(val, NULL, 0) : 0;
		break;
	case VIR_TYPED_PARAM_DOUBLE:
		p->value.d = val ? strtod(val, NULL) : 0;
		break;
	case VIR_TYPED_PARAM_BOOLEAN:
		p->value.b = val ? (char)strtoll(val, NULL, 0) : 0;
		break;
	default:   /* ULLONG, and the types libvirt does not have */
		p->value.ul = val ? strtoull(val, NULL, 0) : 0;
		break;
	}
	free(val);
	return true;
}

static bool shrink(void **arr, size_t n, size_t size)
{
	void *p;

	if (!n) {
		free(*arr);
		*arr = NULL;
		return true;
	}
	if (!(p = realloc(*arr, n * size)))
		return false;
	*arr = p;
	return true;
}

bool stats_input_decode(const uint8_t *data, size_t size, struct stats_input *in)
{
	const char *s = (const char *)data, *end = s + size;
	size_t lines = 1;

	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	if (lines > MAX_PARAMS)
		lines = MAX_PARAMS;
	in->n = 0;
	if (!(in->def = vax_domdef_new()) ||
	    !(in->def->disks = calloc(MAX_DEVS, sizeof(*in->def->disks))) ||
	    !(in->def->nics = calloc(MAX_DEVS, sizeof(*in->def->nics))) ||
	    !(in->p = calloc(lines, sizeof(*in->p))))
		return false;
	in->def->parsed = true;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *eol = nl ? nl : end, *rest = s + 1;
		char tag = *s;
		int type;

		if (rest < eol && *rest == ' ')
			rest++;
		if (rest > eol)
			rest = eol;
		if (tag == 'D' || tag == 'C' || tag == 'N') {
			if (!add_device(in->def, tag, rest, (size_t)(eol - rest)))
				return false;
		} else if ((type = param_type(tag)) >= 0 && (size_t)in->n < lines) {
			if (!add_param(in, type, rest, (size_t)(eol - rest)))
				return false;
		}
		s = nl ? nl + 1 : end;
	}
	/* Arrays of exactly the device counts, as vax_domxml_parse makes them. */
	if (!shrink((void **)&in->def->disks, in->def->ndisks, sizeof(*in->def->disks)) ||
	    !shrink((void **)&in->def->nics, in->def->nnics, sizeof(*in->def->nics)))
		return false;
	return true;
}

bool stats_input_load(const char *path, struct stats_input *in)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	uint8_t *buf = NULL;
	bool ok = false;

	errno = 0;
	if (f && fstat(fileno(f), &st) == 0 && (buf = malloc((size_t)st.st_size + 1)) &&
	    fread(buf, 1, (size_t)st.st_size, f) == (size_t)st.st_size)
		ok = stats_input_decode(buf, (size_t)st.st_size, in);
	else
		fprintf(stderr, "stats_input: %s: %s\n", path, errno ? strerror(errno) : "short read");
	free(buf);
	if (f)
		fclose(f);
	return ok;
}

void stats_input_free(struct stats_input *in)
{
	for (int i = 0; i < in->n; i++)
		if (in->p[i].type == VIR_TYPED_PARAM_STRING)
			free(in->p[i].value.s);
	free(in->p);
	vax_domdef_unref(in->def);
	memset(in, 0, sizeof(*in));
}
