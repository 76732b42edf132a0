/* collector_xml.c - the cache of parsed domain XML (worker thread): a
 * domain's XML is fetched again only when it is new, restarted or changed. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collector_int.h"
#include "libvirt_state.h"
#include "log.h"
#include "utf8.h"

/* ---- XML cache ---- */

int col_cmp_xml(const void *a, const void *b)
{
	return strcmp(((const struct xml_entry *)a)->uuid,
		      ((const struct xml_entry *)b)->uuid);
}

struct xml_entry *col_xml_find(struct xml_entry *v, size_t n, const char *uuid)
{
	struct xml_entry key;

	memcpy(key.uuid, uuid, sizeof(key.uuid));
	return n ? bsearch(&key, v, n, sizeof(*v), col_cmp_xml) : NULL;
}

/* name: as served (valid UTF-8), for the log. *unparsable: the XML came
 * and did not parse. */
struct vax_domdef *col_fetch_def(virDomainPtr dom, const char *name, bool *unparsable)
{
	char err[256];
	struct vax_domdef *def;
	char *xml = virDomainGetXMLDesc(dom, 0), *clean;

	*unparsable = false;
	if (!xml) {
		vax_debug("collector", "no XML for %s: %s", name, col_last_error());
		return NULL;
	}
	/* libvirt's XML has no encoding declaration (it is UTF-8) but
	 * carries a name's bytes as they are, and virDomainRename takes any:
	 * one byte that is not UTF-8 made libxml2 refuse the whole document,
	 * so the domain lost its devices. Made valid as the name is served. */
	clean = vax_utf8_dup(xml);
	free(xml);
	if (!clean)
		return NULL;
	def = vax_domxml_parse(clean, strlen(clean), err, sizeof(err));
	if (!def) {
		vax_warn("domain %s: %s; its devices are not shown until it changes",
			 name, err);
		*unparsable = true;
	}
	free(clean);
	return def;
}

void col_drop_invalid_xml(struct vax_collector *c)
{
	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < c->ninvalid; i++) {
		struct xml_entry *e = col_xml_find(c->xml, c->nxml, c->invalid[i]);
		if (e) {
			vax_domdef_unref(e->def);
			e->def = NULL;
			e->unparsable = false;
		}
	}
	c->ninvalid = 0;
	pthread_mutex_unlock(&c->lock);
}
