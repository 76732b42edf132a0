/* mib_virt.c - VIRT-AGENTX-MIB: (column, index) -> value of a snapshot.
 *
 * Tables are lists of columns over sorted rows; GET is a binary search on
 * the row index, GETNEXT a binary search for the first row after the
 * requested index, so any table size costs O(log n) per request. Column and
 * object numbers follow mibs/VIRT-AGENTX-MIB.txt.
 */
#include "config.h"

#include <string.h>

#include "events.h"
#include "index.h"
#include "mib_virt.h"

const uint32_t vax_virt_root[] = { VAX_VIRT_ROOT };
const size_t vax_virt_root_len = sizeof(vax_virt_root) / sizeof(vax_virt_root[0]);

enum { OBJECTS = 1, SCALARS = 1, ENTRY = 1 };
#define DISPLAY_MAX 255     /* DisplayString */
#define UNUSED __attribute__((unused))
#define UTF8_MAX 1024       /* VirtUtf8String */

int vax_oid_cmp(const uint32_t *a, size_t alen, const uint32_t *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;

	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return (alen > blen) - (alen < blen);
}

/* ---- value helpers ---- */

static bool integer(struct vax_value *v, int64_t i)
{
	*v = (struct vax_value){ .type = VAX_T_INTEGER, .i = i };
	return true;
}

static bool gauge(struct vax_value *v, uint64_t u)
{
	*v = (struct vax_value){ .type = VAX_T_GAUGE32, .u = u > UINT32_MAX ? UINT32_MAX : u };
	return true;
}

static bool octets(struct vax_value *v, const void *s, size_t len)
{
	*v = (struct vax_value){ .type = VAX_T_OCTETS, .s = s, .len = len };
	return true;
}

/* Text, cut at a character boundary to fit the object's SIZE. */
static bool text(struct vax_value *v, const char *s, size_t max)
{
	return s && octets(v, s, vax_utf8_prefix(s, max));
}

static bool display(struct vax_value *v, const char *s) { return text(v, s, DISPLAY_MAX); }
static bool utf8(struct vax_value *v, const char *s) { return text(v, s, UTF8_MAX); }

/* A number from a value set (any entity's: see vax_vals), typed as the
 * column says. */
#define number(v, type, vals, field) \
	number_((v), (type), (vals)->have, (vals)->v, VAX_NVALS(vals), (field))

static bool number_(struct vax_value *v, enum vax_type type, uint64_t have,
		    const uint64_t *vals, size_t n, int field)
{
	if (!vax_has_(have, n, field))
		return false;
	uint64_t u = vals[field];
	switch (type) {
	case VAX_T_INTEGER:
		return u <= INT32_MAX && integer(v, (int64_t)u);
	case VAX_T_GAUGE32:
		return gauge(v, u);
	default:
		*v = (struct vax_value){ .type = VAX_T_COUNTER64, .u = u };
		return true;
	}
}

static bool truth(struct vax_value *v, const struct vax_vals *vals, int field)
{
	return vax_has(vals, field) && integer(v, vals->v[field] ? 1 : 2);
}

/* ---- scalars (virtScalars.N.0) ---- */

static bool scalar(const struct vax_view *view, uint32_t id, struct vax_value *v)
{
	const struct vax_snapshot *s = view->snap;
	int64_t age;

	switch (id) {
	case 1: return display(v, s->hostname);
	case 2: return display(v, s->hv_type);
	case 3: return display(v, s->hv_version);
	case 4: return display(v, s->lib_version);
	case 5: return display(v, PACKAGE_VERSION);
	case 6: return integer(v, s->conn);
	case 7: return gauge(v, s->ndomains);
	case 8: return integer(v, view->cache_timeout);
	case 9:
		if (!s->taken_ms)
			return false;   /* nothing gathered yet */
		age = view->now_ms - s->taken_ms;
		return gauge(v, age < 0 ? 0 : (uint64_t)age);
	case 10: return s->refresh_count && gauge(v, s->refresh_ms);
	case 11: *v = (struct vax_value){ .type = VAX_T_COUNTER64, .u = s->refresh_count };
		return true;
	case 12: *v = (struct vax_value){ .type = VAX_T_COUNTER64, .u = s->refresh_errors };
		return true;
	case 13: return utf8(v, s->uri);
	case 14: return s->refresh_count && gauge(v, s->refresh_calls);
	}
	return false;
}
#define NSCALARS 14

/* ---- tables ---- */

struct column {
	uint32_t id;
	enum vax_type type;
	int field;            /* for numeric columns, -1 otherwise */
	bool (*get)(const struct vax_view *w, const struct vax_row *r,
		    const struct column *c, struct vax_value *v);
};

