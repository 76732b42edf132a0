/* check_libvirt_storage.c - pools and networks as libvirt describes
 * them, into model values; a pool's used space. */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "libvirt_storage.h"
#include "usage.h"

#define BIT(f) (UINT64_C(1) << (f))
#define SPACE (BIT(VAX_POOL_CAPACITY) | BIT(VAX_POOL_ALLOCATION) | BIT(VAX_POOL_AVAILABLE) | \
	       BIT(VAX_POOL_SOURCE))

static char err[256];

static void pool_free(struct vax_pool *p)
{
	free(p->name);
	free(p->type);
	free(p->target);
	memset(p, 0, sizeof(*p));
}

static void net_free(struct vax_network *n)
{
	free(n->name);
	free(n->bridge);
	free(n->forward);
	memset(n, 0, sizeof(*n));
}

START_TEST(test_info)
{
	virStoragePoolInfo info = { .state = VIR_STORAGE_POOL_RUNNING,
		.capacity = 5ULL << 40, .allocation = (5ULL << 40) - 1, .available = 1 };
	struct vax_pool_vals v = { 0 };

	vax_pool_from_info(&v, &info);
	ck_assert_uint_eq(v.have, SPACE | BIT(VAX_POOL_STATE));
	ck_assert_uint_eq(v.v[VAX_POOL_STATE], 2);
	ck_assert_uint_eq(v.v[VAX_POOL_CAPACITY], 5ULL << 40);   /* beyond 2^32: exact */
	ck_assert_uint_eq(v.v[VAX_POOL_ALLOCATION], (5ULL << 40) - 1);
	ck_assert_uint_eq(v.v[VAX_POOL_AVAILABLE], 1);
	ck_assert_uint_eq(v.v[VAX_POOL_SOURCE], VAX_POOL_SRC_LIBVIRT);
}
END_TEST

/* libvirt returns an inactive pool's stale numbers; virsh shows none. */
START_TEST(test_info_inactive)
{
	virStoragePoolInfo info = { .state = VIR_STORAGE_POOL_INACTIVE,
		.capacity = 100, .allocation = 40, .available = 60 };
	struct vax_pool_vals v = { 0 };

	vax_pool_from_info(&v, &info);
	ck_assert_uint_eq(v.have, BIT(VAX_POOL_STATE));
	ck_assert_uint_eq(v.v[VAX_POOL_STATE], VIR_STORAGE_POOL_INACTIVE);
}
END_TEST

START_TEST(test_statvfs)
{
	/* 4 KiB fragments: 5120 in all, 1000 free (of which 200 reserved:
	 * f_bavail is not what libvirt counts). */
	struct statvfs st = { .f_frsize = 4096, .f_bsize = 65536, .f_blocks = 5120,
			      .f_bfree = 1000, .f_bavail = 800 };
	struct vax_pool_vals v = { 0 };

	ck_assert(vax_pool_from_statvfs(&v, &st));
	ck_assert_uint_eq(v.have, SPACE);
	ck_assert_uint_eq(v.v[VAX_POOL_CAPACITY], 5120ULL * 4096);
	ck_assert_uint_eq(v.v[VAX_POOL_AVAILABLE], 1000ULL * 4096);
	ck_assert_uint_eq(v.v[VAX_POOL_ALLOCATION], 4120ULL * 4096);
	ck_assert_uint_eq(v.v[VAX_POOL_SOURCE], VAX_POOL_SRC_FILESYSTEM);

	/* No fragment size: the block size is the unit. */
	st.f_frsize = 0;
	ck_assert(vax_pool_from_statvfs(&v, &st));
	ck_assert_uint_eq(v.v[VAX_POOL_CAPACITY], 5120ULL * 65536);
}
END_TEST

START_TEST(test_statvfs_nonsense)
{
	struct statvfs st = { .f_frsize = 4096, .f_blocks = 10, .f_bfree = 11 };
	struct vax_pool_vals v = { 0 };

	/* More free than there is, no unit, or bytes past 2^64: nothing. */
	ck_assert(!vax_pool_from_statvfs(&v, &st));
	st = (struct statvfs){ .f_blocks = 10, .f_bfree = 1 };
	ck_assert(!vax_pool_from_statvfs(&v, &st));
	st = (struct statvfs){ .f_frsize = 1 << 20, .f_blocks = UINT64_MAX / 1024, .f_bfree = 1 };
	ck_assert(!vax_pool_from_statvfs(&v, &st));
	ck_assert_uint_eq(v.have, 0);
}
END_TEST

START_TEST(test_local_types)
{
	ck_assert(vax_pool_type_is_local_fs("dir"));
	ck_assert(vax_pool_type_is_local_fs("fs"));
	ck_assert(vax_pool_type_is_local_fs("netfs"));
	ck_assert(!vax_pool_type_is_local_fs("logical"));
	ck_assert(!vax_pool_type_is_local_fs("rbd"));
	ck_assert(!vax_pool_type_is_local_fs("dirx"));
	ck_assert(!vax_pool_type_is_local_fs(""));
	ck_assert(!vax_pool_type_is_local_fs(NULL));
}
END_TEST

/* statvfs only where the daemon's paths are ours. */
START_TEST(test_uri_local)
{
	ck_assert(vax_uri_is_local(NULL));
	ck_assert(vax_uri_is_local("qemu:///system"));
	ck_assert(vax_uri_is_local("test+unix:///default?socket=/tmp/s"));
	ck_assert(vax_uri_is_local("qemu://"));
	ck_assert(!vax_uri_is_local("qemu+ssh://root@hv2/system"));
	ck_assert(!vax_uri_is_local("qemu+tcp://10.0.0.2/system"));
}
END_TEST

