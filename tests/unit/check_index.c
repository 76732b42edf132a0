/* check_index.c - the UUID -> index map and its file. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "index.h"
#include "uuid.h"
#include "fixtures.h"

#define U1 "6f1c3e2a-1b2c-4d3e-8f40-000000000001"
#define U2 "6f1c3e2a-1b2c-4d3e-8f40-000000000002"
#define U3 "6f1c3e2a-1b2c-4d3e-8f40-000000000003"
#define U4 "6f1c3e2a-1b2c-4d3e-8f40-000000000004"
#define U5 "6f1c3e2a-1b2c-4d3e-8f40-000000000005"
#define U6 "6f1c3e2a-1b2c-4d3e-8f40-000000000006"
#define U7 "6f1c3e2a-1b2c-4d3e-8f40-000000000007"
#define U8 "6f1c3e2a-1b2c-4d3e-8f40-000000000008"
#define U9 "6f1c3e2a-1b2c-4d3e-8f40-000000000009"

static char tmpdir[256], path[512], err[1024];

/* Warnings collected by the warn callback. */
#define MAX_WARN 32
static char warnings[MAX_WARN][600];
static int nwarn;

static void collect(const char *msg)
{
	if (nwarn < MAX_WARN)
		snprintf(warnings[nwarn], sizeof(warnings[0]), "%s", msg);
	nwarn++;
}

static void setup(void)
{
	const char *base = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/check_index.XXXXXX",
		 base && *base ? base : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(path, sizeof(path), "%s/index", tmpdir);
	nwarn = 0;
	err[0] = '\0';
}

static void teardown(void)
{
	char p[600];

	unlink(path);
	snprintf(p, sizeof(p), "%s.tmp", path);
	unlink(p);
	rmdir(tmpdir);
}

