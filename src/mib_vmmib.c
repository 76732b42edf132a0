/* mib_vmmib.c - the IETF VM-MIB (RFC 7666): (column, index) -> value of the
 * same snapshot VIRT-AGENTX-MIB is served from.
 *
 * Only the objects are here; lookups are mib_table.c's. vmIndex is our
 * virtDomainIndex (stable per UUID), device indexes are the same as in
 * VIRT-AGENTX-MIB. doc/vm-mib.md documents every mapping from libvirt.
 */
#include "config.h"

#include <string.h>


#include "mib_table.h"
#include "mib_vmmib.h"

const uint32_t vax_vm_root[] = { VAX_VM_ROOT };
const size_t vax_vm_root_len = sizeof(vax_vm_root) / sizeof(vax_vm_root[0]);

enum { OBJECTS = 1, HYPERVISOR = 1, VM_NUMBER = 2, VM_LAST_CHANGE = 3,
       VM_TABLE = 4, CPU_TABLE = 5, AFFINITY_TABLE = 6, STORAGE_TABLE = 7,
       NETWORK_TABLE = 8 };

const uint32_t vax_vm_subtrees[VAX_VM_NSUBTREES][2] = {
	{ OBJECTS, HYPERVISOR }, { OBJECTS, VM_NUMBER }, { OBJECTS, VM_LAST_CHANGE },
	{ OBJECTS, VM_TABLE }, { OBJECTS, CPU_TABLE }, { OBJECTS, AFFINITY_TABLE },
	{ OBJECTS, STORAGE_TABLE }, { OBJECTS, NETWORK_TABLE },
};

/* net-snmp's hrDeviceIndex of processor n (HOST-RESOURCES-MIB): the
 * device type hrDeviceProcessor (3) shifted left 16, plus n. */
#define HR_PROCESSOR_BASE (3u << 16)

static bool text(struct vax_value *v, const char *s)
{
	return vax_v_text(v, s, VAX_DISPLAY_MAX);
}

static bool timeticks(struct vax_value *v, int64_t ms)
{
	*v = (struct vax_value){ .type = VAX_T_TIMETICKS,
		.u = ms < 0 ? 0 : (uint64_t)(ms / 10) & 0xFFFFFFFFu };
	return true;
}

/* A counter kept in ns, served in µs (vmCpuTime, vmCpuCoreTime, latency). */
static bool micro(struct vax_value *v, const uint64_t have, const uint64_t *vals,
		  size_t n, int field)
{
	return vax_has_(have, n, field) && vax_v_counter64(v, vals[field] / 1000);
}
#define MICRO(v, vals, field) micro((v), (vals)->have, (vals)->v, VAX_NVALS(vals), (field))

/* ---- states ---- */

static int oper_of(const struct vax_domain *d)
{
	const struct vax_vals *v = &d->vals;

	return vax_vm_oper_state(vax_has(v, VAX_DOM_STATE) ? (int)v->v[VAX_DOM_STATE] : -1,
				 vax_has(v, VAX_DOM_REASON) ? (int)v->v[VAX_DOM_REASON] : 0);
}

/* ---- scalars ---- */

static bool hv_uptime(const struct vax_view *w, int64_t at_ms, struct vax_value *v)
{
	return w->snap->host_boot_known && timeticks(v, at_ms - w->snap->host_boot_ms);
}

static bool scalar(const struct vax_view *w, uint32_t id, struct vax_value *v)
{
	/* zeroDotZero: no hypervisor has an OID of its own in enterprises. */
	static const uint32_t zero_dot_zero[] = { 0, 0 };
	const struct vax_snapshot *s = w->snap;

	switch (id) {
	case 1: return text(v, s->hv_type);
	case 2: return text(v, s->hv_version);
	case 3: *v = (struct vax_value){ .type = VAX_T_OID, .s = zero_dot_zero, .len = 2 };
		return true;
	case 4: return hv_uptime(w, w->now_ms, v);
	case 5: return vax_v_integer(v, s->ndomains > INT32_MAX ? INT32_MAX : (int64_t)s->ndomains);
	case 6: return s->domains_changed_ms && hv_uptime(w, s->domains_changed_ms, v);
	}
	return false;
}

