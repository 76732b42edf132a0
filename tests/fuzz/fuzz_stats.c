/* fuzz_stats.c - one bulk stats record (virConnectGetAllDomainStats's
 * virTypedParameter array) into the model, as the collector does it.
 *
 * Input: lines of text, each "TAG REST" (one space after the tag is
 * optional). The domain's definition, as the XML would give it:
 *   D TARGET   a disk with a source; "D" alone: a disk without a target
 *   C TARGET   a disk without a source (an empty cdrom)
 *   N TARGET   a NIC; "N" alone: one without a host device (user-mode)
 * (at most 8 disks and 8 NICs). Then typed parameters, "TAG FIELD=VALUE":
 *   i int   u uint   l llong   L ullong   d double   b boolean   s string
 *   ? a type libvirt does not have (0)   ! one past the last (7)
 * Numbers are read with strtoll/strtoull/strtod in base 0 ("-1", "0x10",
 * "99999999999999999999" all go), then cut to the type's width as a C
 * cast would. A field longer than libvirt's 79 bytes is cut as well. A
 * parameter without "=VALUE" is 0, or a NULL string. '#' starts a comment
 * line; an unknown tag is ignored. tests/fuzz/corpus/stats/ has examples,
 * some dumped from real QEMU and test-driver guests by dump-stats.c.
 *
 * Besides memory errors, checks what the conversion promises: values land
 * only in fields a stats key maps to, only on devices that have a target
 * named by some block.N.name / net.N.name, and never more vCPU slots than
 * VAX_MAX_VCPUS. Then the rest of a refresh runs on the result: the
 * skipped-domain test, carry-over into a fresh domain, a sealed snapshot.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include <libvirt/libvirt.h>

#include "fuzz.h"
#include "model.h"
#include "stats.h"

#define MAX_DEVS 8
#define MAX_PARAMS 4096
#define BIT(f) (UINT64_C(1) << (f))

struct input {
	struct vax_domdef *def;
	virTypedParameter *p;
	int n;
};

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
static bool add_param(struct input *in, int type, const char *s, size_t n)
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

static void free_params(virTypedParameter *p, int n)
{
	for (int i = 0; i < n; i++)
		if (p[i].type == VIR_TYPED_PARAM_STRING)
			free(p[i].value.s);
	free(p);
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

static bool decode(const uint8_t *data, size_t size, struct input *in)
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

/* Is name the value of some "block.N.name" (prefix "block.") string? */
static bool named_in(const struct input *in, const char *prefix, const char *name)
{
	size_t plen = strlen(prefix);

	for (int i = 0; i < in->n; i++) {
		const virTypedParameter *p = &in->p[i];
		const char *dot;
		if (p->type != VIR_TYPED_PARAM_STRING || !p->value.s ||
		    strncmp(p->field, prefix, plen) != 0 ||
		    !(dot = strchr(p->field + plen, '.')) || strcmp(dot, ".name") != 0)
			continue;
		if (strcmp(p->value.s, name) == 0)
			return true;
	}
	return false;
}

/* Set up d as the collector does: its own reference to def, one stats
 * slot per device (exactly: ASan then sees a write past the last). */
static bool init_domain(struct vax_domain *d, struct vax_domdef *def, uint32_t index)
{
	memset(d, 0, sizeof(*d));
	d->index = index;
	d->def = vax_domdef_ref(def);
	snprintf(d->uuid, sizeof(d->uuid), "00000000-0000-0000-0000-%012u", (unsigned)index);
	if (!(d->name = strdup("fuzz")))
		return false;
	if (def->ndisks && !(d->disks = calloc(def->ndisks, sizeof(*d->disks))))
		return false;
	if (def->nnics && !(d->nics = calloc(def->nnics, sizeof(*d->nics))))
		return false;
	return true;
}