static void write_file(const char *content)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(content, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

static struct vax_index *load(void)
{
	struct vax_index *ix = vax_index_new(path);

	ck_assert_ptr_nonnull(ix);
	ck_assert_msg(vax_index_load(ix, collect, err, sizeof(err)) == 0, "%s", err);
	return ix;
}

static uint32_t get(struct vax_index *ix, const char *uuid, bool *added)
{
	bool dummy;

	return vax_index_get(ix, uuid, added ? added : &dummy);
}

/* True if some warning starts with "PATH:line:". */
static bool warned_at(int line)
{
	char prefix[600];

	snprintf(prefix, sizeof(prefix), "%s:%d: ", path, line);
	for (int i = 0; i < nwarn && i < MAX_WARN; i++)
		if (strncmp(warnings[i], prefix, strlen(prefix)) == 0)
			return true;
	return false;
}

/* ---- UUIDs ---- */

START_TEST(test_uuid_canonical)
{
	char out[37];

	ck_assert(vax_uuid_canonical(U1, out));
	ck_assert_str_eq(out, U1);
	ck_assert(vax_uuid_canonical("6F1C3E2A-1B2C-4D3E-8F40-00000000ABCD", out));
	ck_assert_str_eq(out, "6f1c3e2a-1b2c-4d3e-8f40-00000000abcd");
}
END_TEST

static const char *const bad_uuids[] = {
	"", "not-a-uuid",
	"6f1c3e2a-1b2c-4d3e-8f40-00000000000",     /* 35 chars */
	"6f1c3e2a-1b2c-4d3e-8f40-0000000000011",   /* 37 chars */
	"6f1c3e2a1-b2c-4d3e-8f40-000000000001",    /* dash moved */
	"6f1c3e2a-1b2c-4d3e-8f40-00000000000g",    /* not hex */
	"6f1c3e2a-1b2c-4d3e-8f40 000000000001",    /* space for dash */
	"6f1c3e2a1b2c4d3e8f40000000000001",        /* no dashes */
	"{6f1c3e2a-1b2c-4d3e-8f40-0000000001}",
	"6f1c3e2a-1b2c-4d3e-8f40-00000000000\xc3",
};

START_TEST(test_uuid_malformed)
{
	char out[37];
	bool added = true;
	struct vax_index *ix = vax_index_new(NULL);

	ck_assert(!vax_uuid_canonical(bad_uuids[_i], out));
	ck_assert_uint_eq(vax_index_get(ix, bad_uuids[_i], &added), 0);
	ck_assert(!added);
	ck_assert_uint_eq(vax_index_count(ix), 0);
	vax_index_free(ix);
}
END_TEST

START_TEST(test_uuid_null)
{
	char out[37];
	bool added = true;
	struct vax_index *ix = vax_index_new(NULL);

	ck_assert(!vax_uuid_canonical(NULL, out));
	ck_assert_uint_eq(vax_index_get(ix, NULL, &added), 0);
	ck_assert(!added);
	vax_index_free(ix);
}
END_TEST

/* ---- assignment ---- */

START_TEST(test_assign_in_order)
{
	struct vax_index *ix = vax_index_new(NULL);
	bool added = false;

	ck_assert_ptr_null(vax_index_path(ix));
	ck_assert_uint_eq(get(ix, U3, &added), 1);
	ck_assert(added);
	ck_assert_uint_eq(get(ix, U1, &added), 2);
	ck_assert(added);
	ck_assert_uint_eq(get(ix, U2, &added), 3);
	ck_assert(added);
	ck_assert_uint_eq(vax_index_count(ix), 3);
	vax_index_free(ix);
}
END_TEST

START_TEST(test_same_uuid_same_index)
{
	struct vax_index *ix = vax_index_new(NULL);
	bool added = true;

	ck_assert_uint_eq(get(ix, U1, NULL), 1);
	ck_assert_uint_eq(get(ix, U2, NULL), 2);
	ck_assert_uint_eq(get(ix, U1, &added), 1);
	ck_assert(!added);
	ck_assert_uint_eq(get(ix, U2, &added), 2);
	ck_assert(!added);
	ck_assert_uint_eq(vax_index_count(ix), 2);
	vax_index_free(ix);
}
END_TEST

START_TEST(test_case_insensitive)
{
	struct vax_index *ix = vax_index_new(NULL);
	bool added = true;

	ck_assert_uint_eq(get(ix, "ABCDEF01-1B2C-4D3E-8F40-00000000000A", NULL), 1);
	ck_assert_uint_eq(get(ix, "abcdef01-1b2c-4d3e-8f40-00000000000a", &added), 1);
	ck_assert(!added);
	ck_assert_uint_eq(get(ix, "AbCdEf01-1b2C-4D3e-8f40-00000000000A", &added), 1);
	ck_assert(!added);
	ck_assert_uint_eq(vax_index_count(ix), 1);
	vax_index_free(ix);
}
END_TEST

START_TEST(test_many_uuids)
{
	struct vax_index *ix = vax_index_new(NULL);
	char uuid[40];

	for (unsigned i = 0; i < 1000; i++) {
		snprintf(uuid, sizeof(uuid), "6f1c3e2a-1b2c-4d3e-8f40-%012x",
			 (i * 7919u) % 1000u);   /* not in sorted order */
		ck_assert_uint_eq(get(ix, uuid, NULL), i + 1);
	}
	for (unsigned i = 0; i < 1000; i++) {
		snprintf(uuid, sizeof(uuid), "6f1c3e2a-1b2c-4d3e-8f40-%012x",
			 (i * 7919u) % 1000u);
		ck_assert_uint_eq(get(ix, uuid, NULL), i + 1);
	}
	ck_assert_uint_eq(vax_index_count(ix), 1000);
	vax_index_free(ix);
}
END_TEST

START_TEST(test_memory_only_load_save)
{
	struct vax_index *ix = vax_index_new(NULL);

	ck_assert_int_eq(vax_index_load(ix, collect, err, sizeof(err)), 0);
	ck_assert_uint_eq(get(ix, U1, NULL), 1);
	ck_assert_int_eq(vax_index_save(ix, err, sizeof(err)), 0);
	ck_assert_int_eq(nwarn, 0);
	vax_index_free(ix);
}
END_TEST

/* ---- file ---- */

START_TEST(test_missing_file_is_empty)
{
	struct vax_index *ix = load();

	ck_assert_str_eq(vax_index_path(ix), path);
	ck_assert_uint_eq(vax_index_count(ix), 0);
	ck_assert_int_eq(nwarn, 0);
	ck_assert_uint_eq(get(ix, U1, NULL), 1);
	vax_index_free(ix);
}
END_TEST

START_TEST(test_save_load_roundtrip)
{
	struct vax_index *ix = load();
	bool added = true;

	ck_assert_uint_eq(get(ix, U1, NULL), 1);
	ck_assert_uint_eq(get(ix, U2, NULL), 2);
	ck_assert_uint_eq(get(ix, U3, NULL), 3);
	ck_assert_msg(vax_index_save(ix, err, sizeof(err)) == 0, "%s", err);
	vax_index_free(ix);

	ix = load();
	ck_assert_int_eq(nwarn, 0);
	ck_assert_uint_eq(vax_index_count(ix), 3);
	ck_assert_uint_eq(get(ix, U2, &added), 2);
	ck_assert(!added);
	ck_assert_uint_eq(get(ix, U3, &added), 3);
	ck_assert(!added);
	ck_assert_uint_eq(get(ix, U1, &added), 1);
	ck_assert(!added);
	ck_assert_uint_eq(get(ix, U4, &added), 4);
	ck_assert(added);
	vax_index_free(ix);
}
END_TEST

START_TEST(test_save_writes_lowercase)
{
	struct vax_index *ix = load();
	char buf[1024];
	FILE *f;
	size_t n;

	ck_assert_uint_eq(get(ix, "ABCDEF01-1B2C-4D3E-8F40-00000000000A", NULL), 1);
	ck_assert_int_eq(vax_index_save(ix, err, sizeof(err)), 0);
	vax_index_free(ix);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "abcdef01-1b2c-4d3e-8f40-00000000000a 1\n"));
	ck_assert_ptr_null(strstr(buf, "ABCDEF01"));
}
END_TEST

