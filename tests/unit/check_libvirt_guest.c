/* check_libvirt_guest.c - guest agent answers and address lists into model
 * values (libvirt_guest.c), from parameters as libvirt 9.0 gave them for
 * the Linux guest of tests/guest. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "libvirt_guest.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define S(k, v) { .field = k, .type = VIR_TYPED_PARAM_STRING, .value.s = (char[]){ v } }
#define U(k, v) { .field = k, .type = VIR_TYPED_PARAM_UINT, .value.ui = (v) }
#define UL(k, v) { .field = k, .type = VIR_TYPED_PARAM_ULLONG, .value.ul = (v) }
#define I(k, v) { .field = k, .type = VIR_TYPED_PARAM_INT, .value.i = (v) }


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
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vax_run_suite(guest_suite());
}
