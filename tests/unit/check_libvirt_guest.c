/* check_libvirt_guest.c - guest agent answers and address lists into model
 * values (libvirt_guest.c), from parameters as libvirt 9.0 gave them for
 * the Linux guest of tests/guest. */
#include "config.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "libvirt_guest.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define S(k, v) { .field = k, .type = VIR_TYPED_PARAM_STRING, .value.s = (char[]){ v } }
#define U(k, v) { .field = k, .type = VIR_TYPED_PARAM_UINT, .value.ui = (v) }
#define UL(k, v) { .field = k, .type = VIR_TYPED_PARAM_ULLONG, .value.ul = (v) }
#define I(k, v) { .field = k, .type = VIR_TYPED_PARAM_INT, .value.i = (v) }
#define L(k, v) { .field = k, .type = VIR_TYPED_PARAM_LLONG, .value.l = (v) }
#define D(k, v) { .field = k, .type = VIR_TYPED_PARAM_DOUBLE, .value.d = (v) }
#define B(k, v) { .field = k, .type = VIR_TYPED_PARAM_BOOLEAN, .value.b = (v) }

/* A parameter list grown with libvirt's own functions (as a real answer is). */
struct params { virTypedParameterPtr p; int n, max; };

static void add_s(struct params *ps, const char *v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void add_s(struct params *ps, const char *v, const char *fmt, ...)
{
	char k[VIR_TYPED_PARAM_FIELD_LENGTH];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(k, sizeof(k), fmt, ap);
	va_end(ap);
	ck_assert_int_eq(virTypedParamsAddString(&ps->p, &ps->n, &ps->max, k, v), 0);
}

static void add_u(struct params *ps, unsigned v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void add_u(struct params *ps, unsigned v, const char *fmt, ...)
{
	char k[VIR_TYPED_PARAM_FIELD_LENGTH];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(k, sizeof(k), fmt, ap);
	va_end(ap);
	ck_assert_int_eq(virTypedParamsAddUInt(&ps->p, &ps->n, &ps->max, k, v), 0);
}


START_TEST(test_real_answer)
{
	/* virsh guestinfo of the tests/guest image (fs, lo, eth0). */
	const virTypedParameter real[] = {
		U("user.count", 0), S("os.kernel-release", "6.1.0-57-amd64"),
		S("timezone.name", "UTC"), I("timezone.offset", 0), S("hostname", "(none)"),
		U("fs.count", 1), S("fs.0.name", "vda"), S("fs.0.mountpoint", "/mnt/data"),
		S("fs.0.fstype", "ext4"), UL("fs.0.total-bytes", 52685824),
		UL("fs.0.used-bytes", 14336), U("fs.0.disk.count", 1),
		S("fs.0.disk.0.alias", "vda"), S("fs.0.disk.0.device", "/dev/vda"),
		U("if.count", 2), S("if.0.name", "lo"), S("if.0.hwaddr", "00:00:00:00:00:00"),
		U("if.0.addr.count", 2), S("if.0.addr.0.type", "ipv4"), S("if.0.addr.0.addr", "127.0.0.1"),
		U("if.0.addr.0.prefix", 8), S("if.0.addr.1.type", "ipv6"), S("if.0.addr.1.addr", "::1"),
		U("if.0.addr.1.prefix", 128),
		S("if.1.name", "eth0"), S("if.1.hwaddr", "52:54:00:88:a6:64"), U("if.1.addr.count", 2),
		S("if.1.addr.0.type", "ipv4"), S("if.1.addr.0.addr", "10.214.193.2"),
		U("if.1.addr.0.prefix", 30), S("if.1.addr.1.type", "ipv6"),
		S("if.1.addr.1.addr", "fe80::5054:ff:fe88:a664"), U("if.1.addr.1.prefix", 64),
	};
	struct vax_guest_info *g = vax_guest_info_from_params(real, N(real), 1234);
	static const uint8_t v4[4] = { 10, 214, 193, 2 }, mac[6] = { 0x52, 0x54, 0, 0x88, 0xa6, 0x64 };

	ck_assert_ptr_nonnull(g);
	ck_assert_int_eq(g->taken_ms, 1234);
	ck_assert_str_eq(g->kernel, "6.1.0-57-amd64");
	ck_assert_str_eq(g->timezone, "UTC");
	ck_assert_str_eq(g->hostname, "(none)");
	ck_assert_ptr_null(g->os_name);              /* not in the answer: absent */
	ck_assert(vax_has(&g->vals, VAX_GUEST_USERS) && g->vals.v[VAX_GUEST_USERS] == 0);
	ck_assert_uint_eq(g->nfs, 1);
	ck_assert_str_eq(g->fs[0].mountpoint, "/mnt/data");
	ck_assert_str_eq(g->fs[0].type, "ext4");
	ck_assert_str_eq(g->fs[0].device, "/dev/vda");
	ck_assert_str_eq(g->fs[0].disk, "vda");
	ck_assert_uint_eq(g->fs[0].vals.v[VAX_FS_TOTAL], 52685824);
	ck_assert_uint_eq(g->fs[0].vals.v[VAX_FS_USED], 14336);
	/* lo's two are left out. */
	ck_assert_uint_eq(g->naddrs, 2);
	ck_assert_int_eq(g->addrs[0].family, 4);
	ck_assert_mem_eq(g->addrs[0].addr, v4, 4);
	ck_assert(g->addrs[0].has_prefix && g->addrs[0].prefix == 30);
	ck_assert(g->addrs[0].has_mac);
	ck_assert_mem_eq(g->addrs[0].mac, mac, 6);
	ck_assert_str_eq(g->addrs[0].ifname, "eth0");
	ck_assert_int_eq(g->addrs[0].source, VAX_SRC_AGENT);
	ck_assert_int_eq(g->addrs[1].family, 6);
	ck_assert_uint_eq(g->addrs[1].addr[0], 0xfe);
	vax_guest_info_unref(g);
}
END_TEST

/* A guest lies: counts far beyond what it gives, bad numbers, bad text. */
START_TEST(test_hostile_answer)
{
	const virTypedParameter p[] = {
		UL("fs.count", 1000000000), S("fs.3.mountpoint", "/\xff\xfe"),
		I("fs.3.total-bytes", -5), UL("fs.3.used-bytes", 7),
		U("if.count", 4000000000u), U("if.0.addr.count", 4000000000u),
		S("if.0.hwaddr", "not a mac"), S("if.0.addr.0.type", "ipv4"),
		S("if.0.addr.0.addr", "300.1.1.1"), S("if.0.addr.1.type", "ipv9"),
		S("if.0.addr.1.addr", "1.2.3.4"), S("if.0.addr.2.type", "ipv6"),
		S("if.0.addr.2.addr", "fe80::1%eth0"), U("if.0.addr.2.prefix", 200),
		I("timezone.offset", 999999), I("user.count", -1),
	};
	struct vax_guest_info *g = vax_guest_info_from_params(p, N(p), 1);

	ck_assert_ptr_nonnull(g);
	ck_assert_uint_eq(g->nfs, 1);                     /* only the one with a mount point */
	ck_assert_str_eq(g->fs[0].mountpoint, "/\xef\xbf\xbd\xef\xbf\xbd");   /* made UTF-8 */
	ck_assert(!vax_has(&g->fs[0].vals, VAX_FS_TOTAL)); /* negative: absent */
	ck_assert(vax_has(&g->fs[0].vals, VAX_FS_USED));
	ck_assert_uint_eq(g->naddrs, 1);                  /* the zoned IPv6 one */
	ck_assert_int_eq(g->addrs[0].family, 6);
	ck_assert(!g->addrs[0].has_prefix);               /* 200 bits: not a prefix */
	ck_assert(!g->addrs[0].has_mac);
	ck_assert(!vax_has(&g->vals, VAX_GUEST_TZ_OFFSET));
	ck_assert(!vax_has(&g->vals, VAX_GUEST_USERS));
	vax_guest_info_unref(g);
}
END_TEST

static struct vax_guest_addr mk(const char *mac, int family, uint8_t last, int src)
{
	struct vax_guest_addr a = { .family = (uint8_t)family, .source = (uint8_t)src };

	a.has_mac = mac && vax_parse_mac(mac, a.mac);
	a.addr[0] = 10;
	a.addr[family == 6 ? 15 : 3] = last;
	return a;
}

/* Lease first: the agent's addresses of a MAC the lease knows are left
 * out, its others (a second NIC, a bridge inside) kept; the same address
 * twice is kept once. */
START_TEST(test_merge_by_preference)
{
	struct vax_guest_addr lease[] = { mk("52:54:00:00:00:01", 4, 2, VAX_SRC_LEASE) };
	struct vax_guest_addr agent[] = {
		mk("52:54:00:00:00:01", 4, 2, VAX_SRC_AGENT),
		mk("52:54:00:00:00:01", 6, 9, VAX_SRC_AGENT),
		mk("52:54:00:00:00:02", 4, 3, VAX_SRC_AGENT),
		mk(NULL, 4, 2, VAX_SRC_AGENT),
	};
	struct vax_addr_list l[] = { { lease, N(lease) }, { agent, N(agent) } };
	struct vax_guest_addr *out;
	size_t n;

	ck_assert_int_eq(vax_guest_merge_addrs(l, 2, &out, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(out[0].source, VAX_SRC_LEASE);
	ck_assert_int_eq(out[1].source, VAX_SRC_AGENT);
	ck_assert_uint_eq(out[1].mac[5], 2);
	vax_guest_addrs_free(out, n);
}
END_TEST

START_TEST(test_ifaces)
{
	virDomainIPAddress ips[] = {
		{ .type = VIR_IP_ADDR_TYPE_IPV4, .addr = (char[]){ "192.168.122.5" }, .prefix = 24 },
		{ .type = VIR_IP_ADDR_TYPE_IPV4, .addr = (char[]){ "127.0.0.1" }, .prefix = 8 },
		{ .type = 7, .addr = (char[]){ "1.1.1.1" }, .prefix = 8 },
	};
	virDomainInterface f = { .name = (char[]){ "vnet0" }, .hwaddr = (char[]){ "52:54:00:ab:cd:ef" },
				 .naddrs = 3, .addrs = ips };
	virDomainInterfacePtr ifs[] = { &f };
	struct vax_guest_addr *out;
	size_t n;

	ck_assert_int_eq(vax_guest_addrs_from_ifaces(ifs, 1, VAX_SRC_LEASE, &out, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(out[0].prefix, 24);
	ck_assert_int_eq(out[0].source, VAX_SRC_LEASE);
	ck_assert_ptr_null(out[0].ifname);   /* vnet0 is the host's name, not the guest's */
	ck_assert_uint_eq(out[0].mac[5], 0xef);
	vax_guest_addrs_free(out, n);
}
END_TEST

START_TEST(test_mac)
{
	uint8_t m[6];

	ck_assert(vax_parse_mac("52:54:00:88:a6:64", m) && m[5] == 0x64);
	ck_assert(!vax_parse_mac("52:54:00:88:a6:64:00", m));
	ck_assert(!vax_parse_mac("52:54:00:88:a6", m));
	ck_assert(!vax_parse_mac("", m));
	ck_assert(!vax_parse_mac(NULL, m));
	/* sscanf would take these: signs, blanks, another separator. */
	ck_assert(!vax_parse_mac("+1:+2:+3:+4:+5:+6", m));
	ck_assert(!vax_parse_mac(" 1: 2: 3: 4: 5: 6", m));
	ck_assert(!vax_parse_mac("52-54-00-88-a6-64", m));
	ck_assert(vax_parse_mac("52:54:00:88:A6:64", m) && m[4] == 0xa6);
}
END_TEST

/* ---- caps: what one guest can make us hold ---- */

START_TEST(test_cap_filesystems)
{
	struct params ps = { 0 };
	struct vax_guest_info *g;

	add_u(&ps, VAX_GUEST_MAX_FS + 44, "fs.count");
	for (unsigned i = 0; i < VAX_GUEST_MAX_FS + 44; i++)
		add_s(&ps, "/m", "fs.%u.mountpoint", i);
	g = vax_guest_info_from_params(ps.p, ps.n, 1);
	ck_assert_ptr_nonnull(g);
	ck_assert_uint_eq(g->nfs, VAX_GUEST_MAX_FS);
	vax_guest_info_unref(g);
	virTypedParamsFree(ps.p, ps.n);
}
END_TEST

/* Interfaces beyond the cap are not looked at; addresses beyond theirs
 * are cut, across interfaces. */
START_TEST(test_cap_interfaces)
{
	struct params ps = { 0 };
	struct vax_guest_info *g;

	add_u(&ps, VAX_GUEST_MAX_IFACES + 10, "if.count");
	for (unsigned i = 0; i < VAX_GUEST_MAX_IFACES + 10; i++) {
		char a[32];
		snprintf(a, sizeof(a), "10.0.%u.%u", i / 250, i % 250 + 1);
		add_u(&ps, 1, "if.%u.addr.count", i);
		add_s(&ps, "ipv4", "if.%u.addr.0.type", i);
		add_s(&ps, a, "if.%u.addr.0.addr", i);
	}
	g = vax_guest_info_from_params(ps.p, ps.n, 1);
	ck_assert_ptr_nonnull(g);
	ck_assert_uint_eq(g->naddrs, VAX_GUEST_MAX_IFACES);
	vax_guest_info_unref(g);
	virTypedParamsFree(ps.p, ps.n);
}
END_TEST

START_TEST(test_cap_addresses)
{
	struct params ps = { 0 };
	struct vax_guest_info *g;
	const unsigned per = VAX_GUEST_MAX_ADDRS / 2 + 100;

	add_u(&ps, 2, "if.count");
	for (unsigned i = 0; i < 2; i++) {
		add_u(&ps, per, "if.%u.addr.count", i);
		for (unsigned j = 0; j < per; j++) {
			char a[32];
			snprintf(a, sizeof(a), "10.%u.%u.%u", i, j / 250, j % 250 + 1);
			add_s(&ps, "ipv4", "if.%u.addr.%u.type", i, j);
			add_s(&ps, a, "if.%u.addr.%u.addr", i, j);
		}
	}
	g = vax_guest_info_from_params(ps.p, ps.n, 1);
	ck_assert_ptr_nonnull(g);
	ck_assert_uint_eq(g->naddrs, VAX_GUEST_MAX_ADDRS);
	ck_assert_uint_eq(g->addrs[per].addr[1], 1);          /* the second's first */
	vax_guest_info_unref(g);
	virTypedParamsFree(ps.p, ps.n);
}
END_TEST

START_TEST(test_cap_ifaces_lists)
{
	enum { NIF = VAX_GUEST_MAX_IFACES + 5, PER = 8 };
	static virDomainIPAddress ips[NIF][PER];
	static virDomainInterface f[NIF];
	static virDomainInterfacePtr ifs[NIF];
	static char text[NIF][PER][20];
	struct vax_guest_addr *out;
	struct vax_addr_list l;
	struct vax_guest_addr *merged;
	size_t n, nm;

	for (int i = 0; i < NIF; i++) {
		for (int j = 0; j < PER; j++) {
			snprintf(text[i][j], sizeof(text[i][j]), "10.%d.%d.%d", i / 250, i % 250, j + 1);
			ips[i][j] = (virDomainIPAddress){ .type = VIR_IP_ADDR_TYPE_IPV4,
							  .addr = text[i][j], .prefix = 24 };
		}
		f[i] = (virDomainInterface){ .name = (char[]){ "vnet" }, .naddrs = PER,
					     .addrs = ips[i] };
		ifs[i] = &f[i];
	}
	ck_assert_int_eq(vax_guest_addrs_from_ifaces(ifs, NIF, VAX_SRC_LEASE, &out, &n), 0);
	ck_assert_uint_eq(n, VAX_GUEST_MAX_ADDRS);   /* 256 * 8 would be 2048 */
	/* The merge caps too: the same list twice is every address once. */
	l = (struct vax_addr_list){ out, n };
	ck_assert_int_eq(vax_guest_merge_addrs((struct vax_addr_list[]){ l, l }, 2,
					       &merged, &nm), 0);
	ck_assert_uint_eq(nm, VAX_GUEST_MAX_ADDRS);
	vax_guest_addrs_free(merged, nm);
	vax_guest_addrs_free(out, n);
}
END_TEST

/* ---- the merge ---- */

/* An address is kept once, from the first source that gave it, whatever
 * MAC the later ones say; a source's several addresses on one MAC all
 * stay; an IPv4 and an IPv6 address sharing leading bytes are two. */
START_TEST(test_merge_dedup)
{
	struct vax_guest_addr lease[] = { mk("52:54:00:00:00:01", 4, 2, VAX_SRC_LEASE) };
	struct vax_guest_addr agent[] = {
		mk("52:54:00:00:00:02", 4, 2, VAX_SRC_AGENT),   /* lease's address */
		mk("52:54:00:00:00:02", 4, 3, VAX_SRC_AGENT),
		mk("52:54:00:00:00:02", 4, 3, VAX_SRC_AGENT),   /* twice in one source */
		mk("52:54:00:00:00:02", 6, 2, VAX_SRC_AGENT),   /* 10.0...2, but IPv6 */
	};
	struct vax_guest_addr arp[] = {
		mk(NULL, 4, 3, VAX_SRC_ARP),                    /* the agent's */
		mk("52:54:00:00:00:02", 4, 9, VAX_SRC_ARP),     /* a MAC the agent knew */
		mk("52:54:00:00:00:03", 4, 9, VAX_SRC_ARP),     /* a new MAC: kept... */
		mk("52:54:00:00:00:03", 4, 10, VAX_SRC_ARP),    /* ...with all of its */
	};
	struct vax_addr_list l[] = { { lease, N(lease) }, { agent, N(agent) }, { arp, N(arp) } };
	struct vax_guest_addr *out;
	size_t n;

	agent[1].ifname = (char[]){ "eth1" };
	ck_assert_int_eq(vax_guest_merge_addrs(l, 3, &out, &n), 0);
	ck_assert_uint_eq(n, 5);
	ck_assert_int_eq(out[0].source, VAX_SRC_LEASE);
	ck_assert_int_eq(out[1].source, VAX_SRC_AGENT);
	ck_assert_uint_eq(out[1].addr[3], 3);
	ck_assert_str_eq(out[1].ifname, "eth1");
	ck_assert_ptr_ne(out[1].ifname, agent[1].ifname);   /* a copy */
	ck_assert_int_eq(out[2].family, 6);
	ck_assert_int_eq(out[3].source, VAX_SRC_ARP);
	ck_assert_uint_eq(out[3].addr[3], 9);
	ck_assert_uint_eq(out[3].mac[5], 3);
	ck_assert_uint_eq(out[4].addr[3], 10);
	vax_guest_addrs_free(out, n);

	/* Nothing in: nothing out, no allocation. */
	ck_assert_int_eq(vax_guest_merge_addrs(l, 0, &out, &n), 0);
	ck_assert_ptr_null(out);
	ck_assert_uint_eq(n, 0);
}
END_TEST

/* ---- values ---- */

static const struct { const char *type, *addr; unsigned prefix; bool kept, has; } prefixes[] = {
	{ "ipv4", "10.0.0.1", 0, true, true },
	{ "ipv4", "10.0.0.1", 32, true, true },
	{ "ipv4", "10.0.0.1", 33, true, false },
	{ "ipv6", "2001:db8::1", 128, true, true },
	{ "ipv6", "2001:db8::1", 129, true, false },
	{ "ipv6", "::ffff:127.0.0.1", 104, false, false },   /* loopback, mapped */
	{ "ipv6", "::ffff:10.0.0.1", 104, true, true },
	{ "ipv4", "::1", 8, false, false },                  /* not IPv4 */
	{ "ipv6", "10.0.0.1", 8, false, false },
	{ "ipv4", "127.255.0.1", 8, false, false },
};

START_TEST(test_prefix_bounds)
{
	virTypedParameter p[] = {
		U("if.count", 1), U("if.0.addr.count", 1),
		{ .field = "if.0.addr.0.type", .type = VIR_TYPED_PARAM_STRING,
		  .value.s = (char *)(uintptr_t)prefixes[_i].type },
		{ .field = "if.0.addr.0.addr", .type = VIR_TYPED_PARAM_STRING,
		  .value.s = (char *)(uintptr_t)prefixes[_i].addr },
		U("if.0.addr.0.prefix", prefixes[_i].prefix),
	};
	virDomainIPAddress ip = { .type = strcmp(prefixes[_i].type, "ipv6") ?
				  VIR_IP_ADDR_TYPE_IPV4 : VIR_IP_ADDR_TYPE_IPV6,
				  .addr = (char *)(uintptr_t)prefixes[_i].addr,
				  .prefix = prefixes[_i].prefix };
	virDomainInterface f = { .name = (char[]){ "vnet0" }, .naddrs = 1, .addrs = &ip };
	virDomainInterfacePtr ifs[] = { &f };
	struct vax_guest_info *g = vax_guest_info_from_params(p, N(p), 1);
	struct vax_guest_addr *out;
	size_t n;

	ck_assert_ptr_nonnull(g);
	ck_assert_uint_eq(g->naddrs, prefixes[_i].kept);
	if (prefixes[_i].kept) {
		ck_assert_int_eq(g->addrs[0].has_prefix, prefixes[_i].has);
		if (prefixes[_i].has)
			ck_assert_uint_eq(g->addrs[0].prefix, prefixes[_i].prefix);
	}
	vax_guest_info_unref(g);
	/* The same from virDomainInterfaceAddresses. */
	ck_assert_int_eq(vax_guest_addrs_from_ifaces(ifs, 1, VAX_SRC_ARP, &out, &n), 0);
	ck_assert_uint_eq(n, prefixes[_i].kept);
	if (prefixes[_i].kept)
		ck_assert_int_eq(out[0].has_prefix, prefixes[_i].has);
	vax_guest_addrs_free(out, n);
}
END_TEST

START_TEST(test_os_name)
{
	const virTypedParameter only[] = { S("os.name", "Microsoft Windows") };
	const virTypedParameter both[] = { S("os.name", "Debian GNU/Linux"),
					   S("os.pretty-name", "Debian GNU/Linux 12 (bookworm)") };
	const virTypedParameter bad[] = { U("os.pretty-name", 3), S("os.name", "Alpine") };
	struct vax_guest_info *g;

	g = vax_guest_info_from_params(only, N(only), 1);
	ck_assert_str_eq(g->os_name, "Microsoft Windows");
	vax_guest_info_unref(g);
	g = vax_guest_info_from_params(both, N(both), 1);
	ck_assert_str_eq(g->os_name, "Debian GNU/Linux 12 (bookworm)");
	vax_guest_info_unref(g);
	g = vax_guest_info_from_params(bad, N(bad), 1);   /* not a string: as absent */
	ck_assert_str_eq(g->os_name, "Alpine");
	vax_guest_info_unref(g);
	g = vax_guest_info_from_params(NULL, 0, 1);
	ck_assert_ptr_nonnull(g);
	ck_assert_ptr_null(g->os_name);
	ck_assert_uint_eq(g->vals.have, 0);
	vax_guest_info_unref(g);
}
END_TEST

/* Counts and sizes in whatever integer type; a negative or non-integer
 * one is absent. */
static const struct { virTypedParameter p; bool has; uint64_t v; } counts[] = {
	{ U("user.count", 7), true, 7 },
	{ UL("user.count", 7), true, 7 },
	{ I("user.count", 7), true, 7 },
	{ L("user.count", 7), true, 7 },
	{ UL("user.count", UINT64_MAX), true, UINT64_MAX },
	{ L("user.count", INT64_MAX), true, (uint64_t)INT64_MAX },
	{ I("user.count", -1), false, 0 },
	{ L("user.count", -1), false, 0 },
	{ D("user.count", 7.0), false, 0 },
	{ B("user.count", 1), false, 0 },
	{ S("user.count", "7"), false, 0 },
};

START_TEST(test_param_types)
{
	struct vax_guest_info *g = vax_guest_info_from_params(&counts[_i].p, 1, 1);

	ck_assert_int_eq(vax_has(&g->vals, VAX_GUEST_USERS), counts[_i].has);
	if (counts[_i].has)
		ck_assert_uint_eq(g->vals.v[VAX_GUEST_USERS], counts[_i].v);
	vax_guest_info_unref(g);
}
END_TEST

/* fs sizes and counts take the same types. */
START_TEST(test_fs_types)
{
	const virTypedParameter p[] = {
		L("fs.count", 3),
		S("fs.0.mountpoint", "/"), U("fs.0.total-bytes", 10), I("fs.0.used-bytes", 4),
		S("fs.1.mountpoint", "/a"), L("fs.1.total-bytes", 20), L("fs.1.used-bytes", -4),
		S("fs.2.mountpoint", "/b"), S("fs.2.name", "dm-0"), D("fs.2.total-bytes", 1.0),
	};
	struct vax_guest_info *g = vax_guest_info_from_params(p, N(p), 1);

	ck_assert_uint_eq(g->nfs, 3);
	ck_assert_uint_eq(g->fs[0].vals.v[VAX_FS_TOTAL], 10);
	ck_assert_uint_eq(g->fs[0].vals.v[VAX_FS_USED], 4);
	ck_assert_uint_eq(g->fs[1].vals.v[VAX_FS_TOTAL], 20);
	ck_assert(!vax_has(&g->fs[1].vals, VAX_FS_USED));
	ck_assert(!vax_has(&g->fs[2].vals, VAX_FS_TOTAL));
	ck_assert_str_eq(g->fs[2].device, "dm-0");        /* no disk: the name */
	ck_assert_ptr_null(g->fs[2].disk);
	ck_assert_ptr_null(g->fs[2].type);
	vax_guest_info_unref(g);
}
END_TEST

/* Seconds east of UTC, west negative, within a day either way. */
static const struct { virTypedParameter p; bool has; int64_t v; } offsets[] = {
	{ I("timezone.offset", -18000), true, -18000 },
	{ L("timezone.offset", -3600), true, -3600 },
	{ I("timezone.offset", 19800), true, 19800 },
	{ U("timezone.offset", 3600), true, 3600 },
	{ I("timezone.offset", -86400), true, -86400 },
	{ I("timezone.offset", 86400), true, 86400 },
	{ I("timezone.offset", -86401), false, 0 },
	{ L("timezone.offset", 86401), false, 0 },
	{ L("timezone.offset", INT64_MIN), false, 0 },
	{ U("timezone.offset", 4294967295u), false, 0 },
	{ S("timezone.offset", "-3600"), false, 0 },
};

START_TEST(test_tz_offset)
{
	struct vax_guest_info *g = vax_guest_info_from_params(&offsets[_i].p, 1, 1);

	ck_assert_int_eq(vax_has(&g->vals, VAX_GUEST_TZ_OFFSET), offsets[_i].has);
	if (offsets[_i].has)
		ck_assert_int_eq((int64_t)g->vals.v[VAX_GUEST_TZ_OFFSET], offsets[_i].v);
	vax_guest_info_unref(g);
}
END_TEST

static Suite *guest_suite(void)
{
	Suite *s = suite_create("libvirt_guest");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_real_answer);
	tcase_add_test(tc, test_hostile_answer);
	tcase_add_test(tc, test_merge_by_preference);
	tcase_add_test(tc, test_ifaces);
	tcase_add_test(tc, test_mac);
	tcase_add_test(tc, test_cap_filesystems);
	tcase_add_test(tc, test_cap_interfaces);
	tcase_add_test(tc, test_cap_addresses);
	tcase_add_test(tc, test_cap_ifaces_lists);
	tcase_add_test(tc, test_merge_dedup);
	tcase_add_loop_test(tc, test_prefix_bounds, 0, N(prefixes));
	tcase_add_test(tc, test_os_name);
	tcase_add_loop_test(tc, test_param_types, 0, N(counts));
	tcase_add_test(tc, test_fs_types);
	tcase_add_loop_test(tc, test_tz_offset, 0, N(offsets));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vax_run_suite(guest_suite());
}