START_TEST(test_save_leaves_no_temp)
{
	struct vax_index *ix = load();
	char tmp[600];

	get(ix, U1, NULL);
	ck_assert_int_eq(vax_index_save(ix, err, sizeof(err)), 0);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	ck_assert_int_ne(access(tmp, F_OK), 0);
	ck_assert_int_eq(access(path, F_OK), 0);
	vax_index_free(ix);
}
END_TEST

START_TEST(test_save_twice_replaces)
{
	struct vax_index *ix = load();

	get(ix, U1, NULL);
	ck_assert_int_eq(vax_index_save(ix, err, sizeof(err)), 0);
	get(ix, U2, NULL);
	ck_assert_int_eq(vax_index_save(ix, err, sizeof(err)), 0);
	vax_index_free(ix);
	ix = load();
	ck_assert_uint_eq(vax_index_count(ix), 2);
	ck_assert_uint_eq(get(ix, U2, NULL), 2);
	vax_index_free(ix);
}
END_TEST

START_TEST(test_never_reuse_after_gap)
{
	struct vax_index *ix;
	bool added = false;

	write_file(U1 " 1\n" U2 " 7\n");
	ix = load();
	ck_assert_int_eq(nwarn, 0);
	ck_assert_uint_eq(get(ix, U3, &added), 8);
	ck_assert(added);
	ck_assert_uint_eq(get(ix, U1, NULL), 1);
	ck_assert_uint_eq(get(ix, U2, NULL), 7);
	ck_assert_uint_eq(get(ix, U4, NULL), 9);
	vax_index_free(ix);
}
END_TEST

START_TEST(test_never_reuse_low_gap)
{
	struct vax_index *ix;

	write_file(U1 " 5\n");
	ix = load();
	ck_assert_uint_eq(get(ix, U2, NULL), 6);
	vax_index_free(ix);
}
END_TEST

START_TEST(test_unsorted_file)
{
	struct vax_index *ix;

	write_file(U9 " 3\n" U1 " 9\n" U5 " 1\n");
	ix = load();
	ck_assert_int_eq(nwarn, 0);
	ck_assert_uint_eq(get(ix, U1, NULL), 9);
	ck_assert_uint_eq(get(ix, U5, NULL), 1);
	ck_assert_uint_eq(get(ix, U9, NULL), 3);
	ck_assert_uint_eq(get(ix, U2, NULL), 10);
	vax_index_free(ix);
}
END_TEST

START_TEST(test_upper_case_in_file)
{
	struct vax_index *ix;
	bool added = true;

	write_file("ABCDEF01-1B2C-4D3E-8F40-00000000000A 4\n");
	ix = load();
	ck_assert_int_eq(nwarn, 0);
	ck_assert_uint_eq(get(ix, "abcdef01-1b2c-4d3e-8f40-00000000000a", &added), 4);
	ck_assert(!added);
	vax_index_free(ix);
}
END_TEST

