/* libvirt_storage.c - storage pools and networks into model values (see
 * libvirt_storage.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libvirt_storage.h"
#include "libvirt_xml.h"

void vax_pool_from_info(struct vax_pool_vals *v, const virStoragePoolInfo *info)
{
	vax_set(v, VAX_POOL_STATE, (uint64_t)info->state);
	/* An inactive pool's numbers are what libvirt had when it stopped
	 * (both the storage and the test driver return them); virsh shows
	 * none, and neither do we: no capacity, so no used % either. */
	if (info->state == VIR_STORAGE_POOL_INACTIVE)
		return;
	vax_set(v, VAX_POOL_CAPACITY, info->capacity);
	vax_set(v, VAX_POOL_ALLOCATION, info->allocation);
	vax_set(v, VAX_POOL_AVAILABLE, info->available);
	vax_set(v, VAX_POOL_SOURCE, VAX_POOL_SRC_LIBVIRT);
}

bool vax_pool_from_statvfs(struct vax_pool_vals *v, const struct statvfs *st)
{
	uint64_t unit = st->f_frsize ? st->f_frsize : st->f_bsize;

	if (!unit || st->f_bfree > st->f_blocks || st->f_blocks > UINT64_MAX / unit)
		return false;
	vax_set(v, VAX_POOL_CAPACITY, st->f_blocks * unit);
	vax_set(v, VAX_POOL_AVAILABLE, st->f_bfree * unit);
	vax_set(v, VAX_POOL_ALLOCATION, (st->f_blocks - st->f_bfree) * unit);
	vax_set(v, VAX_POOL_SOURCE, VAX_POOL_SRC_FILESYSTEM);
	return true;
}

bool vax_pool_type_is_local_fs(const char *type)
{
	/* libvirt's filesystem backends, all refreshed with statvfs. */
	static const char *const fs[] = { "dir", "fs", "netfs" };

	for (size_t i = 0; type && i < sizeof(fs) / sizeof(fs[0]); i++)
		if (strcmp(type, fs[i]) == 0)
			return true;
	return false;
}

bool vax_uri_is_local(const char *uri)
{
	const char *p = uri ? strstr(uri, "://") : NULL;

	return !p || p[3] == '/' || p[3] == '\0';
}

/* The root element named root, or NULL with err set. */
static const xmlNode *root_of(xmlDocPtr doc, const char *root, char *err, size_t errlen)
{
	const xmlNode *r = xmlDocGetRootElement(doc);

	if (r && vax_xml_is(r, root))
		return r;
	snprintf(err, errlen, "root element is not <%s>", root);
	return NULL;
}

int vax_pool_parse_xml(const char *xml, size_t len, struct vax_pool *p, char *err, size_t errlen)
{
	xmlDocPtr doc = vax_xml_read(xml, len, "pool", err, errlen);
	const xmlNode *r;

	if (!doc)
		return -1;
	if ((r = root_of(doc, "pool", err, errlen))) {
		p->type = vax_xml_attr(r, "type");
		p->target = vax_xml_text(vax_xml_child(vax_xml_child(r, "target"), "path"));
	}
	xmlFreeDoc(doc);
	return r ? 0 : -1;
}

int vax_net_parse_xml(const char *xml, size_t len, struct vax_network *n, char *err, size_t errlen)
{
	xmlDocPtr doc = vax_xml_read(xml, len, "network", err, errlen);
	const xmlNode *r, *fwd;

	if (!doc)
		return -1;
	if ((r = root_of(doc, "network", err, errlen))) {
		n->bridge = vax_xml_attr(vax_xml_child(r, "bridge"), "name");
		/* <forward> without a mode is NAT, libvirt's default. */
		if ((fwd = vax_xml_child(r, "forward")) && !(n->forward = vax_xml_attr(fwd, "mode")))
			n->forward = strdup("nat");
		else if (!fwd)
			n->forward = strdup("none");
	}
	xmlFreeDoc(doc);
	return r ? 0 : -1;
}