struct table {
	uint32_t id;          /* under virtObjects */
	size_t nidx;          /* index sub-ids: 1 or 2 */
	const struct column *cols;
	size_t ncols;
	size_t (*nrows)(const struct vax_snapshot *s);
	struct vax_row (*row)(const struct vax_snapshot *s, size_t i);
};

static const struct vax_domdef *def(const struct vax_row *r) { return r->dom->def; }
static const struct vax_disk_def *disk_def(const struct vax_row *r) { return &def(r)->disks[r->sub - 1]; }
static const struct vax_nic_def *nic_def(const struct vax_row *r) { return &def(r)->nics[r->sub - 1]; }

static bool dom_num(const struct vax_view *w UNUSED, const struct vax_row *r,
		 const struct column *c, struct vax_value *v)
{
	return number(v, c->type, &r->dom->vals, c->field);
}

static bool dom_name(const struct vax_view *w UNUSED, const struct vax_row *r,
		 const struct column *c, struct vax_value *v)
{
	(void)c;
	return utf8(v, r->dom->name);
}

static bool dom_uuid(const struct vax_view *w UNUSED, const struct vax_row *r,
		 const struct column *c, struct vax_value *v)
{
	(void)c;
	return octets(v, r->dom->uuid, 36);
}

static bool dom_truth(const struct vax_view *w UNUSED, const struct vax_row *r,
		 const struct column *c, struct vax_value *v)
{
	return truth(v, &r->dom->vals, c->field);
}

static bool dom_ostype(const struct vax_view *w UNUSED, const struct vax_row *r,
		 const struct column *c, struct vax_value *v)
{
	(void)c;
	return display(v, def(r)->os_type);
}

static bool dom_used(const struct vax_view *w UNUSED, const struct vax_row *r,
		 const struct column *c, struct vax_value *v)
{
	uint64_t used;

	(void)c;
	return vax_domain_mem_used(r->dom, &used) &&
	       (*v = (struct vax_value){ .type = VAX_T_COUNTER64, .u = used }, true);
}

static bool dom_ndisks(const struct vax_view *w UNUSED, const struct vax_row *r,
		 const struct column *c, struct vax_value *v)
{
	(void)c;
	return def(r)->parsed && gauge(v, def(r)->ndisks);
}

static bool dom_nnics(const struct vax_view *w UNUSED, const struct vax_row *r,
		 const struct column *c, struct vax_value *v)
{
	(void)c;
	return def(r)->parsed && gauge(v, def(r)->nnics);
}

static bool dom_stats_age(const struct vax_view *w, const struct vax_row *r,
		 const struct column *c, struct vax_value *v)
{
	int64_t age = w->now_ms - r->dom->stats_ms;

	(void)c;
	return r->dom->stats_ms && gauge(v, age < 0 ? 0 : (uint64_t)age);
}

#define I VAX_T_INTEGER
#define G VAX_T_GAUGE32
#define C VAX_T_COUNTER64
#define S VAX_T_OCTETS
static const struct column dom_cols[] = {
	{ 2, S, -1, dom_name },
	{ 3, S, -1, dom_uuid },
	{ 4, I, VAX_DOM_STATE, dom_num },
	{ 5, I, VAX_DOM_REASON, dom_num },
	{ 6, I, VAX_DOM_PERSISTENT, dom_truth },
	{ 7, I, VAX_DOM_AUTOSTART, dom_truth },
	{ 8, S, -1, dom_ostype },
	{ 9, I, VAX_DOM_ID, dom_num },
	{ 10, G, VAX_DOM_VCPU_CUR, dom_num },
	{ 11, G, VAX_DOM_VCPU_MAX, dom_num },
	{ 12, C, VAX_DOM_MEM_MAX, dom_num },
	{ 13, C, VAX_DOM_MEM_CUR, dom_num },
	{ 14, C, VAX_DOM_CPU_TIME, dom_num },
	{ 15, C, VAX_DOM_CPU_USER, dom_num },
	{ 16, C, VAX_DOM_CPU_SYSTEM, dom_num },
	{ 17, C, VAX_DOM_BAL_ACTUAL, dom_num },
	{ 18, C, VAX_DOM_BAL_UNUSED, dom_num },
	{ 19, C, VAX_DOM_BAL_AVAILABLE, dom_num },
	{ 20, C, VAX_DOM_BAL_USABLE, dom_num },
	{ 21, C, VAX_DOM_BAL_RSS, dom_num },
	{ 22, C, VAX_DOM_BAL_SWAP_IN, dom_num },
	{ 23, C, VAX_DOM_BAL_SWAP_OUT, dom_num },
	{ 24, C, VAX_DOM_BAL_MAJOR_FAULT, dom_num },
	{ 25, C, VAX_DOM_BAL_MINOR_FAULT, dom_num },
	{ 26, C, VAX_DOM_BAL_DISK_CACHES, dom_num },
	{ 27, C, -1, dom_used },
	{ 28, G, -1, dom_ndisks },
	{ 29, G, -1, dom_nnics },
	{ 32, G, -1, dom_stats_age },
};