START_TEST(test_comments_and_blank_lines)
{
	struct vax_index *ix;

	write_file("# a comment\n"
		   "\n"
		   "   \t\n"
		   "   # indented comment\n"
		   U1 " 2\n"
		   "\n");
	ix = load();
	ck_assert_int_eq(nwarn, 0);
	ck_assert_uint_eq(vax_index_count(ix), 1);
	ck_assert_uint_eq(get(ix, U1, NULL), 2);
	vax_index_free(ix);
}
END_TEST

START_TEST(test_crlf_and_whitespace)
{
	struct vax_index *ix;

	write_file(U1 " 1\r\n"
		   "  " U2 "\t\t2  \n"
		   U3 " 3");   /* no final newline */
	ix = load();
	ck_assert_int_eq(nwarn, 0);
	ck_assert_uint_eq(vax_index_count(ix), 3);
	ck_assert_uint_eq(get(ix, U1, NULL), 1);
	ck_assert_uint_eq(get(ix, U2, NULL), 2);
	ck_assert_uint_eq(get(ix, U3, NULL), 3);
	vax_index_free(ix);
}
END_TEST

START_TEST(test_bad_lines_skipped)
{
	struct vax_index *ix;
	char *content = malloc(4096), *p;
	bool added = false;

	ck_assert_ptr_nonnull(content);
	p = content;
	p += sprintf(p, "# header\n");                        /* 1 */
	p += sprintf(p, "\n");                                /* 2 */
	p += sprintf(p, "garbage\n");                         /* 3 */
	p += sprintf(p, U1 " 0\n");                           /* 4 index 0 */
	p += sprintf(p, U2 " 2147483648\n");                  /* 5 too big */
	p += sprintf(p, U3 " 3\n");                           /* 6 ok */
	p += sprintf(p, U3 " 4\n");                           /* 7 dup UUID */
	p += sprintf(p, U4 " 3\n");                           /* 8 dup index */
	/* 9: over-long; its tail looks like a valid line and must not load */
	memset(p, 'x', 600);
	p += 600;
	p += sprintf(p, " " U9 " 9\n");
	p += sprintf(p, U5 " 5\n");                           /* 10 ok */
	p += sprintf(p, U6 " 6 extra\n");                     /* 11 trailing junk */
	p += sprintf(p, U7 " -1\n");                          /* 12 negative */
	p += sprintf(p, U8 "\n");                             /* 13 no index */
	p += sprintf(p, U8 " 99999999999999999999999\n");    /* 14 overflow */
	p += sprintf(p, "  " U6 "  2147483647 \n");           /* 15 ok, max */
	write_file(content);
	free(content);

	ix = load();
	ck_assert_int_eq(nwarn, 10);
	ck_assert(!warned_at(1));
	ck_assert(!warned_at(2));
	ck_assert(warned_at(3));
	ck_assert(warned_at(4));
	ck_assert(warned_at(5));
	ck_assert(!warned_at(6));
	ck_assert(warned_at(7));
	ck_assert(warned_at(8));
	ck_assert(warned_at(9));
	ck_assert(!warned_at(10));
	ck_assert(warned_at(11));
	ck_assert(warned_at(12));
	ck_assert(warned_at(13));
	ck_assert(warned_at(14));
	ck_assert(!warned_at(15));

	ck_assert_uint_eq(vax_index_count(ix), 3);
	ck_assert_uint_eq(get(ix, U3, &added), 3);   /* the first one kept */
	ck_assert(!added);
	ck_assert_uint_eq(get(ix, U5, &added), 5);
	ck_assert(!added);
	ck_assert_uint_eq(get(ix, U6, &added), 2147483647u);
	ck_assert(!added);
	/* The rest of the long line was not read as a line of its own. */
	ck_assert_uint_eq(get(ix, U9, &added), 0);   /* space exhausted */
	vax_index_free(ix);
}
END_TEST

