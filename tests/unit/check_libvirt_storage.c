/* check_libvirt_storage.c - pools and networks into model values
 * (libvirt_storage.c): virStoragePoolGetInfo and statvfs answers, pool
 * and network XML. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "libvirt_storage.h"

static virStoragePoolInfo info_of(int state)
{
	return (virStoragePoolInfo){ .state = state, .capacity = 1000, .allocation = 250,
				     .available = 750 };
}

START_TEST(test_info_running)
{
	struct vax_pool_vals v = { 0 };
	virStoragePoolInfo info = info_of(VIR_STORAGE_POOL_RUNNING);

	vax_pool_from_info(&v, &info);
	ck_assert_uint_eq(v.v[VAX_POOL_STATE], VIR_STORAGE_POOL_RUNNING);
	ck_assert_uint_eq(v.v[VAX_POOL_CAPACITY], 1000);
	ck_assert_uint_eq(v.v[VAX_POOL_ALLOCATION], 250);
	ck_assert_uint_eq(v.v[VAX_POOL_AVAILABLE], 750);
	ck_assert_uint_eq(v.v[VAX_POOL_SOURCE], VAX_POOL_SRC_LIBVIRT);
}
END_TEST

/* libvirt returns an inactive pool's stale numbers; virsh shows none. */
START_TEST(test_info_inactive)
{
	struct vax_pool_vals v = { 0 };
	virStoragePoolInfo info = info_of(VIR_STORAGE_POOL_INACTIVE);

	vax_pool_from_info(&v, &info);
	ck_assert(vax_has(&v, VAX_POOL_STATE));
	ck_assert_uint_eq(v.v[VAX_POOL_STATE], VIR_STORAGE_POOL_INACTIVE);
	ck_assert(!vax_has(&v, VAX_POOL_CAPACITY));
	ck_assert(!vax_has(&v, VAX_POOL_ALLOCATION));
	ck_assert(!vax_has(&v, VAX_POOL_AVAILABLE));
	ck_assert(!vax_has(&v, VAX_POOL_SOURCE));
}
END_TEST

START_TEST(test_statvfs)
{
	struct vax_pool_vals v = { 0 };
	struct statvfs sv = { .f_frsize = 4096, .f_bsize = 65536, .f_blocks = 5120, .f_bfree = 768,
			      .f_bavail = 700 };

	ck_assert(vax_pool_from_statvfs(&v, &sv));
	ck_assert_uint_eq(v.v[VAX_POOL_CAPACITY], 5120 * 4096ull);      /* f_frsize units */
	ck_assert_uint_eq(v.v[VAX_POOL_AVAILABLE], 768 * 4096ull);      /* f_bfree, as libvirt */
	ck_assert_uint_eq(v.v[VAX_POOL_ALLOCATION], (5120 - 768) * 4096ull);
	ck_assert_uint_eq(v.v[VAX_POOL_SOURCE], VAX_POOL_SRC_FILESYSTEM);
	sv.f_bfree = sv.f_blocks + 1;   /* nonsense: v unchanged */
	ck_assert(!vax_pool_from_statvfs(&v, &sv));
	ck_assert_uint_eq(v.v[VAX_POOL_CAPACITY], 5120 * 4096ull);
}
END_TEST

START_TEST(test_local_fs)
{
	ck_assert(vax_pool_type_is_local_fs("dir"));
	ck_assert(vax_pool_type_is_local_fs("fs"));
	ck_assert(vax_pool_type_is_local_fs("netfs"));
	ck_assert(!vax_pool_type_is_local_fs("logical"));
	ck_assert(!vax_pool_type_is_local_fs("rbd"));
	ck_assert(!vax_pool_type_is_local_fs(NULL));
}
END_TEST

static const struct { const char *xml, *bridge, *forward; } nets[] = {
	{ "<network><name>a</name><forward mode='nat'/><bridge name='virbr0'/></network>",
	  "virbr0", "nat" },
	{ "<network><name>b</name><forward/><bridge name='br1'/></network>", "br1", "nat" },
	{ "<network><name>c</name><bridge name='iso0'/></network>", "iso0", "none" },
	{ "<network><name>d</name><forward mode='bridge'/></network>", NULL, "bridge" },
};

START_TEST(test_net_xml)
{
	struct vax_network n = { 0 };
	char err[256];

	ck_assert_int_eq(vax_net_parse_xml(nets[_i].xml, strlen(nets[_i].xml), &n, err, sizeof(err)), 0);
	if (nets[_i].bridge)
		ck_assert_str_eq(n.bridge, nets[_i].bridge);
	else
		ck_assert_ptr_null(n.bridge);
	ck_assert_str_eq(n.forward, nets[_i].forward);
	free(n.bridge);
	free(n.forward);
}
END_TEST

START_TEST(test_pool_xml)
{
	static const char xml[] = "<pool type='dir'><name>p</name><target><path>/var/lib/x</path>"
		"</target></pool>";
	struct vax_pool p = { 0 };
	char err[256];

	ck_assert_int_eq(vax_pool_parse_xml(xml, strlen(xml), &p, err, sizeof(err)), 0);
	ck_assert_str_eq(p.type, "dir");
	ck_assert_str_eq(p.target, "/var/lib/x");
	free(p.type);
	free(p.target);
	memset(&p, 0, sizeof(p));
	ck_assert_int_eq(vax_pool_parse_xml("<network/>", 10, &p, err, sizeof(err)), -1);
	ck_assert_ptr_null(p.type);
}
END_TEST

static Suite *storage_suite(void)
{
	Suite *s = suite_create("libvirt_storage");
	TCase *tc = tcase_create("libvirt_storage");

	tcase_add_test(tc, test_info_running);
	tcase_add_test(tc, test_info_inactive);
	tcase_add_test(tc, test_statvfs);
	tcase_add_test(tc, test_local_fs);
	tcase_add_loop_test(tc, test_net_xml, 0, (int)(sizeof(nets) / sizeof(nets[0])));
	tcase_add_test(tc, test_pool_xml);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vax_run_suite(storage_suite());
}