static bool vcpu_num(const struct vax_view *w UNUSED, const struct vax_row *r,
		 const struct column *c, struct vax_value *v)
{
	return number(v, c->type, &r->dom->vcpus[r->sub - 1].vals, c->field);
}

static bool vcpu_number(const struct vax_view *w UNUSED, const struct vax_row *r,
		 const struct column *c, struct vax_value *v)
{
	(void)c;
	return integer(v, r->sub - 1);
}

static const struct column vcpu_cols[] = {
	{ 2, I, -1, vcpu_number },
	{ 3, I, VAX_VCPU_STATE, vcpu_num },
	{ 4, C, VAX_VCPU_TIME, vcpu_num },
	{ 5, C, VAX_VCPU_WAIT, vcpu_num },
	{ 6, C, VAX_VCPU_DELAY, vcpu_num },
	{ 7, I, VAX_VCPU_PCPU, vcpu_num },
};

static bool disk_num(const struct vax_view *w UNUSED, const struct vax_row *r,
		 const struct column *c, struct vax_value *v)
{
	return number(v, c->type, &r->dom->disks[r->sub - 1].vals, c->field);
}

/* String columns of the device tables, by column id. */
static bool disk_str(const struct vax_view *w UNUSED, const struct vax_row *r,
		 const struct column *c, struct vax_value *v)
{
	const struct vax_disk_def *d = disk_def(r);

	switch (c->id) {
	case 2: return display(v, d->target);
	case 3: return utf8(v, d->source);
	case 4: return display(v, d->type);
	case 5: return display(v, d->bus);
	case 6: return display(v, d->device);
	}
	return false;
}

static const struct column disk_cols[] = {
	{ 2, S, -1, disk_str }, { 3, S, -1, disk_str }, { 4, S, -1, disk_str },
	{ 5, S, -1, disk_str }, { 6, S, -1, disk_str },
	{ 7, C, VAX_DISK_RD_REQS, disk_num },
	{ 8, C, VAX_DISK_RD_BYTES, disk_num },
	{ 9, C, VAX_DISK_WR_REQS, disk_num },
	{ 10, C, VAX_DISK_WR_BYTES, disk_num },
	{ 11, C, VAX_DISK_FL_REQS, disk_num },
	{ 12, C, VAX_DISK_RD_TIME, disk_num },
	{ 13, C, VAX_DISK_WR_TIME, disk_num },
	{ 14, C, VAX_DISK_FL_TIME, disk_num },
	{ 15, C, VAX_DISK_ERRORS, disk_num },
	{ 16, C, VAX_DISK_CAPACITY, disk_num },
	{ 17, C, VAX_DISK_ALLOCATION, disk_num },
	{ 18, C, VAX_DISK_PHYSICAL, disk_num },
};

static bool nic_num(const struct vax_view *w UNUSED, const struct vax_row *r,
		 const struct column *c, struct vax_value *v)
{
	return number(v, c->type, &r->dom->nics[r->sub - 1].vals, c->field);
}

static bool nic_str(const struct vax_view *w UNUSED, const struct vax_row *r,
		 const struct column *c, struct vax_value *v)
{
	const struct vax_nic_def *n = nic_def(r);

	switch (c->id) {
	case 2: return display(v, n->target);
	case 3: return n->has_mac && octets(v, n->mac, 6);
	case 4: return display(v, n->type);
	case 5: return utf8(v, n->source);
	case 6: return display(v, n->model);
	case 7: return display(v, n->filterref);
	case 8: return display(v, n->ip);
	}
	return false;
}

/* 0 when the device is not on this host (IF-MIB has no row for it). */
static bool nic_ifindex(const struct vax_view *w UNUSED, const struct vax_row *r,
		 const struct column *c, struct vax_value *v)
{
	const struct vax_nic_vals *vals = &r->dom->nics[r->sub - 1].vals;

	(void)c;
	return integer(v, vax_has(vals, VAX_NIC_HOST_IFINDEX) &&
			  vals->v[VAX_NIC_HOST_IFINDEX] <= INT32_MAX
			  ? (int64_t)vals->v[VAX_NIC_HOST_IFINDEX] : 0);
}

