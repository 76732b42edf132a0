/* mib_table.c - (column, index) -> value of a snapshot, for any MIB view.
 *
 * Tables are lists of columns over sorted rows; GET is a binary search on
 * the row index, GETNEXT a binary search for the first row after the
 * requested index, so any table size costs O(log n) per request.
 */
#include "config.h"

#include <string.h>

#include "mib_table.h"
#include "utf8.h"

#define ENTRY 1   /* xxxEntry under xxxTable, in every MIB */

int vax_oid_cmp(const uint32_t *a, size_t alen, const uint32_t *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;

	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return (alen > blen) - (alen < blen);
}

/* ---- value helpers ---- */

/* Outside Integer32 the cell is absent: net-snmp would cut it to 32
 * bits, a silent wrong number. */
bool vax_v_integer(struct vax_value *v, int64_t i)
{
	if (i < INT32_MIN || i > INT32_MAX)
		return false;
	*v = (struct vax_value){ .type = VAX_T_INTEGER, .i = i };
	return true;
}

bool vax_v_gauge(struct vax_value *v, uint64_t u)
{
	*v = (struct vax_value){ .type = VAX_T_GAUGE32, .u = u > UINT32_MAX ? UINT32_MAX : u };
	return true;
}

bool vax_v_counter64(struct vax_value *v, uint64_t u)
{
	*v = (struct vax_value){ .type = VAX_T_COUNTER64, .u = u };
	return true;
}

bool vax_v_octets(struct vax_value *v, const void *s, size_t len)
{
	*v = (struct vax_value){ .type = VAX_T_OCTETS, .s = s, .len = len };
	return true;
}

void vax_varbind_name(struct vax_varbind *vb, const uint32_t *prefix, size_t plen,
		      const uint32_t *tail, size_t tlen)
{
	memcpy(vb->oid, prefix, plen * sizeof(*prefix));
	if (tlen)   /* memcpy from NULL is undefined even for 0 bytes */
		memcpy(vb->oid + plen, tail, tlen * sizeof(*tail));
	vb->len = plen + tlen;
}

void vax_varbind_trap_oid(struct vax_varbind *vb, const uint32_t *root, size_t root_len,
			  uint32_t n, uint32_t *storage)
{
	static const uint32_t name[] = { VAX_SNMP_TRAP_OID };

	memcpy(storage, root, root_len * sizeof(*root));
	storage[root_len] = 0;   /* NOTIFICATION-TYPEs under ROOT.0 (SMIv2) */
	storage[root_len + 1] = n;
	vax_varbind_name(vb, name, VAX_N(name), NULL, 0);
	vb->val = (struct vax_value){ .type = VAX_T_OID, .s = storage, .len = root_len + 2 };
}

bool vax_v_ifindex(struct vax_value *v, const struct vax_nic_vals *vals, int field)
{
	return vax_v_integer(v, vax_has(vals, field) && vals->v[field] <= INT32_MAX
			     ? (int64_t)vals->v[field] : 0);
}

bool vax_v_text(struct vax_value *v, const char *s, size_t max)
{
	return s && vax_v_octets(v, s, vax_utf8_prefix(s, max));
}

bool vax_v_number_(struct vax_value *v, enum vax_type type, uint64_t have,
		   const uint64_t *vals, size_t n, int field)
{
	if (!vax_has_(have, n, field))
		return false;
	uint64_t u = vals[field];
	switch (type) {
	case VAX_T_INTEGER:
		return u <= INT32_MAX && vax_v_integer(v, (int64_t)u);
	case VAX_T_GAUGE32:
		return vax_v_gauge(v, u);
	default:
		return vax_v_counter64(v, u);
	}
}

/* ---- rows ---- */

size_t vax_mib_dom_nrows(const struct vax_snapshot *s) { return s->ndomains; }
struct vax_row vax_mib_dom_row(const struct vax_snapshot *s, size_t i)
{
	return (struct vax_row){ .dom = &s->domains[i] };
}
size_t vax_mib_vcpu_nrows(const struct vax_snapshot *s) { return s->nvcpu_rows; }
struct vax_row vax_mib_vcpu_row(const struct vax_snapshot *s, size_t i) { return s->vcpu_rows[i]; }
size_t vax_mib_disk_nrows(const struct vax_snapshot *s) { return s->ndisk_rows; }
struct vax_row vax_mib_disk_row(const struct vax_snapshot *s, size_t i) { return s->disk_rows[i]; }
size_t vax_mib_nic_nrows(const struct vax_snapshot *s) { return s->nnic_rows; }
struct vax_row vax_mib_nic_row(const struct vax_snapshot *s, size_t i) { return s->nic_rows[i]; }
size_t vax_mib_addr_nrows(const struct vax_snapshot *s) { return s->naddr_rows; }
struct vax_row vax_mib_addr_row(const struct vax_snapshot *s, size_t i) { return s->addr_rows[i]; }
size_t vax_mib_fs_nrows(const struct vax_snapshot *s) { return s->nfs_rows; }
struct vax_row vax_mib_fs_row(const struct vax_snapshot *s, size_t i) { return s->fs_rows[i]; }
size_t vax_mib_pool_nrows(const struct vax_snapshot *s) { return s->npool_rows; }
struct vax_row vax_mib_pool_row(const struct vax_snapshot *s, size_t i) { return s->pool_rows[i]; }
size_t vax_mib_net_nrows(const struct vax_snapshot *s) { return s->nnet_rows; }
struct vax_row vax_mib_net_row(const struct vax_snapshot *s, size_t i) { return s->net_rows[i]; }