static const struct vax_scalar scalars[] = {
	{ { OBJECTS, HYPERVISOR, 1 }, 3, 1 },   /* vmHvSoftware */
	{ { OBJECTS, HYPERVISOR, 2 }, 3, 2 },   /* vmHvVersion */
	{ { OBJECTS, HYPERVISOR, 3 }, 3, 3 },   /* vmHvObjectID */
	{ { OBJECTS, HYPERVISOR, 4 }, 3, 4 },   /* vmHvUpTime */
	{ { OBJECTS, VM_NUMBER }, 2, 5 },
	{ { OBJECTS, VM_LAST_CHANGE }, 2, 6 },
};

/* ---- vmTable ---- */

/* The smallest unit (1, 1024, 1024^2, ... times `unit`) at which size
 * fits Integer32, but at most `most`: the unit itself is an Integer32 of
 * bytes. A size too large even then is absent (vax_v_integer). */
static uint64_t unit_for(uint64_t size, uint64_t unit, uint64_t most)
{
	while (size / unit > INT32_MAX && unit * 1024 <= most)
		unit *= 1024;
	return unit;
}

/* vmMemUnit in KiB (our sizes are KiB): 1, unless the largest size needs
 * a larger unit to fit Integer32; at most 1 GiB (2^20 KiB). */
static uint64_t mem_unit_kib(const struct vax_vals *v)
{
	const int fields[] = { VAX_DOM_MEM_MAX, VAX_DOM_MEM_CUR };
	uint64_t max = 0;

	for (size_t i = 0; i < VAX_N(fields); i++)
		if (vax_has(v, fields[i]) && v->v[fields[i]] > max)
			max = v->v[fields[i]];
	return unit_for(max, 1, UINT64_C(1) << 20);
}

/* One cell of a vmTable row (column 2 vmName .. 17 vmCpuTime). */
static bool domain_cell(const struct vax_view *w, const struct vax_domain *d,
			uint32_t column, struct vax_value *v)
{
	const struct vax_vals *vals = &d->vals;
	int oper = oper_of(d);

	switch (column) {
	case 2: return text(v, d->name);
	case 3: return vax_v_octets(v, d->uuid_raw, d->has_uuid_raw ? 16 : 0);
	case 4: return text(v, d->def->os_type);
	case 5: return vax_vm_admin_state(oper) && vax_v_integer(v, vax_vm_admin_state(oper));
	case 6: return vax_v_integer(v, oper);
	case 7: return vax_v_integer(v, !vax_has(vals, VAX_DOM_AUTOSTART) ? 1
				     : vals->v[VAX_DOM_AUTOSTART] ? 2 : 3);
	case 8: return vax_v_integer(v, !vax_has(vals, VAX_DOM_PERSISTENT) ? 1
				     : vals->v[VAX_DOM_PERSISTENT] ? 2 : 3);
	case 9: return vax_v_number(v, VAX_T_INTEGER, vals, VAX_DOM_VCPU_CUR);
	case 10: return vax_v_number(v, VAX_T_INTEGER, vals, VAX_DOM_VCPU_MIN);
	case 11: return vax_v_number(v, VAX_T_INTEGER, vals, VAX_DOM_VCPU_MAX);
	case 12: return vax_v_integer(v, (int64_t)(mem_unit_kib(vals) * 1024));
	case 13: case 15: {
		int f = column == 13 ? VAX_DOM_MEM_CUR : VAX_DOM_MEM_MAX;
		return vax_has(vals, f) &&
		       vax_v_integer(v, (int64_t)(vals->v[f] / mem_unit_kib(vals)));
	}
	case 14: return vax_v_integer(v, -1);   /* libvirt has no minimum */
	case 16:
		if (!vax_has(vals, VAX_DOM_ID))
			return timeticks(v, 0);   /* not running */
		return d->started_ms && timeticks(v, w->now_ms - d->started_ms);
	case 17: return MICRO(v, vals, VAX_DOM_CPU_TIME);
	}
	return false;
}

