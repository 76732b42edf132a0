/* check_mib_virtagentx.c - VIRT-AGENTX-MIB served from an in-memory snapshot. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "mib_virtagentx.h"
#include "utf8.h"

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))
#define UUID1 "8e3b1c1a-0d5e-4f8a-9a51-000000000001"
#define UUID2 "8e3b1c1a-0d5e-4f8a-9a51-000000000002"
#define UUID5 "8e3b1c1a-0d5e-4f8a-9a51-000000000005"
#define EURO "\xe2\x82\xac"        /* U+20AC, 3 bytes */
#define GRIN "\xf0\x9f\x98\x80"    /* U+1F600, 4 bytes */

/* An OID literal and its length, for calls taking (oid, len). */
#define OID(...) ((const uint32_t[]){ __VA_ARGS__ }), \
	(sizeof((const uint32_t[]){ __VA_ARGS__ }) / sizeof(uint32_t))

static struct vax_snapshot *snap;
static struct vax_view view;
static char *long_name;   /* domain 5's name, 1200 bytes of U+20AC */

/* Last GETNEXT answer. */
static uint32_t out[VAX_MAX_OID];
static size_t outlen;
static struct vax_value val;

#define set(v, f, u) vax_set((v), (f), (u))

/*
 * The fixture: domains 1, 2 and 5 (added out of order), host facts.
 *  1 web01: running, 2 vCPUs, 1 disk, 1 NIC, some balloon values.
 *  2 idle:  shut off, no devices, no vCPUs, no OS type.
 *  5 (a 1200-byte name): paused, 3 vCPUs, 3 disks, 2 NICs.
 */
static void build(void)
{
	struct vax_domdef *def;
	struct vax_domain *d;

	snap = vax_snapshot_new(3);
	ck_assert_ptr_nonnull(snap);
	snap->hostname = fx_strdup("kvm-host-01");
	snap->hv_type = fx_strdup("QEMU");
	snap->hv_version = fx_strdup("8.2.1");
	snap->lib_version = fx_strdup("9.0.0");
	snap->uri = fx_strdup("qemu:///system");
	snap->conn = VAX_CONNECTED;
	snap->taken_ms = 10000;
	snap->refresh_ms = 42;
	snap->refresh_count = 7;
	snap->refresh_errors = 1;


	/* Domain 5 */
	long_name = fx_repeat(EURO, 400);
	def = fx_domdef_n(3, 2);
	def->os_type = fx_strdup("hvm");
	def->disks[0].type = fx_strdup("file");
	def->disks[0].source = fx_strdup("/img/db.qcow2");
	def->disks[0].bus = fx_strdup("virtio");
	def->disks[0].device = fx_strdup("disk");
	def->disks[1].type = fx_strdup("block");
	def->disks[1].bus = fx_strdup("virtio");
	def->disks[1].device = fx_strdup("disk");
	free(def->disks[2].target);
	def->disks[2].target = fx_strdup("hdc");
	def->disks[2].type = fx_strdup("file");
	def->disks[2].bus = fx_strdup("ide");
	def->disks[2].device = fx_strdup("cdrom");
	free(def->nics[0].target);
	def->nics[0].target = fx_strdup("vnet5");
	def->nics[0].type = fx_strdup("network");
	def->nics[0].source = fx_strdup("default");
	def->nics[0].model = fx_strdup("virtio");
	def->nics[0].filterref = fx_strdup("clean-traffic");
	def->nics[0].ip = fx_strdup("192.0.2.5");
	memcpy(def->nics[0].mac, "\x52\x54\x00\x00\x00\x05", 6);
	def->nics[0].has_mac = true;
	free(def->nics[1].target);
	def->nics[1].target = NULL;   /* a user-mode NIC */
	def->nics[1].type = fx_strdup("user");
	def->nics[1].model = fx_strdup("e1000");
	d = fx_add_domain(snap, 5, long_name, UUID5, 3, def, 3);
	set(&d->vals, VAX_DOM_REASON, 1);
	set(&d->vals, VAX_DOM_ID, 7);
	set(&d->vals, VAX_DOM_PERSISTENT, 0);
	set(&d->vals, VAX_DOM_VCPU_CUR, 3);
	set(&d->vals, VAX_DOM_VCPU_MAX, 4);
	set(&d->vals, VAX_DOM_MEM_MAX, 8388608);
	set(&d->vals, VAX_DOM_MEM_CUR, 4194304);
	set(&d->vals, VAX_DOM_CPU_TIME, 5);
	set(&d->vals, VAX_DOM_BAL_SWAP_IN, 11);
	set(&d->vals, VAX_DOM_BAL_SWAP_OUT, 12);
	set(&d->vals, VAX_DOM_BAL_MAJOR_FAULT, 13);
	set(&d->vals, VAX_DOM_BAL_MINOR_FAULT, 14);
	set(&d->vals, VAX_DOM_BAL_DISK_CACHES, 15);
	set(&d->vals, VAX_DOM_BAL_AVAILABLE, 8000000);
	set(&d->vals, VAX_DOM_BAL_UNUSED, 7000000);
	set(&d->vcpus[0].vals, VAX_VCPU_STATE, 1);
	set(&d->vcpus[0].vals, VAX_VCPU_TIME, 10);
	set(&d->vcpus[0].vals, VAX_VCPU_WAIT, 11);
	set(&d->vcpus[0].vals, VAX_VCPU_DELAY, 12);
	set(&d->vcpus[0].vals, VAX_VCPU_PCPU, 2);
	set(&d->vcpus[1].vals, VAX_VCPU_STATE, 2);
	set(&d->vcpus[1].vals, VAX_VCPU_TIME, 20);
	set(&d->vcpus[2].vals, VAX_VCPU_STATE, 0);
	/* Every counter and size, not the usage gauges (setup_usage's). */
	for (int f = 0; f <= VAX_DISK_PHYSICAL; f++)
		set(&d->disks[0].vals, f, 100 + (uint64_t)f);
	set(&d->disks[1].vals, VAX_DISK_CAPACITY, 5);
	set(&d->disks[1].vals, VAX_DISK_ALLOCATION, 6);
	for (int f = 0; f < VAX_NIC_HOST_IFINDEX; f++)
		set(&d->nics[0].vals, f, 1000 + (uint64_t)f);
	set(&d->nics[0].vals, VAX_NIC_HOST_IFINDEX, 13);
	set(&d->nics[1].vals, VAX_NIC_RX_BYTES, 55);

	/* Domain 1 */
	def = fx_domdef_n(1, 1);
	def->os_type = fx_strdup("hvm");
	def->disks[0].type = fx_strdup("file");
	def->disks[0].source = fx_strdup("/var/lib/libvirt/images/web01.qcow2");
	def->disks[0].bus = fx_strdup("virtio");
	def->disks[0].device = fx_strdup("disk");
	def->nics[0].type = fx_strdup("bridge");
	def->nics[0].source = fx_strdup("br0");
	def->nics[0].model = fx_strdup("virtio");
	memcpy(def->nics[0].mac, "\x52\x54\x00\x00\x00\x01", 6);
	def->nics[0].has_mac = true;
	d = fx_add_domain(snap, 1, "web01", UUID1, 1, def, 2);
	set(&d->vals, VAX_DOM_REASON, 1);
	set(&d->vals, VAX_DOM_ID, 3);
	set(&d->vals, VAX_DOM_PERSISTENT, 1);
	set(&d->vals, VAX_DOM_AUTOSTART, 0);
	set(&d->vals, VAX_DOM_VCPU_CUR, 2);
	set(&d->vals, VAX_DOM_VCPU_MAX, 2);
	set(&d->vals, VAX_DOM_MEM_MAX, 2097152);
	set(&d->vals, VAX_DOM_MEM_CUR, 2097152);
	set(&d->vals, VAX_DOM_CPU_TIME, 123456789012ULL);
	set(&d->vals, VAX_DOM_CPU_USER, 100000000000ULL);
	set(&d->vals, VAX_DOM_CPU_SYSTEM, 20000000000ULL);
	set(&d->vals, VAX_DOM_BAL_ACTUAL, 2097152);
	set(&d->vals, VAX_DOM_BAL_UNUSED, 500000);
	set(&d->vals, VAX_DOM_BAL_AVAILABLE, 2000000);
	set(&d->vals, VAX_DOM_BAL_USABLE, 1500000);
	set(&d->vals, VAX_DOM_BAL_RSS, 2100000);
	set(&d->vcpus[0].vals, VAX_VCPU_STATE, 1);
	set(&d->vcpus[0].vals, VAX_VCPU_TIME, 1000);
	set(&d->vcpus[0].vals, VAX_VCPU_PCPU, 0);
	set(&d->vcpus[1].vals, VAX_VCPU_STATE, 1);
	set(&d->vcpus[1].vals, VAX_VCPU_TIME, 2000);
	set(&d->disks[0].vals, VAX_DISK_RD_REQS, 10);
	set(&d->disks[0].vals, VAX_DISK_RD_BYTES, 4096);
	set(&d->disks[0].vals, VAX_DISK_WR_REQS, 20);
	set(&d->disks[0].vals, VAX_DISK_WR_BYTES, 8192);
	set(&d->disks[0].vals, VAX_DISK_CAPACITY, 10737418240ULL);
	set(&d->nics[0].vals, VAX_NIC_RX_BYTES, 100);
	set(&d->nics[0].vals, VAX_NIC_RX_PKTS, 1);
	set(&d->nics[0].vals, VAX_NIC_TX_BYTES, 200);
	set(&d->nics[0].vals, VAX_NIC_TX_PKTS, 2);
	set(&d->nics[0].vals, VAX_NIC_HOST_IFINDEX, 12);

	/* Domain 2 */
	d = fx_add_domain(snap, 2, "idle", UUID2, 5, NULL, 0);
	set(&d->vals, VAX_DOM_PERSISTENT, 1);
	set(&d->vals, VAX_DOM_AUTOSTART, 1);
	set(&d->vals, VAX_DOM_VCPU_MAX, 1);
	set(&d->vals, VAX_DOM_MEM_MAX, 1048576);
}

static void setup_view(void)
{
	view.snap = snap;
	view.now_ms = 10500;
	view.cache_timeout = 5;
	memset(out, 0, sizeof(out));
	outlen = 0;
	memset(&val, 0, sizeof(val));
}

static void setup(void)
{
	build();
	fx_seal(snap);
	setup_view();
}

#define MAC1 "52:54:00:00:00:01"
#define MAC5 "52:54:00:00:00:05"
#define AGENT_ERR "Guest agent is not responding: QEMU guest agent is not connected"

/*
 * The guest fixture: setup()'s, with guestAgent yes and guest data.
 *  1: the agent stopped answering (its last answer, a host name only, is
 *     9.5 s old); one lease address on its NIC, 6.5 s old.
 *  2: shut off, nothing.
 *  5: connected, every fact, five filesystems; four addresses, in the
 *     order merged: its NIC's lease address, a docker bridge (a MAC of no
 *     NIC), its NIC's IPv6 link-local, a VPN address without MAC.
 */
static void add_guests(void)
{
	struct vax_guest_info *i;
	struct vax_guest_addr a1[] = { fx_addr(MAC1, "192.168.122.10", 24, VAX_SRC_LEASE, NULL) };
	struct vax_guest_addr a5[] = {
		fx_addr(MAC5, "10.0.0.5", 24, VAX_SRC_LEASE, NULL),
		fx_addr("02:42:ac:11:00:01", "172.17.0.1", 16, VAX_SRC_AGENT, "docker0"),
		fx_addr(MAC5, "fe80::5054:ff:fe00:5", 64, VAX_SRC_AGENT, "eth0"),
		fx_addr(NULL, "10.8.0.1", -1, VAX_SRC_AGENT, "tun0"),
	};

	snap->guest_agent = true;
	i = fx_guest_info(1000, "web01", NULL, NULL, NULL, false, 0, -1);
	fx_find(snap, 1)->guest = fx_guest(VAX_AGENT_NOT_RESPONDING, AGENT_ERR, i, 4000,
					   a1, N(a1));
	i = fx_guest_info(9000, "db01", "Debian GNU/Linux 12 (bookworm)", "6.1.0-57-amd64",
			  "EST", true, -18000, 2);
	fx_guest_fs(i, "/", "ext4", "/dev/vda1", "vda", 1000, 999);      /* 99.9%: 99 */
	fx_guest_fs(i, "/data", "xfs", "/dev/vdb", "vdb", 200, 200);     /* 100% */
	fx_guest_fs(i, "/boot", NULL, "/dev/sdz1", "sdz", 0, 0);         /* no such disk, size 0 */
	fx_guest_fs(i, "/tmp", "tmpfs", NULL, NULL, 100, 150);           /* more used than there is */
	fx_guest_fs(i, "/srv", NULL, NULL, NULL, 3, -1);                 /* no used bytes */
	fx_find(snap, 5)->guest = fx_guest(VAX_AGENT_CONNECTED, NULL, i, 10000, a5, N(a5));
}

static void setup_guest(void)
{
	build();
	add_guests();
	fx_seal(snap);
	setup_view();
}

/*
 * The host fixture: setup_guest()'s, so that the last table has rows,
 * and the host node (virtHost) as the collector fills it in: an 8-CPU
 * host with 16 GiB, its CPU times (ns, above 2^32) and memory statistics
 * (KiB), the running domains 1 and 5 summed (2 + 3 vCPUs, 2 + 4 GiB) and
 * a usage window.
 */
static void add_host(void)
{
	static const struct { int f; uint64_t v; } host[] = {
		{ VAX_HOST_CPUS, 8 }, { VAX_HOST_MHZ, 2400 }, { VAX_HOST_NODES, 1 },
		{ VAX_HOST_SOCKETS, 1 }, { VAX_HOST_CORES, 4 }, { VAX_HOST_THREADS, 2 },
		{ VAX_HOST_MEMORY, 16777216 }, { VAX_HOST_MAX_VCPUS, 710 },
		{ VAX_HOST_CPU_KERNEL, 5000000000001ULL }, { VAX_HOST_CPU_USER, 12000000000002ULL },
		{ VAX_HOST_CPU_IDLE, 80000000000003ULL }, { VAX_HOST_CPU_IOWAIT, 300000000004ULL },
		{ VAX_HOST_MEM_TOTAL, 16314664 }, { VAX_HOST_MEM_FREE, 1048576 },
		{ VAX_HOST_MEM_BUFFERS, 204800 }, { VAX_HOST_MEM_CACHED, 8388608 },
		{ VAX_HOST_GUEST_VCPUS, 5 }, { VAX_HOST_GUEST_MEMORY, 6291456 },
		{ VAX_HOST_U_CPU, 1725 }, { VAX_HOST_U_WINDOW, 10000 },
	};

	snap->cpu_model = fx_strdup("x86_64");
	for (size_t k = 0; k < sizeof(host) / sizeof(host[0]); k++)
		set(&snap->host, host[k].f, host[k].v);
	snap->host_ms = 10000;
}

static void setup_host(void)
{
	build();
	add_guests();
	add_host();
	fx_seal(snap);
	setup_view();
}

static void teardown(void)
{
	vax_snapshot_free(snap);
	snap = NULL;
	free(long_name);
	long_name = NULL;
}

/* ---- helpers ---- */

static enum vax_lookup get(const uint32_t *oid, size_t len, struct vax_value *v)
{
	memset(v, 0x5a, sizeof(*v));
	return vax_virt_get(&view, oid, len, v);
}

static bool next(const uint32_t *oid, size_t len)
{
	outlen = 0;
	return vax_virt_next(&view, oid, len, out, &outlen, &val);
}

static void fmt_oid(char *buf, size_t n, const uint32_t *oid, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < len && at + 12 < n; i++)
		at += (size_t)snprintf(buf + at, n - at, "%s%u", i ? "." : "", oid[i]);
}

/* The last GETNEXT answer was exactly this OID. */
static void expect_out(const uint32_t *oid, size_t len)
{
	char a[256], b[256];

	fmt_oid(a, sizeof(a), out, outlen);
	fmt_oid(b, sizeof(b), oid, len);
	ck_assert_msg(vax_oid_cmp(out, outlen, oid, len) == 0, "got %s, want %s", a, b);
}

#define NEXT_IS(from, to) do { \
	ck_assert_msg(next(from), "GETNEXT ended early"); \
	expect_out(to); \
} while (0)

static void expect_u(const struct vax_value *v, enum vax_type t, uint64_t u)
{
	ck_assert_int_eq(v->type, t);
	ck_assert_uint_eq(v->u, u);
}

static void expect_i(const struct vax_value *v, int64_t i)
{
	ck_assert_int_eq(v->type, VAX_T_INTEGER);
	ck_assert_int_eq(v->i, i);
}

static void expect_s(const struct vax_value *v, const char *s)
{
	ck_assert_int_eq(v->type, VAX_T_OCTETS);
	ck_assert_uint_eq(v->len, strlen(s));
	ck_assert_mem_eq(v->s, s, v->len);
}

