/* fuzz_guest.c - a guest agent's answer (virDomainGetGuestInfo's typed
 * parameters) into the model, the address sources merged, and the guest
 * tables served from a snapshot, as the guest-data thread and the agent
 * do it (libvirt_guest.c, model.c, mib_virtagentx.c).
 *
 * Input: the format of stats_input.h: "N TARGET" lines give the domain's
 * NICs, then typed parameters ("u fs.count=2", "s if.0.hwaddr=...").
 * The same if.N.* parameters are read a second time as libvirt's
 * virDomainInterfaceAddresses answer (a lease and an ARP source: hwaddr,
 * addr.M.addr, addr.M.type "ipv4"/"ipv6" or a raw number, addr.M.prefix
 * any number), and NIC i has the MAC of if.i.hwaddr when it parses.
 * tests/fuzz/corpus/guest/ has a real answer and hostile ones.
 *
 * Besides memory errors, checks what libvirt_guest.h promises: counts
 * within the caps, valid UTF-8 text, addresses of family 4 or 6 with a
 * prefix that fits and never a loopback one, no zero MAC, an offset
 * within a day; that the merge keeps an address once and each MAC from
 * one source; and that every cell of the guest tables GETNEXT finds is
 * the one GET serves.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include <libvirt/libvirt.h>

#include "fuzz.h"
#include "libvirt_guest.h"
#include "mib_virtagentx.h"
#include "model.h"
#include "stats_input.h"
#include "utf8.h"

#define MAX_IFS 16     /* of the input, as virDomainInterface */
#define MAX_IPS 16     /* per interface */

static bool utf8_ok(const char *s)
{
	return !s || vax_utf8_prefix(s, strlen(s)) == strlen(s);
}

static const virTypedParameter *param(const struct stats_input *in, const char *key)
{
	for (int i = 0; i < in->n; i++)
		if (strcmp(in->p[i].field, key) == 0)
			return &in->p[i];
	return NULL;
}

static const char *str(const struct stats_input *in, const char *key)
{
	const virTypedParameter *p = param(in, key);

	return p && p->type == VIR_TYPED_PARAM_STRING ? p->value.s : NULL;
}

/* Any integer type, cut to unsigned as a C cast would. */
static unsigned num(const struct stats_input *in, const char *key)
{
	const virTypedParameter *p = param(in, key);

	if (!p)
		return 0;
	switch (p->type) {
	case VIR_TYPED_PARAM_INT: return (unsigned)p->value.i;
	case VIR_TYPED_PARAM_UINT: return p->value.ui;
	case VIR_TYPED_PARAM_LLONG: return (unsigned)p->value.l;
	case VIR_TYPED_PARAM_ULLONG: return (unsigned)p->value.ul;
	default: return 0;
	}
}

/* The if.* parameters as virDomainInterfaceAddresses would give them;
 * strings point into in. */
struct ifaces {
	virDomainInterface f[MAX_IFS];
	virDomainInterfacePtr p[MAX_IFS];
	virDomainIPAddress ip[MAX_IFS][MAX_IPS];
	int n;
};

static void make_ifaces(const struct stats_input *in, struct ifaces *x)
{
	char k[64];
	unsigned n = num(in, "if.count");

	x->n = (int)(n > MAX_IFS ? MAX_IFS : n);
	for (int i = 0; i < x->n; i++) {
		virDomainInterface *f = &x->f[i];
		unsigned na;

		snprintf(k, sizeof(k), "if.%d.name", i);
		f->name = (char *)(uintptr_t)str(in, k);
		snprintf(k, sizeof(k), "if.%d.hwaddr", i);
		f->hwaddr = (char *)(uintptr_t)str(in, k);
		snprintf(k, sizeof(k), "if.%d.addr.count", i);
		na = num(in, k);
		f->naddrs = na > MAX_IPS ? MAX_IPS : na;
		f->addrs = x->ip[i];
		for (unsigned j = 0; j < f->naddrs; j++) {
			virDomainIPAddress *ip = &x->ip[i][j];
			const char *type;
			snprintf(k, sizeof(k), "if.%d.addr.%u.addr", i, j);
			ip->addr = (char *)(uintptr_t)str(in, k);
			snprintf(k, sizeof(k), "if.%d.addr.%u.type", i, j);
			type = str(in, k);
			ip->type = type ? (strcmp(type, "ipv6") == 0 ? VIR_IP_ADDR_TYPE_IPV6 :
					   strcmp(type, "ipv4") == 0 ? VIR_IP_ADDR_TYPE_IPV4 : 9)
				   : (int)num(in, k);
			snprintf(k, sizeof(k), "if.%d.addr.%u.prefix", i, j);
			ip->prefix = num(in, k);
		}
		x->p[i] = f;
	}
}

