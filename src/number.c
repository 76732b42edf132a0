/* number.c - strict decimal numbers (see number.h). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include "number.h"

bool vax_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	/* strtoull itself would skip blanks and take "-1" as 2^64-1. */
	if (!s || !isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}