static const char pool_xml[] =
	"<pool type='dir'>\n"
	"  <name>images</name><uuid>dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566</uuid>\n"
	"  <capacity unit='bytes'>107374182400</capacity>\n"
	"  <source/>\n"
	"  <target><path>/var/lib/libvirt/images</path>\n"
	"    <permissions><mode>0711</mode></permissions></target>\n"
	"</pool>\n";

START_TEST(test_pool_xml)
{
	struct vax_pool p = { 0 };

	ck_assert_int_eq(vax_pool_parse_xml(pool_xml, strlen(pool_xml), &p, err, sizeof(err)), 0);
	ck_assert_str_eq(p.type, "dir");
	ck_assert_str_eq(p.target, "/var/lib/libvirt/images");
	ck_assert_uint_eq(p.vals.have, 0);   /* numbers come from elsewhere */
	pool_free(&p);

	/* An rbd pool has no target path: absent, not "". */
	const char *rbd = "<pool type='rbd'><name>ceph</name><source><name>rbd</name></source>"
			  "<target><path></path></target></pool>";
	ck_assert_int_eq(vax_pool_parse_xml(rbd, strlen(rbd), &p, err, sizeof(err)), 0);
	ck_assert_str_eq(p.type, "rbd");
	ck_assert_ptr_null(p.target);
	pool_free(&p);
}
END_TEST

START_TEST(test_pool_xml_bad)
{
	struct vax_pool p = { 0 };
	const char *dom = "<domain type='kvm'><name>x</name></domain>";

	ck_assert_int_eq(vax_pool_parse_xml("<pool", 5, &p, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "pool XML does not parse"), "%s", err);
	ck_assert(!strchr(err, '\n'));
	ck_assert_int_eq(vax_pool_parse_xml(dom, strlen(dom), &p, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "root element is not <pool>");
	ck_assert_ptr_null(p.type);
	ck_assert_ptr_null(p.target);
}
END_TEST

START_TEST(test_net_xml)
{
	static const struct { const char *xml, *bridge, *forward; } cases[] = {
		{ "<network><name>default</name><forward mode='nat'/>"
		  "<bridge name='virbr0' stp='on'/></network>", "virbr0", "nat" },
		/* <forward> without a mode is NAT, libvirt's default */
		{ "<network><name>n</name><forward/><bridge name='br1'/></network>", "br1", "nat" },
		{ "<network><name>iso</name><bridge name='virbr9'/></network>", "virbr9", "none" },
		{ "<network><name>hostdev</name><forward mode='hostdev'/></network>", NULL, "hostdev" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vax_network n = { 0 };
		ck_assert_int_eq(vax_net_parse_xml(cases[i].xml, strlen(cases[i].xml), &n, err,
						   sizeof(err)), 0);
		if (cases[i].bridge)
			ck_assert_str_eq(n.bridge, cases[i].bridge);
		else
			ck_assert_ptr_null(n.bridge);
		ck_assert_str_eq(n.forward, cases[i].forward);
		net_free(&n);
	}
	struct vax_network n = { 0 };
	ck_assert_int_eq(vax_net_parse_xml(pool_xml, strlen(pool_xml), &n, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "root element is not <network>");
}
END_TEST

static bool used(uint64_t alloc, uint64_t cap, uint64_t *out)
{
	struct vax_pool_vals v = { 0 };

	vax_set(&v, VAX_POOL_ALLOCATION, alloc);
	vax_set(&v, VAX_POOL_CAPACITY, cap);
	return vax_pool_used(&v, out);
}

START_TEST(test_used)
{
	uint64_t u;

	ck_assert(used(9, 10, &u));
	ck_assert_uint_eq(u, 9000);
	ck_assert(used(1, 3, &u));            /* 33.333...% */
	ck_assert_uint_eq(u, 3333);
	ck_assert(used(2, 3, &u));            /* 66.666...%: rounded up */
	ck_assert_uint_eq(u, 6667);
	ck_assert(used(0, 10, &u));
	ck_assert_uint_eq(u, 0);
	ck_assert(used(11, 10, &u));          /* never more than full */
	ck_assert_uint_eq(u, 10000);
	/* Exabyte pools: the product overflows 64 bits, the answer does not. */
	ck_assert(used(UINT64_MAX / 2, UINT64_MAX, &u));
	ck_assert_uint_eq(u, 5000);
	ck_assert(!used(5, 0, &u));           /* an inactive pool says 0 */

	struct vax_pool_vals v = { 0 };
	vax_set(&v, VAX_POOL_CAPACITY, 10);
	ck_assert(!vax_pool_used(&v, &u));    /* allocation unknown */
}
END_TEST

static Suite *storage_suite(void)
{
	Suite *s = suite_create("libvirt_storage");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_info);
	tcase_add_test(tc, test_info_inactive);
	tcase_add_test(tc, test_statvfs);
	tcase_add_test(tc, test_statvfs_nonsense);
	tcase_add_test(tc, test_local_types);
	tcase_add_test(tc, test_uri_local);
	tcase_add_test(tc, test_pool_xml);
	tcase_add_test(tc, test_pool_xml_bad);
	tcase_add_test(tc, test_net_xml);
	tcase_add_test(tc, test_used);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vax_run_suite(storage_suite());
}