static void check_addrs(const struct vax_guest_addr *a, size_t n, int source)
{
	static const uint8_t zero[6];

	FUZZ_ASSERT(n <= VAX_GUEST_MAX_ADDRS);
	for (size_t i = 0; i < n; i++) {
		FUZZ_ASSERT(a[i].family == 4 || a[i].family == 6);
		FUZZ_ASSERT(!a[i].has_prefix || a[i].prefix <= (a[i].family == 6 ? 128 : 32));
		FUZZ_ASSERT(!vax_guest_addr_loopback(&a[i]));
		FUZZ_ASSERT(!a[i].has_mac || memcmp(a[i].mac, zero, 6) != 0);
		FUZZ_ASSERT(source < 0 || a[i].source == source);
		FUZZ_ASSERT(utf8_ok(a[i].ifname));
		/* Only the agent knows the guest's name of an interface. */
		FUZZ_ASSERT(!a[i].ifname || a[i].source == VAX_SRC_AGENT);
	}
}

static void check_info(const struct vax_guest_info *g, int64_t now)
{
	FUZZ_ASSERT(g->taken_ms == now);
	FUZZ_ASSERT(utf8_ok(g->hostname) && utf8_ok(g->os_name) && utf8_ok(g->kernel) &&
		    utf8_ok(g->timezone));
	FUZZ_ASSERT(g->nfs <= VAX_GUEST_MAX_FS);
	FUZZ_ASSERT(g->nfs == 0 || g->fs != NULL);
	for (size_t i = 0; i < g->nfs; i++) {
		const struct vax_guest_fs *f = &g->fs[i];
		FUZZ_ASSERT(f->mountpoint != NULL);
		FUZZ_ASSERT(utf8_ok(f->mountpoint) && utf8_ok(f->type) && utf8_ok(f->device) &&
			    utf8_ok(f->disk));
	}
	if (vax_has(&g->vals, VAX_GUEST_TZ_OFFSET)) {
		int64_t off = (int64_t)g->vals.v[VAX_GUEST_TZ_OFFSET];
		FUZZ_ASSERT(off >= -86400 && off <= 86400);
	}
	check_addrs(g->addrs, g->naddrs, VAX_SRC_AGENT);
}

static bool same_addr(const struct vax_guest_addr *a, const struct vax_guest_addr *b)
{
	return a->family == b->family && memcmp(a->addr, b->addr, a->family == 6 ? 16 : 4) == 0;
}

