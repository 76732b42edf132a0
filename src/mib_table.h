/* mib_table.h - the lookup machinery every MIB view shares: scalars and
 * tables of a snapshot, GET and GETNEXT by binary search over sorted rows.
 *
 * A view (mib_virtagentx.c, mib_vmmib.c) only describes its objects: which scalars
 * and which columns, and how each cell is read from the snapshot. Pure:
 * it reads only the snapshot and the clock it is given. */
#ifndef VAX_MIB_TABLE_H
#define VAX_MIB_TABLE_H

#include "mib.h"

struct vax_column {
	uint32_t id;
	enum vax_type type;
	int field;            /* for numeric columns, -1 otherwise */
	bool (*get)(const struct vax_view *w, const struct vax_row *r,
		    const struct vax_column *c, struct vax_value *v);
};

struct vax_table {
	uint32_t id;          /* under the MIB's objects node */
	size_t nidx;          /* index sub-ids: 1 (domain), 2 (+ sub), 3 (+ sub2) */
	const struct vax_column *cols;   /* in column order */
	size_t ncols;
	size_t (*nrows)(const struct vax_snapshot *s);
	struct vax_row (*row)(const struct vax_snapshot *s, size_t i);
};

/* A scalar: its OID below the MIB root without the final .0. */
struct vax_scalar {
	uint32_t oid[4];
	size_t len;
	uint32_t id;          /* passed to vax_mibdef.scalar */
};

/* One MIB's objects: scalars and tables each in OID order; scalars may
 * sort before or after tables (virtHost follows VIRT-AGENTX-MIB's). */
struct vax_mibdef {
	uint32_t objects;     /* sub-id of the objects node under the root */
	const struct vax_scalar *scalars;
	size_t nscalars;
	bool (*scalar)(const struct vax_view *w, uint32_t id, struct vax_value *v);
	const struct vax_table *tables;
	size_t ntables;
};

/* OID below the root (sub, len) -> value. */
enum vax_lookup vax_mib_get(const struct vax_mibdef *m, const struct vax_view *view,
			    const uint32_t *sub, size_t len, struct vax_value *val);
/* The first served instance after sub (*outlen sub-ids, at most
 * VAX_MAX_OID); false past the end of the MIB. */
bool vax_mib_next(const struct vax_mibdef *m, const struct vax_view *view,
		  const uint32_t *sub, size_t len, uint32_t *out, size_t *outlen,
		  struct vax_value *val);
const struct vax_column *vax_mib_column(const struct vax_table *t, uint32_t id);

/* Row lists of a snapshot, for vax_table.nrows and .row. */
size_t vax_mib_dom_nrows(const struct vax_snapshot *s);
struct vax_row vax_mib_dom_row(const struct vax_snapshot *s, size_t i);
size_t vax_mib_vcpu_nrows(const struct vax_snapshot *s);
struct vax_row vax_mib_vcpu_row(const struct vax_snapshot *s, size_t i);
size_t vax_mib_disk_nrows(const struct vax_snapshot *s);
struct vax_row vax_mib_disk_row(const struct vax_snapshot *s, size_t i);
size_t vax_mib_nic_nrows(const struct vax_snapshot *s);
struct vax_row vax_mib_nic_row(const struct vax_snapshot *s, size_t i);
size_t vax_mib_addr_nrows(const struct vax_snapshot *s);   /* guest addresses */
struct vax_row vax_mib_addr_row(const struct vax_snapshot *s, size_t i);
size_t vax_mib_fs_nrows(const struct vax_snapshot *s);     /* guest filesystems */
struct vax_row vax_mib_fs_row(const struct vax_snapshot *s, size_t i);
size_t vax_mib_pool_nrows(const struct vax_snapshot *s);   /* storage pools */
struct vax_row vax_mib_pool_row(const struct vax_snapshot *s, size_t i);
size_t vax_mib_net_nrows(const struct vax_snapshot *s);    /* libvirt networks */
struct vax_row vax_mib_net_row(const struct vax_snapshot *s, size_t i);

/* ---- for the views' getters ---- */

#define VAX_UNUSED __attribute__((unused))
#define VAX_N(a) (sizeof(a) / sizeof((a)[0]))

/* The definition of a disk or NIC row's device (r->sub counts from 1),
 * and its values. */
static inline const struct vax_disk_def *vax_row_disk_def(const struct vax_row *r)
{
	return &r->dom->def->disks[r->sub - 1];
}
static inline const struct vax_disk_vals *vax_row_disk_vals(const struct vax_row *r)
{
	return &r->dom->disks[r->sub - 1].vals;
}
static inline const struct vax_nic_def *vax_row_nic_def(const struct vax_row *r)
{
	return &r->dom->def->nics[r->sub - 1];
}
static inline const struct vax_nic_vals *vax_row_nic_vals(const struct vax_row *r)
{
	return &r->dom->nics[r->sub - 1].vals;
}

/* ---- notification varbinds, for the views' notification builders ---- */

/* A varbind's name: prefix then tail (tlen may be 0). */
void vax_varbind_name(struct vax_varbind *vb, const uint32_t *prefix, size_t plen,
		      const uint32_t *tail, size_t tlen);
/* snmpTrapOID.0 = ROOT.0.n, the value built in storage (root_len + 2
 * sub-ids, which must outlive the varbind: static in the views). */
void vax_varbind_trap_oid(struct vax_varbind *vb, const uint32_t *root, size_t root_len,
			  uint32_t n, uint32_t *storage);

/* ---- value helpers: each fills v and returns true, or false (absent) ---- */

#define VAX_DISPLAY_MAX 255     /* DisplayString, SnmpAdminString */

bool vax_v_integer(struct vax_value *v, int64_t i);
bool vax_v_gauge(struct vax_value *v, uint64_t u);      /* capped at 2^32-1 */
bool vax_v_counter64(struct vax_value *v, uint64_t u);
bool vax_v_octets(struct vax_value *v, const void *s, size_t len);
/* InterfaceIndexOrZero: a host ifIndex, 0 when IF-MIB has no row for
 * the device on this host (not known, or not a host interface). */
bool vax_v_ifindex(struct vax_value *v, const struct vax_nic_vals *vals, int field);
/* Text cut at a character boundary to at most max bytes; NULL: absent. */
bool vax_v_text(struct vax_value *v, const char *s, size_t max);
/* A number of a value set (any entity's: see vax_vals), typed as the
 * column says; an INTEGER above 2^31-1 is absent. */
#define vax_v_number(v, type, vals, field) \
	vax_v_number_((v), (type), (vals)->have, (vals)->v, VAX_NVALS(vals), (field))
bool vax_v_number_(struct vax_value *v, enum vax_type type, uint64_t have,
		   const uint64_t *vals, size_t n, int field);

#endif