static bool same_value(const struct vax_value *a, const struct vax_value *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case VAX_T_INTEGER: return a->i == b->i;
	case VAX_T_OCTETS: return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
	default: return a->u == b->u;
	}
}

static unsigned popcount(uint64_t x)
{
	unsigned n = 0;

	for (; x; x &= x - 1)
		n++;
	return n;
}

/* A domain's cells of virtGuestTable (but the agent's state), of
 * virtGuestAddressTable and of virtGuestFsTable. */
static size_t guest_cells(const struct vax_domain *d)
{
	const struct vax_guest *g = d->guest;
	const struct vax_guest_info *i = g ? g->info : NULL;
	size_t n = 0;

	if (!g)
		return 0;
	n += (g->addrs_ms != 0) + (g->state == VAX_AGENT_NOT_RESPONDING && g->error);
	for (size_t k = 0; k < g->naddrs; k++) {
		const struct vax_guest_addr *a = &g->addrs[k];
		n += a->has_mac + 1 /* type */ + 1 /* address */ + a->has_prefix +
		     1 /* source */ + (a->ifname != NULL);
	}
	if (!i)
		return n;
	n += 1 /* data age */ + (i->hostname != NULL) + (i->os_name != NULL) +
	     (i->kernel != NULL) + (i->timezone != NULL) + popcount(i->vals.have);
	for (size_t k = 0; k < i->nfs; k++) {
		const struct vax_guest_fs *f = &i->fs[k];
		const struct vax_fs_vals *v = &f->vals;
		n += (f->mountpoint != NULL) + (f->type != NULL) + (f->device != NULL) +
		     1 /* disk row, 0 when none */ + popcount(v->have) +
		     (vax_has(v, VAX_FS_TOTAL) && vax_has(v, VAX_FS_USED) &&
		      v->v[VAX_FS_TOTAL] && v->v[VAX_FS_USED] <= v->v[VAX_FS_TOTAL]);
	}
	return n;
}

/* Present cells, worked out from the fixture data and the MIB's rules. */
static size_t expected_cells(const struct vax_snapshot *s)
{
	size_t n = 0;
	uint64_t used;

	n += (s->hostname != NULL) + (s->hv_type != NULL) + (s->hv_version != NULL) +
	     (s->lib_version != NULL) + 1 /* agent version */ + 1 /* conn */ +
	     1 /* count */ + 1 /* cache timeout */ + (s->taken_ms != 0) +
	     (s->refresh_count != 0) + 2 /* refresh count, errors */ +
	     (s->uri != NULL) + (s->refresh_count != 0) /* refresh calls */;
	/* virtHost: the CPU model, every host field, and the two ratios where
	 * both numbers are known and the divisor is not 0. */
	const struct vax_host_vals *h = &s->host;
	int mem = vax_has(h, VAX_HOST_MEM_TOTAL) ? VAX_HOST_MEM_TOTAL : VAX_HOST_MEMORY;
	n += (s->cpu_model != NULL) + popcount(h->have) +
	     (vax_has(h, VAX_HOST_GUEST_VCPUS) && vax_has(h, VAX_HOST_CPUS) &&
	      h->v[VAX_HOST_CPUS]) +
	     (vax_has(h, VAX_HOST_GUEST_MEMORY) && vax_has(h, mem) && h->v[mem]);
	for (size_t i = 0; i < s->ndomains; i++) {
		const struct vax_domain *d = &s->domains[i];
		const struct vax_domdef *def = d->def;
		/* Every domain field has a column. */
		n += (d->name != NULL) + 1 /* uuid */ + (def->os_type != NULL) +
		     popcount(d->vals.have) + vax_domain_mem_used(d, &used) +
		     2 /* device counts */ + (d->stats_ms != 0) /* stats age */ +
		     (d->usage_ms != 0) /* usage age */ +
		     /* virtGuestAgentState: not running, asked, or never asked */
		     (!vax_has(&d->vals, VAX_DOM_ID) || d->guest || !s->guest_agent);
		n += guest_cells(d);
		for (size_t k = 0; k < d->nvcpus; k++)
			n += 1 /* number */ + popcount(d->vcpus[k].vals.have);
		for (size_t k = 0; k < def->ndisks; k++) {
			const struct vax_disk_def *dd = &def->disks[k];
			n += (dd->target != NULL) + (dd->source != NULL) +
			     (dd->type != NULL) + (dd->bus != NULL) +
			     (dd->device != NULL) + popcount(d->disks[k].vals.have);
		}
		for (size_t k = 0; k < def->nnics; k++) {
			const struct vax_nic_def *nd = &def->nics[k];
			n += (nd->target != NULL) + nd->has_mac + (nd->type != NULL) +
			     (nd->source != NULL) + (nd->model != NULL) +
			     (nd->filterref != NULL) + (nd->ip != NULL) +
			     1 /* host ifIndex, 0 when unknown */ +
			     popcount(d->nics[k].vals.have &
				      ~(UINT64_C(1) << VAX_NIC_HOST_IFINDEX));
		}
	}
	return n;
}

/* Counted by hand from the fixture: 14 scalars, domains 23 + 9 + 22,
 * vCPUs 5 + 3 + 2 + 5 + 2 + 1, disks 10 + 17 + 6 + 4, NICs 10 + 16 + 4,
 * guests 1 + 1 + 1 (the agent's state only). */
#define FIXTURE_CELLS 156

/* ---- what a case expects of a cell ---- */

enum kind {
	K_ANY,        /* found; the value is not the case's point */
	K_ABSENT,     /* no such instance */
	K_NOOBJ,      /* no such object */
	K_INT, K_GAUGE, K_C64,
	K_STR,        /* these bytes */
	K_TEXT,       /* these bytes, and strictly valid UTF-8 */
	K_CUT,        /* len bytes, whole UTF-8 characters */
};
struct want { enum kind k; int64_t i; uint64_t u; const char *s; size_t len; };
#define INT(x) .v = { .k = K_INT, .i = (x) }
#define GAUGE(x) .v = { .k = K_GAUGE, .u = (x) }
#define C64(x) .v = { .k = K_C64, .u = (x) }
#define STR(x) .v = { .k = K_STR, .s = (x), .len = sizeof(x) - 1 }
#define TEXT(x) .v = { .k = K_TEXT, .s = (x), .len = sizeof(x) - 1 }
#define CUT(n) .v = { .k = K_CUT, .len = (n) }
#define ABSENT .v = { .k = K_ABSENT }
#define NOOBJ .v = { .k = K_NOOBJ }
#define OIDLEN(...) (sizeof((uint32_t[]){ __VA_ARGS__ }) / sizeof(uint32_t))

/* GET of an OID (len 0: GET of NULL, 0). */
struct cell { uint32_t oid[8]; size_t len; struct want v; };
#define AT(...) .oid = { __VA_ARGS__ }, .len = OIDLEN(__VA_ARGS__)

/* GETNEXT from an OID (flen 0: from NULL, 0): to this one, or past the end. */
struct step { uint32_t from[8]; size_t flen; uint32_t to[8]; size_t tlen; bool end;
	      struct want v; };
#define FROM(...) .from = { __VA_ARGS__ }, .flen = OIDLEN(__VA_ARGS__)
#define TO(...) .to = { __VA_ARGS__ }, .tlen = OIDLEN(__VA_ARGS__)
#define END .end = true

static bool utf8_strict(const void *s, size_t len);

static void check_value(const char *where, enum vax_lookup r, const struct vax_value *v,
			const struct want *w)
{
	static const enum vax_type types[] = { [K_INT] = VAX_T_INTEGER,
		[K_GAUGE] = VAX_T_GAUGE32, [K_C64] = VAX_T_COUNTER64, [K_STR] = VAX_T_OCTETS,
		[K_TEXT] = VAX_T_OCTETS, [K_CUT] = VAX_T_OCTETS };

	if (w->k == K_ABSENT || w->k == K_NOOBJ) {
		ck_assert_msg(r == (w->k == K_ABSENT ? VAX_NO_INSTANCE : VAX_NO_OBJECT),
			      "%s: lookup %d", where, r);
		return;
	}
	ck_assert_msg(r == VAX_FOUND, "%s: lookup %d", where, r);
	if (w->k == K_ANY)
		return;
	ck_assert_msg(v->type == types[w->k], "%s: type %d, not %d", where, v->type,
		      types[w->k]);
	switch (w->k) {
	case K_INT:
		ck_assert_msg(v->i == w->i, "%s: %lld, not %lld", where, (long long)v->i,
			      (long long)w->i);
		break;
	case K_GAUGE:
	case K_C64:
		ck_assert_msg(v->u == w->u, "%s: %llu, not %llu", where,
			      (unsigned long long)v->u, (unsigned long long)w->u);
		break;
	default:
		ck_assert_msg(v->len == w->len, "%s: %zu bytes, not %zu", where, v->len, w->len);
		if (w->k == K_CUT)
			ck_assert_msg(fx_utf8_valid(v->s, v->len), "%s: cut inside a character",
				      where);
		else
			ck_assert_msg(memcmp(v->s, w->s, w->len) == 0, "%s: other bytes", where);
		if (w->k == K_TEXT)
			ck_assert_msg(utf8_strict(v->s, v->len), "%s: not UTF-8", where);
	}
}

static void check_get(const struct cell *c)
{
	char where[128];
	struct vax_value v;

	fmt_oid(where, sizeof(where), c->oid, c->len);
	check_value(where, get(c->len ? c->oid : NULL, c->len, &v), &v, &c->v);
}

static void check_next(const struct step *n)
{
	char where[300], a[128], b[128];
	struct vax_value g;
	bool more;

	fmt_oid(a, sizeof(a), n->from, n->flen);
	more = next(n->flen ? n->from : NULL, n->flen);
	fmt_oid(b, sizeof(b), out, outlen);
	if (n->end) {
		ck_assert_msg(!more, "after %s: %s, not the end", a, b);
		return;
	}
	ck_assert_msg(more, "after %s: GETNEXT ended early", a);
	snprintf(where, sizeof(where), "after %s: %s", a, b);
	fmt_oid(a, sizeof(a), n->to, n->tlen);
	ck_assert_msg(vax_oid_cmp(out, outlen, n->to, n->tlen) == 0, "%s, not %s", where, a);
	/* The value is the one GET serves. */
	ck_assert_int_eq(get(out, outlen, &g), VAX_FOUND);
	ck_assert_msg(same_value(&g, &val), "%s: not GET's value", where);
	check_value(where, VAX_FOUND, &val, &n->v);
}

/* ---- root and OID order ---- */

START_TEST(test_root)
{
	static const uint32_t want[] = { 1, 3, 6, 1, 4, 1, 32473 };

	ck_assert_uint_eq(vax_virt_root_len, 7);
	ck_assert_mem_eq(vax_virt_root, want, sizeof(want));
}
END_TEST

/* Sub-id by sub-id, unsigned, a prefix first; len 0 stands for NULL. */
static const struct { uint32_t a[3]; size_t alen; uint32_t b[3]; size_t blen; int sign; }
oid_cmps[] = {
	{ { 1, 2, 3 }, 3, { 1, 2, 3 }, 3, 0 },
	{ { 1, 2 }, 2, { 1, 2, 0 }, 3, -1 },
	{ { 1, 2, 0 }, 3, { 1, 2 }, 2, 1 },
	{ { 1, 2, 9 }, 3, { 1, 3 }, 2, -1 },
	{ { 4294967295u }, 1, { 1, 2 }, 2, 1 },
	{ { 2147483647u }, 1, { 2147483648u }, 1, -1 },
	{ { 0 }, 0, { 0 }, 0, 0 },
	{ { 0 }, 0, { 0 }, 1, -1 },
};

START_TEST(test_oid_cmp)
{
	int r = vax_oid_cmp(oid_cmps[_i].alen ? oid_cmps[_i].a : NULL, oid_cmps[_i].alen,
			    oid_cmps[_i].blen ? oid_cmps[_i].b : NULL, oid_cmps[_i].blen);

	ck_assert_msg((r > 0) - (r < 0) == oid_cmps[_i].sign, "case %d: %d", _i, r);
}
END_TEST

/* ---- the snapshot the view reads ---- */

START_TEST(test_seal_sorts_domains)
{
	ck_assert_uint_eq(snap->ndomains, 3);
	ck_assert_uint_eq(snap->domains[0].index, 1);
	ck_assert_uint_eq(snap->domains[1].index, 2);
	ck_assert_uint_eq(snap->domains[2].index, 5);
	ck_assert_ptr_eq(vax_snapshot_find(snap, 5), &snap->domains[2]);
	ck_assert_ptr_null(vax_snapshot_find(snap, 3));
	ck_assert_ptr_null(vax_snapshot_find(snap, 0));
	ck_assert_ptr_null(vax_snapshot_find(snap, 4294967295u));
}
END_TEST

START_TEST(test_seal_rows)
{
	ck_assert_uint_eq(snap->nvcpu_rows, 5);
	ck_assert_uint_eq(snap->ndisk_rows, 4);
	ck_assert_uint_eq(snap->nnic_rows, 3);
	ck_assert_uint_eq(snap->disk_rows[0].dom->index, 1);
	ck_assert_uint_eq(snap->disk_rows[0].sub, 1);
	for (int i = 1; i < 4; i++) {
		ck_assert_uint_eq(snap->disk_rows[i].dom->index, 5);
		ck_assert_uint_eq(snap->disk_rows[i].sub, (unsigned)i);
	}
	ck_assert_uint_eq(snap->vcpu_rows[2].dom->index, 5);
	ck_assert_uint_eq(snap->vcpu_rows[4].sub, 3);
	ck_assert_uint_eq(snap->nic_rows[2].sub, 2);
}
END_TEST

START_TEST(test_expected_cells)
{
	ck_assert_uint_eq(expected_cells(snap), FIXTURE_CELLS);
}
END_TEST

/* ---- GET on the fixture as setup() makes it ---- */

