/* dump-stats.c - write libvirt's bulk stats records as fuzz_stats inputs.
 *
 *   dump-stats URI DIR PREFIX [all]
 *
 * For every domain on URI: its XML through vax_domxml_parse (the disks
 * and NICs the collector would have) and its virConnectGetAllDomainStats
 * record (the collector's groups, or every group with "all"), written to
 * DIR/PREFIX-NAME in stats_input.h's format with libvirt's own types.
 * Not part of the build: tests/fuzz/make-seeds.sh builds and runs it
 * (make tests/fuzz/dump-stats) to refresh the committed seeds.
 */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>

#include "libvirt_domxml.h"

/* A name safe in a file name: a run of other bytes becomes one '_'. */
static void safe(char *out, size_t len, const char *name)
{
	size_t o = 0;

	for (size_t i = 0; name[i] && o + 1 < len; i++) {
		bool ok = isalnum((unsigned char)name[i]) || name[i] == '-';
		if (ok)
			out[o++] = name[i];
		else if (!o || out[o - 1] != '_')
			out[o++] = '_';
	}
	out[o] = '\0';
}

static void one_line(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s == '\n' ? ' ' : *s, f);
}

static void write_param(FILE *f, const virTypedParameter *p)
{
	switch (p->type) {
	case VIR_TYPED_PARAM_INT: fprintf(f, "i %s=%d\n", p->field, p->value.i); break;
	case VIR_TYPED_PARAM_UINT: fprintf(f, "u %s=%u\n", p->field, p->value.ui); break;
	case VIR_TYPED_PARAM_LLONG: fprintf(f, "l %s=%lld\n", p->field, p->value.l); break;
	case VIR_TYPED_PARAM_ULLONG: fprintf(f, "L %s=%llu\n", p->field, p->value.ul); break;
	case VIR_TYPED_PARAM_DOUBLE: fprintf(f, "d %s=%.17g\n", p->field, p->value.d); break;
	case VIR_TYPED_PARAM_BOOLEAN: fprintf(f, "b %s=%d\n", p->field, p->value.b); break;
	case VIR_TYPED_PARAM_STRING:
		fprintf(f, "s %s=", p->field);
		one_line(f, p->value.s ? p->value.s : "");
		fputc('\n', f);
		break;
	default: fprintf(f, "? %s=%llu\n", p->field, p->value.ul); break;
	}
}

static int dump(virDomainStatsRecordPtr rec, const char *dir, const char *prefix)
{
	char path[4096], name[128], err[256];
	char *xml = virDomainGetXMLDesc(rec->dom, 0);
	struct vax_domdef *def = xml ? vax_domxml_parse(xml, strlen(xml), err, sizeof(err)) : NULL;
	FILE *f;

	free(xml);
	safe(name, sizeof(name), virDomainGetName(rec->dom));
	snprintf(path, sizeof(path), "%s/%s-%s", dir, prefix, name);
	if (!(f = fopen(path, "w"))) {
		perror(path);
		vax_domdef_unref(def);
		return -1;
	}
	fprintf(f, "# %s: virConnectGetAllDomainStats record of a real domain (dump-stats.c)\n",
		prefix);
	for (size_t i = 0; def && i < def->ndisks; i++) {
		fputs(def->disks[i].source ? "D " : "C ", f);
		one_line(f, def->disks[i].target ? def->disks[i].target : "");
		fputc('\n', f);
	}
	for (size_t i = 0; def && i < def->nnics; i++) {
		fputs("N ", f);
		one_line(f, def->nics[i].target ? def->nics[i].target : "");
		fputc('\n', f);
	}
	for (int i = 0; i < rec->nparams; i++)
		write_param(f, &rec->params[i]);
	vax_domdef_unref(def);
	if (fclose(f) != 0) {
		perror(path);
		return -1;
	}
	printf("%s\n", path);
	return 0;
}

int main(int argc, char **argv)
{
	/* The collector's groups (collector.c) */
	unsigned groups = VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_CPU_TOTAL |
		VIR_DOMAIN_STATS_BALLOON | VIR_DOMAIN_STATS_VCPU |
		VIR_DOMAIN_STATS_INTERFACE | VIR_DOMAIN_STATS_BLOCK;
	virDomainStatsRecordPtr *recs = NULL;
	virConnectPtr conn;
	int n, rc = 0;

	if (argc < 4 || argc > 5 || (argc == 5 && strcmp(argv[4], "all") != 0)) {
		fprintf(stderr, "usage: %s URI DIR PREFIX [all]\n", argv[0]);
		return 2;
	}
	if (argc == 5)
		groups = 0;   /* every group the driver has */
	if (!(conn = virConnectOpenReadOnly(argv[1])))
		return 1;
	n = virConnectGetAllDomainStats(conn, groups, &recs, 0);
	for (int i = 0; i < n; i++)
		rc |= dump(recs[i], argv[2], argv[3]) < 0;
	if (n < 0)
		rc = 1;
	virDomainStatsRecordListFree(recs);
	virConnectClose(conn);
	return rc;
}
