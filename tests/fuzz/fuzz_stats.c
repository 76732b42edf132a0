/* fuzz_stats.c - one bulk stats record (virConnectGetAllDomainStats's
 * virTypedParameter array) into the model, as the collector does it.
 *
 * Input: one record in the format of stats_input.h (the domain's disks
 * and NICs, then typed parameters); tests/fuzz/corpus/stats/ has
 * examples, some dumped from real QEMU and test-driver guests by
 * dump-stats.c.
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
#include "libvirt_stats.h"
#include "stats_input.h"

#define BIT(f) (UINT64_C(1) << (f))

/* Is name the value of some "block.N.name" (prefix "block.") string? */
static bool named_in(const struct stats_input *in, const char *prefix, const char *name)
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

static void check_domain(const struct vax_domain *d, const struct stats_input *in,
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
	struct stats_input in = { 0 };
	struct vax_snapshot *snap = NULL;
	struct vax_domain d, *e;
	bool unknown_dev = true;
	unsigned groups;
	uint64_t used;

	memset(&d, 0, sizeof(d));
	if (!stats_input_decode(data, size, &in) || !init_domain(&d, in.def, 1))
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
	stats_input_free(&in);
	return 0;
}