static const struct cell cells[] = {
	/* Scalars. */
	{ AT(1, 1, 1, 0), STR("kvm-host-01") },
	{ AT(1, 1, 2, 0), STR("QEMU") },
	{ AT(1, 1, 3, 0), STR("8.2.1") },
	{ AT(1, 1, 4, 0), STR("9.0.0") },
	{ AT(1, 1, 5, 0), STR(PACKAGE_VERSION) },
	{ AT(1, 1, 6, 0), INT(VAX_CONNECTED) },
	{ AT(1, 1, 7, 0), GAUGE(3) },
	{ AT(1, 1, 8, 0), INT(5) },
	{ AT(1, 1, 9, 0), GAUGE(500) },
	{ AT(1, 1, 10, 0), GAUGE(42) },
	{ AT(1, 1, 11, 0), C64(7) },
	{ AT(1, 1, 12, 0), C64(1) },
	{ AT(1, 1, 13, 0), STR("qemu:///system") },
	{ AT(1, 1, 5, 1), ABSENT },
	{ AT(1, 1, 5), ABSENT },
	{ AT(1, 1, 5, 0, 0), ABSENT },
	{ AT(1, 1, 1, 4294967295u), ABSENT },
	{ AT(1, 1, 99, 0), NOOBJ },
	{ AT(1, 1, 0, 0), NOOBJ },
	{ AT(1, 1, 15, 0), NOOBJ },
	{ AT(1, 1, 4294967295u, 0), NOOBJ },

	/* No such object. */
	{ .len = 0, NOOBJ },
	{ AT(1), NOOBJ },
	{ AT(1, 1), NOOBJ },
	{ AT(2, 1, 1, 0), NOOBJ },
	{ AT(0, 1, 1, 0), NOOBJ },
	{ AT(1, 0, 1, 0), NOOBJ },
	{ AT(1, 12, 1, 2, 1), NOOBJ }, { AT(1, 10, 1, 2, 1), ABSENT }, { AT(1, 11, 1, 2, 1), ABSENT }, { AT(1, 9, 1, 2, 1), ABSENT },   /* under virtHostCpuModel */
	{ AT(1, 2, 2, 2, 1), NOOBJ },
	{ AT(1, 2, 1, 1, 1), NOOBJ },   /* index */
	{ AT(1, 2, 1, 30, 1), NOOBJ },
	{ AT(1, 2, 1), NOOBJ },
	{ AT(1, 2, 1, 39, 1), NOOBJ },       /* past the usage columns */
	{ AT(1, 3, 1, 11, 1, 1), NOOBJ },
	{ AT(1, 4, 1, 27, 1, 1), NOOBJ },
	{ AT(1, 5, 1, 26, 1, 1), NOOBJ },
	/* The usage columns exist; the fixture has no gauges. */
	{ AT(1, 2, 1, 33, 1), ABSENT },
	{ AT(1, 2, 1, 38, 1), ABSENT },      /* usage_ms 0: no age either */
	{ AT(1, 3, 1, 8, 1, 1), ABSENT },
	{ AT(1, 4, 1, 19, 1, 1), ABSENT },
	{ AT(1, 4, 1, 19, 5, 1), ABSENT },   /* every counter, still no gauge */
	{ AT(1, 5, 1, 18, 1, 1), ABSENT },
	{ AT(1, 5, 1, 1, 1, 1), NOOBJ },

	/* Domain 1, every column. */
	{ AT(1, 2, 1, 2, 1), STR("web01") },
	{ AT(1, 2, 1, 3, 1), STR(UUID1) },
	{ AT(1, 2, 1, 4, 1), INT(1) },
	{ AT(1, 2, 1, 5, 1), INT(1) },
	{ AT(1, 2, 1, 6, 1), INT(1) },      /* TruthValue true */
	{ AT(1, 2, 1, 7, 1), INT(2) },      /* TruthValue false */
	{ AT(1, 2, 1, 8, 1), STR("hvm") },
	{ AT(1, 2, 1, 9, 1), INT(3) },
	{ AT(1, 2, 1, 10, 1), GAUGE(2) },
	{ AT(1, 2, 1, 11, 1), GAUGE(2) },
	{ AT(1, 2, 1, 12, 1), C64(2097152) },
	{ AT(1, 2, 1, 13, 1), C64(2097152) },
	{ AT(1, 2, 1, 14, 1), C64(123456789012ULL) },
	{ AT(1, 2, 1, 15, 1), C64(100000000000ULL) },
	{ AT(1, 2, 1, 16, 1), C64(20000000000ULL) },
	{ AT(1, 2, 1, 17, 1), C64(2097152) },
	{ AT(1, 2, 1, 18, 1), C64(500000) },
	{ AT(1, 2, 1, 19, 1), C64(2000000) },
	{ AT(1, 2, 1, 20, 1), C64(1500000) },
	{ AT(1, 2, 1, 21, 1), C64(2100000) },
	{ AT(1, 2, 1, 22, 1), ABSENT },
	{ AT(1, 2, 1, 23, 1), ABSENT },
	{ AT(1, 2, 1, 24, 1), ABSENT },
	{ AT(1, 2, 1, 25, 1), ABSENT },
	{ AT(1, 2, 1, 26, 1), ABSENT },
	{ AT(1, 2, 1, 27, 1), C64(500000) },   /* 2000000 - 1500000 */
	{ AT(1, 2, 1, 28, 1), GAUGE(1) },
	{ AT(1, 2, 1, 29, 1), GAUGE(1) },

	/* Domains 2 and 5. */
	{ AT(1, 2, 1, 3, 5), STR(UUID5) },     /* 36 bytes */
	{ AT(1, 2, 1, 4, 2), INT(5) },
	{ AT(1, 2, 1, 4, 5), INT(3) },
	{ AT(1, 2, 1, 6, 2), INT(1) },
	{ AT(1, 2, 1, 7, 2), INT(1) },
	{ AT(1, 2, 1, 6, 5), INT(2) },
	{ AT(1, 2, 1, 7, 5), ABSENT },
	/* Domain 2 is shut off: no id, no CPU time, no balloon. */
	{ AT(1, 2, 1, 9, 2), ABSENT },
	{ AT(1, 2, 1, 14, 2), ABSENT },
	{ AT(1, 2, 1, 17, 2), ABSENT },
	{ AT(1, 2, 1, 27, 2), ABSENT },
	{ AT(1, 2, 1, 5, 2), ABSENT },
	{ AT(1, 2, 1, 8, 2), ABSENT },
	{ AT(1, 2, 1, 28, 2), GAUGE(0) },      /* no devices: 0 */
	{ AT(1, 2, 1, 29, 2), GAUGE(0) },
	{ AT(1, 2, 1, 28, 5), GAUGE(3) },
	{ AT(1, 2, 1, 29, 5), GAUGE(2) },
	{ AT(1, 2, 1, 27, 5), C64(1000000) },  /* 8000000 - 7000000: no usable */

	/* Rows that are not there, indices of the wrong length. */
	{ AT(1, 2, 1, 2, 3), ABSENT },
	{ AT(1, 2, 1, 2, 4), ABSENT },
	{ AT(1, 2, 1, 2, 0), ABSENT },
	{ AT(1, 2, 1, 2, 6), ABSENT },
	{ AT(1, 2, 1, 2, 4294967295u), ABSENT },
	{ AT(1, 3, 1, 2, 2, 1), ABSENT },
	{ AT(1, 3, 1, 2, 1, 3), ABSENT },
	{ AT(1, 3, 1, 2, 1, 0), ABSENT },
	{ AT(1, 4, 1, 2, 5, 4), ABSENT },
	{ AT(1, 4, 1, 2, 2, 1), ABSENT },
	{ AT(1, 4, 1, 2, 3, 1), ABSENT },
	{ AT(1, 5, 1, 2, 5, 3), ABSENT },
	{ AT(1, 5, 1, 2, 4, 1), ABSENT },
	{ AT(1, 2, 1, 2), ABSENT },
	{ AT(1, 2, 1, 2, 1, 1), ABSENT },
	{ AT(1, 2, 1, 2, 1, 0), ABSENT },
	{ AT(1, 3, 1, 2, 1), ABSENT },
	{ AT(1, 3, 1, 2, 1, 1, 1), ABSENT },
	{ AT(1, 4, 1, 2, 5), ABSENT },
	{ AT(1, 4, 1, 2, 5, 1, 0), ABSENT },
	{ AT(1, 5, 1, 2), ABSENT },
	{ AT(1, 5, 1, 2, 1), ABSENT },

	/* vCPUs. */
	{ AT(1, 3, 1, 2, 1, 1), INT(0) },      /* vCPU number = index - 1 */
	{ AT(1, 3, 1, 2, 5, 3), INT(2) },
	{ AT(1, 3, 1, 3, 5, 2), INT(2) },
	{ AT(1, 3, 1, 3, 5, 3), INT(0) },      /* offline: present, zero */
	{ AT(1, 3, 1, 4, 1, 2), C64(2000) },
	{ AT(1, 3, 1, 5, 5, 1), C64(11) },
	{ AT(1, 3, 1, 6, 5, 1), C64(12) },
	{ AT(1, 3, 1, 7, 5, 1), INT(2) },
	{ AT(1, 3, 1, 7, 1, 1), INT(0) },
	{ AT(1, 3, 1, 7, 1, 2), ABSENT },
	{ AT(1, 3, 1, 5, 1, 1), ABSENT },
	{ AT(1, 3, 1, 4, 5, 3), ABSENT },

	/* Disks. */
	{ AT(1, 4, 1, 2, 1, 1), STR("vda") },
	{ AT(1, 4, 1, 3, 1, 1), STR("/var/lib/libvirt/images/web01.qcow2") },
	{ AT(1, 4, 1, 4, 5, 2), STR("block") },
	{ AT(1, 4, 1, 5, 5, 3), STR("ide") },
	{ AT(1, 4, 1, 6, 5, 3), STR("cdrom") },
	{ AT(1, 4, 1, 2, 5, 3), STR("hdc") },
	{ AT(1, 4, 1, 3, 5, 3), ABSENT },
	{ AT(1, 4, 1, 3, 5, 2), ABSENT },
	/* Domain 5's vda has every counter and size: value 100 + field number. */
	{ AT(1, 4, 1, 7, 5, 1), C64(100 + VAX_DISK_RD_REQS) },
	{ AT(1, 4, 1, 8, 5, 1), C64(100 + VAX_DISK_RD_BYTES) },
	{ AT(1, 4, 1, 9, 5, 1), C64(100 + VAX_DISK_WR_REQS) },
	{ AT(1, 4, 1, 10, 5, 1), C64(100 + VAX_DISK_WR_BYTES) },
	{ AT(1, 4, 1, 11, 5, 1), C64(100 + VAX_DISK_FL_REQS) },
	{ AT(1, 4, 1, 12, 5, 1), C64(100 + VAX_DISK_RD_TIME) },
	{ AT(1, 4, 1, 13, 5, 1), C64(100 + VAX_DISK_WR_TIME) },
	{ AT(1, 4, 1, 14, 5, 1), C64(100 + VAX_DISK_FL_TIME) },
	{ AT(1, 4, 1, 15, 5, 1), C64(100 + VAX_DISK_ERRORS) },
	{ AT(1, 4, 1, 16, 5, 1), C64(100 + VAX_DISK_CAPACITY) },
	{ AT(1, 4, 1, 17, 5, 1), C64(100 + VAX_DISK_ALLOCATION) },
	{ AT(1, 4, 1, 18, 5, 1), C64(100 + VAX_DISK_PHYSICAL) },
	{ AT(1, 4, 1, 16, 5, 2), C64(5) },
	{ AT(1, 4, 1, 7, 5, 2), ABSENT },
	{ AT(1, 4, 1, 7, 5, 3), ABSENT },
	{ AT(1, 4, 1, 7, 1, 1), C64(10) },
	{ AT(1, 4, 1, 16, 1, 1), C64(10737418240ULL) },
	{ AT(1, 4, 1, 15, 1, 1), ABSENT },

	/* NICs. */
	{ AT(1, 5, 1, 2, 1, 1), STR("vnet0") },
	{ AT(1, 5, 1, 4, 5, 1), STR("network") },
	{ AT(1, 5, 1, 5, 5, 1), STR("default") },
	{ AT(1, 5, 1, 6, 5, 2), STR("e1000") },
	{ AT(1, 5, 1, 7, 5, 1), STR("clean-traffic") },
	{ AT(1, 5, 1, 8, 5, 1), STR("192.0.2.5") },
	{ AT(1, 5, 1, 2, 5, 2), ABSENT },
	{ AT(1, 5, 1, 5, 5, 2), ABSENT },
	{ AT(1, 5, 1, 7, 1, 1), ABSENT },
	{ AT(1, 5, 1, 8, 1, 1), ABSENT },
	{ AT(1, 5, 1, 3, 1, 1), STR("\x52\x54\x00\x00\x00\x01") },
	{ AT(1, 5, 1, 3, 5, 1), STR("\x52\x54\x00\x00\x00\x05") },
	{ AT(1, 5, 1, 3, 5, 2), ABSENT },
	{ AT(1, 5, 1, 9, 1, 1), INT(12) },
	{ AT(1, 5, 1, 9, 5, 2), INT(0) },      /* no host device: 0, not absent */
	{ AT(1, 5, 1, 10, 5, 1), C64(1000) },  /* 1000 + field number */
	{ AT(1, 5, 1, 11, 5, 1), C64(1001) },
	{ AT(1, 5, 1, 12, 5, 1), C64(1002) },
	{ AT(1, 5, 1, 13, 5, 1), C64(1003) },
	{ AT(1, 5, 1, 14, 5, 1), C64(1004) },
	{ AT(1, 5, 1, 15, 5, 1), C64(1005) },
	{ AT(1, 5, 1, 16, 5, 1), C64(1006) },
	{ AT(1, 5, 1, 17, 5, 1), C64(1007) },
	{ AT(1, 5, 1, 10, 5, 2), C64(55) },
	{ AT(1, 5, 1, 11, 5, 2), ABSENT },
	{ AT(1, 5, 1, 12, 1, 1), ABSENT },
	{ AT(1, 5, 1, 14, 1, 1), C64(200) },
};

START_TEST(test_get)
{
	check_get(&cells[_i]);
}
END_TEST

/* ---- GETNEXT on the fixture ---- */

static const struct step steps[] = {
	/* Into the scalars. */
	{ .flen = 0, TO(1, 1, 1, 0), STR("kvm-host-01") },
	{ FROM(0), TO(1, 1, 1, 0) },
	{ FROM(1), TO(1, 1, 1, 0) },
	{ FROM(1, 0, 5), TO(1, 1, 1, 0) },
	{ FROM(1, 1), TO(1, 1, 1, 0) },
	{ FROM(1, 1, 0), TO(1, 1, 1, 0) },
	{ FROM(1, 1, 1), TO(1, 1, 1, 0) },
	{ FROM(1, 1, 1, 0), TO(1, 1, 2, 0) },
	{ FROM(1, 1, 1, 0, 5), TO(1, 1, 2, 0) },
	{ FROM(1, 1, 6, 0), TO(1, 1, 7, 0), GAUGE(3) },
	/* From the scalars to the domain table. */
	{ FROM(1, 1, 13, 0), TO(1, 1, 14, 0) },
	{ FROM(1, 1, 14, 0), TO(1, 2, 1, 2, 1), STR("web01") },
	{ FROM(1, 1, 15), TO(1, 2, 1, 2, 1) },
	{ FROM(1, 1, 4294967295u), TO(1, 2, 1, 2, 1) },
	{ FROM(1, 2), TO(1, 2, 1, 2, 1) },
	{ FROM(1, 2, 0), TO(1, 2, 1, 2, 1) },
	{ FROM(1, 2, 1), TO(1, 2, 1, 2, 1) },
	{ FROM(1, 2, 1, 0), TO(1, 2, 1, 2, 1) },
	{ FROM(1, 2, 1, 1, 5), TO(1, 2, 1, 2, 1) },
	{ FROM(1, 2, 1, 2), TO(1, 2, 1, 2, 1) },
	{ FROM(1, 2, 1, 2, 0), TO(1, 2, 1, 2, 1) },
	/* Within an index. */
	{ FROM(1, 2, 1, 2, 1), TO(1, 2, 1, 2, 2) },
	{ FROM(1, 2, 1, 2, 2), TO(1, 2, 1, 2, 5) },
	{ FROM(1, 2, 1, 2, 3), TO(1, 2, 1, 2, 5) },
	{ FROM(1, 2, 1, 2, 4, 4294967295u), TO(1, 2, 1, 2, 5) },
	{ FROM(1, 2, 1, 2, 2, 99), TO(1, 2, 1, 2, 5) },
	{ FROM(1, 2, 1, 2, 5), TO(1, 2, 1, 3, 1) },
	{ FROM(1, 2, 1, 2, 5, 0), TO(1, 2, 1, 3, 1) },
	{ FROM(1, 2, 1, 2, 4294967295u), TO(1, 2, 1, 3, 1) },
	{ FROM(1, 2, 1, 3, 1), TO(1, 2, 1, 3, 2), STR(UUID2) },
	/* Two-part indices. */
	{ FROM(1, 3, 1, 2), TO(1, 3, 1, 2, 1, 1) },
	{ FROM(1, 3, 1, 2, 1), TO(1, 3, 1, 2, 1, 1) },
	{ FROM(1, 3, 1, 2, 1, 1), TO(1, 3, 1, 2, 1, 2) },
	{ FROM(1, 3, 1, 2, 1, 2), TO(1, 3, 1, 2, 5, 1) },
	{ FROM(1, 3, 1, 2, 2), TO(1, 3, 1, 2, 5, 1) },
	{ FROM(1, 3, 1, 2, 3, 7), TO(1, 3, 1, 2, 5, 1) },
	{ FROM(1, 3, 1, 2, 1, 4294967295u), TO(1, 3, 1, 2, 5, 1) },
	{ FROM(1, 3, 1, 2, 5, 3), TO(1, 3, 1, 3, 1, 1) },
	{ FROM(1, 4, 1, 2, 1, 1), TO(1, 4, 1, 2, 5, 1) },
	{ FROM(1, 4, 1, 2, 5, 1, 0), TO(1, 4, 1, 2, 5, 2) },
	/* Domain 2 has no OS type, no id; domain 1 no swap counters. */
	{ FROM(1, 2, 1, 8, 1), TO(1, 2, 1, 8, 5) },
	{ FROM(1, 2, 1, 9, 1), TO(1, 2, 1, 9, 5) },
	{ FROM(1, 2, 1, 22), TO(1, 2, 1, 22, 5) },
	{ FROM(1, 2, 1, 22, 5), TO(1, 2, 1, 23, 5) },
	{ FROM(1, 2, 1, 26, 5), TO(1, 2, 1, 27, 1) },
	{ FROM(1, 2, 1, 27, 1), TO(1, 2, 1, 27, 5) },
	/* vCPU 2 of domain 1 has no physical CPU. */
	{ FROM(1, 3, 1, 7, 1, 1), TO(1, 3, 1, 7, 5, 1) },
	/* Only domain 5's first disk has a flush count... */
	{ FROM(1, 4, 1, 11), TO(1, 4, 1, 11, 5, 1) },
	/* ...and only the first disks have a source. */
	{ FROM(1, 4, 1, 3, 1, 1), TO(1, 4, 1, 3, 5, 1) },
	{ FROM(1, 4, 1, 3, 5, 1), TO(1, 4, 1, 4, 1, 1) },
	/* Between tables. */
	{ FROM(1, 2, 1, 29, 5), TO(1, 3, 1, 2, 1, 1) },
	{ FROM(1, 2, 1, 30), TO(1, 3, 1, 2, 1, 1) },
	{ FROM(1, 2, 1, 4294967295u), TO(1, 3, 1, 2, 1, 1) },
	{ FROM(1, 2, 2), TO(1, 3, 1, 2, 1, 1) },
	{ FROM(1, 2, 4294967295u), TO(1, 3, 1, 2, 1, 1) },
	{ FROM(1, 3, 1, 7, 5, 1), TO(1, 4, 1, 2, 1, 1) },
	{ FROM(1, 4, 1, 18, 5, 1), TO(1, 5, 1, 2, 1, 1) },
	/* The value comes with the cell. */
	{ FROM(1, 2, 1, 14, 1), TO(1, 2, 1, 14, 5), C64(5) },
	{ FROM(1, 5, 1, 3), TO(1, 5, 1, 3, 1, 1), STR("\x52\x54\x00\x00\x00\x01") },
	/* The last cell, and past it. */
	{ FROM(1, 5, 1, 17, 1, 1), TO(1, 5, 1, 17, 5, 1) },
	{ FROM(1, 5, 1, 17), TO(1, 5, 1, 17, 5, 1) },
	{ FROM(1, 5, 1, 17, 5, 1), TO(1, 6, 1, 1, 1), INT(VAX_AGENT_NOT_CONFIGURED) },
	{ FROM(1, 5, 1, 17, 5, 2), TO(1, 6, 1, 1, 1), INT(VAX_AGENT_NOT_CONFIGURED) },
	{ FROM(1, 5, 1, 18), TO(1, 6, 1, 1, 1), INT(VAX_AGENT_NOT_CONFIGURED) },
	{ FROM(1, 5, 1, 99), TO(1, 6, 1, 1, 1), INT(VAX_AGENT_NOT_CONFIGURED) },
	{ FROM(1, 5, 2), TO(1, 6, 1, 1, 1), INT(VAX_AGENT_NOT_CONFIGURED) },
	{ FROM(1, 6), TO(1, 6, 1, 1, 1), INT(VAX_AGENT_NOT_CONFIGURED) },
	{ FROM(1, 6, 1, 1, 5), END },   /* virtGuestAgentState, the last cell */
	{ FROM(1, 6, 1, 2, 1), END },
	{ FROM(2), END },
	{ FROM(2, 0), END },
	{ FROM(4294967295u), END },
	{ FROM(1, 4294967295u), END },
	{ FROM(1, 5, 4294967295u, 1), TO(1, 6, 1, 1, 1), INT(VAX_AGENT_NOT_CONFIGURED) },
	{ FROM(1, 5, 1, 17, 4294967295u, 4294967295u), TO(1, 6, 1, 1, 1), INT(VAX_AGENT_NOT_CONFIGURED) },
};