static void check_domain(const struct vax_domain *d, const struct input *in,
			 unsigned groups)
{
	const struct vax_domdef *def = d->def;
	/* What bulk stats can set; ID, persistence and autostart come from
	 * elsewhere, the physical CPU and host ifindex too. */
	const uint64_t dom_ok = ~(BIT(VAX_DOM_ID) | BIT(VAX_DOM_PERSISTENT) |
				  BIT(VAX_DOM_AUTOSTART)) & (BIT(VAX_DOM_NFIELDS) - 1);

	FUZZ_ASSERT((groups & ~(unsigned)VAX_GRP_ALL) == 0);
	FUZZ_ASSERT((d->vals.have & ~dom_ok) == 0);
	FUZZ_ASSERT(d->nvcpus <= VAX_MAX_VCPUS);
	FUZZ_ASSERT((d->nvcpus == 0) == (d->vcpus == NULL));
	for (size_t i = 0; i < d->nvcpus; i++)
		FUZZ_ASSERT((d->vcpus[i].vals.have & ~(BIT(VAX_VCPU_PCPU) - 1)) == 0);
	for (size_t i = 0; i < def->ndisks; i++) {
		uint64_t have = d->disks[i].vals.have;
		FUZZ_ASSERT((have & ~(BIT(VAX_DISK_NFIELDS) - 1)) == 0);
		if (have) {
			FUZZ_ASSERT(def->disks[i].target != NULL);
			FUZZ_ASSERT(named_in(in, "block.", def->disks[i].target));
			FUZZ_ASSERT(groups & VAX_GRP_BLOCK);
		}
	}
	for (size_t i = 0; i < def->nnics; i++) {
		uint64_t have = d->nics[i].vals.have;
		FUZZ_ASSERT((have & ~(BIT(VAX_NIC_HOST_IFINDEX) - 1)) == 0);
		if (have) {
			FUZZ_ASSERT(def->nics[i].target != NULL);
			FUZZ_ASSERT(named_in(in, "net.", def->nics[i].target));
			FUZZ_ASSERT(groups & VAX_GRP_NET);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { 0 };
	struct vax_snapshot *snap = NULL;
	struct vax_domain d, *e;
	bool unknown_dev = true;
	unsigned groups;
	uint64_t used;

	memset(&d, 0, sizeof(d));
	if (!decode(data, size, &in) || !init_domain(&d, in.def, 1))
		goto out;

	groups = vax_stats_apply(&d, in.p, in.n, &unknown_dev);
	check_domain(&d, &in, groups);
	(void)vax_stats_skipped(&d);
	if (vax_domain_mem_used(&d, &used))
		FUZZ_ASSERT(used <= d.vals.v[VAX_DOM_BAL_AVAILABLE]);

	/* The per-domain CPU fallback reads typed parameters too. */
	vax_stats_from_cpu(&d, in.p, in.n);

	/* Next refresh: a domain the bulk call skipped keeps these values. */
	if (!(snap = vax_snapshot_new(1)) || !(e = vax_snapshot_add(snap)) ||
	    !init_domain(e, in.def, 2))
		goto out;
	vax_stats_carry_over(&d, e, VAX_GRP_ALL);
	FUZZ_ASSERT(e->nvcpus == d.nvcpus);
	for (size_t i = 0; i < in.def->ndisks; i++)
		FUZZ_ASSERT(e->disks[i].vals.have == d.disks[i].vals.have);
	for (size_t i = 0; i < in.def->nnics; i++)
		FUZZ_ASSERT(e->nics[i].vals.have == d.nics[i].vals.have);
	if (vax_snapshot_seal(snap) == 0) {
		FUZZ_ASSERT(snap->nvcpu_rows == d.nvcpus);
		FUZZ_ASSERT(snap->ndisk_rows == in.def->ndisks);
		FUZZ_ASSERT(snap->nnic_rows == in.def->nnics);
	}
out:
	vax_snapshot_free(snap);
	vax_domain_clear(&d);
	free_params(in.p, in.n);
	vax_domdef_unref(in.def);
	return 0;
}
