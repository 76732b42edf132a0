/* agentx_handler.c - GET and GETNEXT for the MIBs we serve, from a view
 * of the current snapshot (main thread; see agentx_handler.h). */
#include "config.h"

#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "agentx_handler.h"
#include "agentx_value.h"
#include "conf.h"
#include "mib_virtagentx.h"
#include "mib_vmmib.h"

static void (*get_view)(struct vax_view *view, bool fresh);

static void set_value(netsnmp_variable_list *vb, const struct vax_value *v)
{
	struct vax_asn a;

	vax_to_asn(v, &a);
	snmp_set_var_typed_value(vb, a.type, a.val, a.len);
}

/* A MIB we serve: its root and its view. Each registration's
 * my_reg_void points to one; a MIB may be registered as several
 * subtrees of its root (VM-MIB leaves two scalars to others). */
struct served_mib {
	const char *name;
	const uint32_t *root;
	const size_t *rootlen;
	enum vax_lookup (*get)(const struct vax_view *, const uint32_t *, size_t,
			       struct vax_value *);
	bool (*next)(const struct vax_view *, const uint32_t *, size_t, uint32_t *,
		     size_t *, struct vax_value *);
};

static struct served_mib virt_mib = { "virtAgentxMIB", vax_virt_root,
	&vax_virt_root_len, vax_virt_get, vax_virt_next };
static struct served_mib vm_mib = { "vmMIB", vax_vm_root,
	&vax_vm_root_len, vax_vm_get, vax_vm_next };

/* The request OID below the MIB's root. Returns false when it is not
 * under the root; *before is then set if it sorts before the root. */
static bool below_root(const struct served_mib *m, const oid *name, size_t len,
		       uint32_t *sub, size_t *sublen, bool *before)
{
	size_t n = *m->rootlen;

	*before = false;
	for (size_t i = 0; i < n; i++) {
		if (i >= len) {
			*before = true;
			return false;
		}
		if (name[i] != m->root[i]) {
			*before = name[i] < m->root[i];
			return false;
		}
	}
	if (len - n > VAX_MAX_OID - n)
		len = VAX_MAX_OID;   /* longer than anything we serve: still ordered */
	*sublen = len - n;
	for (size_t i = 0; i < *sublen; i++)
		sub[i] = (uint32_t)name[n + i];
	return true;
}

static int handler(netsnmp_mib_handler *h, netsnmp_handler_registration *reg,
		   netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
	const struct served_mib *m = reg->my_reg_void;
	const size_t rootlen = *m->rootlen;
	uint32_t sub[VAX_MAX_OID], next[VAX_MAX_OID], regsub[VAX_MAX_OID];
	oid out[VAX_MAX_OID + 16];
	size_t sublen = 0, nextlen, reglen;
	struct vax_value val;
	bool before, under;

	(void)h;
	/* This registration's subtree, below the MIB's root: GETNEXT starts
	 * there at the earliest and answers only inside it. */
	below_root(m, reg->rootoid, reg->rootoid_len, regsub, &reglen, &before);
	struct vax_view view;
	get_view(&view, reqinfo->mode == MODE_GET || reqinfo->mode == MODE_GETNEXT);

	for (netsnmp_request_info *r = requests; r; r = r->next) {
		netsnmp_variable_list *vb = r->requestvb;
		if (r->processed)
			continue;
		under = below_root(m, vb->name, vb->name_length, sub, &sublen, &before);
		switch (reqinfo->mode) {
		case MODE_GET:
			switch (under ? m->get(&view, sub, sublen, &val) : VAX_NO_OBJECT) {
			case VAX_FOUND:
				set_value(vb, &val);
				break;
			case VAX_NO_INSTANCE:
				netsnmp_set_request_error(reqinfo, r, SNMP_NOSUCHINSTANCE);
				break;
			default:
				netsnmp_set_request_error(reqinfo, r, SNMP_NOSUCHOBJECT);
			}
			break;
		case MODE_GETNEXT:
			if (!under && !before)
				break;   /* past our subtree: the next registration answers */
			if (!under || vax_oid_cmp(sub, sublen, regsub, reglen) < 0) {
				memcpy(sub, regsub, reglen * sizeof(*sub));
				sublen = reglen;
			}
			if (!m->next(&view, sub, sublen, next, &nextlen, &val) ||
			    nextlen < reglen || vax_oid_cmp(next, reglen, regsub, reglen) != 0)
				break;   /* nothing more in this registration */
			for (size_t i = 0; i < rootlen; i++)
				out[i] = m->root[i];
			for (size_t i = 0; i < nextlen; i++)
				out[rootlen + i] = next[i];
			snmp_set_var_objid(vb, out, rootlen + nextlen);
			set_value(vb, &val);
			break;
		default:
			/* Every object is read-only: no SET phase may change anything. */
			netsnmp_set_request_error(reqinfo, r, SNMP_ERR_NOTWRITABLE);
		}
	}
	return SNMP_ERR_NOERROR;
}

/* Register the subtree sub (below m's root) for m's view. */
static int register_subtree(struct served_mib *m, const uint32_t *sub, size_t len,
			    char *err, size_t errlen)
{
	oid root[VAX_MAX_OID];
	size_t n = *m->rootlen;
	netsnmp_handler_registration *reg;

	for (size_t i = 0; i < n; i++)
		root[i] = m->root[i];
	for (size_t i = 0; i < len; i++)
		root[n + i] = sub[i];
	reg = netsnmp_create_handler_registration(m->name, handler, root, n + len,
						  HANDLER_CAN_RONLY);
	if (reg)
		reg->my_reg_void = m;
	if (!reg || netsnmp_register_handler(reg) != MIB_REGISTERED_OK) {
		snprintf(err, errlen, "cannot register the %s subtree", m->name);
		return -1;
	}
	return 0;
}

int vax_handler_register(unsigned mibs, void (*view)(struct vax_view *view, bool fresh),
			 char *err, size_t errlen)
{
	get_view = view;
	if ((mibs & VAX_MIB_VIRT) && register_subtree(&virt_mib, NULL, 0, err, errlen) < 0)
		return -1;
	/* VM-MIB subtree by subtree: vmPerVMNotificationsEnabled (.1.9) and
	 * vmBulkNotificationsEnabled (.1.10) are not ours to answer. */
	for (size_t i = 0; (mibs & VAX_MIB_VM) && i < VAX_VM_NSUBTREES; i++)
		if (register_subtree(&vm_mib, vax_vm_subtrees[i], 2, err, errlen) < 0)
			return -1;
	return 0;
}
