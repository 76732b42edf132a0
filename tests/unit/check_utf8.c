/* check_utf8.c - UTF-8 text cut on a character and made valid (utf8.c),
 * checked by a validator of its own. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "utf8.h"

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))
#define FFFD "\xef\xbf\xbd"

/* ---- UTF-8 ---- */

/* Independent of model.c: s is well-formed UTF-8 per RFC 3629 (shortest
 * form, no surrogate, at most U+10FFFF). */
static bool utf8_strict(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s) {
		uint32_t cp;
		int n;
		if (*s < 0x80) {
			s++;
			continue;
		}
		n = (*s & 0xE0) == 0xC0 ? 2 : (*s & 0xF0) == 0xE0 ? 3
			: (*s & 0xF8) == 0xF0 ? 4 : 0;
		if (!n)
			return false;
		cp = *s & (0x7F >> n);
		for (int k = 1; k < n; k++) {
			if ((s[k] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[k] & 0x3F);
		}
		if (cp < (n == 2 ? 0x80u : n == 3 ? 0x800u : 0x10000u) ||
		    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
			return false;
		s += n;
	}
	return true;
}

/* Names as people write them: 2-, 3- and 4-byte characters. */
#define CYR "\xd0\xb2\xd0\xb5\xd0\xb1"              /* "веб" */
#define HAN "\xe6\x95\xb0\xe6\x8d\xae\xe5\xba\x93"  /* "数据库" */
#define GRIN "\xf0\x9f\x98\x80"                     /* U+1F600 */

static const struct { const char *s; size_t max, want; } prefixes[] = {
	{ "", 10, 0 },
	{ "abc", 3, 3 },
	{ "abcd", 3, 3 },
	{ "abc", 0, 0 },
	{ "ab\xe2\x82\xac", 3, 2 },     /* never half a euro sign */
	{ "ab\xe2\x82\xac", 4, 2 },
	{ "ab\xe2\x82\xac", 5, 5 },
	{ "ab\xe2\x82\xac", 99, 5 },
	{ "\xe2\x82\xacx", 3, 3 },
	{ GRIN, 3, 0 },
	{ GRIN, 0, 0 },
	{ GRIN GRIN, 7, 4 },
	{ CYR, 1, 0 },
	{ CYR, 2, 2 },
	{ CYR, 5, 4 },
	{ HAN, 8, 6 },
	{ HAN, 9, 9 },
	{ "e\xcc\x81", 1, 1 },          /* e + combining acute: cut between them */
	{ "x" GRIN "y", 4, 1 },
	{ "x" GRIN "y", 5, 5 },
};

START_TEST(test_utf8_prefix)
{
	const char *s = prefixes[_i].s;
	size_t max = prefixes[_i].max, got = vax_utf8_prefix(s, max);
	char *cut;

	ck_assert_msg(got == prefixes[_i].want, "case %d: %zu, not %zu", _i, got,
		      prefixes[_i].want);
	ck_assert_uint_le(got, max);
	/* A whole character ends it; the next one would not have fitted. */
	cut = fx_calloc(got + 1, 1);
	memcpy(cut, s, got);
	ck_assert(utf8_strict(cut));
	free(cut);
	if (got < strlen(s)) {
		size_t next = got + 1;
		while (((unsigned char)s[next] & 0xC0) == 0x80)
			next++;
		ck_assert_uint_gt(next, max);
	}
}
END_TEST

/* Well-formed text, in any language, comes back byte for byte. */
static const char *const kept[] = {
	"", "web01", "a\tb\nc\x7f",              /* controls are text too */
	"веб-сервер", "数据库-01", "ウェブサーバー", "웹서버", "διακομιστής",
	"خادم", "שרת", "सर्वर", "เซิร์ฟเวอร์", "Ελληνικά-ü-ñ-ß",
	"\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb",   /* woman, ZWJ, laptop */
	"cafe\xcc\x81",                            /* a combining accent */
	/* The ends of each length, and the code points next to the gaps. */
	"\xc2\x80\xdf\xbf",                        /* U+80, U+7FF */
	"\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80",        /* U+800, U+D7FF, U+E000 */
	"\xef\xbb\xbf\xef\xbf\xbe\xef\xbf\xbf",        /* BOM, U+FFFE, U+FFFF */
	"\xf0\x90\x80\x80\xf4\x8f\xbf\xbf",            /* U+10000, U+10FFFF */
	FFFD,
};

START_TEST(test_utf8_kept)
{
	char *got = vax_utf8_dup(kept[_i]);

	ck_assert(utf8_strict(kept[_i]));   /* the table itself */
	ck_assert_ptr_nonnull(got);
	ck_assert_ptr_ne(got, kept[_i]);    /* a copy */
	ck_assert_str_eq(got, kept[_i]);
	free(got);
}
END_TEST

/* Ill-formed text: each maximal ill-formed subpart (Unicode 3.9) becomes
 * one U+FFFD; the rest is kept. */
static const struct { const char *in, *out; } dups[] = {
	/* Bytes that are never UTF-8, and Latin-1 / Windows-1252 names. */
	{ "\xc0\xc1\xf5\xf8\xfe\xff", FFFD FFFD FFFD FFFD FFFD FFFD },
	{ "Jos\xe9", "Jos" FFFD },
	{ "Jos\xe9 Garc\xed" "a", "Jos" FFFD " Garc" FFFD "a" },
	{ "\x93quoted\x94", FFFD "quoted" FFFD },
	{ "\x80\x80\xbf", FFFD FFFD FFFD },                 /* stray continuations */
	/* Overlong forms: each byte replaced, '/' not let through. */
	{ "\xc0\xaf", FFFD FFFD },
	{ "\xc1\xbf", FFFD FFFD },
	{ "\xe0\x80\xaf", FFFD FFFD FFFD },
	{ "\xe0\x9f\xbf", FFFD FFFD FFFD },
	{ "\xf0\x8f\xbf\xbf", FFFD FFFD FFFD FFFD },
	{ "\xf8\x88\x80\x80\x80", FFFD FFFD FFFD FFFD FFFD },   /* 5-byte form */
	/* Surrogates, alone or paired (CESU-8), and beyond U+10FFFF. */
	{ "\xed\xa0\x80", FFFD FFFD FFFD },
	{ "\xed\xbf\xbf", FFFD FFFD FFFD },
	{ "\xed\xa0\xbd\xed\xb8\x80", FFFD FFFD FFFD FFFD FFFD FFFD },
	{ "\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD },
	{ "\xf5\x80\x80\x80", FFFD FFFD FFFD FFFD },
	/* A cut character is one U+FFFD (its maximal subpart), whatever
	 * follows. */
	{ "\xc3", FFFD },
	{ "caf\xc3", "caf" FFFD },
	{ "\xe6\x95", FFFD },
	{ "\xe0\xa0", FFFD },
	{ "\xf0\x9f\x98", FFFD },
	{ "\xf4\x8f\xbf", FFFD },
	{ "\xf0\x9fx", FFFD "x" },
	{ "\xf0\x9f\x98x", FFFD "x" },
	{ "数\xe6\x8d库", "数" FFFD "库" },
	{ "\xc3\xc3\xa9", FFFD "\xc3\xa9" },                 /* a lead, then é */
	/* Unicode 15, table 3-8. */
	{ "a\xf1\x80\x80\xe1\x80\xc2" "b\x80" "c\x80\xbf" "d",
	  "a" FFFD FFFD FFFD "b" FFFD "c" FFFD FFFD "d" },
};

START_TEST(test_utf8_dup)
{
	char *got = vax_utf8_dup(dups[_i].in), *again;

	ck_assert_ptr_nonnull(got);
	ck_assert_msg(strcmp(got, dups[_i].out) == 0, "case %d: got %zu bytes", _i,
		      strlen(got));
	ck_assert(utf8_strict(got));
	/* Valid input is kept whole: a second pass changes nothing. */
	again = vax_utf8_dup(got);
	ck_assert_str_eq(again, got);
	free(again);
	free(got);
}
END_TEST

START_TEST(test_utf8_dup_edges)
{
	/* The worst case, every byte bad, triples the length. */
	char *bad = fx_repeat("\xff", 4096), *want = fx_repeat(FFFD, 4096);
	char *got = vax_utf8_dup(bad);

	ck_assert_ptr_nonnull(got);
	ck_assert_uint_eq(strlen(got), 3 * 4096);
	ck_assert_str_eq(got, want);
	free(got);
	free(want);
	free(bad);
	ck_assert_ptr_null(vax_utf8_dup(NULL));
}
END_TEST

static Suite *utf8_suite(void)
{
	Suite *s = suite_create("utf8");
	TCase *tc = tcase_create("utf8");

	tcase_add_loop_test(tc, test_utf8_prefix, 0, N(prefixes));
	tcase_add_loop_test(tc, test_utf8_kept, 0, N(kept));
	tcase_add_loop_test(tc, test_utf8_dup, 0, N(dups));
	tcase_add_test(tc, test_utf8_dup_edges);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vax_run_suite(utf8_suite());
}
