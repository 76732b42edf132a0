/* libvirt_xml.c - libxml2 helpers for libvirt's XML (see libvirt_xml.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "libvirt_xml.h"

xmlDocPtr vax_xml_read(const char *xml, size_t len, const char *what, char *err, size_t errlen)
{
	xmlDocPtr doc;

	if (len > (size_t)0x7fffffff) {
		snprintf(err, errlen, "%s XML too large (%zu bytes)", what, len);
		return NULL;
	}
	doc = xmlReadMemory(xml, (int)len, "libvirt.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc) {
		const xmlError *e = xmlGetLastError();
		snprintf(err, errlen, "%s XML does not parse: %s", what,
			 e && e->message ? e->message : "unknown error");
		/* libxml2's messages end in a newline and some hold more
		 * ("...encoding !\nBytes: 0xFF 0x6E..."): one log line each. */
		for (char *p = err; *p; p++)
			if (*p == '\n' || *p == '\r' || *p == '\t')
				*p = ' ';
		for (size_t n = strlen(err); n && err[n - 1] == ' '; n--)
			err[n - 1] = '\0';
	}
	return doc;
}

bool vax_xml_is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

const xmlNode *vax_xml_child(const xmlNode *n, const char *name)
{
	for (const xmlNode *c = n ? n->children : NULL; c; c = c->next)
		if (vax_xml_is(c, name))
			return c;
	return NULL;
}

static char *dup_nonempty(xmlChar *v)
{
	char *s = v && *v ? strdup((const char *)v) : NULL;

	xmlFree(v);
	return s;
}

char *vax_xml_attr(const xmlNode *n, const char *name)
{
	return dup_nonempty(n ? xmlGetProp(n, (const xmlChar *)name) : NULL);
}

char *vax_xml_text(const xmlNode *n)
{
	return dup_nonempty(n ? xmlNodeGetContent(n) : NULL);
}
