/* libvirt_guest.c - guest agent and address answers into model values. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libvirt_guest.h"
#include "utf8.h"

bool vax_parse_mac(const char *s, uint8_t mac[6])
{
	static const char hex[] = "0123456789abcdef";

	if (!s || strlen(s) != 17)
		return false;
	for (int i = 0; i < 6; i++) {
		const char *hi = strchr(hex, tolower((unsigned char)s[3 * i]));
		const char *lo = strchr(hex, tolower((unsigned char)s[3 * i + 1]));
		if (!s[3 * i] || !s[3 * i + 1] || !hi || !lo || (i < 5 && s[3 * i + 2] != ':'))
			return false;
		mac[i] = (uint8_t)((hi - hex) << 4 | (lo - hex));
	}
	return true;
}

/* An address in text ("10.0.0.2", "fe80::1%eth0") of family 4 or 6. */
static bool parse_addr(const char *text, int family, struct vax_guest_addr *a)
{
	char buf[INET6_ADDRSTRLEN + 1];
	size_t len;

	if (!text || (len = strcspn(text, "%")) >= sizeof(buf))
		return false;
	memcpy(buf, text, len);
	buf[len] = '\0';
	if (inet_pton(family == 6 ? AF_INET6 : AF_INET, buf, a->addr) != 1)
		return false;
	a->family = (uint8_t)family;
	return true;
}

/* 127/8, ::1, ::ffff:127/104: a guest's own loopback says nothing. */
bool vax_guest_addr_loopback(const struct vax_guest_addr *a)
{
	static const uint8_t v6lo[16] = { [15] = 1 };
	static const uint8_t v4map[12] = { [10] = 0xff, [11] = 0xff };

	if (a->family == 4)
		return a->addr[0] == 127;
	return memcmp(a->addr, v6lo, 16) == 0 ||
	       (memcmp(a->addr, v4map, 12) == 0 && a->addr[12] == 127);
}

static const virTypedParameter *param(const virTypedParameter *p, int n, const char *key)
{
	for (int i = 0; i < n; i++)
		if (strcmp(p[i].field, key) == 0)
			return &p[i];
	return NULL;
}

static const char *param_str(const virTypedParameter *p, int n, const char *key)
{
	const virTypedParameter *q = param(p, n, key);

	return q && q->type == VIR_TYPED_PARAM_STRING ? q->value.s : NULL;
}

/* A number under key, of any integer type libvirt uses. */
static bool param_i64(const virTypedParameter *p, int n, const char *key, int64_t *out)
{
	const virTypedParameter *q = param(p, n, key);

	switch (q ? q->type : 0) {
	case VIR_TYPED_PARAM_INT: *out = q->value.i; return true;
	case VIR_TYPED_PARAM_UINT: *out = q->value.ui; return true;
	case VIR_TYPED_PARAM_LLONG: *out = q->value.l; return true;
	case VIR_TYPED_PARAM_ULLONG:
		if (q->value.ul > INT64_MAX) {   /* only param_u64 takes it */
			*out = -1;
			return true;
		}
		*out = (int64_t)q->value.ul;
		return true;
	}
	return false;
}

/* An unsigned number under key; a negative one is not. */
static bool param_u64(const virTypedParameter *p, int n, const char *key, uint64_t *out)
{
	const virTypedParameter *q = param(p, n, key);
	int64_t v;

	if (q && q->type == VIR_TYPED_PARAM_ULLONG) {
		*out = q->value.ul;
		return true;
	}
	if (!param_i64(p, n, key, &v) || v < 0)
		return false;
	*out = (uint64_t)v;
	return true;
}

/* The count under key, capped; 0 when absent. */
static size_t param_count(const virTypedParameter *p, int n, const char *key, size_t cap)
{
	uint64_t v;

	return param_u64(p, n, key, &v) ? (v > cap ? cap : (size_t)v) : 0;
}

/* A parameter name into k (a char[64] in scope). */
#define KEY(...) (snprintf(k, sizeof(k), __VA_ARGS__), k)

static char *dup_param(const virTypedParameter *p, int n, const char *key)
{
	return vax_utf8_dup(param_str(p, n, key));
}