static bool dom_cell(const struct vax_view *w, const struct vax_row *r,
		     const struct vax_column *c, struct vax_value *v)
{
	return domain_cell(w, r->dom, c->id, v);
}

#define I VAX_T_INTEGER
#define S VAX_T_OCTETS
#define T VAX_T_TIMETICKS
#define C VAX_T_COUNTER64
static const struct vax_column vm_cols[] = {
	{ 2, S, -1, dom_cell }, { 3, S, -1, dom_cell }, { 4, S, -1, dom_cell },
	{ 5, I, -1, dom_cell }, { 6, I, -1, dom_cell }, { 7, I, -1, dom_cell },
	{ 8, I, -1, dom_cell }, { 9, I, -1, dom_cell }, { 10, I, -1, dom_cell },
	{ 11, I, -1, dom_cell }, { 12, I, -1, dom_cell }, { 13, I, -1, dom_cell },
	{ 14, I, -1, dom_cell }, { 15, I, -1, dom_cell }, { 16, T, -1, dom_cell },
	{ 17, C, -1, dom_cell },
};

/* ---- vmCpuTable, vmCpuAffinityTable ---- */

static bool cpu_time(const struct vax_view *w VAX_UNUSED, const struct vax_row *r,
		     const struct vax_column *c VAX_UNUSED, struct vax_value *v)
{
	return MICRO(v, &r->dom->vcpus[r->sub - 1].vals, VAX_VCPU_TIME);
}

static const struct vax_column cpu_cols[] = { { 2, C, -1, cpu_time } };

/* From the definition's placement: <vcpupin> of this vCPU, else <vcpu
 * cpuset>, else anywhere; numad's choice (placement='auto') and a cpuset
 * we cannot read are unknown(0). */
static bool affinity(const struct vax_view *w VAX_UNUSED, const struct vax_row *r,
		     const struct vax_column *c VAX_UNUSED, struct vax_value *v)
{
	const struct vax_domdef *def = r->dom->def;
	const char *set = def->cpuset;
	unsigned cpu = r->sub2 - HR_PROCESSOR_BASE;
	int in;

	for (size_t i = 0; i < def->npins; i++)
		if (def->pins[i].vcpu == r->sub - 1)
			set = def->pins[i].cpuset;
	if (!set)
		in = def->cpu_auto ? -1 : 1;
	else
		in = vax_cpuset_has(set, cpu);
	return vax_v_integer(v, in < 0 ? 0 : in ? 1 : 2);
}

static const struct vax_column affinity_cols[] = { { 3, I, -1, affinity } };

/* ---- vmStorageTable ---- */

static bool is(const char *s, const char *what) { return s && !strcmp(s, what); }

/* VirtualMachineStorageSourceType: unknown(1) other(2) block(3) raw(4)
 * sparse(5) network(6). A file is raw unless it has an image format. */
static int source_type(const struct vax_disk_def *d)
{
	if (!d->type)
		return 1;
	if (is(d->type, "block"))
		return 3;
	if (is(d->type, "file"))
		return !d->format || is(d->format, "raw") ? 4 : 5;
	if (is(d->type, "network"))
		return 6;
	return 2;
}

/* vmStorageSizeUnit for both sizes: the smallest power of 1024 at which
 * the larger fits Integer32 (bytes for a small image). */
static uint64_t size_unit(const struct vax_disk_vals *v)
{
	uint64_t max = 0;

	if (vax_has(v, VAX_DISK_CAPACITY))
		max = v->v[VAX_DISK_CAPACITY];
	if (vax_has(v, VAX_DISK_ALLOCATION) && v->v[VAX_DISK_ALLOCATION] > max)
		max = v->v[VAX_DISK_ALLOCATION];
	return unit_for(max, 1, UINT64_C(1) << 30);   /* bytes, at most 1 GiB */
}

