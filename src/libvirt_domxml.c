/* libvirt_domxml.c - reading device metadata from a domain XML with libxml2.
 *
 * Only what libvirt's stats do not carry: device order, names, sources,
 * buses, MACs, models, nwfilter references, and the configured vCPU and
 * memory sizes (so inactive domains show them without extra calls).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "libvirt_domxml.h"
#include "libvirt_xml.h"
#include "number.h"

#define VAX_MAX_VCPU_ID 65535

int vax_domxml_kib(const char *number, const char *unit, unsigned long long *kib)
{
	static const struct { const char *name; unsigned long long mul, div; } units[] = {
		{ "b", 1, 1024 }, { "bytes", 1, 1024 },
		{ "KB", 1000, 1024 }, { "k", 1, 1 }, { "KiB", 1, 1 },
		{ "MB", 1000000, 1024 }, { "M", 1024, 1 }, { "MiB", 1024, 1 },
		{ "GB", 1000000000, 1024 }, { "G", 1048576, 1 }, { "GiB", 1048576, 1 },
		{ "TB", 1000000000000ULL, 1024 }, { "T", 1073741824ULL, 1 },
		{ "TiB", 1073741824ULL, 1 },
	};
	uint64_t n;

	if (!vax_parse_u64(number, UINT64_MAX, &n))
		return -1;
	if (!unit)
		unit = "KiB";
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(unit, units[i].name) != 0)
			continue;
		if (units[i].mul > 1 && n > ~0ULL / units[i].mul)
			return -1;   /* overflow: better absent than wrong */
		*kib = n * units[i].mul / units[i].div;
		return 0;
	}
	return -1;
}

static void parse_memory(const xmlNode *n, struct vax_vals *v, int field)
{
	char *num = vax_xml_text(n), *unit = vax_xml_attr(n, "unit");
	unsigned long long kib;

	if (num && vax_domxml_kib(num, unit, &kib) == 0)
		vax_set(v, field, kib);
	free(num);
	free(unit);
}

static void parse_count(const char *s, struct vax_vals *v, int field)
{
	uint64_t n;

	if (vax_parse_u64(s, 0xFFFFFFFFu, &n))
		vax_set(v, field, n);
}

static char *disk_source(const xmlNode *src)
{
	char *s, *proto, *name, *pool, *vol;

	if (!src)
		return NULL;
	if ((s = vax_xml_attr(src, "file")) || (s = vax_xml_attr(src, "dev")) || (s = vax_xml_attr(src, "dir")))
		return s;
	if ((name = vax_xml_attr(src, "name"))) {
		if ((proto = vax_xml_attr(src, "protocol"))) {
			char *t = NULL;
			if (asprintf(&t, "%s:%s", proto, name) < 0)
				t = NULL;
			free(proto);
			free(name);
			return t;
		}
		return name;
	}
	pool = vax_xml_attr(src, "pool");
	vol = vax_xml_attr(src, "volume");
	s = NULL;
	if (pool && vol && asprintf(&s, "%s/%s", pool, vol) < 0)
		s = NULL;
	free(pool);
	free(vol);
	return s;
}

static void parse_disk(const xmlNode *n, struct vax_disk_def *d)
{
	const xmlNode *target = vax_xml_child(n, "target");

	d->type = vax_xml_attr(n, "type");
	d->device = vax_xml_attr(n, "device");
	if (!d->device)
		d->device = strdup("disk");   /* libvirt's default */
	d->source = disk_source(vax_xml_child(n, "source"));
	d->target = vax_xml_attr(target, "dev");
	d->bus = vax_xml_attr(target, "bus");
	d->format = vax_xml_attr(vax_xml_child(n, "driver"), "type");
	/* libvirt makes every cdrom read-only, <readonly/> or not. */
	d->readonly = vax_xml_child(n, "readonly") || (d->device && !strcmp(d->device, "cdrom"));
}

static bool parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char tail;

	if (!s || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2],
			 &b[3], &b[4], &b[5], &tail) != 6)
		return false;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return true;
}

static void parse_nic(const xmlNode *n, struct vax_nic_def *d)
{
	const xmlNode *src = vax_xml_child(n, "source"), *filter = vax_xml_child(n, "filterref");
	char *mac = vax_xml_attr(vax_xml_child(n, "mac"), "address");

	d->type = vax_xml_attr(n, "type");
	d->has_mac = parse_mac(mac, d->mac);
	free(mac);
	d->target = vax_xml_attr(vax_xml_child(n, "target"), "dev");
	d->model = vax_xml_attr(vax_xml_child(n, "model"), "type");
	/* A running type='network' NIC names its bridge too: the network is
	 * what the user defined (and what virsh domiflist shows). */
	if (src && !(d->source = vax_xml_attr(src, "network")) &&
	    !(d->source = vax_xml_attr(src, "bridge")) && !(d->source = vax_xml_attr(src, "dev")))
		d->source = vax_xml_attr(src, "path");
	/* The host device the NIC hangs off: a bridge (a running
	 * type='network' NIC names it too) or a macvtap's device. */
	if (src && !(d->parent = vax_xml_attr(src, "bridge")))
		d->parent = vax_xml_attr(src, "dev");
	if (filter) {
		d->filterref = vax_xml_attr(filter, "filter");
		for (const xmlNode *p = filter->children; p; p = p->next) {
			char *name = vax_xml_is(p, "parameter") ? vax_xml_attr(p, "name") : NULL;
			if (name && !d->ip && strcmp(name, "IP") == 0)
				d->ip = vax_xml_attr(p, "value");
			free(name);
		}
	}
}