static int parse_fs(struct vax_guest_info *g, const virTypedParameter *p, int n)
{
	size_t nfs = param_count(p, n, "fs.count", VAX_GUEST_MAX_FS);
	char k[64];

	if (!nfs)
		return 0;
	if (!(g->fs = calloc(nfs, sizeof(*g->fs))))
		return -1;
	for (size_t i = 0; i < nfs; i++) {
		struct vax_guest_fs *f = &g->fs[g->nfs];
		uint64_t v;

		if (!param_str(p, n, KEY("fs.%zu.mountpoint", i)))
			continue;   /* a row without its name would be useless */
		f->mountpoint = dup_param(p, n, k);
		f->type = dup_param(p, n, KEY("fs.%zu.fstype", i));
		/* The first disk under it: a filesystem over several (LVM,
		 * RAID) names the first one. */
		f->device = dup_param(p, n, KEY("fs.%zu.disk.0.device", i));
		if (!f->device)
			f->device = dup_param(p, n, KEY("fs.%zu.name", i));
		f->disk = dup_param(p, n, KEY("fs.%zu.disk.0.alias", i));
		if (param_u64(p, n, KEY("fs.%zu.total-bytes", i), &v))
			vax_set(&f->vals, VAX_FS_TOTAL, v);
		if (param_u64(p, n, KEY("fs.%zu.used-bytes", i), &v))
			vax_set(&f->vals, VAX_FS_USED, v);
		g->nfs++;
	}
	return 0;
}

static int parse_ifaces(struct vax_guest_info *g, const virTypedParameter *p, int n)
{
	size_t nif = param_count(p, n, "if.count", VAX_GUEST_MAX_IFACES), total = 0;
	char k[64];

	for (size_t i = 0; i < nif; i++)
		total += param_count(p, n, KEY("if.%zu.addr.count", i),
				     VAX_GUEST_MAX_ADDRS);
	if (total > VAX_GUEST_MAX_ADDRS)
		total = VAX_GUEST_MAX_ADDRS;
	if (!total)
		return 0;
	if (!(g->addrs = calloc(total, sizeof(*g->addrs))))
		return -1;
	for (size_t i = 0; i < nif; i++) {
		size_t na = param_count(p, n, KEY("if.%zu.addr.count", i),
					VAX_GUEST_MAX_ADDRS);
		uint8_t mac[6];
		bool has_mac = vax_parse_mac(param_str(p, n, KEY("if.%zu.hwaddr", i)), mac);
		const char *name = param_str(p, n, KEY("if.%zu.name", i));

		for (size_t j = 0; j < na && g->naddrs < total; j++) {
			struct vax_guest_addr *a = &g->addrs[g->naddrs];
			const char *type = param_str(p, n, KEY("if.%zu.addr.%zu.type", i, j));
			uint64_t prefix;
			int family = type && strcmp(type, "ipv6") == 0 ? 6 :
				     type && strcmp(type, "ipv4") == 0 ? 4 : 0;

			memset(a, 0, sizeof(*a));
			if (!family ||
			    !parse_addr(param_str(p, n, KEY("if.%zu.addr.%zu.addr", i, j)), family, a) ||
			    vax_guest_addr_loopback(a))
				continue;
			if (param_u64(p, n, KEY("if.%zu.addr.%zu.prefix", i, j), &prefix) &&
			    prefix <= (family == 6 ? 128u : 32u)) {
				a->prefix = (uint8_t)prefix;
				a->has_prefix = true;
			}
			/* 00:00:00:00:00:00 is no MAC (a tunnel, a bridge without ports). */
			a->has_mac = has_mac && (mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]);
			if (a->has_mac)
				memcpy(a->mac, mac, 6);
			a->source = VAX_SRC_AGENT;
			a->ifname = vax_utf8_dup(name);
			g->naddrs++;
		}
	}
	return 0;
}

struct vax_guest_info *vax_guest_info_from_params(const virTypedParameter *p, int n,
						  int64_t now)
{
	struct vax_guest_info *g = vax_guest_info_new();
	uint64_t u;
	int64_t off;

	if (!g)
		return NULL;
	g->taken_ms = now;
	g->hostname = dup_param(p, n, "hostname");
	g->os_name = dup_param(p, n, "os.pretty-name");
	if (!g->os_name)
		g->os_name = dup_param(p, n, "os.name");
	g->kernel = dup_param(p, n, "os.kernel-release");
	g->timezone = dup_param(p, n, "timezone.name");
	if (param_u64(p, n, "user.count", &u))
		vax_set(&g->vals, VAX_GUEST_USERS, u);
	/* Within a day of UTC either way, or it is nonsense. */
	if (param_i64(p, n, "timezone.offset", &off) && off >= -86400 && off <= 86400)
		vax_set(&g->vals, VAX_GUEST_TZ_OFFSET, (uint64_t)off);
	if (parse_fs(g, p, n) < 0 || parse_ifaces(g, p, n) < 0) {
		vax_guest_info_unref(g);
		return NULL;
	}
	return g;
}