/* ---- lookups ---- */

static size_t row_key(const struct vax_table *t, const struct vax_row *r, uint32_t key[3])
{
	key[0] = r->dom ? r->dom->index : r->sub;   /* a pool or network: sub */
	key[1] = r->sub;
	key[2] = r->sub2;
	return t->nidx;
}

/* First row whose index is greater than idx (OID order), or nrows. */
static size_t first_after(const struct vax_table *t, const struct vax_snapshot *s,
			  const uint32_t *idx, size_t len)
{
	size_t lo = 0, hi = t->nrows(s);
	uint32_t key[3];

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct vax_row r = t->row(s, mid);
		size_t klen = row_key(t, &r, key);
		if (vax_oid_cmp(key, klen, idx, len) > 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static const struct vax_table *find_table(const struct vax_mibdef *m, uint32_t id)
{
	for (size_t i = 0; i < m->ntables; i++)
		if (m->tables[i].id == id)
			return &m->tables[i];
	return NULL;
}

const struct vax_column *vax_mib_column(const struct vax_table *t, uint32_t id)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (t->cols[i].id == id)
			return &t->cols[i];
	return NULL;
}

enum vax_lookup vax_mib_get(const struct vax_mibdef *m, const struct vax_view *view,
			    const uint32_t *sub, size_t len, struct vax_value *val)
{
	const struct vax_table *t;
	const struct vax_column *c;
	uint32_t key[3];
	size_t i;

	for (i = 0; i < m->nscalars; i++) {
		const struct vax_scalar *sc = &m->scalars[i];
		if (len < sc->len || vax_oid_cmp(sub, sc->len, sc->oid, sc->len) != 0)
			continue;
		if (len != sc->len + 1 || sub[sc->len] != 0)
			return VAX_NO_INSTANCE;
		return m->scalar(view, sc->id, val) ? VAX_FOUND : VAX_NO_INSTANCE;
	}
	if (len < 4 || sub[0] != m->objects || !(t = find_table(m, sub[1])) ||
	    sub[2] != ENTRY || !(c = vax_mib_column(t, sub[3])))
		return VAX_NO_OBJECT;
	if (len != 4 + t->nidx)
		return VAX_NO_INSTANCE;
	/* The row is the one just before the first row after the index. */
	i = first_after(t, view->snap, sub + 4, t->nidx);
	if (i == 0)
		return VAX_NO_INSTANCE;
	struct vax_row r = t->row(view->snap, i - 1);
	size_t klen = row_key(t, &r, key);
	if (vax_oid_cmp(key, klen, sub + 4, t->nidx) != 0)
		return VAX_NO_INSTANCE;
	return c->get(view, &r, c, val) ? VAX_FOUND : VAX_NO_INSTANCE;
}

static bool next_in_table(const struct vax_mibdef *m, const struct vax_view *view,
			  const struct vax_table *t, const uint32_t *sub, size_t len,
			  uint32_t *out, size_t *outlen, struct vax_value *val)
{
	const struct vax_snapshot *s = view->snap;
	size_t nrows = t->nrows(s);

	for (size_t ci = 0; ci < t->ncols; ci++) {
		const struct vax_column *c = &t->cols[ci];
		const uint32_t prefix[] = { m->objects, t->id, ENTRY, c->id };
		size_t start;

		if (len >= 4 && vax_oid_cmp(sub, 4, prefix, 4) == 0)
			start = first_after(t, s, sub + 4, len - 4);
		else if (vax_oid_cmp(sub, len, prefix, 4) < 0)
			start = 0;
		else
			continue;   /* the request is past this column */
		/* Cells a driver does not provide are skipped. */
		for (size_t i = start; i < nrows; i++) {
			struct vax_row r = t->row(s, i);
			uint32_t key[3];
			if (!c->get(view, &r, c, val))
				continue;
			size_t klen = row_key(t, &r, key);
			memcpy(out, prefix, sizeof(prefix));
			memcpy(out + 4, key, klen * sizeof(*key));
			*outlen = 4 + klen;
			return true;
		}
	}
	return false;
}

bool vax_mib_next(const struct vax_mibdef *m, const struct vax_view *view,
		  const uint32_t *sub, size_t len, uint32_t *out, size_t *outlen,
		  struct vax_value *val)
{
	uint32_t oid[5];
	size_t olen = 0;
	struct vax_value sval;

	/* The first scalar after sub that has a value ... */
	for (size_t i = 0; i < m->nscalars && !olen; i++) {
		const struct vax_scalar *sc = &m->scalars[i];
		memcpy(oid, sc->oid, sc->len * sizeof(*oid));
		oid[sc->len] = 0;
		if (vax_oid_cmp(oid, sc->len + 1, sub, len) > 0 && m->scalar(view, sc->id, &sval))
			olen = sc->len + 1;
	}
	/* ... or the first table cell after sub, whichever comes first:
	 * scalars may follow the tables (virtHost). */
	for (size_t i = 0; i < m->ntables; i++) {
		if (olen && vax_oid_cmp((const uint32_t[]){ m->objects, m->tables[i].id }, 2,
					oid, olen) > 0)
			break;   /* this table and the next ones come after the scalar */
		if (next_in_table(m, view, &m->tables[i], sub, len, out, outlen, val) &&
		    (!olen || vax_oid_cmp(out, *outlen, oid, olen) < 0))
			return true;
	}
	if (!olen)
		return false;
	memcpy(out, oid, olen * sizeof(*oid));
	*outlen = olen;
	*val = sval;
	return true;
}