START_TEST(test_next)
{
	check_next(&steps[_i]);
}
END_TEST

START_TEST(test_next_long_oids)
{
	uint32_t big[1000];

	/* 1.2.1.2.1 followed by zeros sorts after domain 1's cell. */
	memset(big, 0, sizeof(big));
	memcpy(big, (const uint32_t[]){ 1, 2, 1, 2, 1 }, 5 * sizeof(uint32_t));
	ck_assert(next(big, VAX_MAX_OID));
	expect_out(OID(1, 2, 1, 2, 2));
	ck_assert(next(big, 1000));
	expect_out(OID(1, 2, 1, 2, 2));
	ck_assert_uint_le(outlen, VAX_MAX_OID);

	for (size_t i = 0; i < 1000; i++)
		big[i] = 1;        /* 1.1.1.1... > 1.1.1.0 */
	ck_assert(next(big, 1000));
	expect_out(OID(1, 1, 2, 0));

	for (size_t i = 6; i < 1000; i++)
		big[i] = 4294967295u;
	memcpy(big, (const uint32_t[]){ 1, 3, 1, 2, 1, 1 }, 6 * sizeof(uint32_t));
	ck_assert(next(big, 1000));
	expect_out(OID(1, 3, 1, 2, 1, 2));

	for (size_t i = 0; i < 1000; i++)
		big[i] = 4294967295u;
	ck_assert(!next(big, 1000));
}
END_TEST

/* ---- text: cut to the MIB's sizes, whole characters, valid UTF-8 ---- */

START_TEST(test_long_name_cut)
{
	struct vax_value v;

	ck_assert_uint_eq(strlen(long_name), 1200);
	ck_assert_int_eq(get(OID(1, 2, 1, 2, 5), &v), VAX_FOUND);
	ck_assert_int_eq(v.type, VAX_T_OCTETS);
	ck_assert_uint_le(v.len, 1024);
	ck_assert_uint_eq(v.len, 1023);   /* 341 whole characters */
	ck_assert(fx_utf8_valid(v.s, v.len));
	ck_assert_mem_eq(v.s, long_name, v.len);
	ck_assert_ptr_eq(v.s, fx_find(snap, 5)->name);   /* no copy */
}
END_TEST

static const struct { size_t ascii; const char *tail; size_t want; } name_cuts[] = {
	{ 1024, "", 1024 },
	{ 1025, "", 1024 },
	{ 1023, "\xc3\xa9", 1023 },   /* 2-byte char across the limit */
	{ 1022, "\xc3\xa9", 1024 },   /* ends exactly at the limit */
	{ 1021, GRIN, 1021 },
	{ 1020, GRIN, 1024 },
	{ 1023, GRIN GRIN, 1023 },
	{ 0, "", 0 },
};

START_TEST(test_name_cuts)
{
	struct vax_value v;
	struct vax_domain *d = fx_find(snap, 1);
	char *head = fx_repeat("n", name_cuts[_i].ascii);
	size_t len = strlen(head) + strlen(name_cuts[_i].tail);

	free(d->name);
	d->name = fx_calloc(len + 1, 1);
	strcpy(d->name, head);
	strcat(d->name, name_cuts[_i].tail);
	free(head);
	ck_assert_int_eq(get(OID(1, 2, 1, 2, 1), &v), VAX_FOUND);
	ck_assert_uint_eq(v.len, name_cuts[_i].want);
	ck_assert(fx_utf8_valid(v.s, v.len));
}
END_TEST

static const struct { const char *s; size_t max, want; } prefixes[] = {
	{ "", 10, 0 },
	{ "abc", 3, 3 },
	{ "abcd", 3, 3 },
	{ "ab" EURO, 3, 2 },
	{ "ab" EURO, 4, 2 },
	{ "ab" EURO, 5, 5 },
	{ EURO "x", 3, 3 },
	{ GRIN, 3, 0 },
	{ GRIN, 0, 0 },
};

START_TEST(test_utf8_prefix)
{
	size_t got = vax_utf8_prefix(prefixes[_i].s, prefixes[_i].max);

	ck_assert_msg(got == prefixes[_i].want, "case %d: %zu, not %zu", _i, got,
		      prefixes[_i].want);
}
END_TEST

/* ---- text from outside: any bytes ---- */