static bool disk_cell(const struct vax_view *w VAX_UNUSED, const struct vax_row *r,
		      const struct vax_column *c, struct vax_value *v)
{
	const struct vax_disk_def *d = vax_row_disk_def(r);
	const struct vax_disk_vals *vals = vax_row_disk_vals(r);
	int field;

	switch (c->id) {
	case 3: return vax_v_integer(v, 0);   /* no hrStorageTable row */
	case 4: return vax_v_integer(v, source_type(d));
	case 5: return text(v, d->format ? d->format : d->type);
	case 6: return text(v, d->source);
	case 7: return vax_v_integer(v, d->readonly ? 3 : 2);
	case 8: /* IANAStorageMediaType: other(1) unknown(2) hardDisk(3)
		 * opticalDisk(4) floppyDisk(5) */
		return vax_v_integer(v, !d->device ? 2 : is(d->device, "disk") ||
				     is(d->device, "lun") ? 3 : is(d->device, "cdrom") ? 4
				     : is(d->device, "floppy") ? 5 : 1);
	case 9: return text(v, d->bus);
	case 10: return vax_v_integer(v, (int64_t)size_unit(vals));
	case 11: case 12:
		/* RFC 7666: for block and raw sources both sizes are the
		 * defined one. -1: not available. */
		field = c->id == 12 && source_type(d) != 3 && source_type(d) != 4
			? VAX_DISK_ALLOCATION : VAX_DISK_CAPACITY;
		return vax_v_integer(v, vax_has(vals, field)
				     ? (int64_t)(vals->v[field] / size_unit(vals)) : -1);
	case 17: return MICRO(v, vals, VAX_DISK_RD_TIME);
	case 18: return MICRO(v, vals, VAX_DISK_WR_TIME);
	}
	return false;
}

static bool disk_num(const struct vax_view *w VAX_UNUSED, const struct vax_row *r,
		     const struct vax_column *c, struct vax_value *v)
{
	return vax_v_number(v, c->type, vax_row_disk_vals(r), c->field);
}

static const struct vax_column storage_cols[] = {
	{ 3, I, -1, disk_cell }, { 4, I, -1, disk_cell }, { 5, S, -1, disk_cell },
	{ 6, S, -1, disk_cell }, { 7, I, -1, disk_cell }, { 8, I, -1, disk_cell },
	{ 9, S, -1, disk_cell }, { 10, I, -1, disk_cell }, { 11, I, -1, disk_cell },
	{ 12, I, -1, disk_cell },
	{ 13, C, VAX_DISK_RD_REQS, disk_num },
	{ 14, C, VAX_DISK_WR_REQS, disk_num },
	{ 15, C, VAX_DISK_RD_BYTES, disk_num },
	{ 16, C, VAX_DISK_WR_BYTES, disk_num },
	{ 17, C, -1, disk_cell }, { 18, C, -1, disk_cell },
};

/* ---- vmNetworkTable ---- */

static bool nic_cell(const struct vax_view *w VAX_UNUSED, const struct vax_row *r,
		     const struct vax_column *c, struct vax_value *v)
{
	const struct vax_nic_def *n = vax_row_nic_def(r);
	const struct vax_nic_vals *vals = vax_row_nic_vals(r);

	switch (c->id) {
	case 2: return vax_v_ifindex(v, vals, VAX_NIC_HOST_IFINDEX);
	case 3: return vax_v_ifindex(v, vals, VAX_NIC_PARENT_IFINDEX);
	case 4: return text(v, n->model);
	case 5: return n->has_mac && vax_v_octets(v, n->mac, 6);
	}
	return false;
}

static const struct vax_column network_cols[] = {
	{ 2, I, -1, nic_cell }, { 3, I, -1, nic_cell }, { 4, S, -1, nic_cell },
	{ 5, S, -1, nic_cell },
};
#undef I
#undef S
#undef T
#undef C

/* ---- rows ---- */

/* Every (vCPU, host CPU) pair, computed rather than stored. */
static size_t affinity_nrows(const struct vax_snapshot *s)
{
	return s->nvcpu_rows * s->host_cpus;
}
static struct vax_row affinity_row(const struct vax_snapshot *s, size_t i)
{
	struct vax_row r = s->vcpu_rows[i / s->host_cpus];