/* Count children named name, then fill an array of them with parse(). */
/* Where vCPUs may run, and how many cannot be unplugged: with <vcpus>,
 * the enabled ones not marked hotpluggable; without, every vCPU present
 * at start (libvirt makes those non-hotpluggable). */
static int parse_vcpus(const xmlNode *root, const xmlNode *vcpu, struct vax_domdef *def)
{
	const xmlNode *vcpus = vax_xml_child(root, "vcpus"), *tune = vax_xml_child(root, "cputune");
	char *placement = vax_xml_attr(vcpu, "placement");
	size_t n = 0;

	def->cpuset = vax_xml_attr(vcpu, "cpuset");
	def->cpu_auto = placement && !strcmp(placement, "auto");
	free(placement);
	if (vcpus) {
		unsigned long fixed = 0;
		for (const xmlNode *c = vcpus->children; c; c = c->next) {
			char *en = vax_xml_is(c, "vcpu") ? vax_xml_attr(c, "enabled") : NULL;
			char *hp = en ? vax_xml_attr(c, "hotpluggable") : NULL;
			fixed += en && !strcmp(en, "yes") && (!hp || strcmp(hp, "yes"));
			free(en);
			free(hp);
		}
		vax_set(&def->vals, VAX_DOM_VCPU_MIN, fixed);
	} else if (vax_has(&def->vals, VAX_DOM_VCPU_CUR)) {
		vax_set(&def->vals, VAX_DOM_VCPU_MIN, def->vals.v[VAX_DOM_VCPU_CUR]);
	}
	for (const xmlNode *c = tune ? tune->children : NULL; c; c = c->next)
		n += vax_xml_is(c, "vcpupin");
	if (n && !(def->pins = calloc(n, sizeof(*def->pins))))
		return -1;
	for (const xmlNode *c = tune ? tune->children : NULL; c; c = c->next) {
		char *id = vax_xml_is(c, "vcpupin") ? vax_xml_attr(c, "vcpu") : NULL;
		uint64_t v;
		if (vax_parse_u64(id, VAX_MAX_VCPU_ID, &v)) {
			def->pins[def->npins].vcpu = (unsigned)v;
			def->pins[def->npins++].cpuset = vax_xml_attr(c, "cpuset");
		}
		free(id);
	}
	return 0;
}

#define PARSE_DEVICES(devs, name, arr, count, parse) do { \
	size_t n_ = 0; \
	for (const xmlNode *c_ = (devs) ? (devs)->children : NULL; c_; c_ = c_->next) \
		n_ += vax_xml_is(c_, name); \
	if (n_ && !((arr) = calloc(n_, sizeof(*(arr))))) \
		goto oom; \
	for (const xmlNode *c_ = (devs) ? (devs)->children : NULL; c_; c_ = c_->next) \
		if (vax_xml_is(c_, name)) \
			parse(c_, &(arr)[(count)++]); \
} while (0)

struct vax_domdef *vax_domxml_parse(const char *xml, size_t len,
				    char *err, size_t errlen)
{
	struct vax_domdef *def = NULL;
	xmlDocPtr doc;
	const xmlNode *root, *devs, *vcpu;
	char *cur;

	if (!(doc = vax_xml_read(xml, len, "domain", err, errlen)))
		return NULL;
	root = xmlDocGetRootElement(doc);
	if (!root || !vax_xml_is(root, "domain")) {
		snprintf(err, errlen, "root element is not <domain>");
		goto out;
	}
	if (!(def = vax_domdef_new()))
		goto oom;
	def->parsed = true;
	def->os_type = vax_xml_text(vax_xml_child(vax_xml_child(root, "os"), "type"));
	if ((vcpu = vax_xml_child(root, "vcpu"))) {
		char *max = vax_xml_text(vcpu);
		parse_count(max, &def->vals, VAX_DOM_VCPU_MAX);
		free(max);
		cur = vax_xml_attr(vcpu, "current");
		parse_count(cur, &def->vals, VAX_DOM_VCPU_CUR);
		if (!cur && vax_has(&def->vals, VAX_DOM_VCPU_MAX))
			vax_set(&def->vals, VAX_DOM_VCPU_CUR, def->vals.v[VAX_DOM_VCPU_MAX]);
		free(cur);
	}
	if (parse_vcpus(root, vcpu, def) < 0)
		goto oom;
	if (vax_xml_child(root, "memory"))
		parse_memory(vax_xml_child(root, "memory"), &def->vals, VAX_DOM_MEM_MAX);
	if (vax_xml_child(root, "currentMemory"))
		parse_memory(vax_xml_child(root, "currentMemory"), &def->vals, VAX_DOM_MEM_CUR);

	devs = vax_xml_child(root, "devices");
	PARSE_DEVICES(devs, "disk", def->disks, def->ndisks, parse_disk);
	PARSE_DEVICES(devs, "interface", def->nics, def->nnics, parse_nic);
	goto out;
oom:
	snprintf(err, errlen, "out of memory parsing domain XML");
	vax_domdef_unref(def);
	def = NULL;
out:
	xmlFreeDoc(doc);
	return def;
}
