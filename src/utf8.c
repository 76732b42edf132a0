/* utf8.c - text from outside made safe to serve (see utf8.h). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

size_t vax_utf8_prefix(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return n;
	/* Back off continuation bytes (10xxxxxx) so no character is split. */
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

/* Length of the well-formed UTF-8 character at s (1-4), or 0 if the bytes
 * there are not one; *bad is then how many bytes to replace: the lead
 * and the continuation bytes that were still valid (Unicode's "maximal
 * subpart", so "\xE6\x95x" gives one U+FFFD and "x", not two). */
static size_t utf8_char(const unsigned char *s, size_t *bad)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xBF;
	size_t n;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4;
	else {
		*bad = 1;
		return 0;
	}
	/* The second byte's range rules out overlongs, surrogates and
	 * code points above U+10FFFF. */
	if (c == 0xE0) lo = 0xA0;
	if (c == 0xED) hi = 0x9F;
	if (c == 0xF0) lo = 0x90;
	if (c == 0xF4) hi = 0x8F;
	for (size_t k = 1; k < n; k++) {
		if (s[k] < lo || s[k] > hi) {
			*bad = k;
			return 0;
		}
		lo = 0x80;
		hi = 0xBF;
	}
	return n;
}

char *vax_utf8_dup(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len, o = 0, n, bad;
	char *out;

	if (!str)
		return NULL;
	len = strlen(str);
	/* A bad byte (1) becomes 3: U+FFFD is EF BF BD. */
	if (len > (SIZE_MAX - 1) / 3 || !(out = malloc(3 * len + 1)))
		return NULL;
	for (size_t i = 0; i < len; ) {
		if ((n = utf8_char(s + i, &bad))) {
			memcpy(out + o, s + i, n);
			o += n;
			i += n;
		} else {
			memcpy(out + o, "\xEF\xBF\xBD", 3);
			o += 3;
			i += bad;
		}
	}
	out[o] = '\0';
	return out;
}

void vax_utf8_copy(char *dst, size_t size, const char *s)
{
	char *clean = vax_utf8_dup(s);
	size_t n = clean && size ? vax_utf8_prefix(clean, size - 1) : 0;

	if (!size)
		return;
	if (n)
		memcpy(dst, clean, n);
	dst[n] = '\0';
	free(clean);
}
