/* libvirt_xml.h - the few libxml2 helpers every reader of libvirt's XML
 * (domains, pools, networks) uses. Pure: libxml2 on a string. */
#ifndef VAX_LIBVIRT_XML_H
#define VAX_LIBVIRT_XML_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

/* Parse a document (no network, no messages on stderr); NULL with a
 * one-line reason in err ("WHAT XML does not parse: ..."). */
xmlDocPtr vax_xml_read(const char *xml, size_t len, const char *what, char *err, size_t errlen);
bool vax_xml_is(const xmlNode *n, const char *name);
/* The first child element of that name; NULL if none (or n is NULL). */
const xmlNode *vax_xml_child(const xmlNode *n, const char *name);
/* An attribute or an element's text as a malloc'ed string, NULL when
 * absent or empty. */
char *vax_xml_attr(const xmlNode *n, const char *name);
char *vax_xml_text(const xmlNode *n);

#endif