static const struct { const char *in, *out; } utf8_cases[] = {
	{ "", "" },
	{ "web01", "web01" },
	{ "\xe6\x95\xb0-\xc3\xbc" GRIN, "\xe6\x95\xb0-\xc3\xbc" GRIN },   /* valid stays */
	{ "a\tb\nc\x7f\xc2\x85\x01", "a\tb\nc\x7f\xc2\x85\x01" },      /* controls are text */
	{ "x\xffy", "x\xef\xbf\xbdy" },                  /* a byte never in UTF-8 */
	{ "\x80", "\xef\xbf\xbd" },                      /* a stray continuation */
	{ "\xc0\x80", "\xef\xbf\xbd\xef\xbf\xbd" },      /* overlong NUL */
	{ "\xe0\x80\xaf", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },   /* overlong '/' */
	{ "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },   /* a surrogate */
	{ "\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },  /* > U+10FFFF */
	{ "\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf" },      /* U+10FFFF itself */
	{ "ab\xe6\x95", "ab\xef\xbf\xbd" },              /* cut at the end: one U+FFFD */
	{ "\xe6\x95x", "\xef\xbf\xbdx" },                /* cut inside */
	{ "\xf0\x9f\x98", "\xef\xbf\xbd" },
	{ "\xef\xbf\xbd", "\xef\xbf\xbd" },              /* U+FFFD itself */
};

START_TEST(test_utf8_dup)
{
	char *got = vax_utf8_dup(utf8_cases[_i].in);

	ck_assert_ptr_nonnull(got);
	ck_assert_msg(strcmp(got, utf8_cases[_i].out) == 0, "case %d: got %zu bytes", _i,
		      strlen(got));
	/* Idempotent: what it makes is valid, so a second pass keeps it. */
	char *again = vax_utf8_dup(got);
	ck_assert_str_eq(again, got);
	free(again);
	free(got);
	ck_assert_ptr_null(vax_utf8_dup(NULL));
}
END_TEST

/* Strictly valid UTF-8: vax_utf8_dup changes nothing. */
static bool utf8_strict(const void *s, size_t len)
{
	char *copy = fx_calloc(len + 1, 1), *clean;
	bool same;

	memcpy(copy, s, len);
	clean = vax_utf8_dup(copy);
	same = clean && memchr(copy, '\0', len) == NULL && strcmp(clean, copy) == 0;
	free(clean);
	free(copy);
	return same;
}

START_TEST(test_name_invalid_long_cut)
{
	/* 1100 bad bytes become 3300 bytes of U+FFFD, cut to 341 whole
	 * characters: still valid, never a split sequence. */
	struct vax_domain *d = fx_find(snap, 1);
	char *raw = fx_repeat("\xfe", 1100);
	struct vax_value v;

	free(d->name);
	d->name = vax_utf8_dup(raw);
	free(raw);
	ck_assert_int_eq(get(OID(1, 2, 1, 2, 1), &v), VAX_FOUND);
	ck_assert_uint_eq(v.len, 1023);
	ck_assert(utf8_strict(v.s, v.len));
	/* And the GETNEXT answer is the same cell, the same bytes. */
	NEXT_IS(OID(1, 2, 1, 2, 0), OID(1, 2, 1, 2, 1));
	ck_assert_uint_eq(val.len, 1023);
}
END_TEST

/* ---- 4096 vCPUs: one domain, 4096 rows ---- */

START_TEST(test_4096_vcpus)
{
	struct vax_snapshot *s = vax_snapshot_new(2);
	struct vax_view vw = { .snap = s, .now_ms = 0, .cache_timeout = 5 };
	struct vax_domain *d;
	struct vax_value v;
	uint32_t o[VAX_MAX_OID], cur[VAX_MAX_OID] = { 1, 3, 1, 2 };
	size_t olen, curlen = 4, rows = 0;

	d = fx_add_domain(s, 7, "big", UUID1, 1, NULL, 4096);
	for (uint64_t i = 0; i < 4096; i++)
		vax_set(&d->vcpus[i].vals, VAX_VCPU_TIME, 1000 + i);
	set(&d->vals, VAX_DOM_VCPU_CUR, 4096);
	fx_add_domain(s, 8, "after", UUID2, 1, NULL, 1);
	fx_seal(s);
	ck_assert_uint_eq(s->nvcpu_rows, 4097);
	ck_assert_int_eq(vax_virt_get(&vw, OID(1, 2, 1, 10, 7), &v), VAX_FOUND);
	expect_u(&v, VAX_T_GAUGE32, 4096);
	ck_assert_int_eq(vax_virt_get(&vw, OID(1, 3, 1, 2, 7, 4096), &v), VAX_FOUND);
	expect_i(&v, 4095);
	ck_assert_int_eq(vax_virt_get(&vw, OID(1, 3, 1, 4, 7, 4096), &v), VAX_FOUND);
	expect_u(&v, VAX_T_COUNTER64, 1000 + 4095);
	ck_assert_int_eq(vax_virt_get(&vw, OID(1, 3, 1, 2, 7, 4097), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(vax_virt_get(&vw, OID(1, 3, 1, 2, 7, 0), &v), VAX_NO_INSTANCE);
	/* GETNEXT through the column: every row once, in order. */
	while (vax_virt_next(&vw, cur, curlen, o, &olen, &v) && o[3] == 2 && o[4] == 7) {
		ck_assert_uint_eq(olen, 6);
		ck_assert_uint_eq(o[5], rows + 1);
		expect_i(&v, (int64_t)rows);
		rows++;
		memcpy(cur, o, olen * sizeof(*o));
		curlen = olen;
	}
	ck_assert_uint_eq(rows, 4096);
	ck_assert_int_eq(vax_oid_cmp(o, olen, OID(1, 3, 1, 2, 8, 1)), 0);
	vax_snapshot_free(s);
}
END_TEST

/* ---- the fixture changed: what GET and GETNEXT make of it ---- */

static void replace(char **p, char *s)
{
	free(*p);
	*p = s;
}

static void disconnect(void) { snap->conn = VAX_DISCONNECTED; }
static void never_taken(void) { snap->taken_ms = 0; }
static void clock_behind(void) { view.now_ms = 9000; }   /* before taken_ms */
static void clock_far_ahead(void) { view.now_ms = snap->taken_ms + 10000000000LL; }
static void no_refresh(void) { snap->refresh_count = 0; }

static void no_host_facts(void)
{
	replace(&snap->hostname, NULL);
	replace(&snap->uri, NULL);
}

static void hostname_300(void) { replace(&snap->hostname, fx_repeat("h", 300)); }
static void hostname_255(void) { replace(&snap->hostname, fx_repeat("h", 255)); }
static void hv_version_300(void)   /* 300 bytes of U+00E9 */
{
	replace(&snap->hv_version, fx_repeat("\xc3\xa9", 150));
}
static void uri_2000(void) { replace(&snap->uri, fx_repeat("u", 2000)); }
static void uri_latin1(void)   /* Latin-1 from a file */
{
	replace(&snap->uri, vax_utf8_dup("test:///\xe9t\xe9"));
}

/* libvirt renames a domain to any bytes (virDomainRename through
 * libvirtd takes "x\xffy"); the collector stores names through
 * vax_utf8_dup, so GET serves VirtUtf8String as the MIB says. */
static void name_not_utf8(void)
{
	replace(&fx_find(snap, 1)->name, vax_utf8_dup("x\xffy\xc0\xaf"));
}

/* libvirt accepts tab, newline, DEL and C1 controls in a name: they are
 * valid UTF-8 text and served byte for byte. */
#define CONTROLS "a\tb\nc\x7f" "d\xc2\x85" "e"
static void name_controls(void) { replace(&fx_find(snap, 1)->name, vax_utf8_dup(CONTROLS)); }

static void autostart_42(void) { set(&fx_find(snap, 5)->vals, VAX_DOM_AUTOSTART, 42); }
static void cpu_time_zero(void) { set(&fx_find(snap, 2)->vals, VAX_DOM_CPU_TIME, 0); }
static void unused_above_available(void)
{
	set(&fx_find(snap, 5)->vals, VAX_DOM_BAL_UNUSED, 9000000);
}
static void reason_int_max(void) { set(&fx_find(snap, 1)->vals, VAX_DOM_REASON, 2147483647); }
static void out_of_range(void)
{
	set(&fx_find(snap, 1)->vals, VAX_DOM_REASON, 2147483648u);
	set(&fx_find(snap, 1)->vals, VAX_DOM_ID, UINT64_MAX);
}
static void vcpus_above_32_bits(void)
{
	set(&fx_find(snap, 1)->vals, VAX_DOM_VCPU_MAX, UINT64_C(0x100000005));
}
static void cpu_time_max(void) { set(&fx_find(snap, 1)->vals, VAX_DOM_CPU_TIME, UINT64_MAX); }
static void ifindex_above_int(void)
{
	set(&fx_find(snap, 1)->nics[0].vals, VAX_NIC_HOST_IFINDEX, 2147483648u);
}

static void long_device_strings(void)
{
	struct vax_domdef *def = fx_find(snap, 5)->def;

	replace(&def->disks[2].type, fx_repeat("x", 300));
	replace(&def->nics[0].type, fx_repeat(EURO, 100));
	replace(&def->nics[0].model, fx_repeat(EURO, 400));
	replace(&def->disks[2].target, fx_repeat(EURO, 400));
	replace(&def->disks[0].source, fx_repeat(EURO, 400));
}

#define CELLS(...) .cells = { __VA_ARGS__ }, \
	.ncells = sizeof((struct cell[]){ __VA_ARGS__ }) / sizeof(struct cell)
#define STEPS(...) .steps = { __VA_ARGS__ }, \
	.nsteps = sizeof((struct step[]){ __VA_ARGS__ }) / sizeof(struct step)

static const struct {
	const char *name;
	void (*change)(void);
	size_t ncells, nsteps;
	struct cell cells[5];
	struct step steps[3];
} changes[] = {
	{ "disconnected", disconnect, CELLS({ AT(1, 1, 6, 0), INT(2) }) },
	{ "no snapshot taken", never_taken, CELLS({ AT(1, 1, 9, 0), ABSENT }),
	  STEPS({ FROM(1, 1, 8, 0), TO(1, 1, 10, 0) }) },
	{ "clock behind", clock_behind, CELLS({ AT(1, 1, 9, 0), GAUGE(0) }) },
	{ "cache age saturates", clock_far_ahead,
	  CELLS({ AT(1, 1, 9, 0), GAUGE(4294967295u) }) },
	{ "no refresh yet", no_refresh,
	  CELLS({ AT(1, 1, 10, 0), ABSENT }, { AT(1, 1, 11, 0), C64(0) }) },
	{ "no host name, no URI", no_host_facts,
	  CELLS({ AT(1, 1, 1, 0), ABSENT }, { AT(1, 1, 13, 0), ABSENT }),
	  STEPS({ .flen = 0, TO(1, 1, 2, 0) },
		{ FROM(1, 1, 12, 0), TO(1, 1, 14, 0) },   /* no URI: 13 skipped */
		{ FROM(1, 1, 14, 0), TO(1, 2, 1, 2, 1) }) },
	/* DisplayString: 255 bytes, whole characters. */
	{ "host name cut", hostname_300, CELLS({ AT(1, 1, 1, 0), CUT(255) }) },
	{ "host name exactly 255", hostname_255, CELLS({ AT(1, 1, 1, 0), CUT(255) }) },
	{ "version cut", hv_version_300, CELLS({ AT(1, 1, 3, 0), CUT(254) }) },
	{ "URI cut at 1024", uri_2000, CELLS({ AT(1, 1, 13, 0), CUT(1024) }) },
	{ "URI not UTF-8", uri_latin1,
	  CELLS({ AT(1, 1, 13, 0), TEXT("test:///\xef\xbf\xbdt\xef\xbf\xbd") }) },
	{ "name not UTF-8", name_not_utf8,
	  CELLS({ AT(1, 2, 1, 2, 1), TEXT("x\xef\xbf\xbdy\xef\xbf\xbd\xef\xbf\xbd") }) },
	{ "name with control characters", name_controls,
	  CELLS({ AT(1, 2, 1, 2, 1), TEXT(CONTROLS) }) },
	{ "autostart any non-zero", autostart_42, CELLS({ AT(1, 2, 1, 7, 5), INT(1) }) },
	/* A zero that is present is served. */
	{ "CPU time zero", cpu_time_zero, CELLS({ AT(1, 2, 1, 14, 2), C64(0) }) },
	{ "unused above available", unused_above_available,
	  CELLS({ AT(1, 2, 1, 27, 5), ABSENT }) },
	{ "reason 2^31-1", reason_int_max, CELLS({ AT(1, 2, 1, 5, 1), INT(2147483647) }) },
	/* An INTEGER that does not fit is absent, not wrapped. */
	{ "reason and id out of range", out_of_range,
	  CELLS({ AT(1, 2, 1, 5, 1), ABSENT }, { AT(1, 2, 1, 9, 1), ABSENT }),
	  STEPS({ FROM(1, 2, 1, 5), TO(1, 2, 1, 5, 5) }) },
	{ "gauge saturates", vcpus_above_32_bits,
	  CELLS({ AT(1, 2, 1, 11, 1), GAUGE(4294967295u) }) },
	{ "counter64 full range", cpu_time_max,
	  CELLS({ AT(1, 2, 1, 14, 1), C64(UINT64_MAX) }) },
	{ "host ifIndex out of range", ifindex_above_int,
	  CELLS({ AT(1, 5, 1, 9, 1, 1), INT(0) }) },
	/* Device types are DisplayString (255); names libvirt takes in any
	 * language are VirtUtf8String (1024). */
	{ "long device strings", long_device_strings,
	  CELLS({ AT(1, 4, 1, 4, 5, 3), CUT(255) },
		{ AT(1, 5, 1, 4, 5, 1), CUT(255) },    /* 85 whole characters */
		{ AT(1, 5, 1, 6, 5, 1), CUT(1023) },
		{ AT(1, 4, 1, 2, 5, 3), CUT(1023) },
		{ AT(1, 4, 1, 3, 5, 1), CUT(1023) }) },
};

START_TEST(test_changed)
{
	changes[_i].change();
	for (size_t k = 0; k < changes[_i].ncells; k++)
		check_get(&changes[_i].cells[k]);
	for (size_t k = 0; k < changes[_i].nsteps; k++)
		check_next(&changes[_i].steps[k]);
}
END_TEST

/* ---- the whole walk ---- */

#define WALK_MAX 512
struct walk {
	size_t n;
	uint32_t oid[WALK_MAX][7];
	size_t len[WALK_MAX];
	size_t per_table[10];   /* by virtObjects sub-id */
};

static void walk(struct walk *w)
{
	uint32_t cur[VAX_MAX_OID];
	size_t curlen = 0;
	struct vax_value g;

	memset(w, 0, sizeof(*w));
	while (next(cur, curlen)) {
		ck_assert_uint_le(outlen, 7);
		ck_assert_uint_ge(outlen, 4);
		ck_assert_int_gt(vax_oid_cmp(out, outlen, cur, curlen), 0);
		ck_assert_int_eq(get(out, outlen, &g), VAX_FOUND);
		ck_assert(same_value(&g, &val));
		ck_assert_uint_lt(w->n, WALK_MAX);
		memcpy(w->oid[w->n], out, outlen * sizeof(*out));
		w->len[w->n] = outlen;
		if (out[1] < 10)
			w->per_table[out[1]]++;
		w->n++;
		memcpy(cur, out, outlen * sizeof(*out));
		curlen = outlen;
	}
}

static bool walked(const struct walk *w, const uint32_t *oid, size_t len)
{
	for (size_t i = 0; i < w->n; i++)
		if (vax_oid_cmp(w->oid[i], w->len[i], oid, len) == 0)
			return true;
	return false;
}

START_TEST(test_walk_count)
{
	static struct walk w;

	walk(&w);
	ck_assert_uint_eq(w.n, expected_cells(snap));
	ck_assert_uint_eq(w.n, FIXTURE_CELLS);
	ck_assert_uint_eq(w.per_table[1], 14);   /* scalars */
	ck_assert_uint_eq(w.per_table[2], 23 + 9 + 22);
	ck_assert_uint_eq(w.per_table[3], 18);
	ck_assert_uint_eq(w.per_table[4], 37);
	ck_assert_uint_eq(w.per_table[5], 30);
	ck_assert_uint_eq(w.per_table[6], 3);    /* the agent's state only */
	ck_assert_uint_eq(w.per_table[7], 0);
	ck_assert_uint_eq(w.per_table[8], 0);
}
END_TEST

START_TEST(test_walk_matches_get)
{
	/* Every cell GET finds, by trying every column of every index
	 * (present or not), is visited by the walk, and nothing else is. */
	static struct walk w;
	static const uint32_t ncols[] = { 0, 13, 38, 10, 26, 25, 10, 8, 8, 23 };
	static const uint32_t doms[] = { 0, 1, 2, 3, 4, 5, 6 };
	struct vax_value v;
	size_t found = 0;

	walk(&w);
	for (uint32_t id = 0; id <= ncols[1] + 1; id++) {
		const uint32_t oid[] = { 1, 1, id, 0 };
		if (get(oid, 4, &v) == VAX_FOUND) {
			found++;
			ck_assert(walked(&w, oid, 4));
		}
	}
	for (uint32_t id = 0; id <= ncols[9] + 1; id++) {   /* virtHost */
		const uint32_t oid[] = { 1, 9, id, 0 };
		if (get(oid, 4, &v) == VAX_FOUND) {
			found++;
			ck_assert_msg(walked(&w, oid, 4), "1.9.%u.0 not walked", id);
		}
	}
	for (uint32_t t = 2; t <= 8; t++) {
		/* Index sub-ids after the domain's: 0, 1 or 2. */
		const unsigned nsub = t == 2 || t == 6 ? 0 : t == 7 ? 2 : 1;
		for (uint32_t col = 0; col <= ncols[t] + 1; col++)
			for (size_t di = 0; di < sizeof(doms) / sizeof(doms[0]); di++)
				for (uint32_t sub = 0; sub <= (nsub ? 6 : 0); sub++)
					for (uint32_t sub2 = 0; sub2 <= (nsub == 2 ? 4 : 0); sub2++) {
						const uint32_t oid[] = { 1, t, 1, col, doms[di], sub, sub2 };
						size_t len = 5 + nsub;
						if (get(oid, len, &v) != VAX_FOUND)
							continue;
						found++;
						ck_assert_msg(walked(&w, oid, len),
							      "%u.%u.%u.%u.%u not walked",
							      t, col, doms[di], sub, sub2);
					}
	}
	ck_assert_uint_eq(found, w.n);
}
END_TEST

START_TEST(test_walk_empty_snapshot)
{
	static struct walk w;
	struct vax_value v;

	vax_snapshot_free(snap);
	snap = vax_snapshot_new(0);
	fx_seal(snap);
	view.snap = snap;
	walk(&w);
	/* No host facts, no refresh: agent version, connection state, count,
	 * cache timeout, refresh count and errors. */
	ck_assert_uint_eq(w.n, 6);
	ck_assert_uint_eq(w.n, expected_cells(snap));
	ck_assert_int_eq(get(OID(1, 1, 7, 0), &v), VAX_FOUND);
	expect_u(&v, VAX_T_GAUGE32, 0);
	ck_assert_int_eq(get(OID(1, 1, 6, 0), &v), VAX_FOUND);
	expect_i(&v, VAX_DISCONNECTED);
	ck_assert_int_eq(get(OID(1, 2, 1, 2, 1), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(get(OID(1, 4, 1, 2, 1, 1), &v), VAX_NO_INSTANCE);
	ck_assert(!next(OID(1, 1, 12, 0)));
}
END_TEST

START_TEST(test_highest_index)
{
	struct vax_snapshot *s = vax_snapshot_new(1);
	struct vax_view vw = { .snap = s, .now_ms = 0, .cache_timeout = 5 };
	struct vax_value v;
	uint32_t o[VAX_MAX_OID];
	size_t olen;

	fx_add_domain(s, 2147483647u, "last", UUID1, 1, fx_domdef_n(1, 0), 0);
	fx_seal(s);
	ck_assert_int_eq(vax_virt_get(&vw, OID(1, 4, 1, 2, 2147483647u, 1), &v), VAX_FOUND);
	expect_s(&v, "vda");
	ck_assert(vax_virt_next(&vw, OID(1, 4, 1, 2, 2147483647u, 0), o, &olen, &v));
	ck_assert_int_eq(vax_oid_cmp(o, olen, OID(1, 4, 1, 2, 2147483647u, 1)), 0);
	ck_assert(vax_virt_next(&vw, OID(1, 2, 1, 2, 2147483646u), o, &olen, &v));
	ck_assert_int_eq(vax_oid_cmp(o, olen, OID(1, 2, 1, 2, 2147483647u)), 0);
	vax_snapshot_free(s);
}
END_TEST

/* No XML could be had: the device counts are unknown, not zero. */
START_TEST(test_counts_unknown_without_xml)
{
	struct vax_snapshot *s2 = vax_snapshot_new(1);
	struct vax_domain *d = vax_snapshot_add(s2);
	struct vax_view w = { .snap = s2, .now_ms = 1, .cache_timeout = 5 };
	struct vax_value v;

	d->index = 1;
	d->name = strdup("x");
	memcpy(d->uuid, "8e3b1c1a-0d5e-4f8a-9a51-000000000009", 37);
	d->def = vax_domdef_new();
	ck_assert_int_eq(vax_snapshot_seal(s2), 0);
	ck_assert_int_eq(vax_virt_get(&w, OID(1, 2, 1, 28, 1), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(vax_virt_get(&w, OID(1, 2, 1, 29, 1), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(vax_virt_get(&w, OID(1, 2, 1, 2, 1), &v), VAX_FOUND);
	vax_snapshot_free(s2);
}
END_TEST

/* ---- usage gauges: setup_usage()'s fixture ---- */

/*
 * setup()'s fixture with gauges set by hand (usage.c's numbers are
 * check_usage's business; here: which column serves which field, as
 * which type, and that an absent gauge is no cell).
 *  1: a window closed at 9000 ms and is carried: its stats are from
 *     10000; every domain gauge; vCPU 1 all three, vCPU 2 none (as a
 *     hot-plugged one); vda all but the flush latency (no flush in the
 *     window); vnet0 all eight.
 *  2: shut off, none.
 *  5: a window closed at 10000 ms: CPU 0 (paused), no user time, a system
 *     figure above 32 bits; only the user-mode NIC has a gauge.
 */
static void setup_usage(void)
{
	struct vax_domain *d;

	build();
	d = fx_find(snap, 1);
	d->stats_ms = 10000;
	d->usage_ms = 9000;
	set(&d->vals, VAX_DOM_U_CPU, 1500);          /* 15% of one host CPU */
	set(&d->vals, VAX_DOM_U_CPU_VCPUS, 750);     /* over its 2 vCPUs */
	set(&d->vals, VAX_DOM_U_CPU_USER, 1200);
	set(&d->vals, VAX_DOM_U_CPU_SYSTEM, 300);
	set(&d->vals, VAX_DOM_U_WINDOW, 10000);
	set(&d->vcpus[0].vals, VAX_VCPU_U_BUSY, 4000);
	set(&d->vcpus[0].vals, VAX_VCPU_U_STEAL, 25);
	set(&d->vcpus[0].vals, VAX_VCPU_U_WAIT, 0);
	set(&d->disks[0].vals, VAX_DISK_U_RD_BPS, 5368709120ULL);   /* 5 GiB/s */
	set(&d->disks[0].vals, VAX_DISK_U_WR_BPS, 8192);
	set(&d->disks[0].vals, VAX_DISK_U_RD_OPS, 10);
	set(&d->disks[0].vals, VAX_DISK_U_WR_OPS, 20);
	set(&d->disks[0].vals, VAX_DISK_U_FL_OPS, 0);
	set(&d->disks[0].vals, VAX_DISK_U_RD_LAT, 250);
	set(&d->disks[0].vals, VAX_DISK_U_WR_LAT, 1200);
	set(&d->nics[0].vals, VAX_NIC_U_FIRST + VAX_NIC_RX_BYTES, 125000);
	set(&d->nics[0].vals, VAX_NIC_U_FIRST + VAX_NIC_RX_PKTS, 100);
	set(&d->nics[0].vals, VAX_NIC_U_FIRST + VAX_NIC_RX_ERRS, 0);
	set(&d->nics[0].vals, VAX_NIC_U_FIRST + VAX_NIC_RX_DROP, 1);
	set(&d->nics[0].vals, VAX_NIC_U_FIRST + VAX_NIC_TX_BYTES, UINT64_C(1) << 32);
	set(&d->nics[0].vals, VAX_NIC_U_FIRST + VAX_NIC_TX_PKTS, 200);
	set(&d->nics[0].vals, VAX_NIC_U_FIRST + VAX_NIC_TX_ERRS, 2);
	set(&d->nics[0].vals, VAX_NIC_U_FIRST + VAX_NIC_TX_DROP, 3);
	d = fx_find(snap, 5);
	d->usage_ms = 10000;
	set(&d->vals, VAX_DOM_U_CPU, 0);
	set(&d->vals, VAX_DOM_U_CPU_VCPUS, 0);
	set(&d->vals, VAX_DOM_U_CPU_SYSTEM, UINT64_C(1) << 32);
	set(&d->vals, VAX_DOM_U_WINDOW, 60000);
	set(&d->nics[1].vals, VAX_NIC_U_FIRST + VAX_NIC_RX_BYTES, 55);
	fx_seal(snap);
	setup_view();   /* now 10500 */
}

/* Counted by hand: FIXTURE_CELLS; domains 5 + 2 ages and 4 + 1 age,
 * vCPU 3, disk 7, NICs 8 + 1. */
#define USAGE_FIXTURE_CELLS (FIXTURE_CELLS + 7 + 5 + 3 + 7 + 9)

static const struct cell usage_cells[] = {
	/* virtDomainEntry 33..38, Gauge32 all. */
	{ AT(1, 2, 1, 33, 1), GAUGE(1500) },
	{ AT(1, 2, 1, 34, 1), GAUGE(750) },
	{ AT(1, 2, 1, 35, 1), GAUGE(1200) },
	{ AT(1, 2, 1, 36, 1), GAUGE(300) },
	{ AT(1, 2, 1, 37, 1), GAUGE(10000) },
	{ AT(1, 2, 1, 38, 1), GAUGE(1500) },     /* now 10500 - usage_ms 9000 */
	{ AT(1, 2, 1, 32, 1), GAUGE(500) },      /* the stats are newer */
	{ AT(1, 2, 1, 33, 5), GAUGE(0) },        /* a present zero is served */
	{ AT(1, 2, 1, 34, 5), GAUGE(0) },
	{ AT(1, 2, 1, 35, 5), ABSENT },
	{ AT(1, 2, 1, 36, 5), GAUGE(4294967295u) },   /* Gauge32 saturates */
	{ AT(1, 2, 1, 37, 5), GAUGE(60000) },
	{ AT(1, 2, 1, 38, 5), GAUGE(500) },
	{ AT(1, 2, 1, 33, 2), ABSENT },
	{ AT(1, 2, 1, 37, 2), ABSENT },
	{ AT(1, 2, 1, 38, 2), ABSENT },          /* usage_ms 0 */
	{ AT(1, 2, 1, 39, 1), NOOBJ },
	/* virtVcpuEntry 8..10. */
	{ AT(1, 3, 1, 8, 1, 1), GAUGE(4000) },
	{ AT(1, 3, 1, 9, 1, 1), GAUGE(25) },
	{ AT(1, 3, 1, 10, 1, 1), GAUGE(0) },
	{ AT(1, 3, 1, 8, 1, 2), ABSENT },
	{ AT(1, 3, 1, 9, 5, 1), ABSENT },
	{ AT(1, 3, 1, 11, 1, 1), NOOBJ },
	/* virtDiskEntry 19..26: the byte rates Counter64, the rest Gauge32. */
	{ AT(1, 4, 1, 19, 1, 1), C64(5368709120ULL) },   /* whole, not cut to 32 bits */
	{ AT(1, 4, 1, 20, 1, 1), C64(8192) },
	{ AT(1, 4, 1, 21, 1, 1), GAUGE(10) },
	{ AT(1, 4, 1, 22, 1, 1), GAUGE(20) },
	{ AT(1, 4, 1, 23, 1, 1), GAUGE(0) },
	{ AT(1, 4, 1, 24, 1, 1), GAUGE(250) },
	{ AT(1, 4, 1, 25, 1, 1), GAUGE(1200) },
	{ AT(1, 4, 1, 26, 1, 1), ABSENT },       /* no flush: no latency */
	{ AT(1, 4, 1, 19, 5, 1), ABSENT },
	{ AT(1, 4, 1, 27, 1, 1), NOOBJ },
	/* virtInterfaceEntry 18..25: rx then tx; bytes Counter64. */
	{ AT(1, 5, 1, 18, 1, 1), C64(125000) },
	{ AT(1, 5, 1, 19, 1, 1), GAUGE(100) },
	{ AT(1, 5, 1, 20, 1, 1), GAUGE(0) },
	{ AT(1, 5, 1, 21, 1, 1), GAUGE(1) },
	{ AT(1, 5, 1, 22, 1, 1), C64(UINT64_C(1) << 32) },
	{ AT(1, 5, 1, 23, 1, 1), GAUGE(200) },
	{ AT(1, 5, 1, 24, 1, 1), GAUGE(2) },
	{ AT(1, 5, 1, 25, 1, 1), GAUGE(3) },
	{ AT(1, 5, 1, 18, 5, 2), C64(55) },
	{ AT(1, 5, 1, 18, 5, 1), ABSENT },
	{ AT(1, 5, 1, 19, 5, 2), ABSENT },
	{ AT(1, 5, 1, 26, 1, 1), NOOBJ },
};

START_TEST(test_usage_get)
{
	check_get(&usage_cells[_i]);
}
END_TEST

/* GETNEXT skips every row without the gauge. */
static const struct step usage_steps[] = {
	{ FROM(1, 2, 1, 32, 1), TO(1, 2, 1, 33, 1), GAUGE(1500) },
	{ FROM(1, 2, 1, 33, 1), TO(1, 2, 1, 33, 5), GAUGE(0) },        /* 2 has none */
	{ FROM(1, 2, 1, 34, 5), TO(1, 2, 1, 35, 1), GAUGE(1200) },
	{ FROM(1, 2, 1, 35, 1), TO(1, 2, 1, 36, 1), GAUGE(300) },      /* 5 has no user */
	{ FROM(1, 2, 1, 37, 5), TO(1, 2, 1, 38, 1), GAUGE(1500) },
	{ FROM(1, 2, 1, 38, 1), TO(1, 2, 1, 38, 5), GAUGE(500) },
	{ FROM(1, 2, 1, 38, 5), TO(1, 3, 1, 2, 1, 1) },
	{ FROM(1, 3, 1, 7, 5, 1), TO(1, 3, 1, 8, 1, 1), GAUGE(4000) },
	{ FROM(1, 3, 1, 8, 1, 1), TO(1, 3, 1, 9, 1, 1), GAUGE(25) },   /* 1.2, 5.* skipped */
	{ FROM(1, 3, 1, 10, 1, 1), TO(1, 4, 1, 2, 1, 1) },
	{ FROM(1, 4, 1, 18, 5, 1), TO(1, 4, 1, 19, 1, 1), C64(5368709120ULL) },
	{ FROM(1, 4, 1, 19, 1, 1), TO(1, 4, 1, 20, 1, 1), C64(8192) },
	{ FROM(1, 4, 1, 25, 1, 1), TO(1, 5, 1, 2, 1, 1) },             /* no 26 anywhere */
	{ FROM(1, 5, 1, 17, 5, 1), TO(1, 5, 1, 18, 1, 1), C64(125000) },
	{ FROM(1, 5, 1, 18, 1, 1), TO(1, 5, 1, 18, 5, 2), C64(55) },   /* 5.1 skipped */
	{ FROM(1, 5, 1, 18, 5, 2), TO(1, 5, 1, 19, 1, 1), GAUGE(100) },
	{ FROM(1, 5, 1, 21, 1, 1), TO(1, 5, 1, 22, 1, 1), C64(UINT64_C(1) << 32) },
	{ FROM(1, 5, 1, 25, 1, 1), TO(1, 6, 1, 1, 1), INT(VAX_AGENT_NOT_CONFIGURED) },
};

START_TEST(test_usage_next)
{
	check_next(&usage_steps[_i]);
}
END_TEST

START_TEST(test_usage_counts)
{
	static struct walk w;

	ck_assert_uint_eq(expected_cells(snap), USAGE_FIXTURE_CELLS);
	walk(&w);
	ck_assert_uint_eq(w.n, USAGE_FIXTURE_CELLS);
	ck_assert_uint_eq(w.per_table[2], 23 + 9 + 22 + 7 + 5);
	ck_assert_uint_eq(w.per_table[3], 18 + 3);
	ck_assert_uint_eq(w.per_table[4], 37 + 7);
	ck_assert_uint_eq(w.per_table[5], 30 + 9);
}
END_TEST

/* virtDomainUsageAge is the view's clock less usage_ms: never negative,
 * saturating, and growing while the window is carried. */
static const struct { int64_t now; uint64_t age1, age5; } usage_ages[] = {
	{ 10500, 1500, 500 },
	{ 9000, 0, 0 },                     /* at usage_ms */
	{ 8000, 0, 0 },                     /* clock behind: 0 */
	{ 70000, 61000, 60000 },
	{ 9000 + 4294967295LL, 4294967295u, 4294967295u - 1000 },
	{ 9000 + 4294967295LL + 5000, 4294967295u, 4294967295u },
};

START_TEST(test_usage_age)
{
	struct vax_value v;

	view.now_ms = usage_ages[_i].now;
	ck_assert_int_eq(get(OID(1, 2, 1, 38, 1), &v), VAX_FOUND);
	expect_u(&v, VAX_T_GAUGE32, usage_ages[_i].age1);
	ck_assert_int_eq(get(OID(1, 2, 1, 38, 5), &v), VAX_FOUND);
	expect_u(&v, VAX_T_GAUGE32, usage_ages[_i].age5);
	ck_assert_int_eq(get(OID(1, 2, 1, 38, 2), &v), VAX_NO_INSTANCE);
}
END_TEST

/* ---- inside the guests: setup_guest()'s fixture ---- */

/* Counted by hand: FIXTURE_CELLS less the 3 agent states counted there;
 * virtGuestTable 5 + 1 + 9, virtGuestAddressTable 5 + 5 + 6 + 6 + 4,
 * virtGuestFsTable 7 + 7 + 5 + 5 + 3. */
#define GUEST_FIXTURE_CELLS (FIXTURE_CELLS - 3 + 15 + 26 + 27)

#define V6LL "\xfe\x80\0\0\0\0\0\0\x50\x54\x00\xff\xfe\x00\x00\x05"

static const struct cell guest_cells_get[] = {
	/* virtGuestTable: the agent's state and the facts. */
	{ AT(1, 6, 1, 1, 1), INT(VAX_AGENT_NOT_RESPONDING) },
	{ AT(1, 6, 1, 1, 2), INT(VAX_AGENT_NOT_RUNNING) },
	{ AT(1, 6, 1, 1, 5), INT(VAX_AGENT_CONNECTED) },
	{ AT(1, 6, 1, 2, 1), GAUGE(9500) },     /* the last answer's age */
	{ AT(1, 6, 1, 2, 2), ABSENT },
	{ AT(1, 6, 1, 2, 5), GAUGE(1500) },
	{ AT(1, 6, 1, 3, 1), STR("web01") },
	{ AT(1, 6, 1, 3, 5), STR("db01") },
	{ AT(1, 6, 1, 4, 1), ABSENT },
	{ AT(1, 6, 1, 4, 5), STR("Debian GNU/Linux 12 (bookworm)") },
	{ AT(1, 6, 1, 5, 5), STR("6.1.0-57-amd64") },
	{ AT(1, 6, 1, 6, 5), STR("EST") },
	{ AT(1, 6, 1, 7, 5), INT(-18000) },      /* west of UTC: negative */
	{ AT(1, 6, 1, 7, 1), ABSENT },
	{ AT(1, 6, 1, 8, 5), GAUGE(2) },
	{ AT(1, 6, 1, 8, 1), ABSENT },
	{ AT(1, 6, 1, 9, 1), GAUGE(6500) },
	{ AT(1, 6, 1, 9, 5), GAUGE(500) },
	{ AT(1, 6, 1, 9, 2), ABSENT },
	{ AT(1, 6, 1, 10, 1), STR(AGENT_ERR) },
	{ AT(1, 6, 1, 10, 5), ABSENT },         /* connected: no error */
	{ AT(1, 6, 1, 10, 2), ABSENT },
	{ AT(1, 6, 1, 11, 1), NOOBJ },
	{ AT(1, 6, 1, 0, 1), NOOBJ },
	{ AT(1, 6, 1, 1, 3), ABSENT },
	{ AT(1, 6, 1, 1, 5, 0), ABSENT },
	/* virtGuestAddressTable: (domain, interface row, number). */
	{ AT(1, 7, 1, 3, 1, 1, 1), STR("\x52\x54\x00\x00\x00\x01") },
	{ AT(1, 7, 1, 4, 1, 1, 1), INT(1) },                  /* ipv4 */
	{ AT(1, 7, 1, 5, 1, 1, 1), STR("\xc0\xa8\x7a\x0a") },
	{ AT(1, 7, 1, 6, 1, 1, 1), GAUGE(24) },
	{ AT(1, 7, 1, 7, 1, 1, 1), INT(VAX_SRC_LEASE) },
	{ AT(1, 7, 1, 8, 1, 1, 1), ABSENT },                  /* a lease names none */
	{ AT(1, 7, 1, 5, 1, 0, 1), ABSENT },
	{ AT(1, 7, 1, 5, 1, 1, 2), ABSENT },
	/* Domain 5, interface row 0: the docker bridge, then the VPN. */
	{ AT(1, 7, 1, 3, 5, 0, 1), STR("\x02\x42\xac\x11\x00\x01") },
	{ AT(1, 7, 1, 5, 5, 0, 1), STR("\xac\x11\x00\x01") },
	{ AT(1, 7, 1, 6, 5, 0, 1), GAUGE(16) },
	{ AT(1, 7, 1, 7, 5, 0, 1), INT(VAX_SRC_AGENT) },
	{ AT(1, 7, 1, 8, 5, 0, 1), STR("docker0") },
	{ AT(1, 7, 1, 3, 5, 0, 2), ABSENT },                  /* no MAC */
	{ AT(1, 7, 1, 4, 5, 0, 2), INT(1) },
	{ AT(1, 7, 1, 5, 5, 0, 2), STR("\x0a\x08\x00\x01") },
	{ AT(1, 7, 1, 6, 5, 0, 2), ABSENT },                  /* no prefix */
	{ AT(1, 7, 1, 8, 5, 0, 2), STR("tun0") },
	{ AT(1, 7, 1, 5, 5, 0, 3), ABSENT },
	/* Interface row 1: the lease's, then the agent's IPv6. */
	{ AT(1, 7, 1, 3, 5, 1, 1), STR("\x52\x54\x00\x00\x00\x05") },
	{ AT(1, 7, 1, 5, 5, 1, 1), STR("\x0a\x00\x00\x05") },
	{ AT(1, 7, 1, 7, 5, 1, 1), INT(VAX_SRC_LEASE) },
	{ AT(1, 7, 1, 4, 5, 1, 2), INT(2) },                  /* ipv6 */
	{ AT(1, 7, 1, 5, 5, 1, 2), STR(V6LL) },
	{ AT(1, 7, 1, 6, 5, 1, 2), GAUGE(64) },
	{ AT(1, 7, 1, 8, 5, 1, 2), STR("eth0") },
	{ AT(1, 7, 1, 5, 5, 1, 3), ABSENT },
	{ AT(1, 7, 1, 5, 5, 2, 1), ABSENT },                  /* the user NIC: none */
	{ AT(1, 7, 1, 5, 5, 1, 0), ABSENT },
	{ AT(1, 7, 1, 5, 2, 0, 1), ABSENT },
	{ AT(1, 7, 1, 5, 5, 1), ABSENT },
	{ AT(1, 7, 1, 5, 5, 1, 1, 0), ABSENT },
	{ AT(1, 7, 1, 1, 5, 1, 1), NOOBJ },                   /* indexes */
	{ AT(1, 7, 1, 2, 5, 1, 1), NOOBJ },
	{ AT(1, 7, 1, 9, 5, 1, 1), NOOBJ },
	/* virtGuestFsTable. */
	{ AT(1, 8, 1, 2, 5, 1), STR("/") },
	{ AT(1, 8, 1, 3, 5, 1), STR("ext4") },
	{ AT(1, 8, 1, 4, 5, 1), STR("/dev/vda1") },
	{ AT(1, 8, 1, 5, 5, 1), GAUGE(1) },                   /* vda */
	{ AT(1, 8, 1, 6, 5, 1), C64(1000) },
	{ AT(1, 8, 1, 7, 5, 1), C64(999) },
	{ AT(1, 8, 1, 8, 5, 1), GAUGE(99) },                  /* rounded down */
	{ AT(1, 8, 1, 5, 5, 2), GAUGE(2) },                   /* vdb */
	{ AT(1, 8, 1, 8, 5, 2), GAUGE(100) },
	{ AT(1, 8, 1, 3, 5, 3), ABSENT },
	{ AT(1, 8, 1, 4, 5, 3), STR("/dev/sdz1") },
	{ AT(1, 8, 1, 5, 5, 3), GAUGE(0) },                   /* no disk sdz */
	{ AT(1, 8, 1, 6, 5, 3), C64(0) },
	{ AT(1, 8, 1, 8, 5, 3), ABSENT },                     /* size 0 */
	{ AT(1, 8, 1, 4, 5, 4), ABSENT },
	{ AT(1, 8, 1, 5, 5, 4), GAUGE(0) },                   /* no alias */
	{ AT(1, 8, 1, 7, 5, 4), C64(150) },
	{ AT(1, 8, 1, 8, 5, 4), ABSENT },                     /* used > total */
	{ AT(1, 8, 1, 6, 5, 5), C64(3) },
	{ AT(1, 8, 1, 7, 5, 5), ABSENT },
	{ AT(1, 8, 1, 8, 5, 5), ABSENT },
	{ AT(1, 8, 1, 2, 5, 6), ABSENT },
	{ AT(1, 8, 1, 2, 5, 0), ABSENT },
	{ AT(1, 8, 1, 2, 1, 1), ABSENT },                     /* its agent gave none */
	{ AT(1, 8, 1, 1, 5, 1), NOOBJ },
	{ AT(1, 8, 1, 9, 5, 1), NOOBJ },
	{ AT(1, 12, 1, 2, 5, 1), NOOBJ }, { AT(1, 9, 1, 2, 5, 1), ABSENT },
};

START_TEST(test_guest_get)
{
	check_get(&guest_cells_get[_i]);
}
END_TEST

static const struct step guest_steps[] = {
	{ FROM(1, 5, 1, 17, 5, 1), TO(1, 6, 1, 1, 1), INT(VAX_AGENT_NOT_RESPONDING) },
	{ FROM(1, 6, 1, 1, 5), TO(1, 6, 1, 2, 1), GAUGE(9500) },
	{ FROM(1, 6, 1, 2, 1), TO(1, 6, 1, 2, 5), GAUGE(1500) },   /* 2 has none */
	{ FROM(1, 6, 1, 4), TO(1, 6, 1, 4, 5) },
	{ FROM(1, 6, 1, 9, 5), TO(1, 6, 1, 10, 1), STR(AGENT_ERR) },
	/* From the last cell of virtGuestTable into the address table. */
	{ FROM(1, 6, 1, 10, 1), TO(1, 7, 1, 3, 1, 1, 1) },
	{ FROM(1, 6, 1, 11), TO(1, 7, 1, 3, 1, 1, 1) },
	{ FROM(1, 7), TO(1, 7, 1, 3, 1, 1, 1) },
	/* Interface row 0 before row 1; the VPN address has no MAC. */
	{ FROM(1, 7, 1, 3, 1, 1, 1), TO(1, 7, 1, 3, 5, 0, 1) },
	{ FROM(1, 7, 1, 3, 5, 0, 1), TO(1, 7, 1, 3, 5, 1, 1) },
	{ FROM(1, 7, 1, 4, 5), TO(1, 7, 1, 4, 5, 0, 1), INT(1) },
	{ FROM(1, 7, 1, 4, 5, 0, 1), TO(1, 7, 1, 4, 5, 0, 2), INT(1) },
	{ FROM(1, 7, 1, 4, 5, 0, 2), TO(1, 7, 1, 4, 5, 1, 1), INT(1) },
	{ FROM(1, 7, 1, 4, 5, 1, 1), TO(1, 7, 1, 4, 5, 1, 2), INT(2) },
	{ FROM(1, 7, 1, 4, 5, 1, 2), TO(1, 7, 1, 5, 1, 1, 1) },
	{ FROM(1, 7, 1, 4, 5, 0, 4294967295u), TO(1, 7, 1, 4, 5, 1, 1) },
	{ FROM(1, 7, 1, 8), TO(1, 7, 1, 8, 5, 0, 1), STR("docker0") },
	{ FROM(1, 7, 1, 8, 5, 1, 2), TO(1, 8, 1, 2, 5, 1), STR("/") },
	/* Filesystems without a type are skipped. */
	{ FROM(1, 8, 1, 3, 5, 2), TO(1, 8, 1, 3, 5, 4), STR("tmpfs") },
	{ FROM(1, 8, 1, 8, 5, 1), TO(1, 8, 1, 8, 5, 2), GAUGE(100) },
	{ FROM(1, 8, 1, 8, 5, 2), END },    /* virtGuestFsUsedPercent, the last cell */
	{ FROM(1, 8, 1, 9), END },
	{ FROM(1, 9), END },
};

START_TEST(test_guest_next)
{
	check_next(&guest_steps[_i]);
}
END_TEST

START_TEST(test_guest_expected_cells)
{
	ck_assert_uint_eq(expected_cells(snap), GUEST_FIXTURE_CELLS);
}
END_TEST

START_TEST(test_guest_walk_count)
{
	static struct walk w;

	walk(&w);
	ck_assert_uint_eq(w.n, GUEST_FIXTURE_CELLS);
	ck_assert_uint_eq(w.n, expected_cells(snap));
	ck_assert_uint_eq(w.per_table[6], 15);
	ck_assert_uint_eq(w.per_table[7], 26);
	ck_assert_uint_eq(w.per_table[8], 27);
}
END_TEST

/* The rows seal built: domain by domain, interface row 0 first, each
 * numbered from 1, pointing at the guest's own entries. */
START_TEST(test_guest_rows)
{
	static const struct { uint32_t dom, sub, sub2; int addr; } want[] = {
		{ 1, 1, 1, 0 }, { 5, 0, 1, 1 }, { 5, 0, 2, 3 }, { 5, 1, 1, 0 }, { 5, 1, 2, 2 },
	};
	const struct vax_guest *g5 = fx_find(snap, 5)->guest;

	ck_assert_uint_eq(snap->naddr_rows, N(want));
	for (int k = 0; k < N(want); k++) {
		const struct vax_row *r = &snap->addr_rows[k];
		ck_assert_uint_eq(r->dom->index, want[k].dom);
		ck_assert_uint_eq(r->sub, want[k].sub);
		ck_assert_uint_eq(r->sub2, want[k].sub2);
		ck_assert_ptr_eq(r->item, &r->dom->guest->addrs[want[k].addr]);
	}
	ck_assert_uint_eq(snap->nfs_rows, 5);
	for (uint32_t k = 0; k < 5; k++) {
		ck_assert_ptr_eq(snap->fs_rows[k].dom, fx_find(snap, 5));
		ck_assert_uint_eq(snap->fs_rows[k].sub, k + 1);
		ck_assert_ptr_eq(snap->fs_rows[k].item, &g5->info->fs[k]);
	}
}
END_TEST

/* Ages are the view's clock less when the data was had; never negative. */
START_TEST(test_guest_ages)
{
	struct vax_value v;

	view.now_ms = 500;   /* behind every time in the fixture */
	ck_assert_int_eq(get(OID(1, 6, 1, 2, 5), &v), VAX_FOUND);
	expect_u(&v, VAX_T_GAUGE32, 0);
	ck_assert_int_eq(get(OID(1, 6, 1, 9, 1), &v), VAX_FOUND);
	expect_u(&v, VAX_T_GAUGE32, 0);
	view.now_ms = 4000 + 4294967295LL + 10;   /* saturates */
	ck_assert_int_eq(get(OID(1, 6, 1, 9, 1), &v), VAX_FOUND);
	expect_u(&v, VAX_T_GAUGE32, 4294967295u);
	view.now_ms = 123456;
	ck_assert_int_eq(get(OID(1, 6, 1, 2, 1), &v), VAX_FOUND);
	expect_u(&v, VAX_T_GAUGE32, 123456 - 1000);
	ck_assert_int_eq(get(OID(1, 6, 1, 9, 5), &v), VAX_FOUND);
	expect_u(&v, VAX_T_GAUGE32, 123456 - 10000);
}
END_TEST

/* virtGuestAgentState and virtGuestAgentError by what is known. */
static const struct {
	bool running;
	int state;              /* the guest record's; 0: none */
	const char *error;
	bool guest_agent;       /* the snapshot's guestAgent */
	int want;               /* -1: absent */
	bool want_error;
} agent_states[] = {
	{ false, 0, NULL, false, VAX_AGENT_NOT_RUNNING, false },
	{ false, 0, NULL, true, VAX_AGENT_NOT_RUNNING, false },
	{ false, VAX_AGENT_CONNECTED, NULL, true, VAX_AGENT_NOT_RUNNING, false },
	{ true, 0, NULL, false, VAX_AGENT_NOT_CONFIGURED, false },
	{ true, 0, NULL, true, -1, false },          /* not asked yet */
	{ true, VAX_AGENT_NOT_CONFIGURED, NULL, false, VAX_AGENT_NOT_CONFIGURED, false },
	{ true, VAX_AGENT_CONNECTED, "stale", true, VAX_AGENT_CONNECTED, false },
	{ true, VAX_AGENT_NOT_RESPONDING, "hung", true, VAX_AGENT_NOT_RESPONDING, true },
	{ true, VAX_AGENT_NOT_RESPONDING, NULL, true, VAX_AGENT_NOT_RESPONDING, false },
	{ true, VAX_AGENT_UNSUPPORTED, "no channel", true, VAX_AGENT_UNSUPPORTED, false },
};

START_TEST(test_agent_state)
{
	struct vax_snapshot *s = vax_snapshot_new(1);
	struct vax_domain *d = fx_add_domain(s, 4, "g", UUID1, agent_states[_i].running ? 1 : 5,
					     NULL, 0);
	struct vax_view w = { .snap = s, .now_ms = 100, .cache_timeout = 5 };
	struct vax_value v;
	uint32_t o[VAX_MAX_OID];
	size_t olen;

	if (agent_states[_i].running)
		vax_set(&d->vals, VAX_DOM_ID, 9);
	if (agent_states[_i].state)
		d->guest = fx_guest(agent_states[_i].state, agent_states[_i].error, NULL, 0,
				    NULL, 0);
	s->guest_agent = agent_states[_i].guest_agent;
	fx_seal(s);
	if (agent_states[_i].want < 0) {
		ck_assert_int_eq(vax_virt_get(&w, OID(1, 6, 1, 1, 4), &v), VAX_NO_INSTANCE);
		ck_assert(!vax_virt_next(&w, OID(1, 5, 9), o, &olen, &v));   /* nothing in 6 */
	} else {
		ck_assert_int_eq(vax_virt_get(&w, OID(1, 6, 1, 1, 4), &v), VAX_FOUND);
		expect_i(&v, agent_states[_i].want);
	}
	ck_assert_int_eq(vax_virt_get(&w, OID(1, 6, 1, 10, 4), &v),
			 agent_states[_i].want_error ? VAX_FOUND : VAX_NO_INSTANCE);
	if (agent_states[_i].want_error)
		expect_s(&v, agent_states[_i].error);
	/* No answer: no facts, no age. */
	ck_assert_int_eq(vax_virt_get(&w, OID(1, 6, 1, 2, 4), &v), VAX_NO_INSTANCE);
	ck_assert_int_eq(vax_virt_get(&w, OID(1, 6, 1, 9, 4), &v), VAX_NO_INSTANCE);
	vax_snapshot_free(s);
}
END_TEST

static void check_percent(uint64_t total, bool has_total, uint64_t used, bool has_used,
			  int64_t want)
{
	struct vax_snapshot *s = vax_snapshot_new(1);
	struct vax_domain *d = fx_add_domain(s, 1, "g", UUID1, 1, NULL, 0);
	struct vax_guest_info *i = fx_guest_info(1, NULL, NULL, NULL, NULL, false, 0, -1);
	struct vax_view w = { .snap = s, .now_ms = 100, .cache_timeout = 5 };
	struct vax_value v;

	vax_set(&d->vals, VAX_DOM_ID, 1);
	fx_guest_fs(i, "/", NULL, NULL, NULL, -1, -1);
	if (has_total)
		vax_set(&i->fs[0].vals, VAX_FS_TOTAL, total);
	if (has_used)
		vax_set(&i->fs[0].vals, VAX_FS_USED, used);
	d->guest = fx_guest(VAX_AGENT_CONNECTED, NULL, i, 0, NULL, 0);
	fx_seal(s);
	if (want < 0)
		ck_assert_int_eq(vax_virt_get(&w, OID(1, 8, 1, 8, 1, 1), &v), VAX_NO_INSTANCE);
	else {
		ck_assert_int_eq(vax_virt_get(&w, OID(1, 8, 1, 8, 1, 1), &v), VAX_FOUND);
		expect_u(&v, VAX_T_GAUGE32, (uint64_t)want);
	}
	vax_snapshot_free(s);
}

/* virtGuestFsUsedPercent at its edges. */
static const struct { int64_t total, used; int64_t want; } percents[] = {
	{ 100, 0, 0 }, { 100, 100, 100 }, { 100, 101, -1 }, { 0, 0, -1 }, { 0, 5, -1 },
	{ 3, 1, 33 }, { 3, 2, 66 }, { 1000, 899, 89 }, { 1000, 900, 90 },
	{ -1, 5, -1 }, { 5, -1, -1 },
	{ 1099511627776LL * 1024, 1099511627776LL * 1024 - 1, 99 },   /* 1 PiB less a byte */
	{ INT64_MAX, INT64_MAX, 100 },
};

/* Where a double loses the last byte: 99.99...%, so 99, not 100. */
static const struct { uint64_t total, used, want; } big_percents[] = {
	{ UINT64_C(1) << 62, (UINT64_C(1) << 62) - 1, 99 },
	{ UINT64_MAX, UINT64_MAX - 1, 99 },
	{ UINT64_MAX, UINT64_MAX / 10 * 9 - 1, 89 },
	{ UINT64_MAX, UINT64_MAX / 100, 0 },
	{ UINT64_MAX, UINT64_MAX / 100 + 1, 1 },
};

START_TEST(test_fs_percent)
{
	check_percent((uint64_t)percents[_i].total, percents[_i].total >= 0,
		      (uint64_t)percents[_i].used, percents[_i].used >= 0, percents[_i].want);
}
END_TEST

/* Against plain integer arithmetic where it cannot overflow. */
START_TEST(test_fs_percent_small_all)
{
	for (uint64_t t = 1; t <= 120; t += 7)
		for (uint64_t u = 0; u <= t; u++)
			check_percent(t, true, u, true, (int64_t)(u * 100 / t));
}
END_TEST

START_TEST(test_fs_percent_big)
{
	check_percent(big_percents[_i].total, true, big_percents[_i].used, true,
		      (int64_t)big_percents[_i].want);
}
END_TEST

/* ---- the host node (virtHost): setup_host()'s fixture ---- */

/* Counted by hand: the guest fixture's, and the 23 host scalars. */
#define HOST_FIXTURE_CELLS (GUEST_FIXTURE_CELLS + 23)

/* virtHost.1 to .23 in order, then the lookups around them. */
static const struct cell host_cells[] = {
	{ AT(1, 9, 1, 0), STR("x86_64") },
	{ AT(1, 9, 2, 0), GAUGE(8) },
	{ AT(1, 9, 3, 0), GAUGE(2400) },
	{ AT(1, 9, 4, 0), GAUGE(1) },
	{ AT(1, 9, 5, 0), GAUGE(1) },
	{ AT(1, 9, 6, 0), GAUGE(4) },
	{ AT(1, 9, 7, 0), GAUGE(2) },
	{ AT(1, 9, 8, 0), C64(16777216) },          /* VirtGauge64: a Counter64 */
	{ AT(1, 9, 9, 0), GAUGE(710) },
	{ AT(1, 9, 10, 0), C64(5000000000001ULL) },
	{ AT(1, 9, 11, 0), C64(12000000000002ULL) },
	{ AT(1, 9, 12, 0), C64(80000000000003ULL) },
	{ AT(1, 9, 13, 0), C64(300000000004ULL) },
	{ AT(1, 9, 14, 0), C64(16314664) },
	{ AT(1, 9, 15, 0), C64(1048576) },
	{ AT(1, 9, 16, 0), C64(204800) },
	{ AT(1, 9, 17, 0), C64(8388608) },
	{ AT(1, 9, 18, 0), GAUGE(5) },
	{ AT(1, 9, 19, 0), C64(6291456) },
	{ AT(1, 9, 20, 0), GAUGE(63) },             /* 5 vCPUs / 8 CPUs = 0.625 */
	{ AT(1, 9, 21, 0), GAUGE(3856) },           /* 6 GiB / 16314664 KiB: 38.563% */
	{ AT(1, 9, 22, 0), GAUGE(1725) },
	{ AT(1, 9, 23, 0), GAUGE(10000) },
	/* Scalars: instance 0 only; no object 0 or past 23. */
	{ AT(1, 9, 2, 1), ABSENT },
	{ AT(1, 9, 2), ABSENT },
	{ AT(1, 9, 2, 0, 0), ABSENT },
	{ AT(1, 9, 23, 4294967295u), ABSENT },
	{ AT(1, 9, 0, 0), NOOBJ },
	{ AT(1, 9, 24, 0), NOOBJ },
	{ AT(1, 9, 4294967295u, 0), NOOBJ },
	{ AT(1, 9), NOOBJ },
	{ AT(1, 10, 1, 0), NOOBJ },
	/* The other scalars are still theirs. */
	{ AT(1, 1, 2, 0), STR("QEMU") },
};

START_TEST(test_host_get)
{
	check_get(&host_cells[_i]);
}
END_TEST

static const struct step host_steps[] = {
	/* From the last cell of the last table, and past that table. */
	{ FROM(1, 8, 1, 8, 5, 2), TO(1, 9, 1, 0), STR("x86_64") },
	{ FROM(1, 8, 1, 9), TO(1, 9, 1, 0), STR("x86_64") },
	{ FROM(1, 8, 2), TO(1, 9, 1, 0) },
	{ FROM(1, 8, 4294967295u), TO(1, 9, 1, 0) },
	{ FROM(1, 9), TO(1, 9, 1, 0) },
	{ FROM(1, 9, 0), TO(1, 9, 1, 0) },
	{ FROM(1, 9, 0, 5), TO(1, 9, 1, 0) },
	{ FROM(1, 9, 1), TO(1, 9, 1, 0) },
	/* The tables before are walked first. */
	{ FROM(1, 8, 1, 8, 5, 1), TO(1, 8, 1, 8, 5, 2) },
	/* Within virtHost. */
	{ FROM(1, 9, 1, 0), TO(1, 9, 2, 0), GAUGE(8) },
	{ FROM(1, 9, 5, 0, 7), TO(1, 9, 6, 0), GAUGE(4) },
	{ FROM(1, 9, 19, 4294967295u), TO(1, 9, 20, 0), GAUGE(63) },
	{ FROM(1, 9, 22, 0), TO(1, 9, 23, 0), GAUGE(10000) },
	/* The last object of the MIB. */
	{ FROM(1, 9, 23, 0), END },
	{ FROM(1, 9, 24), END },
	{ FROM(1, 9, 4294967295u), END },
	{ FROM(1, 10), END },
	{ FROM(2), END },
};

START_TEST(test_host_next)
{
	check_next(&host_steps[_i]);
}
END_TEST

/* GETNEXT from the last table's last cell visits .1.0 to .23.0 in turn,
 * each with GET's value and the fixture's, then ends. */
START_TEST(test_host_walk_order)
{
	struct vax_value v;

	ck_assert(next(OID(1, 8, 1, 8, 5, 2)));
	for (uint32_t n = 1; n <= 23; n++) {
		const struct cell *c = &host_cells[n - 1];
		char where[32];

		snprintf(where, sizeof(where), "virtHost.%u", n);
		ck_assert_msg(outlen == 4 && out[0] == 1 && out[1] == 9 && out[2] == n && out[3] == 0,
			      "%s: not reached", where);
		ck_assert_int_eq(get(out, outlen, &v), VAX_FOUND);
		ck_assert_msg(same_value(&v, &val), "%s: not GET's value", where);
		check_value(where, VAX_FOUND, &val, &c->v);
		if (n < 23)
			ck_assert_msg(next(out, outlen), "%s: the walk ended", where);
	}
	ck_assert(!next(out, outlen));
}
END_TEST

START_TEST(test_host_walk_count)
{
	static struct walk w;

	ck_assert_uint_eq(expected_cells(snap), HOST_FIXTURE_CELLS);
	walk(&w);
	ck_assert_uint_eq(w.n, HOST_FIXTURE_CELLS);
	ck_assert_uint_eq(w.per_table[9], 23);
	ck_assert_uint_eq(w.per_table[8], 27);   /* the tables as without a host */
	ck_assert_uint_eq(w.per_table[1], 14);
}
END_TEST

/* ---- the host node: what changes which scalar ---- */

static struct vax_host_vals *hv(void) { return &snap->host; }
static void host_unset(int f) { vax_unset(hv(), f); }

static void no_cpu_model(void) { free(snap->cpu_model); snap->cpu_model = NULL; }
static void no_host_at_all(void) { no_cpu_model(); hv()->have = 0; }
static void cpu_model_300(void) { replace(&snap->cpu_model, fx_repeat(EURO, 100)); }
static void no_mem_stats(void)
{
	for (int f = VAX_HOST_MEM_TOTAL; f <= VAX_HOST_MEM_CACHED; f++)
		host_unset(f);
}
static void no_node_memory(void) { host_unset(VAX_HOST_MEMORY); }
static void no_memory_size(void) { no_mem_stats(); no_node_memory(); }
static void node_memory_zero(void) { no_mem_stats(); set(hv(), VAX_HOST_MEMORY, 0); }
static void mem_total_zero(void) { set(hv(), VAX_HOST_MEM_TOTAL, 0); }
static void no_cpu_count(void) { host_unset(VAX_HOST_CPUS); }
static void cpu_count_zero(void) { set(hv(), VAX_HOST_CPUS, 0); }
static void no_guest_vcpus(void) { host_unset(VAX_HOST_GUEST_VCPUS); }
static void no_guest_memory(void) { host_unset(VAX_HOST_GUEST_MEMORY); }
static void no_guests_running(void)
{
	set(hv(), VAX_HOST_GUEST_VCPUS, 0);
	set(hv(), VAX_HOST_GUEST_MEMORY, 0);
}
static void no_usage_yet(void) { host_unset(VAX_HOST_U_CPU); host_unset(VAX_HOST_U_WINDOW); }
static void no_cpu_stats(void)
{
	for (int f = VAX_HOST_CPU_KERNEL; f <= VAX_HOST_CPU_IOWAIT; f++)
		host_unset(f);
	no_usage_yet();
}
static void no_mhz(void) { host_unset(VAX_HOST_MHZ); }
static void vcpus_third(void) { set(hv(), VAX_HOST_GUEST_VCPUS, 1); set(hv(), VAX_HOST_CPUS, 3); }
static void vcpus_two_thirds(void)
{
	set(hv(), VAX_HOST_GUEST_VCPUS, 2);
	set(hv(), VAX_HOST_CPUS, 3);
}
static void memory_half_up(void)   /* 1 KiB of 20000: 0.5 hundredths of a percent */
{
	set(hv(), VAX_HOST_GUEST_MEMORY, 1);
	set(hv(), VAX_HOST_MEM_TOTAL, 20000);
}
static void memory_overcommit(void)   /* twice the memory there is */
{
	set(hv(), VAX_HOST_GUEST_MEMORY, 2 * 16314664);
}
static void host_gauges_saturate(void)
{
	set(hv(), VAX_HOST_CPUS, UINT64_C(1) << 32);
	set(hv(), VAX_HOST_MAX_VCPUS, UINT64_MAX);
	set(hv(), VAX_HOST_GUEST_VCPUS, UINT32_MAX);   /* and per CPU, in hundredths */
}
static void vcpu_ratio_saturates(void)
{
	set(hv(), VAX_HOST_GUEST_VCPUS, UINT32_MAX);
	set(hv(), VAX_HOST_CPUS, 1);
}
/* Products past 2^64: the ratio is still known, exactly or saturated. */
static void memory_ratio_wraps(void)   /* * 10000 fits; + the rounding does not */
{
	set(hv(), VAX_HOST_GUEST_MEMORY, UINT64_MAX / 10000);
}
static void memory_ratio_huge_equal(void)
{
	set(hv(), VAX_HOST_GUEST_MEMORY, UINT64_C(1) << 61);
	set(hv(), VAX_HOST_MEM_TOTAL, UINT64_C(1) << 61);
}
static void vcpu_ratio_huge(void)
{
	set(hv(), VAX_HOST_GUEST_VCPUS, UINT64_MAX);
	set(hv(), VAX_HOST_CPUS, UINT64_MAX / 2);
}
static void host_counters_max(void)
{
	set(hv(), VAX_HOST_MEMORY, UINT64_MAX);
	set(hv(), VAX_HOST_CPU_KERNEL, UINT64_MAX);
	set(hv(), VAX_HOST_MEM_CACHED, UINT64_C(1) << 32);
}

static const struct {
	const char *name;
	void (*change)(void);
	size_t ncells, nsteps;
	struct cell cells[6];
	struct step steps[3];
} host_changes[] = {
	{ "no CPU model", no_cpu_model, CELLS({ AT(1, 9, 1, 0), ABSENT }),
	  STEPS({ FROM(1, 8, 1, 8, 5, 2), TO(1, 9, 2, 0), GAUGE(8) },
		{ FROM(1, 9), TO(1, 9, 2, 0) }) },
	{ "nothing known of the host", no_host_at_all,
	  CELLS({ AT(1, 9, 1, 0), ABSENT }, { AT(1, 9, 2, 0), ABSENT },
		{ AT(1, 9, 8, 0), ABSENT }, { AT(1, 9, 20, 0), ABSENT },
		{ AT(1, 9, 21, 0), ABSENT }, { AT(1, 9, 23, 0), ABSENT }),
	  STEPS({ FROM(1, 8, 1, 8, 5, 2), END }, { FROM(1, 9), END }) },
	/* A DisplayString: 255 bytes, whole characters (85 euro signs). */
	{ "CPU model cut", cpu_model_300, CELLS({ AT(1, 9, 1, 0), CUT(255) }) },
	{ "no MHz (libvirt's 0)", no_mhz, CELLS({ AT(1, 9, 3, 0), ABSENT }),
	  STEPS({ FROM(1, 9, 2, 0), TO(1, 9, 4, 0), GAUGE(1) }) },
	/* The test driver has no memory statistics: the node's size serves. */
	{ "no memory statistics", no_mem_stats,
	  CELLS({ AT(1, 9, 14, 0), ABSENT }, { AT(1, 9, 17, 0), ABSENT },
		{ AT(1, 9, 8, 0), C64(16777216) },
		{ AT(1, 9, 21, 0), GAUGE(3750) }),      /* 6 GiB of 16 GiB */
	  STEPS({ FROM(1, 9, 13, 0), TO(1, 9, 18, 0), GAUGE(5) }) },
	{ "no node memory size", no_node_memory,
	  CELLS({ AT(1, 9, 8, 0), ABSENT }, { AT(1, 9, 21, 0), GAUGE(3856) }),
	  STEPS({ FROM(1, 9, 7, 0), TO(1, 9, 9, 0), GAUGE(710) }) },
	{ "no memory size at all", no_memory_size,
	  CELLS({ AT(1, 9, 8, 0), ABSENT }, { AT(1, 9, 19, 0), C64(6291456) },
		{ AT(1, 9, 21, 0), ABSENT }),
	  STEPS({ FROM(1, 9, 20, 0), TO(1, 9, 22, 0), GAUGE(1725) }) },
	/* Divisions by zero: no ratio; the zero itself is served. */
	{ "node memory 0", node_memory_zero,
	  CELLS({ AT(1, 9, 8, 0), C64(0) }, { AT(1, 9, 21, 0), ABSENT }) },
	{ "memory total 0", mem_total_zero,
	  CELLS({ AT(1, 9, 14, 0), C64(0) }, { AT(1, 9, 21, 0), ABSENT },
		{ AT(1, 9, 20, 0), GAUGE(63) }) },
	{ "no CPU count", no_cpu_count,
	  CELLS({ AT(1, 9, 2, 0), ABSENT }, { AT(1, 9, 20, 0), ABSENT },
		{ AT(1, 9, 21, 0), GAUGE(3856) }),
	  STEPS({ FROM(1, 9, 1, 0), TO(1, 9, 3, 0), GAUGE(2400) },
		{ FROM(1, 9, 19, 0), TO(1, 9, 21, 0), GAUGE(3856) }) },
	{ "CPU count 0", cpu_count_zero,
	  CELLS({ AT(1, 9, 2, 0), GAUGE(0) }, { AT(1, 9, 20, 0), ABSENT }) },
	/* A running domain's count unknown: no sum, so no ratio. */
	{ "no guest vCPUs", no_guest_vcpus,
	  CELLS({ AT(1, 9, 18, 0), ABSENT }, { AT(1, 9, 20, 0), ABSENT },
		{ AT(1, 9, 21, 0), GAUGE(3856) }),
	  STEPS({ FROM(1, 9, 17, 0), TO(1, 9, 19, 0), C64(6291456) }) },
	{ "no guest memory", no_guest_memory,
	  CELLS({ AT(1, 9, 19, 0), ABSENT }, { AT(1, 9, 21, 0), ABSENT },
		{ AT(1, 9, 20, 0), GAUGE(63) }),
	  STEPS({ FROM(1, 9, 20, 0), TO(1, 9, 22, 0), GAUGE(1725) }) },
	{ "no guest running", no_guests_running,
	  CELLS({ AT(1, 9, 18, 0), GAUGE(0) }, { AT(1, 9, 19, 0), C64(0) },
		{ AT(1, 9, 20, 0), GAUGE(0) }, { AT(1, 9, 21, 0), GAUGE(0) }) },
	{ "no usage window yet", no_usage_yet,
	  CELLS({ AT(1, 9, 22, 0), ABSENT }, { AT(1, 9, 23, 0), ABSENT }),
	  STEPS({ FROM(1, 9, 21, 0), END }) },
	{ "no CPU statistics", no_cpu_stats,
	  CELLS({ AT(1, 9, 10, 0), ABSENT }, { AT(1, 9, 13, 0), ABSENT },
		{ AT(1, 9, 22, 0), ABSENT }),
	  STEPS({ FROM(1, 9, 9, 0), TO(1, 9, 14, 0), C64(16314664) }) },
	/* Rounded half up, as the other gauges. */
	{ "a third of a vCPU per CPU", vcpus_third, CELLS({ AT(1, 9, 20, 0), GAUGE(33) }) },
	{ "two thirds", vcpus_two_thirds, CELLS({ AT(1, 9, 20, 0), GAUGE(67) }) },
	{ "memory ratio half up", memory_half_up, CELLS({ AT(1, 9, 21, 0), GAUGE(1) }) },
	{ "memory overcommitted", memory_overcommit, CELLS({ AT(1, 9, 21, 0), GAUGE(20000) }) },
	{ "host gauges saturate", host_gauges_saturate,
	  CELLS({ AT(1, 9, 2, 0), GAUGE(4294967295u) }, { AT(1, 9, 9, 0), GAUGE(4294967295u) },
		{ AT(1, 9, 18, 0), GAUGE(4294967295u) },
		{ AT(1, 9, 20, 0), GAUGE(100) }) },    /* 2^32-1 of 2^32: 0.99999... */
	{ "vCPU ratio saturates", vcpu_ratio_saturates,
	  CELLS({ AT(1, 9, 20, 0), GAUGE(4294967295u) }) },
	{ "memory ratio past 64 bits", memory_ratio_wraps,
	  CELLS({ AT(1, 9, 21, 0), GAUGE(4294967295u) }) },
	{ "memory ratio of huge sizes", memory_ratio_huge_equal,
	  CELLS({ AT(1, 9, 21, 0), GAUGE(10000) }) },
	{ "vCPU ratio of huge counts", vcpu_ratio_huge,
	  CELLS({ AT(1, 9, 20, 0), GAUGE(200) }) },
	{ "host counters full range", host_counters_max,
	  CELLS({ AT(1, 9, 8, 0), C64(UINT64_MAX) }, { AT(1, 9, 10, 0), C64(UINT64_MAX) },
		{ AT(1, 9, 17, 0), C64(UINT64_C(1) << 32) },
		{ AT(1, 9, 21, 0), GAUGE(3856) }) },   /* MEM_TOTAL, not the size */
};

START_TEST(test_host_changed)
{
	static struct walk w;

	host_changes[_i].change();
	for (size_t k = 0; k < host_changes[_i].ncells; k++)
		check_get(&host_changes[_i].cells[k]);
	for (size_t k = 0; k < host_changes[_i].nsteps; k++)
		check_next(&host_changes[_i].steps[k]);
	/* The walk still visits exactly the cells there are. */
	walk(&w);
	ck_assert_uint_eq(w.n, expected_cells(snap));
}
END_TEST

static Suite *mib_suite(void)
{
	Suite *s = suite_create("mib_virtagentx");
	TCase *tc;

	tc = tcase_create("basics");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_counts_unknown_without_xml);
	tcase_add_test(tc, test_root);
	tcase_add_loop_test(tc, test_oid_cmp, 0, N(oid_cmps));
	tcase_add_test(tc, test_seal_sorts_domains);
	tcase_add_test(tc, test_seal_rows);
	tcase_add_test(tc, test_expected_cells);
	tcase_add_loop_test(tc, test_utf8_prefix, 0, N(prefixes));
	suite_add_tcase(s, tc);

	tc = tcase_create("get");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_get, 0, N(cells));
	tcase_add_loop_test(tc, test_changed, 0, N(changes));
	tcase_add_test(tc, test_long_name_cut);
	tcase_add_loop_test(tc, test_name_cuts, 0, N(name_cuts));
	tcase_add_loop_test(tc, test_utf8_dup, 0, N(utf8_cases));
	tcase_add_test(tc, test_name_invalid_long_cut);
	tcase_add_test(tc, test_4096_vcpus);
	suite_add_tcase(s, tc);

	tc = tcase_create("getnext");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_next, 0, N(steps));
	tcase_add_test(tc, test_next_long_oids);
	tcase_add_test(tc, test_highest_index);
	suite_add_tcase(s, tc);

	tc = tcase_create("walk");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_walk_count);
	tcase_add_test(tc, test_walk_matches_get);
	tcase_add_test(tc, test_walk_empty_snapshot);
	suite_add_tcase(s, tc);

	tc = tcase_create("usage");
	tcase_add_checked_fixture(tc, setup_usage, teardown);
	tcase_add_loop_test(tc, test_usage_get, 0, N(usage_cells));
	tcase_add_loop_test(tc, test_usage_next, 0, N(usage_steps));
	tcase_add_test(tc, test_usage_counts);
	tcase_add_test(tc, test_walk_matches_get);
	tcase_add_loop_test(tc, test_usage_age, 0, N(usage_ages));
	suite_add_tcase(s, tc);

	tc = tcase_create("guest");
	tcase_add_checked_fixture(tc, setup_guest, teardown);
	tcase_add_loop_test(tc, test_guest_get, 0, N(guest_cells_get));
	tcase_add_loop_test(tc, test_guest_next, 0, N(guest_steps));
	tcase_add_test(tc, test_guest_expected_cells);
	tcase_add_test(tc, test_guest_walk_count);
	tcase_add_test(tc, test_walk_matches_get);
	tcase_add_test(tc, test_guest_rows);
	tcase_add_test(tc, test_guest_ages);
	suite_add_tcase(s, tc);

	tc = tcase_create("host");
	tcase_add_checked_fixture(tc, setup_host, teardown);
	tcase_add_loop_test(tc, test_host_get, 0, N(host_cells));
	tcase_add_loop_test(tc, test_host_next, 0, N(host_steps));
	tcase_add_test(tc, test_host_walk_order);
	tcase_add_test(tc, test_host_walk_count);
	tcase_add_test(tc, test_walk_matches_get);
	tcase_add_loop_test(tc, test_host_changed, 0, N(host_changes));
	suite_add_tcase(s, tc);

	tc = tcase_create("guest states");
	tcase_add_loop_test(tc, test_agent_state, 0, N(agent_states));
	tcase_add_loop_test(tc, test_fs_percent, 0, N(percents));
	tcase_add_loop_test(tc, test_fs_percent_big, 0, N(big_percents));
	tcase_add_test(tc, test_fs_percent_small_all);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vax_run_suite(mib_suite());
}