static const struct column nic_cols[] = {
	{ 2, S, -1, nic_str }, { 3, S, -1, nic_str }, { 4, S, -1, nic_str },
	{ 5, S, -1, nic_str }, { 6, S, -1, nic_str }, { 7, S, -1, nic_str },
	{ 8, S, -1, nic_str },
	{ 9, I, -1, nic_ifindex },
	{ 10, C, VAX_NIC_RX_BYTES, nic_num },
	{ 11, C, VAX_NIC_RX_PKTS, nic_num },
	{ 12, C, VAX_NIC_RX_ERRS, nic_num },
	{ 13, C, VAX_NIC_RX_DROP, nic_num },
	{ 14, C, VAX_NIC_TX_BYTES, nic_num },
	{ 15, C, VAX_NIC_TX_PKTS, nic_num },
	{ 16, C, VAX_NIC_TX_ERRS, nic_num },
	{ 17, C, VAX_NIC_TX_DROP, nic_num },
};
#undef I
#undef G
#undef C
#undef S

static size_t dom_nrows(const struct vax_snapshot *s) { return s->ndomains; }
static struct vax_row dom_row(const struct vax_snapshot *s, size_t i)
{
	return (struct vax_row){ &s->domains[i], 0 };
}
static size_t vcpu_nrows(const struct vax_snapshot *s) { return s->nvcpu_rows; }
static struct vax_row vcpu_row(const struct vax_snapshot *s, size_t i) { return s->vcpu_rows[i]; }
static size_t disk_nrows(const struct vax_snapshot *s) { return s->ndisk_rows; }
static struct vax_row disk_row(const struct vax_snapshot *s, size_t i) { return s->disk_rows[i]; }
static size_t nic_nrows(const struct vax_snapshot *s) { return s->nnic_rows; }
static struct vax_row nic_row(const struct vax_snapshot *s, size_t i) { return s->nic_rows[i]; }

#define N(a) (sizeof(a) / sizeof((a)[0]))
static const struct table tables[] = {
	{ 2, 1, dom_cols, N(dom_cols), dom_nrows, dom_row },
	{ 3, 2, vcpu_cols, N(vcpu_cols), vcpu_nrows, vcpu_row },
	{ 4, 2, disk_cols, N(disk_cols), disk_nrows, disk_row },
	{ 5, 2, nic_cols, N(nic_cols), nic_nrows, nic_row },
};

static size_t row_key(const struct table *t, const struct vax_row *r, uint32_t key[2])
{
	key[0] = r->dom->index;
	key[1] = r->sub;
	return t->nidx;
}

/* First row whose index is greater than idx (OID order), or nrows. */
static size_t first_after(const struct table *t, const struct vax_snapshot *s,
			  const uint32_t *idx, size_t len)
{
	size_t lo = 0, hi = t->nrows(s);
	uint32_t key[2];

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

static const struct table *find_table(uint32_t id)
{
	for (size_t i = 0; i < N(tables); i++)
		if (tables[i].id == id)
			return &tables[i];
	return NULL;
}

static const struct column *find_column(const struct table *t, uint32_t id)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (t->cols[i].id == id)
			return &t->cols[i];
	return NULL;
}

enum vax_lookup vax_virt_get(const struct vax_view *view, const uint32_t *sub,
			     size_t len, struct vax_value *val)
{
	const struct table *t;

	const struct column *c;
	size_t i;
	uint32_t key[2];

	if (len < 3 || sub[0] != OBJECTS)
		return VAX_NO_OBJECT;
	if (sub[1] == SCALARS) {
		if (sub[2] < 1 || sub[2] > NSCALARS)
			return VAX_NO_OBJECT;
		if (len != 4 || sub[3] != 0)
			return VAX_NO_INSTANCE;
		return scalar(view, sub[2], val) ? VAX_FOUND : VAX_NO_INSTANCE;
	}
	if (!(t = find_table(sub[1])) || len < 4 || sub[2] != ENTRY ||
	    !(c = find_column(t, sub[3])))
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

static bool next_in_table(const struct vax_view *view, const struct table *t,
			  const uint32_t *sub, size_t len,
			  uint32_t *out, size_t *outlen, struct vax_value *val)
{
	const uint32_t entry[] = { OBJECTS, t->id, ENTRY };
	const struct vax_snapshot *s = view->snap;
	size_t nrows = t->nrows(s);

	for (size_t ci = 0; ci < t->ncols; ci++) {
		const struct column *c = &t->cols[ci];
		const uint32_t prefix[] = { OBJECTS, t->id, ENTRY, c->id };
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
			uint32_t key[2];
			if (!c->get(view, &r, c, val))
				continue;
			size_t klen = row_key(t, &r, key);
			memcpy(out, entry, sizeof(entry));
			out[3] = c->id;
			memcpy(out + 4, key, klen * sizeof(*key));
			*outlen = 4 + klen;
			return true;
		}
	}
	return false;
}