	r.sub2 = HR_PROCESSOR_BASE + (uint32_t)(i % s->host_cpus);
	return r;
}

static const struct vax_table tables[] = {
	{ VM_TABLE, 1, vm_cols, VAX_N(vm_cols), vax_mib_dom_nrows, vax_mib_dom_row },
	{ CPU_TABLE, 2, cpu_cols, VAX_N(cpu_cols), vax_mib_vcpu_nrows, vax_mib_vcpu_row },
	{ AFFINITY_TABLE, 3, affinity_cols, VAX_N(affinity_cols), affinity_nrows, affinity_row },
	{ STORAGE_TABLE, 2, storage_cols, VAX_N(storage_cols), vax_mib_disk_nrows, vax_mib_disk_row },
	{ NETWORK_TABLE, 2, network_cols, VAX_N(network_cols), vax_mib_nic_nrows, vax_mib_nic_row },
};

static const struct vax_mibdef vm_mib = {
	OBJECTS, scalars, VAX_N(scalars), scalar, tables, VAX_N(tables),
};

enum vax_lookup vax_vm_get(const struct vax_view *view, const uint32_t *sub,
			   size_t len, struct vax_value *val)
{
	return vax_mib_get(&vm_mib, view, sub, len, val);
}

bool vax_vm_next(const struct vax_view *view, const uint32_t *sub, size_t len,
		 uint32_t *out, size_t *outlen, struct vax_value *val)
{
	return vax_mib_next(&vm_mib, view, sub, len, out, outlen, val);
}

/* ---- notifications (vmNotifications, .0) ---- */

/* snmpTrapOID.0's value, vmNotifications.n, in static storage. */
static void trap_oid(struct vax_varbind *vb, int n)
{
	static uint32_t values[2 * VAX_VM_NNOTIF + 1][VAX_VM_ROOT_LEN + 2];

	vax_varbind_trap_oid(vb, vax_vm_root, VAX_VM_ROOT_LEN, (uint32_t)n, values[n]);
}

/* vmEntry.column.index */
static void cell(struct vax_varbind *vb, uint32_t column, uint32_t index)
{
	static const uint32_t prefix[] = { VAX_VM_ROOT, OBJECTS, VM_TABLE, 1 };

	vax_varbind_name(vb, prefix, VAX_N(prefix), (const uint32_t[]){ column, index }, 2);
}

size_t vax_vm_trap_varbinds(const struct vax_vm_trap *t, const struct vax_domain *d,
			    struct vax_varbind *out, size_t max)
{
	static const struct vax_view none;   /* name and UUID need no clock */
	size_t n = 0;

	if (max < 5 || t->notif < 1 || t->notif > VAX_VM_NNOTIF)
		return 0;
	trap_oid(&out[n++], t->notif);
	for (uint32_t column = 2; column <= 3; column++) {   /* vmName, vmUUID */
		cell(&out[n], column, t->index);
		/* Both are in every notification: empty if unknown (UUIDorZero). */
		if (!domain_cell(&none, d, column, &out[n].val))
			vax_v_octets(&out[n].val, "", 0);
		n++;
	}
	cell(&out[n], 6, t->index);   /* vmOperState: the state before */
	vax_v_integer(&out[n++].val, t->prev_oper);
	if (t->notif == VAX_VM_NOTIF_DELETED) {
		cell(&out[n], 8, t->index);   /* vmPersistent */
		vax_v_integer(&out[n++].val, t->persistent);
	}
	return n;
}

size_t vax_vm_bulk_varbinds(int notif, const uint8_t *bits, size_t len,
			    struct vax_varbind *out, size_t max)
{
	static const uint32_t affected[] = { VAX_VM_ROOT, OBJECTS, 11, 0 };

	if (max < 2 || notif < 1 || notif > VAX_VM_NNOTIF)
		return 0;
	trap_oid(&out[0], notif + VAX_VM_NOTIF_BULK_OFFSET);
	vax_varbind_name(&out[1], affected, VAX_N(affected), NULL, 0);
	vax_v_octets(&out[1].val, bits, len);
	return 2;
}