/* An address list of total entries, capped at VAX_GUEST_MAX_ADDRS: 0
 * (nothing to hold), 1 (allocated) or -1 (out of memory). */
static int new_addrs(size_t total, struct vax_guest_addr **out, size_t *cap)
{
	*cap = total > VAX_GUEST_MAX_ADDRS ? VAX_GUEST_MAX_ADDRS : total;
	if (!*cap)
		return 0;
	return (*out = calloc(*cap, sizeof(**out))) ? 1 : -1;
}

int vax_guest_addrs_from_ifaces(virDomainInterfacePtr *ifs, int n,
				enum vax_addr_source source,
				struct vax_guest_addr **out, size_t *nout)
{
	size_t total = 0, k = 0;

	*out = NULL;
	*nout = 0;
	int rc;

	for (int i = 0; i < n && i < VAX_GUEST_MAX_IFACES; i++)
		total += ifs[i]->naddrs;
	if ((rc = new_addrs(total, out, &total)) <= 0)
		return rc;
	for (int i = 0; i < n && i < VAX_GUEST_MAX_IFACES; i++) {
		const virDomainInterface *f = ifs[i];
		uint8_t mac[6];
		bool has_mac = vax_parse_mac(f->hwaddr, mac) &&
			       (mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]);

		for (unsigned j = 0; j < f->naddrs && k < total; j++) {
			const virDomainIPAddress *ip = &f->addrs[j];
			struct vax_guest_addr *a = &(*out)[k];
			int family = ip->type == VIR_IP_ADDR_TYPE_IPV6 ? 6 :
				     ip->type == VIR_IP_ADDR_TYPE_IPV4 ? 4 : 0;

			memset(a, 0, sizeof(*a));
			if (!family || !parse_addr(ip->addr, family, a) || vax_guest_addr_loopback(a))
				continue;
			if (ip->prefix <= (family == 6 ? 128u : 32u)) {
				a->prefix = (uint8_t)ip->prefix;
				a->has_prefix = true;
			}
			a->has_mac = has_mac;
			if (has_mac)
				memcpy(a->mac, mac, 6);
			a->source = (uint8_t)source;
			/* The lease and ARP sources name the host's device
			 * (vnet0), not the guest's: only the agent's is kept. */
			if (source == VAX_SRC_AGENT)
				a->ifname = vax_utf8_dup(f->name);
			k++;
		}
	}
	*nout = k;
	return 0;
}

static bool same_addr(const struct vax_guest_addr *a, const struct vax_guest_addr *b)
{
	return a->family == b->family && memcmp(a->addr, b->addr, a->family == 6 ? 16 : 4) == 0;
}

int vax_guest_merge_addrs(const struct vax_addr_list *lists, size_t nlists,
			  struct vax_guest_addr **out, size_t *nout)
{
	size_t total = 0, k = 0;

	*out = NULL;
	*nout = 0;
	int rc;

	for (size_t l = 0; l < nlists; l++)
		total += lists[l].n;
	if ((rc = new_addrs(total, out, &total)) <= 0)
		return rc;
	for (size_t l = 0; l < nlists; l++) {
		size_t before = k;   /* what earlier sources gave */
		for (size_t i = 0; i < lists[l].n && k < total; i++) {
			const struct vax_guest_addr *a = &lists[l].a[i];
			bool taken = false;
			for (size_t j = 0; j < k && !taken; j++)
				taken = same_addr(&(*out)[j], a) ||
					(j < before && a->has_mac && (*out)[j].has_mac &&
					 memcmp((*out)[j].mac, a->mac, 6) == 0);
			if (taken)
				continue;
			(*out)[k] = *a;
			(*out)[k].ifname = NULL;
			if (a->ifname && !((*out)[k].ifname = strdup(a->ifname))) {
				vax_guest_addrs_free(*out, k);
				*out = NULL;
				return -1;
			}
			k++;
		}
	}
	*nout = k;
	return 0;
}