START_TEST(test_warning_texts)
{
	struct vax_index *ix;
	char expect[700];

	write_file(U1 " 1\n" U1 " 2\n" U2 " 1\n" U3 " 0\n" "junk\n");
	ix = load();
	ck_assert_int_eq(nwarn, 4);
	snprintf(expect, sizeof(expect), "%s:2: ", path);
	ck_assert_int_eq(strncmp(warnings[0], expect, strlen(expect)), 0);
	ck_assert_ptr_nonnull(strstr(warnings[0], "UUID"));
	ck_assert_ptr_nonnull(strstr(warnings[1], "index"));
	ck_assert_ptr_nonnull(strstr(warnings[2], "1..2147483647"));
	snprintf(expect, sizeof(expect), "%s:5: ", path);
	ck_assert_int_eq(strncmp(warnings[3], expect, strlen(expect)), 0);
	ck_assert_uint_eq(get(ix, U2, NULL), 2);
	vax_index_free(ix);
}
END_TEST

START_TEST(test_null_warn_callback)
{
	struct vax_index *ix = vax_index_new(path);

	write_file("junk\n" U1 " 1\n");
	ck_assert_int_eq(vax_index_load(ix, NULL, err, sizeof(err)), 0);
	ck_assert_uint_eq(vax_index_count(ix), 1);
	vax_index_free(ix);
}
END_TEST

START_TEST(test_exhausted)
{
	struct vax_index *ix;
	bool added = true;

	write_file(U1 " 2147483647\n");
	ix = load();
	ck_assert_uint_eq(get(ix, U2, &added), 0);
	ck_assert(!added);
	ck_assert_uint_eq(get(ix, U1, &added), 2147483647u);
	ck_assert_uint_eq(vax_index_count(ix), 1);
	vax_index_free(ix);
}
END_TEST

START_TEST(test_load_directory_fails)
{
	struct vax_index *ix = vax_index_new(tmpdir);

	ck_assert_ptr_nonnull(ix);
	ck_assert_int_eq(vax_index_load(ix, collect, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, tmpdir));
	vax_index_free(ix);
}
END_TEST

START_TEST(test_save_to_missing_dir)
{
	char bad[600];
	struct vax_index *ix;

	snprintf(bad, sizeof(bad), "%s/no/such/dir/index", tmpdir);
	ix = vax_index_new(bad);
	ck_assert_int_eq(vax_index_load(ix, collect, err, sizeof(err)), 0);
	get(ix, U1, NULL);
	ck_assert_int_eq(vax_index_save(ix, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, bad));
	vax_index_free(ix);
}
END_TEST

static Suite *index_suite(void)
{
	Suite *s = suite_create("index");
	TCase *tc;

	tc = tcase_create("uuid");
	tcase_add_test(tc, test_uuid_canonical);
	tcase_add_loop_test(tc, test_uuid_malformed, 0,
			    (int)(sizeof(bad_uuids) / sizeof(bad_uuids[0])));
	tcase_add_test(tc, test_uuid_null);
	suite_add_tcase(s, tc);

	tc = tcase_create("assign");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_assign_in_order);
	tcase_add_test(tc, test_same_uuid_same_index);
	tcase_add_test(tc, test_case_insensitive);
	tcase_add_test(tc, test_many_uuids);
	tcase_add_test(tc, test_memory_only_load_save);
	suite_add_tcase(s, tc);

	tc = tcase_create("file");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_missing_file_is_empty);
	tcase_add_test(tc, test_save_load_roundtrip);
	tcase_add_test(tc, test_save_writes_lowercase);
	tcase_add_test(tc, test_save_leaves_no_temp);
	tcase_add_test(tc, test_save_twice_replaces);
	tcase_add_test(tc, test_never_reuse_after_gap);
	tcase_add_test(tc, test_never_reuse_low_gap);
	tcase_add_test(tc, test_unsorted_file);
	tcase_add_test(tc, test_upper_case_in_file);
	tcase_add_test(tc, test_comments_and_blank_lines);
	tcase_add_test(tc, test_crlf_and_whitespace);
	tcase_add_test(tc, test_bad_lines_skipped);
	tcase_add_test(tc, test_warning_texts);
	tcase_add_test(tc, test_null_warn_callback);
	tcase_add_test(tc, test_exhausted);
	tcase_add_test(tc, test_load_directory_fails);
	tcase_add_test(tc, test_save_to_missing_dir);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vax_run_suite(index_suite());
}
