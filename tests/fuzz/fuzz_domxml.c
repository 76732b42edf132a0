/* fuzz_domxml.c - vax_domxml_parse on arbitrary bytes, and the pool and
 * network XML readers (libvirt_storage.h) on the same bytes.
 *
 * The collector parses whatever libvirt's virDomainGetXMLDesc returns.
 * Besides memory errors, checks what the parser promises: NULL comes with
 * a message; a definition has its device arrays sized to their counts,
 * disks always have a device kind, and from the XML only the vCPU and
 * memory values are set.
 */
#include "config.h"

#include <string.h>

#include <stdlib.h>

#include "libvirt_domxml.h"
#include "libvirt_storage.h"
#include "fuzz.h"

#define BIT(f) (UINT64_C(1) << (f))

/* Read every byte of a string the definition owns (ASan sees a bad one). */
static size_t touch(const char *s)
{
	return s ? strlen(s) : 0;
}

/* A pool's and a network's XML: -1 comes with a message and sets
 * nothing; 0 may set only the strings they name. */
static void storage_xml(const uint8_t *data, size_t size)
{
	struct vax_pool p = { 0 };
	struct vax_network n = { 0 };
	char err[256];

	err[0] = '\0';
	if (vax_pool_parse_xml((const char *)data, size, &p, err, sizeof(err)) < 0) {
		FUZZ_ASSERT(err[0] != '\0' && !p.type && !p.target);
	}
	FUZZ_ASSERT(!p.name && p.vals.have == 0);
	touch(p.type);
	touch(p.target);
	free(p.type);
	free(p.target);
	err[0] = '\0';
	if (vax_net_parse_xml((const char *)data, size, &n, err, sizeof(err)) < 0)
		FUZZ_ASSERT(err[0] != '\0' && !n.bridge && !n.forward);
	else
		FUZZ_ASSERT(n.forward != NULL);   /* a mode, "nat" or "none" */
	touch(n.bridge);
	free(n.bridge);
	free(n.forward);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	struct vax_domdef *def;
	size_t sum = 0;

	storage_xml(data, size);

	err[0] = '\0';
	def = vax_domxml_parse((const char *)data, size, err, sizeof(err));
	if (!def) {
		FUZZ_ASSERT(err[0] != '\0');
		FUZZ_ASSERT(memchr(err, '\0', sizeof(err)) != NULL);
		return 0;
	}
	FUZZ_ASSERT(def->parsed);
	FUZZ_ASSERT(atomic_load(&def->ref) == 1);
	FUZZ_ASSERT((def->ndisks == 0) == (def->disks == NULL));
	FUZZ_ASSERT((def->nnics == 0) == (def->nics == NULL));
	FUZZ_ASSERT((def->vals.have & ~(BIT(VAX_DOM_VCPU_CUR) | BIT(VAX_DOM_VCPU_MAX) |
					BIT(VAX_DOM_MEM_MAX) | BIT(VAX_DOM_MEM_CUR) |
					BIT(VAX_DOM_VCPU_MIN))) == 0);
	if (vax_has(&def->vals, VAX_DOM_VCPU_CUR))
		FUZZ_ASSERT(def->vals.v[VAX_DOM_VCPU_CUR] <= 0xFFFFFFFFu);
	if (vax_has(&def->vals, VAX_DOM_VCPU_MAX))
		FUZZ_ASSERT(def->vals.v[VAX_DOM_VCPU_MAX] <= 0xFFFFFFFFu);
	sum += touch(def->os_type);
	for (size_t i = 0; i < def->ndisks; i++) {
		const struct vax_disk_def *d = &def->disks[i];
		FUZZ_ASSERT(d->device != NULL);
		sum += touch(d->target) + touch(d->source) + touch(d->type) +
			touch(d->bus) + touch(d->device);
	}
	for (size_t i = 0; i < def->nnics; i++) {
		const struct vax_nic_def *n = &def->nics[i];
		sum += touch(n->target) + touch(n->type) + touch(n->source) +
			touch(n->model) + touch(n->filterref) + touch(n->ip);
	}
	/* Every disk has at least its device kind ("disk" by default). */
	FUZZ_ASSERT(sum >= def->ndisks);
	vax_domdef_unref(def);
	return 0;
}