/* Each address once; a MAC's addresses from the first source that has it. */
static void check_merge(const struct vax_guest_addr *m, size_t n)
{
	int order[4] = { 0, 0, 0, 0 };   /* the list of each source, by number */

	order[VAX_SRC_LEASE] = 0;
	order[VAX_SRC_AGENT] = 1;
	order[VAX_SRC_ARP] = 2;
	check_addrs(m, n, -1);
	for (size_t i = 0; i < n; i++) {
		FUZZ_ASSERT(i == 0 || order[m[i - 1].source] <= order[m[i].source]);
		for (size_t j = 0; j < i; j++) {
			FUZZ_ASSERT(!same_addr(&m[i], &m[j]));
			if (m[i].has_mac && m[j].has_mac && memcmp(m[i].mac, m[j].mac, 6) == 0)
				FUZZ_ASSERT(m[i].source == m[j].source);
		}
	}
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

/* GETNEXT through virtGuestTable, virtGuestAddressTable, virtGuestFsTable. */
static void walk(const struct vax_snapshot *s, int64_t now)
{
	struct vax_view view = { .snap = s, .now_ms = now, .cache_timeout = 5 };
	uint32_t cur[VAX_MAX_OID] = { 1, 6 }, out[VAX_MAX_OID];
	size_t curlen = 2, outlen, cells = 0;
	struct vax_value v, g;

	while (vax_virt_next(&view, cur, curlen, out, &outlen, &v) && out[0] == 1 &&
	       out[1] >= 6 && out[1] <= 8) {
		FUZZ_ASSERT(vax_oid_cmp(out, outlen, cur, curlen) > 0);
		FUZZ_ASSERT(outlen == (out[1] == 6 ? 5u : out[1] == 7 ? 7u : 6u));
		FUZZ_ASSERT(vax_virt_get(&view, out, outlen, &g) == VAX_FOUND);
		FUZZ_ASSERT(same_value(&v, &g));
		if (out[1] == 8 && out[3] == 8)    /* virtGuestFsUsedPercent */
			FUZZ_ASSERT(v.u <= 100);
		if (out[1] == 7 && out[3] == 5)    /* virtGuestAddress */
			FUZZ_ASSERT(v.len == 4 || v.len == 16);
		memcpy(cur, out, outlen * sizeof(*out));
		curlen = outlen;
		FUZZ_ASSERT(++cells < 100000);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ifaces x;
	const int64_t now = 5000;
	struct stats_input in = { 0 };
	struct vax_guest_info *info = NULL;
	struct vax_guest_addr *lease = NULL, *arp = NULL, *merged = NULL;
	size_t nlease = 0, narp = 0, nmerged = 0;
	struct vax_snapshot *snap = NULL;
	struct vax_domain *d;
	struct vax_guest *g;

	memset(&x, 0, sizeof(x));
	if (!stats_input_decode(data, size, &in))
		goto out;
	if (!(info = vax_guest_info_from_params(in.p, in.n, now)))
		goto out;
	check_info(info, now);

	make_ifaces(&in, &x);
	if (vax_guest_addrs_from_ifaces(x.p, x.n, VAX_SRC_LEASE, &lease, &nlease) < 0 ||
	    vax_guest_addrs_from_ifaces(x.p, x.n, VAX_SRC_ARP, &arp, &narp) < 0)
		goto out;
	check_addrs(lease, nlease, VAX_SRC_LEASE);
	check_addrs(arp, narp, VAX_SRC_ARP);
	{
		const struct vax_addr_list l[] = {
			{ lease, nlease }, { info->addrs, info->naddrs }, { arp, narp } };
		if (vax_guest_merge_addrs(l, 3, &merged, &nmerged) < 0)
			goto out;
	}
	check_merge(merged, nmerged);
	/* The lease and ARP lists are the same addresses: ARP adds nothing. */
	for (size_t i = 0; i < nmerged; i++)
		FUZZ_ASSERT(merged[i].source != VAX_SRC_ARP);

	/* Into a snapshot, NIC i with if.i's MAC, and served. */
	for (size_t i = 0; i < in.def->nnics && (int)i < x.n; i++)
		in.def->nics[i].has_mac = vax_parse_mac(x.f[i].hwaddr, in.def->nics[i].mac);
	if (!(snap = vax_snapshot_new(1)) || !(d = vax_snapshot_add(snap)))
		goto out;
	d->index = 1;
	d->def = vax_domdef_ref(in.def);
	vax_set(&d->vals, VAX_DOM_ID, 1);
	if (in.def->nnics && !(d->nics = calloc(in.def->nnics, sizeof(*d->nics))))
		goto out;
	if (!(g = d->guest = vax_guest_new()))
		goto out;
	g->state = VAX_AGENT_CONNECTED;
	g->info = vax_guest_info_ref(info);
	g->addrs = merged;
	g->naddrs = nmerged;
	g->addrs_ms = now - 1;
	merged = NULL;
	nmerged = 0;
	snap->guest_agent = true;
	if (vax_snapshot_seal(snap) < 0)
		goto out;
	FUZZ_ASSERT(snap->naddr_rows == g->naddrs);
	FUZZ_ASSERT(snap->nfs_rows == info->nfs);
	for (size_t i = 0; i < snap->naddr_rows; i++) {
		const struct vax_row *r = &snap->addr_rows[i];
		FUZZ_ASSERT(r->sub <= in.def->nnics && r->sub2 >= 1);
		FUZZ_ASSERT(i == 0 || r[-1].sub < r->sub ||
			    (r[-1].sub == r->sub && r[-1].sub2 + 1 == r->sub2));
		FUZZ_ASSERT(i > 0 && r[-1].sub == r->sub ? true : r->sub2 == 1);
	}
	walk(snap, now);
out:
	vax_snapshot_free(snap);
	vax_guest_addrs_free(merged, nmerged);
	vax_guest_addrs_free(lease, nlease);
	vax_guest_addrs_free(arp, narp);
	vax_guest_info_unref(info);
	stats_input_free(&in);
	return 0;
}
