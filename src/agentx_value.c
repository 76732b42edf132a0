/* agentx_value.c - view values to net-snmp's types (see agentx_value.h). */
#include "config.h"

#include "agentx_value.h"

void vax_to_asn(const struct vax_value *v, struct vax_asn *a)
{
	size_t n;

	switch (v->type) {
	case VAX_T_INTEGER:
		a->buf.l = (long)v->i;
		a->type = ASN_INTEGER, a->val = &a->buf.l, a->len = sizeof(a->buf.l);
		break;
	case VAX_T_GAUGE32:
		a->buf.g = (u_long)v->u;
		a->type = ASN_GAUGE, a->val = &a->buf.g, a->len = sizeof(a->buf.g);
		break;
	case VAX_T_COUNTER64:
		a->buf.c64.high = (u_long)(v->u >> 32);
		a->buf.c64.low = (u_long)(v->u & 0xFFFFFFFFu);
		a->type = ASN_COUNTER64, a->val = &a->buf.c64, a->len = sizeof(a->buf.c64);
		break;
	case VAX_T_TIMETICKS:
		a->buf.g = (u_long)(v->u & 0xFFFFFFFFu);
		a->type = ASN_TIMETICKS, a->val = &a->buf.g, a->len = sizeof(a->buf.g);
		break;
	case VAX_T_OCTETS:
		a->type = ASN_OCTET_STR, a->val = v->s, a->len = v->len;
		break;
	case VAX_T_OID:
		n = v->len < VAX_MAX_OID ? v->len : VAX_MAX_OID;
		for (size_t k = 0; k < n; k++)
			a->buf.o[k] = ((const uint32_t *)v->s)[k];
		a->type = ASN_OBJECT_ID, a->val = a->buf.o, a->len = n * sizeof(oid);
		break;
	}
}

netsnmp_variable_list *vax_varbind_list(const struct vax_varbind *vb, size_t n)
{
	netsnmp_variable_list *vars = NULL;
	oid name[VAX_MAX_OID];
	struct vax_asn a;

	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < vb[i].len; k++)
			name[k] = vb[i].oid[k];
		vax_to_asn(&vb[i].val, &a);
		if (!snmp_varlist_add_variable(&vars, name, vb[i].len, a.type, a.val, a.len)) {
			snmp_free_varbind(vars);
			return NULL;
		}
	}
	return vars;
}