bool vax_virt_next(const struct vax_view *view, const uint32_t *sub, size_t len,
		   uint32_t *out, size_t *outlen, struct vax_value *val)
{
	for (uint32_t id = 1; id <= NSCALARS; id++) {
		const uint32_t oid[] = { OBJECTS, SCALARS, id, 0 };
		if (vax_oid_cmp(oid, 4, sub, len) > 0 && scalar(view, id, val)) {
			memcpy(out, oid, sizeof(oid));
			*outlen = 4;
			return true;
		}
	}
	for (size_t i = 0; i < N(tables); i++)
		if (next_in_table(view, &tables[i], sub, len, out, outlen, val))
			return true;
	return false;
}

/* ---- notifications ---- */

enum { NOTIFICATIONS = 0, CONN_LOST = 10, CONN_RESTORED = 11 };
static const uint32_t snmp_trap_oid[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0 };

static void put_oid(struct vax_varbind *vb, const uint32_t *prefix, size_t plen,
		    const uint32_t *tail, size_t tlen)
{
	memcpy(vb->oid, prefix, plen * sizeof(*prefix));
	if (tlen)   /* memcpy from NULL is undefined even for 0 bytes */
		memcpy(vb->oid + plen, tail, tlen * sizeof(*tail));
	vb->len = plen + tlen;
}

/* snmpTrapOID.0 = virtNotifications.n; the value lives in static storage. */
static void trap_oid(struct vax_varbind *vb, uint32_t n)
{
	static uint32_t oids[CONN_RESTORED + 1][16];
	uint32_t *o = oids[n];

	memcpy(o, vax_virt_root, vax_virt_root_len * sizeof(*o));
	o[vax_virt_root_len] = NOTIFICATIONS;
	o[vax_virt_root_len + 1] = n;
	put_oid(vb, snmp_trap_oid, sizeof(snmp_trap_oid) / sizeof(snmp_trap_oid[0]), NULL, 0);
	vb->val = (struct vax_value){ .type = VAX_T_OID, .s = o, .len = vax_virt_root_len + 2 };
}

/* The instance OID of one cell of a domain's row. */
static void row_cell(struct vax_varbind *vb, uint32_t column, uint32_t index)
{
	const uint32_t tail[] = { OBJECTS, 2, ENTRY, column, index };

	put_oid(vb, vax_virt_root, vax_virt_root_len, tail, 5);
}

size_t vax_virt_domain_trap(const struct vax_domain *d, int kind, int detail,
			    struct vax_varbind *out, size_t max)
{
	const struct vax_row r = { d, 0 };
	const struct vax_view none = { 0 };        /* these columns need no clock */
	const uint32_t columns[] = { 2, 3, 4 };   /* name, UUID, state */
	size_t n = 0;

	if (max < VAX_TRAP_VARBINDS || !vax_event_kind_name(kind))
		return 0;
	trap_oid(&out[n++], (uint32_t)kind + 1);
	for (size_t i = 0; i < sizeof(columns) / sizeof(columns[0]); i++) {
		const struct column *c = find_column(&tables[0], columns[i]);
		if (c && c->get(&none, &r, c, &out[n].val)) {
			row_cell(&out[n], columns[i], d->index);
			n++;
		}
	}
	row_cell(&out[n], 30, d->index);   /* virtDomainEventDetail */
	integer(&out[n++].val, detail < 0 ? 0 : detail);
	row_cell(&out[n], 31, d->index);   /* virtDomainEventDetailText */
	display(&out[n++].val, vax_event_detail_name(kind, detail));
	return n;
}

size_t vax_virt_connection_trap(const struct vax_view *view, bool restored,
				struct vax_varbind *out, size_t max)
{
	const uint32_t ids[] = { 13, 6 };  /* virtLibvirtURI, virtConnectionState */
	size_t n = 0;

	if (max < 3)
		return 0;
	trap_oid(&out[n++], restored ? CONN_RESTORED : CONN_LOST);
	for (size_t i = 0; i < 2; i++) {
		const uint32_t tail[] = { OBJECTS, SCALARS, ids[i], 0 };
		if (scalar(view, ids[i], &out[n].val)) {
			put_oid(&out[n], vax_virt_root, vax_virt_root_len, tail, 4);
			n++;
		}
	}
	return n;
}
